"""Linked profiles: a parent attaches a child and invites the other parent; delegates for a
protected adult; what each person sees in "Profils rattachés".

Every change is audited in the patient's chain in the caller's transaction: by a legal
representative with the mode "representative", by the holder with "holder", by a professional
or an operator registering a delegation (a judge's decision) with "registrar". The rights a link
gives are judged by the one access policy (dmp.access.policy) from the facts, which include only
links in force (dmp.linked.queries).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dmp.access.policy import Action, Mode
from dmp.access.services import Access, audit_record
from dmp.accounts import model as account_model
from dmp.accounts.orm import AccountRow
from dmp.accounts.queries import account_by_email
from dmp.accounts.registration import clean_email
from dmp.accounts.security import Security
from dmp.accounts.throttle import Throttle
from dmp.audit import services as audit
from dmp.audit.model import AuditAction, chain_for_patient
from dmp.config import Settings
from dmp.identity import services as identity_services
from dmp.identity.model import IdentityInput, Role, fold, validate_identity
from dmp.identity.nir import parse_matricule
from dmp.identity.orm import LegalRepresentativeRow, PatientRow
from dmp.linked.model import (
    LEGAL,
    MAX_REPRESENTATIVES,
    EndReason,
    Relationship,
    Scope,
    in_window,
    is_minor,
)
from dmp.linked.orm import RepresentativeInvitationRow
from dmp.linked.queries import in_force
from dmp.notifications.outbox import queue
from dmp.notifications.ports import Message
from dmp.notifications.services import notify
from dmp.records import lifecycle
from dmp.records.orm import RecordRow
from dmp.shared.clock import Clock
from dmp.shared.context import RequestContext
from dmp.shared.errors import (
    N_,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from dmp.shared.i18n import DISPLAY_TZ, normalise_language, translate

INVITATION_DAYS = 30
LINK_NOT_FOUND = N_("Ce rattachement n'existe pas ou vous n'y avez pas accès.")
INVITATION_INVALID = N_(
    "Ce code ne correspond à aucune invitation en cours pour votre adresse e-mail. Vérifiez le"
    " code reçu ; il est valable 30 jours."
)
THIRD_REFUSED = N_(
    "Un enfant a au plus deux représentants légaux, et ce profil en a déjà deux (ou une"
    " invitation est en cours)."
)
ALREADY_MANAGED = N_(
    "Ce profil est déjà géré par un représentant légal : demandez-lui de vous inviter depuis sa"
    " page « Profils rattachés »."
)
NO_MATCH = N_(
    "Ces informations ne correspondent pas au profil déjà enregistré pour ce matricule INS :"
    " vérifiez les noms et la date de naissance."
)
NO_PERSON = N_(
    "Aucune personne ayant un espace dmp actif ne correspond à ce matricule INS et cette date de"
    " naissance."
)


def today_of(clock: Clock) -> dt.date:
    """The French calendar day: birthdays and delegation dates are local days."""
    return clock.now().astimezone(DISPLAY_TZ).date()


def _patient_account(account: AccountRow) -> uuid.UUID:
    if Role.patient not in account.role_names or account.patient_id is None:
        raise PermissionDenied(N_("Cette page est réservée aux personnes ayant un espace patient."))
    return account.patient_id


def _holder_account(session: Session, patient_id: uuid.UUID) -> AccountRow | None:
    return session.scalars(select(AccountRow).where(AccountRow.patient_id == patient_id)).first()


def has_own_space(session: Session, patient_id: uuid.UUID) -> bool:
    """Whether the patient has (or is activating) a dmp space of their own."""
    return _holder_account(session, patient_id) is not None


# --- What each person sees --------------------------------------------------------------------


@dataclass(frozen=True)
class LinkView:
    link: LegalRepresentativeRow
    patient: PatientRow  # the person the link is about (the other side)
    in_force: bool


@dataclass
class Overview:
    me: PatientRow
    managed: list[LinkView] = field(default_factory=list)  # profiles I act for
    acting_for_me: list[LinkView] = field(default_factory=list)  # people who act for me
    sent: list[tuple[RepresentativeInvitationRow, PatientRow]] = field(default_factory=list)
    received: list[tuple[RepresentativeInvitationRow, PatientRow]] = field(default_factory=list)


def overview(session: Session, clock: Clock, account: AccountRow) -> Overview:
    """The caller and the profiles linked to them, each way, with pending invitations."""
    me_id = _patient_account(account)
    me = session.get(PatientRow, me_id)
    assert me is not None
    today = today_of(clock)
    now = clock.now()
    found = Overview(me=me)
    link = LegalRepresentativeRow
    for row, patient in session.execute(
        select(link, PatientRow)
        .join(PatientRow, PatientRow.id == link.patient_id)
        .where(link.representative_id == me_id, link.ended_at.is_(None))
        .order_by(PatientRow.birth_date)
    ).all():
        found.managed.append(LinkView(row, patient, in_window(row.starts_on, row.ends_on, today)))
    for row, patient in session.execute(
        select(link, PatientRow)
        .join(PatientRow, PatientRow.id == link.representative_id)
        .where(link.patient_id == me_id, link.ended_at.is_(None))
        .order_by(link.created_at)
    ).all():
        found.acting_for_me.append(
            LinkView(row, patient, in_window(row.starts_on, row.ends_on, today))
        )
    invitation = RepresentativeInvitationRow
    pending = (
        invitation.accepted_at.is_(None),
        invitation.revoked_at.is_(None),
        invitation.expires_at > now,
    )
    found.sent = [
        (row, patient)
        for row, patient in session.execute(
            select(invitation, PatientRow)
            .join(PatientRow, PatientRow.id == invitation.patient_id)
            .where(invitation.invited_by == account.id, *pending)
        ).all()
    ]
    found.received = [
        (row, patient)
        for row, patient in session.execute(
            select(invitation, PatientRow)
            .join(PatientRow, PatientRow.id == invitation.patient_id)
            .where(func.lower(invitation.email) == account.email.lower(), *pending)
        ).all()
    ]
    return found


def managed_link(
    session: Session, clock: Clock, account: AccountRow, patient_id: uuid.UUID
) -> LegalRepresentativeRow:
    """The caller's link in force to ``patient_id`` (NotFound otherwise)."""
    me_id = _patient_account(account)
    row = session.scalars(
        select(LegalRepresentativeRow).where(
            LegalRepresentativeRow.patient_id == patient_id,
            LegalRepresentativeRow.representative_id == me_id,
            *in_force(today_of(clock)),
        )
    ).first()
    if row is None:
        raise NotFound(LINK_NOT_FOUND, code="link-not-found")
    return row


