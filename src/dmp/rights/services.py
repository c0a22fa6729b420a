"""Exercising rights: rectification requests (made by the holder's side, answered by the
item's author or by the operators) and the research opposition.

Requests are made through the record's one access policy: the holder's side may only name an
item it can see. Answering is for the author professional, or for the operator and support
roles when an identity trait is at stake; anyone else gets "not found". Notices carry no
medical content: which item, and what the patient wrote, are only on the pages.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, delete, or_, select, true
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dmp.access.policy import Action, DocumentStatus, Mode, document_filter
from dmp.access.services import Access, patient_of, policy_settings
from dmp.accounts.orm import AccountRoleRow, AccountRow
from dmp.accounts.queries import sms_destination
from dmp.audit import services as audit
from dmp.audit.model import AuditAction, chain_for_patient
from dmp.config import Settings
from dmp.identity.model import Role
from dmp.identity.orm import PatientRow
from dmp.notifications.services import notify
from dmp.profile.orm import ProfileEntryRow
from dmp.records import documents, items
from dmp.records.orm import DocumentRow
from dmp.records.recipients import tell
from dmp.rights import registry
from dmp.rights.model import (
    Outcome,
    Purpose,
    RequestStatus,
    Route,
    Stance,
    TargetKind,
    channel_for,
    clean_answer,
    clean_description,
    parse_target,
    route_for,
)
from dmp.rights.orm import ConsentRow, RectificationRow
from dmp.shared.clock import Clock
from dmp.shared.context import RequestContext
from dmp.shared.errors import N_, Conflict, NotFound
from dmp.shared.i18n import normalise_language

RESOURCE = "RectificationRequest"
REQUEST_NOT_FOUND = N_("Cette demande n'existe pas ou vous n'y avez pas accès.")
ANSWERING_ROLES = frozenset({Role.operator.value, Role.support.value})


def _holder(access: Access) -> Mode:
    """The holder or a legal representative, on a record that exists (else "not found")."""
    return access.require(Action.record_close)


# --- What may be the subject of a request ---------------------------------------------------


@dataclass(frozen=True)
class Targets:
    patient: PatientRow
    profile: list[ProfileEntryRow]
    documents: list[DocumentRow]


def targets(access: Access) -> Targets:
    """What the holder's side may ask to correct: identity traits always; the profile entries
    and documents it can see that a professional wrote (what it declared itself, it corrects
    itself). Reading them is audited like any reading of the record."""
    mode = _holder(access)
    patient = patient_of(access.session, access.patient_id)
    if not access.decide(Action.documents_list).allowed:  # a closed record: identity only
        return Targets(patient, [], [])
    profile = [
        row
        for row in items.current_items(access, ProfileEntryRow)
        if row.author_professional_id is not None
    ]
    access.audit(
        AuditAction.RecordProfileRead,
        mode,
        details={"count": str(len(profile)), "purpose": "rectification"},
    )
    now, days = access.clock.now(), access.settings.invisible_to_patient_days
    rule = document_filter(access.actor, access.facts, policy_settings(access.settings))
    docs = list(
        access.session.scalars(
            select(DocumentRow)
            .where(
                and_(true(), *documents.visibility_conditions(rule, now, days)),
                DocumentRow.patient_id == access.patient_id,
                DocumentRow.status.in_(
                    [DocumentStatus.approved.value, DocumentStatus.archived.value]
                ),
                DocumentRow.author_professional_id.is_not(None),
            )
            .order_by(DocumentRow.submitted_at.desc(), DocumentRow.id)
            .limit(200)
        )
    )
    access.audit(
        AuditAction.RecordDocumentList,
        mode,
        details={"count": str(len(docs)), "purpose": "rectification"},
    )
    return Targets(patient, profile, docs)


# --- Requests -----------------------------------------------------------------------------------


def _operators(session: Session) -> list[AccountRow]:
    return list(
        session.scalars(
            select(AccountRow)
            .join(AccountRoleRow, AccountRoleRow.account_id == AccountRow.id)
            .where(AccountRoleRow.role.in_(sorted(ANSWERING_ROLES)), AccountRow.status == "active")
            .distinct()
        )
    )


def _authors(session: Session, professional_id: uuid.UUID) -> list[AccountRow]:
    return list(
        session.scalars(
            select(AccountRow).where(
                AccountRow.professional_id == professional_id, AccountRow.status == "active"
            )
        )
    )


def _tell_answerers(access: Access, row: RectificationRow, now: dt.datetime) -> int:
    people = (
        _operators(access.session)
        if row.route == Route.operators.value
        else _authors(access.session, row.author_professional_id)  # type: ignore[arg-type]
    )
    for account in people:
        notify(
            access.session,
            account_id=account.id,
            email=account.email,
            language=normalise_language(account.preferred_language)
            or access.settings.default_language,
            kind="rectification-request",
            now=now,
            to_holder=False,
            sms=sms_destination(access.session, account),
        )
    return len(people)


def _target_row(
    access: Access, kind: TargetKind, ref: str
) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID | None, uuid.UUID | None, bool]:
    """(id, series, professional author, patient author, hidden from representatives) of
    the item the caller names, if the caller may read it; else "not found"."""
    item_id = uuid.UUID(ref)
    if kind is TargetKind.document:
        doc, _mode = documents.get_document(access, item_id, Action.document_read)
        return (
            doc.id,
            doc.series_id,
            doc.author_professional_id,
            doc.author_patient_id,
            doc.invisible_to_representatives,
        )
    entry, _mode = items.get_item(access, ProfileEntryRow, item_id, Action.document_read)
    if entry.status != DocumentStatus.approved.value:
        raise Conflict(
            N_("Cette information a déjà été modifiée : rechargez la page."), code="not-current"
        )
    return (
        entry.id,
        entry.series_id,
        entry.author_professional_id,
        entry.author_patient_id,
        entry.invisible_to_representatives,
    )


def request(
    access: Access, kind: str | None, target: str | None, description: str | None
) -> RectificationRow:
    """The holder's side reports an error; the answerers are told (without the details)."""
    mode = _holder(access)
    target_kind, ref = parse_target(kind, target)
    text = clean_description(description)
    row = RectificationRow(
        patient_id=access.patient_id,
        target_kind=target_kind.value,
        description=text,
        status=RequestStatus.open.value,
        requested_by=access.account.id,
        requested_at=access.clock.now(),
        invisible_to_representatives=False,
    )
    if target_kind is TargetKind.identity:
        row.target_trait = ref
        row.route = route_for(target_kind).value
        pending = RectificationRow.target_trait == ref
    else:
        item_id, series, professional, patient, hidden = _target_row(access, target_kind, ref)
        row.route = route_for(
            target_kind, author_professional_id=professional, author_patient_id=patient
        ).value
        row.target_id, row.target_series_id = item_id, series
        row.author_professional_id = professional
        row.invisible_to_representatives = hidden
        pending = RectificationRow.target_series_id == series
    already = access.session.scalar(
        select(RectificationRow.id).where(
            RectificationRow.patient_id == access.patient_id,
            RectificationRow.status == RequestStatus.open.value,
            pending,
        )
    )
    if already is not None:
        raise Conflict(
            N_("Une demande de rectification est déjà en cours pour cette information."),
            code="request-pending",
        )
    access.session.add(row)
    access.session.flush()
    access.audit(
        AuditAction.RecordRectificationRequest,
        mode,
        target=f"{RESOURCE}/{row.id}",
        details={"kind": row.target_kind, "item": _item_ref(row), "route": row.route},
    )
    _tell_answerers(access, row, row.requested_at)
    return row


