"""Designating a personne de confiance, the designee's co-signature, revocation.

The holder designates (an adult, acting for themselves: :mod:`dmp.trusted.model`); the
designation waits for the designee's co-signature. The holder gets a short code and a link to
pass on (e-mailed to the designee too when an address is given: no medical content). The
designee opens the invitation without an account, reads who designates them and what it means,
and co-signs by typing their name — or declines; the holder is told either way.

Everything about one patient is a record item read through the one access policy; the
designee's answer, which has no account behind it, is audited in the patient's chain under the
name they typed. Code checks are throttled per address like every other code check: a failure
counts, and the failure that locks says so at once.
"""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from dmp.access.policy import Action, ActorKind, Mode
from dmp.access.services import Access, patient_of
from dmp.accounts.model import normalise_code
from dmp.accounts.security import Security
from dmp.accounts.throttle import TOO_MANY, Throttle
from dmp.audit import services as audit
from dmp.audit.model import AuditAction, chain_for_patient
from dmp.directives.invitations import (
    INVITATION_MESSAGES,
    InvitationCheck,
    check_invitation,
    hash_invitation_code,
    new_invitation,
)
from dmp.directives.trusted_person import TrustedPerson
from dmp.identity.orm import PatientRow
from dmp.linked.model import is_minor
from dmp.notifications.orm import OutboxRow
from dmp.records import items
from dmp.records.recipients import tell
from dmp.shared.context import RequestContext
from dmp.shared.crypto import KeyRing, keyed_digest
from dmp.shared.errors import (
    N_,
    Conflict,
    DomainError,
    InvalidInput,
    PermissionDenied,
    TooManyAttempts,
)
from dmp.shared.i18n import DISPLAY_TZ, format_date, translate
from dmp.trusted.model import (
    MINOR,
    OPEN,
    OWN_ACT,
    DesignationStatus,
    check_typed_name,
)
from dmp.trusted.orm import TrustedPersonInvitationRow, TrustedPersonRow

RESOURCE = "RelatedPerson"  # how FHIR names a personne de confiance
INVITATION_PATH = "/trusted-person/invitation"
DESIGNEE_MODE = "designee"  # the grounds recorded for the designee's own answer
THROTTLE_SCOPE = "trusted-invitation"

NOTHING_TO_REVOKE = N_("Vous n'avez pas de personne de confiance à révoquer.")
NOT_PENDING = N_(
    "Cette désignation n'attend plus de co-signature : il n'y a pas d'invitation à renvoyer."
)
CANCELLED = N_(
    "Cette invitation n'est plus valable : la personne qui vous a désigné(e) l'a annulée ou"
    " vous en a envoyé une nouvelle."
)
CODE_REQUIRED = N_("Saisissez le code d'invitation que vous avez reçu.")
EMAIL_SUBJECT = N_("%(patient)s vous désigne comme personne de confiance")
EMAIL_BODY = N_(
    "%(patient)s vous a désigné(e) comme sa personne de confiance. Pour accepter (co-signer) ou"
    " refuser cette désignation, ouvrez ce lien :\n%(link)s\n\nVous pouvez aussi saisir ce code"
    " sur la page %(page)s : %(code)s\n\nCette invitation est valable jusqu'au %(date)s. Aucun"
    " compte n'est nécessaire."
)


def invitation_key(keys: KeyRing) -> bytes:
    """The server key the invitation codes and links are digested with."""
    return keys.derive("trusted-person-invitation")


def _token_hash(token: str, key: bytes) -> str:
    return keyed_digest(key, "link:" + token.strip())


def _target(row: TrustedPersonRow) -> str:
    return items.target(row, RESOURCE)


@dataclass(frozen=True)
class Issued:
    """What the holder hands to the designee; the code and the link are shown once."""

    designation: TrustedPersonRow
    code: str
    link: str
    expires_at: dt.datetime
    emailed: bool


# --- The holder's side --------------------------------------------------------------------


def _current(access: Access) -> TrustedPersonRow | None:
    rows = items.current_items(access, TrustedPersonRow)
    return rows[-1] if rows else None


def read(access: Access) -> tuple[TrustedPersonRow | None, list[TrustedPersonRow]]:
    """The current designation (whatever its status) and every designation the caller may
    read, newest first; an audited read."""
    mode = access.require(Action.documents_list)
    current = _current(access)
    history = (
        list(reversed(items.versions_of(access, TrustedPersonRow, current))) if current else []
    )
    access.audit(
        AuditAction.RecordTrustedPersonRead,
        mode,
        target=_target(current) if current else None,
        details={"status": current.designation_status if current else "none"},
    )
    return current, history


def may_designate(access: Access) -> DomainError | None:
    """Why this caller may not designate (or revoke) on this record, if they may not."""
    decision = access.decide(Action.sharing_manage)
    if not decision.allowed:
        return None  # require() answers "not found"
    patient = patient_of(access.session, access.patient_id)
    today = access.clock.now().astimezone(DISPLAY_TZ).date()
    if is_minor(patient.birth_date, today, access.settings.age_of_majority):
        return PermissionDenied(MINOR, code="adults-only")
    if access.actor.kind is not ActorKind.patient:
        return PermissionDenied(OWN_ACT, code="own-act")
    return None