# --- Attaching a child ------------------------------------------------------------------------


@dataclass
class ChildInput:
    birth_name: str
    first_given_name: str
    sex: str
    birth_date: dt.date | None
    ins_matricule: str
    relationship: str = Relationship.parent.value
    ward_email: str | None = None
    other_birth_name: str | None = None
    other_first_given_name: str | None = None
    other_email: str | None = None


@dataclass(frozen=True)
class SecondRepresentative:
    birth_name: str
    first_given_name: str
    email: str


def _second(data: ChildInput, errors: list[FieldError]) -> SecondRepresentative | None:
    """The other representative's details, all or none."""
    given = [
        (name, (value or "").strip())
        for name, value in (
            ("other_birth_name", data.other_birth_name),
            ("other_first_given_name", data.other_first_given_name),
            ("other_email", data.other_email),
        )
    ]
    if not any(value for _name, value in given):
        return None
    for name, value in given:
        if not value:
            errors.append(
                FieldError(
                    name,
                    "required",
                    N_(
                        "Pour inviter l'autre représentant légal, indiquez son nom, son prénom et"
                        " son adresse e-mail."
                    ),
                )
            )
    email = ""
    if given[2][1]:
        try:
            email = clean_email(given[2][1], "other_email")
        except InvalidInput as exc:
            errors.extend(exc.errors)
    if any(not value for _name, value in given) or not email:
        return None
    return SecondRepresentative(given[0][1][:100], given[1][1][:100], email)


@dataclass(frozen=True)
class Attached:
    patient: PatientRow
    link: LegalRepresentativeRow
    created_patient: bool
    created_record: bool
    invitation: RepresentativeInvitationRow | None