def _item_ref(row: RectificationRow) -> str:
    if row.target_kind == TargetKind.identity.value:
        return f"Patient/{row.patient_id}#{row.target_trait}"
    resource = (
        "DocumentReference" if row.target_kind == TargetKind.document.value else "ProfileEntry"
    )
    return f"{resource}/{row.target_series_id}"


def requests_of(access: Access) -> list[RectificationRow]:
    """The record's requests, newest first (the holder's side only). A representative does
    not see requests about items hidden from legal representatives."""
    access.audit(AuditAction.RecordRectificationRead, _holder(access))
    query = select(RectificationRow).where(RectificationRow.patient_id == access.patient_id)
    if access.actor.kind.value == "representative":
        query = query.where(RectificationRow.invisible_to_representatives.is_(False))
    return list(
        access.session.scalars(
            query.order_by(RectificationRow.requested_at.desc(), RectificationRow.id)
        )
    )


def request_of(access: Access, request_id: uuid.UUID) -> RectificationRow:
    for row in requests_of(access):
        if row.id == request_id:
            return row
    raise NotFound(REQUEST_NOT_FOUND, code="request-not-found")


# --- Answering ----------------------------------------------------------------------------------


def _addressed(account: AccountRow) -> list[object]:
    """SQL conditions: the requests this account answers."""
    conditions: list[object] = []
    if Role.professional.value in account.role_names and account.professional_id is not None:
        conditions.append(
            and_(
                RectificationRow.route == Route.author.value,
                RectificationRow.author_professional_id == account.professional_id,
            )
        )
    if account.role_names & ANSWERING_ROLES:
        conditions.append(RectificationRow.route == Route.operators.value)
    return conditions


def addressed_to(session: Session, account: AccountRow) -> list[RectificationRow]:
    """The requests this account answers: open ones first (oldest first), then answered."""
    conditions = _addressed(account)
    if not conditions:
        return []
    return list(
        session.scalars(
            select(RectificationRow)
            .where(or_(*conditions))  # type: ignore[arg-type]
            .order_by(
                case((RectificationRow.status == RequestStatus.open.value, 0), else_=1),
                RectificationRow.requested_at,
            )
            .limit(500)
        )
    )


def addressed(session: Session, account: AccountRow, request_id: uuid.UUID) -> RectificationRow:
    row = session.get(RectificationRow, request_id)
    if row is None or not _answers(account, row):
        raise NotFound(REQUEST_NOT_FOUND, code="request-not-found")
    return row