def _require_holder(access: Access) -> Mode:
    mode = access.require(Action.sharing_manage)
    refusal = may_designate(access)
    if refusal is not None:
        raise refusal
    return mode


def _cancel_invitations(session: Session, designation_id: object, now: dt.datetime) -> None:
    session.execute(
        update(TrustedPersonInvitationRow)
        .where(
            TrustedPersonInvitationRow.designation_id == designation_id,
            TrustedPersonInvitationRow.used_at.is_(None),
            TrustedPersonInvitationRow.cancelled_at.is_(None),
        )
        .values(cancelled_at=now)
    )


def _issue(
    access: Access, row: TrustedPersonRow, *, key: bytes, link_base: str, language: str
) -> Issued:
    now = access.clock.now()
    session = access.session
    while True:  # a new code never collides with a stored one (40 bits: almost never retried)
        invitation = new_invitation(key=key, now=now)
        taken = session.scalars(
            select(TrustedPersonInvitationRow.id).where(
                TrustedPersonInvitationRow.code_hash == invitation.code_hash
            )
        ).first()
        if taken is None:
            break
    token = secrets.token_urlsafe(32)
    session.add(
        TrustedPersonInvitationRow(
            patient_id=row.patient_id,
            designation_id=row.id,
            code_hash=invitation.code_hash,
            token_hash=_token_hash(token, key),
            created_at=now,
            created_by=access.account.id,
            expires_at=invitation.expires_at,
        )
    )
    page = link_base.rstrip("/") + INVITATION_PATH
    link = f"{page}?token={token}"
    if row.email:
        patient = patient_of(session, row.patient_id)
        params = {
            "patient": patient.display_name,
            "link": link,
            "page": page,
            "code": invitation.code,
            "date": format_date(invitation.expires_at.astimezone(DISPLAY_TZ).date(), language),
        }
        session.add(
            OutboxRow(
                channel="email",
                recipient=row.email,
                subject=translate(language, EMAIL_SUBJECT, params)[:200],
                body=translate(language, EMAIL_BODY, params),
                created_at=now,
                next_attempt_at=now,
                attempts=0,
            )
        )
    return Issued(row, invitation.code, link, invitation.expires_at, bool(row.email))


def designate(
    access: Access, person: TrustedPerson, *, key: bytes, link_base: str, language: str
) -> Issued:
    """A new designation, waiting for co-signature; the previous one (if still pending or in
    force) is superseded and kept in the history."""
    mode = _require_holder(access)
    clean = person.validate()
    now = access.clock.now()
    previous = _current(access)
    row = TrustedPersonRow(
        surname=clean.surname,
        first_names=clean.first_names,
        relationship=str(clean.relationship),
        relationship_detail=clean.relationship_detail or None,
        phone=clean.phone or None,
        email=clean.email or None,
        designation_status=DesignationStatus.pending.value,
        designated_at=now,
    )
    if previous is None:
        items.start(row, access)
    else:
        if previous.designation_status in OPEN:
            previous.designation_status = DesignationStatus.superseded.value
            _cancel_invitations(access.session, previous.id, now)
        items.succeed(previous, row, access)
    items.flush(access)
    issued = _issue(access, row, key=key, link_base=link_base, language=language)
    access.audit(
        AuditAction.RecordTrustedPersonDesignate,
        mode,
        target=_target(row),
        details={
            "relationship": row.relationship,
            "version": str(row.series_number),
            "emailed": str(issued.emailed).lower(),
        },
    )
    return issued


def resend(access: Access, *, key: bytes, link_base: str, language: str) -> Issued:
    """A new invitation for the pending designation; the older ones stop working."""
    mode = _require_holder(access)
    row = _current(access)
    if row is None or row.designation_status != DesignationStatus.pending:
        raise Conflict(NOT_PENDING, code="not-pending")
    _cancel_invitations(access.session, row.id, access.clock.now())
    issued = _issue(access, row, key=key, link_base=link_base, language=language)
    items.flush(access)
    access.audit(
        AuditAction.RecordTrustedPersonInvite,
        mode,
        target=_target(row),
        details={"emailed": str(issued.emailed).lower()},
    )
    return issued


def revoke(access: Access, *, expected_version: int | None = None) -> TrustedPersonRow:
    """The holder withdraws the designation (pending or in force), at any time."""
    mode = _require_holder(access)
    row = _current(access)
    if row is None or row.designation_status not in OPEN:
        raise Conflict(NOTHING_TO_REVOKE, code="nothing-to-revoke")
    items.expect_version(row, expected_version)
    now = access.clock.now()
    was = row.designation_status
    row.designation_status = DesignationStatus.revoked.value
    row.revoked_at, row.revoked_by = now, access.account.id
    _cancel_invitations(access.session, row.id, now)
    items.flush(access)
    access.audit(
        AuditAction.RecordTrustedPersonRevoke, mode, target=_target(row), details={"was": was}
    )
    return row


# --- The designee's side (no account) -----------------------------------------------------