def attach_child(
    session: Session,
    security: Security,
    settings: Settings,
    ctx: RequestContext,
    account: AccountRow,
    data: ChildInput,
) -> Attached:
    """A parent (or guardian) attaches a minor to their space: the child's profile is found by
    its matricule INS (traits must match) or created, its record opened if it has none, and the
    other representative invited if their details are given. The caller's own link is active at
    once; the other one only when they accept."""
    me_id = _patient_account(account)
    clock = security.clock
    today = today_of(clock)
    errors: list[FieldError] = []
    identity = None
    if not (data.ins_matricule or "").strip():
        errors.append(
            FieldError(
                "ins_matricule",
                "required",
                N_(
                    "Saisissez le matricule INS de l'enfant (son NIR, ou son NIA), inscrit sur"
                    " l'attestation de droits."
                ),
            )
        )
    try:
        identity = validate_identity(
            IdentityInput(
                birth_name=data.birth_name,
                first_given_name=data.first_given_name,
                birth_given_names="",
                sex=data.sex,
                birth_date=data.birth_date,
                ins_matricule=data.ins_matricule,
            ),
            today=today,
        )
    except InvalidInput as exc:
        errors.extend(e for e in exc.errors if e.field != "ins_matricule" or data.ins_matricule)
    if data.birth_date is not None and not is_minor(
        data.birth_date, today, settings.age_of_majority
    ):
        errors.append(
            FieldError(
                "birth_date",
                "not-a-minor",
                N_(
                    "Seul un enfant mineur peut être rattaché par ses représentants légaux. Pour"
                    " un adulte protégé, une délégation est enregistrée par lui-même ou par un"
                    " professionnel."
                ),
            )
        )
    if data.relationship not in {r.value for r in LEGAL}:
        errors.append(
            FieldError(
                "relationship",
                "relationship",
                N_("Indiquez si vous êtes le parent ou le tuteur de l'enfant."),
            )
        )
    ward_email = None
    if data.ward_email and data.ward_email.strip():
        try:
            ward_email = clean_email(data.ward_email, "ward_email")
        except InvalidInput as exc:
            errors.extend(exc.errors)
    second = _second(data, errors)
    if second is not None and second.email == account.email.lower():
        errors.append(
            FieldError(
                "other_email",
                "own-email",
                N_("Indiquez l'adresse de l'autre représentant légal, pas la vôtre."),
            )
        )
    if errors:
        raise InvalidInput(errors=errors)
    assert identity is not None and identity.matricule is not None

    existing = identity_services.patient_by_matricule(session, identity.matricule.value)
    created_patient = existing is None
    if existing is not None:
        if existing.id == me_id:
            raise InvalidInput.single("ins_matricule", "own-matricule", NO_MATCH)
        if existing.birth_date != identity.birth_date or fold(existing.birth_name) != fold(
            identity.birth_name
        ):
            raise InvalidInput.single("ins_matricule", "identity-mismatch", NO_MATCH)
        links = _legal_links(session, existing.id, today)
        if any(row.representative_id == me_id for row in links):
            raise Conflict(N_("Ce profil est déjà rattaché à votre espace."), code="already-linked")
        if links:
            raise Conflict(ALREADY_MANAGED, code="already-managed")
        patient = existing
    else:
        patient = identity_services.create_patient(session, clock, identity, ctx)
    link = _link(
        session,
        patient.id,
        me_id,
        relationship=data.relationship,
        since=today,
        created_by=account.id,
        now=clock.now(),
    )
    link.ward_email = ward_email
    session.flush()
    access = Access(session, settings, clock, ctx, account, patient.id)
    mode = access.require(Action.record_status)
    access.audit(
        AuditAction.RecordRepresentativeAdd,
        mode,
        target=f"RelatedPerson/{link.id}",
        details={
            "relationship": link.relationship,
            "patient_created": str(created_patient).lower(),
        },
    )
    record = session.get(RecordRow, patient.id)
    created_record = record is None or record.purged_at is not None
    if created_record:
        # Opened by the representative, who consents for the child (created_by names them).
        lifecycle.create(access)
    invitation = None
    if second is not None:
        invitation = invite(
            access,
            security,
            birth_name=second.birth_name,
            first_given_name=second.first_given_name,
            email=second.email,
            relationship=Relationship.parent.value,
        )
    return Attached(patient, link, created_patient, created_record, invitation)