def _answers(account: AccountRow, row: RectificationRow) -> bool:
    if row.route == Route.operators.value:
        return bool(account.role_names & ANSWERING_ROLES)
    return (
        Role.professional.value in account.role_names
        and account.professional_id is not None
        and account.professional_id == row.author_professional_id
    )


def _current_version(session: Session, row: RectificationRow) -> uuid.UUID | None:
    """The version that now stands for the item, when it changed since the request (a
    replaced document, a corrected entry)."""
    if row.target_series_id is None:
        return None
    model: Any = DocumentRow if row.target_kind == TargetKind.document.value else ProfileEntryRow
    latest: Any = session.scalars(
        select(model)
        .where(model.series_id == row.target_series_id, model.patient_id == row.patient_id)
        .order_by(model.series_number.desc())
    ).first()
    if latest is None or latest.id == row.target_id:
        return None
    found: uuid.UUID = latest.id
    return found


def answer(
    session: Session,
    settings: Settings,
    clock: Clock,
    ctx: RequestContext,
    account: AccountRow,
    request_id: uuid.UUID,
    *,
    outcome: str | None,
    text: str | None = None,
    corrected_value: str | None = None,
    expected_version: int | None = None,
) -> RectificationRow:
    """The author (or an operator) answers: corrected, or refused with the reason. The
    correction itself goes through the usual flows (a document replaced, an entry
    corrected): its new version is noted. Audited in the patient's trail; the holder's side
    is told."""
    row = addressed(session, account, request_id)
    items.expect_version(row, expected_version)
    if row.status != RequestStatus.open.value:
        raise Conflict(N_("Cette demande a déjà reçu une réponse."), code="already-answered")
    result = clean_answer(TargetKind(row.target_kind), outcome, text, corrected_value)
    now = clock.now()
    row.status = (
        RequestStatus.corrected.value
        if result.outcome is Outcome.corrected
        else RequestStatus.refused.value
    )
    row.answered_at, row.answered_by = now, account.id
    row.answer = result.text
    row.corrected_value = result.corrected_value
    row.correction_id = (
        _current_version(session, row) if result.outcome is Outcome.corrected else None
    )
    try:
        session.flush()
    except StaleDataError as exc:
        raise Conflict(
            N_("Cette demande vient d'être traitée par quelqu'un d'autre."),
            code="concurrent-change",
        ) from exc
    if ctx.account_id is None:
        ctx = ctx.as_account(account.id, account.role_names)
    details = {
        "mode": "operator" if row.route == Route.operators.value else "author",
        "kind": row.target_kind,
        "item": _item_ref(row),
        "outcome": result.outcome.value,
    }
    if row.correction_id is not None:
        details["correction"] = str(row.correction_id)
    if row.corrected_value is not None:
        details["corrected_value"] = row.corrected_value
    audit.record(
        session,
        clock,
        chain=chain_for_patient(row.patient_id),
        action=AuditAction.RecordRectificationAnswer,
        context=ctx,
        patient_id=row.patient_id,
        target=f"{RESOURCE}/{row.id}",
        details=details,
    )
    tell(
        session,
        row.patient_id,
        "rectification-answered",
        now,
        representatives=not row.invisible_to_representatives,
        default_language=settings.default_language,
    )
    return row


# --- Consents -----------------------------------------------------------------------------------


def consents(access: Access) -> list[ConsentRow]:
    """The registry's entries for this record's holder (the holder's side only)."""
    access.audit(AuditAction.RecordConsentRead, _holder(access))
    return registry.entries(access.session, access.patient_id)


def research_opposed(access: Access) -> bool:
    _holder(access)
    return bool(
        [
            row
            for row in registry.in_force(access.session, access.patient_id, Purpose.research)
            if row.stance == Stance.opposition.value
        ]
    )


def set_research_opposition(access: Access, opposed: bool) -> bool:
    """Oppose the reuse of the record's data for research, or withdraw that opposition;
    returns whether anything changed. Audited."""
    mode = _holder(access)
    now = access.clock.now()
    if opposed:
        if research_opposed(access):
            return False
        registry.give(
            access.session,
            access.patient_id,
            Purpose.research,
            now=now,
            channel=channel_for(access.ctx.channel),
            recorded_by=access.account.id,
            stance=Stance.opposition,
        )
    elif not registry.withdraw(
        access.session,
        access.patient_id,
        Purpose.research,
        now=now,
        by=access.account.id,
        stance=Stance.opposition,
    ):
        return False
    access.audit(
        AuditAction.RecordConsentChange,
        mode,
        target=f"Consent/{Purpose.research.value}",
        details={
            "purpose": Purpose.research.value,
            "stance": Stance.opposition.value,
            "change": "given" if opposed else "withdrawn",
        },
    )
    return True


# --- Purge ------------------------------------------------------------------------------------


def purge(session: Session, patient_id: uuid.UUID, now: dt.datetime) -> int:
    """With the record's data: its rectification requests (the patient's own words about
    medical items) go; the consents registry stays, its sharing consents withdrawn."""
    registry.withdraw(session, patient_id, Purpose.data_sharing, now=now, by=None)
    result = session.execute(
        delete(RectificationRow).where(RectificationRow.patient_id == patient_id)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