@dataclass(frozen=True)
class Opened:
    """An invitation opened with its code or link, or why it could not be. Failures that count
    against the throttle are returned, not raised, so the caller commits them."""

    invitation: TrustedPersonInvitationRow | None = None
    designation: TrustedPersonRow | None = None
    patient_name: str = ""
    error: DomainError | None = None


def _find(
    session: Session, key: bytes, code: str, token: str
) -> tuple[TrustedPersonInvitationRow | None, bool]:
    if token:
        wanted = _token_hash(token, key)
        column = TrustedPersonInvitationRow.token_hash
    else:
        wanted = hash_invitation_code(code, key=key)
        column = TrustedPersonInvitationRow.code_hash
    row = session.scalars(select(TrustedPersonInvitationRow).where(column == wanted)).first()
    return row, bool(token)


def _wrong(by_link: bool) -> DomainError:
    message = INVITATION_MESSAGES[InvitationCheck.wrong_code]
    if by_link:
        return InvalidInput(message, code=InvitationCheck.wrong_code.value)
    return InvalidInput.single("code", InvitationCheck.wrong_code.value, message)


def open_invitation(
    session: Session,
    security: Security,
    key: bytes,
    ctx: RequestContext,
    *,
    code: str = "",
    token: str = "",
) -> Opened:
    code, token = (code or "").strip(), (token or "").strip()
    if not token and not normalise_code(code):
        return Opened(error=InvalidInput.single("code", "required", CODE_REQUIRED))
    throttle = Throttle(session, security)
    if ctx.ip:
        wait = throttle.rate(throttle.key("ip", ctx.ip))
        if wait:
            return Opened(error=TooManyAttempts(TOO_MANY, retry_after=wait))
    guard = throttle.key(THROTTLE_SCOPE, ctx.ip or "unknown")
    locked = throttle.locked_for(guard)
    if locked:
        return Opened(error=TooManyAttempts(TOO_MANY, retry_after=locked))
    row, by_link = _find(session, key, code, token)
    if row is None:
        return Opened(error=throttle.refuse(guard, _wrong(by_link)))
    now = security.now()
    if by_link:
        state = (
            InvitationCheck.used
            if row.used_at is not None
            else InvitationCheck.expired
            if now >= row.expires_at
            else InvitationCheck.valid
        )
    else:
        state = check_invitation(
            code, row.code_hash, row.expires_at, now, key=key, used_at=row.used_at
        )
    if state is InvitationCheck.wrong_code:  # cannot happen: found by this very digest
        return Opened(error=throttle.refuse(guard, _wrong(by_link)))
    if state is not InvitationCheck.valid:
        return Opened(error=Conflict(INVITATION_MESSAGES[state], code=state.value))
    designation = session.get(TrustedPersonRow, row.designation_id)
    if (
        row.cancelled_at is not None
        or designation is None
        or designation.designation_status != DesignationStatus.pending
        or designation.status != "approved"
    ):
        return Opened(error=Conflict(CANCELLED, code="cancelled"))
    patient = session.get(PatientRow, row.patient_id)
    return Opened(row, designation, patient.display_name if patient else "")


def answer(
    session: Session,
    security: Security,
    key: bytes,
    ctx: RequestContext,
    *,
    accept: bool,
    full_name: str = "",
    code: str = "",
    token: str = "",
    default_language: str = "fr",
) -> Opened:
    """The designee co-signs (typing their name) or declines. Throttled failures come back in
    :attr:`Opened.error`; a wrong name raises :class:`InvalidInput`."""
    opened = open_invitation(session, security, key, ctx, code=code, token=token)
    if opened.error is not None:
        return opened
    invitation, row = opened.invitation, opened.designation
    assert invitation is not None and row is not None
    now = security.now()
    if accept:
        typed = check_typed_name(full_name, surname=row.surname, first_names=row.first_names)
        row.designation_status = DesignationStatus.active.value
        row.cosigned_at, row.cosigned_name = now, typed
        action, kind = AuditAction.RecordTrustedPersonCosign, "trusted-person-accepted"
        label = typed
    else:
        row.designation_status = DesignationStatus.declined.value
        row.declined_at = now
        action, kind = AuditAction.RecordTrustedPersonDecline, "trusted-person-declined"
        label = " ".join((full_name or "").split())[:200] or row.display_name
    invitation.used_at = now
    _cancel_invitations(session, row.id, now)
    session.flush()
    audit.record(
        session,
        security.clock,
        chain=chain_for_patient(row.patient_id),
        action=action,
        context=ctx,
        actor_label=label,
        patient_id=row.patient_id,
        target=_target(row),
        details={"mode": DESIGNEE_MODE},
    )
    tell(
        session,
        row.patient_id,
        kind,
        now,
        representatives=False,
        default_language=default_language,
    )
    return opened


def purge(session: Session, patient_id: uuid.UUID) -> int:
    """Delete a purged record's invitations (before its designations, which they point at)."""
    result = session.execute(
        delete(TrustedPersonInvitationRow).where(
            TrustedPersonInvitationRow.patient_id == patient_id
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