def _legal_links(
    session: Session, patient_id: uuid.UUID, today: dt.date
) -> list[LegalRepresentativeRow]:
    return list(
        session.scalars(
            select(LegalRepresentativeRow).where(
                LegalRepresentativeRow.patient_id == patient_id,
                LegalRepresentativeRow.relationship.in_([r.value for r in LEGAL]),
                *in_force(today),
            )
        )
    )


def _link(
    session: Session,
    patient_id: uuid.UUID,
    representative_id: uuid.UUID,
    *,
    relationship: str,
    since: dt.date,
    created_by: uuid.UUID,
    now: dt.datetime,
) -> LegalRepresentativeRow:
    """A new link, or an ended one for the same pair made new again (one row per pair)."""
    row = session.scalars(
        select(LegalRepresentativeRow).where(
            LegalRepresentativeRow.patient_id == patient_id,
            LegalRepresentativeRow.representative_id == representative_id,
        )
    ).first()
    if row is None:
        row = LegalRepresentativeRow(patient_id=patient_id, representative_id=representative_id)
        session.add(row)
    elif row.ended_at is None:
        raise Conflict(N_("Cette personne est déjà rattachée à ce profil."), code="already-linked")
    row.relationship = relationship
    row.since = since
    row.created_at = now
    row.created_by = created_by
    row.scope = row.starts_on = row.ends_on = row.basis = None
    row.ended_at = row.ended_reason = row.ended_by = None
    return row


# --- The second representative -----------------------------------------------------------------


def _open_invitations(session: Session, patient_id: uuid.UUID, now: dt.datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RepresentativeInvitationRow)
            .where(
                RepresentativeInvitationRow.patient_id == patient_id,
                RepresentativeInvitationRow.accepted_at.is_(None),
                RepresentativeInvitationRow.revoked_at.is_(None),
                RepresentativeInvitationRow.expires_at > now,
            )
        )
        or 0
    )


def invite(
    access: Access,
    security: Security,
    *,
    birth_name: str,
    first_given_name: str,
    email: str,
    relationship: str = Relationship.parent.value,
) -> RepresentativeInvitationRow:
    """A legal representative invites the child's other one: a code is e-mailed to them (and a
    notice put in their inbox if they have a space); the link exists once they accept it."""
    mode = access.require(Action.record_status)
    if mode is not Mode.representative:
        raise NotFound(LINK_NOT_FOUND, code="link-not-found")
    session, now = access.session, access.clock.now()
    address = clean_email(email, "other_email")
    if address == access.account.email.lower():
        raise InvalidInput.single(
            "other_email",
            "own-email",
            N_("Indiquez l'adresse de l'autre représentant légal, pas la vôtre."),
        )
    names: list[FieldError] = [
        FieldError(name, "required", N_("Ce champ est obligatoire."))
        for name, value in (
            ("other_birth_name", birth_name),
            ("other_first_given_name", first_given_name),
        )
        if not value.strip()
    ]
    if names:
        raise InvalidInput(errors=names)
    # A new invitation to the same address replaces the earlier one.
    for earlier in session.scalars(
        select(RepresentativeInvitationRow).where(
            RepresentativeInvitationRow.patient_id == access.patient_id,
            func.lower(RepresentativeInvitationRow.email) == address,
            RepresentativeInvitationRow.accepted_at.is_(None),
            RepresentativeInvitationRow.revoked_at.is_(None),
        )
    ):
        earlier.revoked_at = now
    session.flush()
    today = today_of(access.clock)
    if (
        len(_legal_links(session, access.patient_id, today))
        + _open_invitations(session, access.patient_id, now)
        >= MAX_REPRESENTATIVES
    ):
        raise Conflict(THIRD_REFUSED, code="too-many-representatives")
    code = account_model.new_activation_code()
    row = RepresentativeInvitationRow(
        patient_id=access.patient_id,
        invited_by=access.account.id,
        email=address,
        birth_name=" ".join(birth_name.split())[:100],
        first_given_name=" ".join(first_given_name.split())[:100],
        relationship=relationship,
        code_digest=security.digest("linked-invitation", account_model.normalise_code(code)),
        created_at=now,
        expires_at=now + dt.timedelta(days=INVITATION_DAYS),
    )
    session.add(row)
    session.flush()
    child = session.get(PatientRow, access.patient_id)
    assert child is not None
    invitee = account_by_email(session, address)
    language = (
        normalise_language(invitee.preferred_language if invitee else None)
        or normalise_language(access.account.preferred_language)
        or access.settings.default_language
    )
    queue(
        session,
        Message(
            channel="email",
            to=address,
            subject=translate(language, N_("Invitation à gérer le profil d'un enfant dans dmp")),
            body=translate(
                language,
                N_(
                    "Bonjour,\n\n%(inviter)s vous invite à gérer avec lui ou elle le profil de"
                    " %(child)s dans dmp, comme second représentant légal. Connectez-vous à votre"
                    " espace dmp, ouvrez la page « Profils rattachés » et saisissez ce code :"
                    " %(code)s\n\nCe code est valable %(days)s jours. Si vous n'avez pas encore"
                    " d'espace dmp, demandez à un professionnel de santé de vous inscrire, activez"
                    " votre espace, puis saisissez ce code.\n\nSi vous ne connaissez pas cet"
                    " enfant, ignorez ce message."
                ),
                {
                    "inviter": access.account.display_name,
                    "child": child.display_name,
                    "code": code,
                    "days": INVITATION_DAYS,
                },
            ),
        ),
    )
    if invitee is not None and invitee.status == "active" and invitee.patient_id is not None:
        notify(
            session,
            account_id=invitee.id,
            email=None,  # the e-mail with the code is already on its way
            language=language,
            kind="linked-invitation",
            now=now,
            patient_id=access.patient_id,
            params={"patient": child.display_name},
            to_holder=False,
        )
    access.audit(
        AuditAction.RecordRepresentativeInvite,
        mode,
        target=f"RepresentativeInvitation/{row.id}",
        details={"relationship": relationship},
    )
    return row


def accept_invitation(
    session: Session,
    security: Security,
    settings: Settings,
    ctx: RequestContext,
    account: AccountRow,
    *,
    code: str,
    invitation_id: uuid.UUID | None = None,
) -> LegalRepresentativeRow:
    """The invited representative, logged in with the invited address, enters the code: they
    become the child's second legal representative (never a third)."""
    me_id = _patient_account(account)
    throttle = Throttle(session, security)
    key = throttle.key("linked-invitation", str(account.id))
    locked = throttle.locked_for(key)
    if locked:
        raise TooManyAttempts(
            N_("Trop de tentatives. Réessayez dans %(minutes)s minutes."),
            retry_after=locked,
        )
    now = security.now()
    digest = security.digest("linked-invitation", account_model.normalise_code(code or ""))
    row = session.scalars(
        select(RepresentativeInvitationRow).where(
            RepresentativeInvitationRow.code_digest == digest,
            RepresentativeInvitationRow.accepted_at.is_(None),
            RepresentativeInvitationRow.revoked_at.is_(None),
            RepresentativeInvitationRow.expires_at > now,
        )
    ).first()
    if (
        row is None
        or row.email.lower() != account.email.lower()
        or (invitation_id is not None and row.id != invitation_id)
        or row.patient_id == me_id
    ):
        error = throttle.refuse(
            key, InvalidInput.single("code", "invitation-invalid", INVITATION_INVALID)
        )
        raise error
    throttle.succeed(key)
    today = today_of(security.clock)
    child = session.get(PatientRow, row.patient_id)
    assert child is not None
    if not is_minor(child.birth_date, today, settings.age_of_majority):
        row.revoked_at = now
        raise Conflict(
            N_("Cet enfant est devenu majeur : l'invitation n'a plus d'effet."), code="major"
        )
    if len(_legal_links(session, row.patient_id, today)) >= MAX_REPRESENTATIVES:
        raise Conflict(THIRD_REFUSED, code="too-many-representatives")
    link = _link(
        session,
        row.patient_id,
        me_id,
        relationship=row.relationship,
        since=today,
        created_by=account.id,
        now=now,
    )
    row.accepted_at = now
    row.accepted_by = account.id
    session.flush()
    access = Access(session, settings, security.clock, ctx, account, row.patient_id)
    mode = access.require(Action.record_status)
    access.audit(
        AuditAction.RecordRepresentativeAdd,
        mode,
        target=f"RelatedPerson/{link.id}",
        details={"relationship": link.relationship, "invitation": str(row.id)},
    )
    return link


# --- Delegates of a protected adult ----------------------------------------------------------


@dataclass
class DelegateInput:
    ins_matricule: str
    birth_date: dt.date | None
    scope: str
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    basis: str | None = None  # the reference of the decision (required from a registrar)


def _is_operator(ctx: RequestContext) -> bool:
    return Role.operator in ctx.roles


@dataclass(frozen=True)
class Designer:
    """Who designates or revokes: the holder's side (through the policy) or a registrar."""

    access: Access
    mode: str  # holder | representative | registrar


def designer(access: Access) -> Designer:
    """The holder (or the legal representative of a minor, or a guardian) decides on the
    holder's side; a professional or an operator registers a decision taken elsewhere (a
    judge's). A delegate never designates another one."""
    decision = access.decide(Action.sharing_manage)
    if decision.allowed and decision.mode in (Mode.holder, Mode.representative):
        return Designer(access, decision.mode.value)
    # A professional registers a decision only for a patient in their care (one whose record
    # they may read); an operator (identity desk) for anyone.
    in_care = (
        access.actor.professional_id is not None and access.decide(Action.documents_list).allowed
    )
    if in_care or _is_operator(access.ctx):
        patient = access.session.get(PatientRow, access.patient_id)
        if patient is not None:
            return Designer(access, "registrar")
    if not decision.allowed:
        access.refused(Action.sharing_manage, decision)
    raise NotFound(LINK_NOT_FOUND, code="link-not-found")


def _audit(designer_: Designer, action: AuditAction, target: str, details: dict[str, str]) -> None:
    access = designer_.access
    if designer_.mode == "registrar":
        audit.record(
            access.session,
            access.clock,
            chain=chain_for_patient(access.patient_id),
            action=action,
            context=access.ctx,
            patient_id=access.patient_id,
            target=target,
            details={"mode": "registrar", **details},
        )
    else:
        access.audit(action, Mode(designer_.mode), target=target, details=details)


def delegates(access: Access) -> list[tuple[LegalRepresentativeRow, PatientRow]]:
    """The record's delegations not ended (in force, or starting or ending later)."""
    designer(access)
    return [
        (row, patient)
        for row, patient in access.session.execute(
            select(LegalRepresentativeRow, PatientRow)
            .join(PatientRow, PatientRow.id == LegalRepresentativeRow.representative_id)
            .where(
                LegalRepresentativeRow.patient_id == access.patient_id,
                LegalRepresentativeRow.relationship == Relationship.delegate.value,
                LegalRepresentativeRow.ended_at.is_(None),
            )
            .order_by(LegalRepresentativeRow.created_at)
        ).all()
    ]


def add_delegate(access: Access, data: DelegateInput) -> LegalRepresentativeRow:
    who = designer(access)
    session, now = access.session, access.clock.now()
    today = today_of(access.clock)
    errors: list[FieldError] = []
    matricule = None
    try:
        matricule = parse_matricule(data.ins_matricule or "")
    except InvalidInput as exc:
        errors.extend(exc.errors)
    if data.birth_date is None:
        errors.append(FieldError("birth_date", "required", N_("Saisissez la date de naissance.")))
    if data.scope not in {s.value for s in Scope}:
        errors.append(
            FieldError(
                "scope",
                "scope",
                N_("Choisissez ce que la personne pourra faire : consulter, ou gérer."),
            )
        )
    starts_on = data.starts_on or today
    if data.ends_on is not None and data.ends_on < starts_on:
        errors.append(
            FieldError(
                "ends_on",
                "ends-before-start",
                N_("La date de fin doit être après la date de début."),
            )
        )
    basis = " ".join((data.basis or "").split())[:200] or None
    if who.mode == "registrar" and basis is None:
        errors.append(
            FieldError(
                "basis",
                "required",
                N_("Indiquez la référence de la décision (par exemple du juge des tutelles)."),
            )
        )
    if errors:
        raise InvalidInput(errors=errors)
    assert matricule is not None
    person = identity_services.patient_by_matricule(session, matricule.value)
    person_account = _holder_account(session, person.id) if person else None
    if (
        person is None
        or person.birth_date != data.birth_date
        or person_account is None
        or person_account.status != "active"
        or person.id == access.patient_id
    ):
        raise InvalidInput.single("ins_matricule", "no-such-person", NO_PERSON)
    link = _link(
        session,
        access.patient_id,
        person.id,
        relationship=Relationship.delegate.value,
        since=starts_on,
        created_by=access.account.id,
        now=now,
    )
    link.scope = data.scope
    link.starts_on = starts_on
    link.ends_on = data.ends_on
    link.basis = basis if who.mode == "registrar" else (basis or "holder")
    session.flush()
    _audit(
        who,
        AuditAction.RecordDelegateAdd,
        f"RelatedPerson/{link.id}",
        {
            "scope": link.scope,
            "starts_on": starts_on.isoformat(),
            "ends_on": data.ends_on.isoformat() if data.ends_on else "",
            "basis": link.basis or "",
        },
    )
    holder = _holder_account(session, access.patient_id)
    patient = session.get(PatientRow, access.patient_id)
    if holder is not None and holder.status == "active" and who.mode == "registrar":
        notify(
            session,
            account_id=holder.id,
            email=holder.email,
            language=normalise_language(holder.preferred_language)
            or access.settings.default_language,
            kind="delegate-added",
            now=now,
            patient_id=access.patient_id,
            params={"patient": patient.display_name if patient else ""},
        )
    access.refresh()
    return link


def revoke_delegate(access: Access, link_id: uuid.UUID) -> LegalRepresentativeRow:
    who = designer(access)
    row = access.session.get(LegalRepresentativeRow, link_id)
    if (
        row is None
        or row.patient_id != access.patient_id
        or row.relationship != Relationship.delegate.value
        or row.ended_at is not None
    ):
        raise NotFound(LINK_NOT_FOUND, code="link-not-found")
    row.ended_at = access.clock.now()
    row.ended_reason = EndReason.revoked.value
    row.ended_by = access.account.id
    access.session.flush()
    _audit(who, AuditAction.RecordDelegateRevoke, f"RelatedPerson/{row.id}", {})
    access.refresh()
    return row


# --- A space of one's own ---------------------------------------------------------------------


def open_own_space(
    session: Session,
    security: Security,
    ctx: RequestContext,
    *,
    patient_id: uuid.UUID,
    email: str,
    phone: str | None = None,
    language: str = "fr",
) -> AccountRow:
    """A professional or an operator gives a patient who has a profile but no space (a child
    attached by a parent, a young adult whose e-mail was unknown at majority) an account of
    their own: pending, with an activation code e-mailed to them, as for any registration.
    A minor's own space shows them what is kept from their legal representatives."""
    from dmp.accounts.model import AccountStatus
    from dmp.accounts.registration import (
        create_account,
        issue_activation_code,
        require_registrar,
    )

    require_registrar(ctx)
    patient = session.get(PatientRow, patient_id)
    if patient is None:
        raise NotFound(N_("Ce patient n'existe pas."), code="patient-not-found")
    if patient.ins_matricule is None:
        raise InvalidInput.single(
            "ins_matricule",
            "required",
            N_("Saisissez le matricule INS : le patient en aura besoin pour activer son espace."),
        )
    if _holder_account(session, patient_id) is not None:
        raise Conflict(N_("Ce patient a déjà un espace dmp."), code="space-exists")
    account = create_account(
        session,
        security,
        email=email,
        display_name=patient.display_name,
        roles=[Role.patient],
        status=AccountStatus.pending,
        ctx=ctx,
        patient_id=patient_id,
        phone=phone,
    )
    issue_activation_code(session, security, account=account, ctx=ctx, language=language)
    return account


def audit_system(
    session: Session,
    clock: Clock,
    patient_id: uuid.UUID,
    action: AuditAction,
    target: str,
    details: dict[str, str],
) -> None:
    from dmp.shared.context import SYSTEM

    audit_record(
        session,
        clock,
        SYSTEM,
        patient_id=patient_id,
        action=action,
        mode=Mode.system,
        target=target,
        details=details,
    )
