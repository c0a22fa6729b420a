"""Applying the policy: who is acting, what they may do, and the holder's sharing choices.

Every function takes the caller's :class:`RequestContext` and writes its audit entry in the
patient's chain, in the caller's transaction. Refusals conceal: a record the caller may not see
answers :class:`NotFound`, exactly as a record that does not exist.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dmp.access.facts import EXTENDED_RIGHTS, TREATING_DOCTOR, record_facts
from dmp.access.orm import (
    AuthorisationRow,
    BlockRow,
    CareRoleRow,
    EmergencyAccessRow,
    PreferencesRow,
)
from dmp.access.policy import (
    Action,
    Actor,
    ActorKind,
    Decision,
    Mode,
    PolicySettings,
    RecordFacts,
    decide,
)
from dmp.accounts.orm import AccountRow
from dmp.audit import services as audit
from dmp.audit.model import AuditAction, chain_for_patient
from dmp.config import Settings
from dmp.identity.model import Role
from dmp.identity.orm import LegalRepresentativeRow, PatientRow, ProfessionalRow
from dmp.rights import registry
from dmp.rights.model import Channel, Purpose, channel_for
from dmp.shared.clock import Clock
from dmp.shared.context import RequestContext
from dmp.shared.errors import N_, Conflict, InvalidInput, NotFound

NOT_FOUND = N_("Ce dossier n'existe pas ou vous n'y avez pas accès.")
SHARING_CONSENTS = ("consent", "holder")  # bases that are consents (creation: its own entry)

log = logging.getLogger("dmp.access")


def policy_settings(settings: Settings) -> PolicySettings:
    return PolicySettings(emergency_sees_masked=settings.emergency_sees_masked)


def actor_for(session: Session, account: AccountRow, patient_id: uuid.UUID) -> Actor:
    """The role ``account`` plays towards ``patient_id``'s record."""
    roles = account.role_names
    if Role.patient in roles and account.patient_id is not None:
        if account.patient_id == patient_id:
            return Actor(ActorKind.patient, account.id, patient_id=patient_id)
        # Any link not ended (its dates and scope are judged by the policy on the facts).
        represents = session.scalars(
            select(LegalRepresentativeRow.id).where(
                LegalRepresentativeRow.patient_id == patient_id,
                LegalRepresentativeRow.representative_id == account.patient_id,
                LegalRepresentativeRow.ended_at.is_(None),
            )
        ).first()
        if represents is not None:
            return Actor(ActorKind.representative, account.id, patient_id=account.patient_id)
    if Role.professional in roles and account.professional_id is not None:
        professional = session.get(ProfessionalRow, account.professional_id)
        return Actor(
            ActorKind.professional,
            account.id,
            professional_id=account.professional_id,
            is_regulator=bool(professional and professional.regulator),
        )
    if Role.operator in roles:
        return Actor(ActorKind.operator, account.id)
    if Role.support in roles:
        return Actor(ActorKind.support, account.id)
    return Actor(ActorKind.patient, account.id, patient_id=account.patient_id)


def require(decision: Decision) -> Mode:
    """The mode of an allowed decision; a refusal is concealed as "not found"."""
    if not decision.allowed or decision.mode is None:
        raise NotFound(NOT_FOUND, code="record-not-found")
    return decision.mode


def audit_record(
    session: Session,
    clock: Clock,
    ctx: RequestContext,
    *,
    patient_id: uuid.UUID,
    action: AuditAction,
    mode: Mode,
    target: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        clock,
        chain=chain_for_patient(patient_id),
        action=action,
        context=ctx,
        patient_id=patient_id,
        target=target,
        details={"mode": mode.value, **dict(details or {})},
    )


class Access:
    """The policy bound to one request: the actor, the record's facts, the settings."""

    def __init__(
        self,
        session: Session,
        settings: Settings,
        clock: Clock,
        ctx: RequestContext,
        account: AccountRow,
        patient_id: uuid.UUID,
    ) -> None:
        if ctx.account_id is None:  # every trace names who acted (R1111-43)
            ctx = ctx.as_account(account.id, account.role_names)
        self.session, self.settings, self.clock, self.ctx = session, settings, clock, ctx
        self.account = account
        self.patient_id = patient_id
        self.actor = actor_for(session, account, patient_id)
        self.facts: RecordFacts = record_facts(
            session, patient_id, clock.now(), settings.age_of_majority
        )

    def decide(self, action: Action, document: Any = None) -> Decision:
        return decide(self.actor, action, self.facts, document, policy_settings(self.settings))

    def require(self, action: Action, document: Any = None) -> Mode:
        decision = self.decide(action, document)
        if not decision.allowed:
            self.refused(action, decision)
        return require(decision)

    def refused(self, action: Action, decision: Decision, target: str | None = None) -> None:
        """A refusal answers "not found" and its transaction is rolled back, so it cannot
        sit in the audit trail; it goes to the logs (for alerting on probing) instead."""
        log.warning(
            "access refused: %s on %s by account %s (%s)",
            action.value,
            target or f"Record/{self.patient_id}",
            self.account.id,
            decision.reason or "no grounds",
            extra={"event": "access-refused"},
        )

    def refresh(self) -> None:
        self.facts = record_facts(
            self.session, self.patient_id, self.clock.now(), self.settings.age_of_majority
        )

    def audit(
        self,
        action: AuditAction,
        mode: Mode,
        *,
        target: str | None = None,
        details: Mapping[str, Any] | None = None,
    ) -> None:
        audit_record(
            self.session,
            self.clock,
            self.ctx,
            patient_id=self.patient_id,
            action=action,
            mode=mode,
            target=target,
            details=details,
        )


# --- The holder's sharing choices -------------------------------------------------------------


def _professional(session: Session, professional_id: uuid.UUID) -> ProfessionalRow:
    professional = session.get(ProfessionalRow, professional_id)
    if professional is None:
        raise NotFound(N_("Ce professionnel n'existe pas."), code="professional-not-found")
    return professional


def _active(session: Session, model: Any, patient_id: uuid.UUID, professional_id: uuid.UUID) -> Any:
    return session.scalars(
        select(model).where(
            model.patient_id == patient_id,
            model.professional_id == professional_id,
            model.revoked_at.is_(None),
        )
    ).first()


def grant(access: Access, professional_id: uuid.UUID, *, basis: str) -> None:
    """Authorise a professional to read (the holder's choice, or consent recorded by one)."""
    now = access.clock.now()
    _professional(access.session, professional_id)
    if _active(access.session, AuthorisationRow, access.patient_id, professional_id) is None:
        access.session.add(
            AuthorisationRow(
                patient_id=access.patient_id,
                professional_id=professional_id,
                basis=basis,
                granted_at=now,
                granted_by=access.account.id,
            )
        )
        access.session.flush()
    if basis in SHARING_CONSENTS:  # the care team's access is presumed, not consented
        registry.give(
            access.session,
            access.patient_id,
            Purpose.data_sharing,
            now=now,
            # Collected by a professional: said to them; else the holder's own choice.
            channel=Channel.oral if basis == "consent" else channel_for(access.ctx.channel),
            recorded_by=access.account.id,
            scope=str(professional_id),
        )


def authorise(access: Access, professional_id: uuid.UUID) -> None:
    mode = access.require(Action.sharing_manage)
    grant(access, professional_id, basis="holder")
    access.audit(
        AuditAction.RecordAuthorisationGrant, mode, target=f"Practitioner/{professional_id}"
    )
    access.refresh()


def record_consent(access: Access, *, care_team: bool) -> None:
    """A professional records that the holder authorised them (or that they belong to the
    care team, where authorisation is presumed — recorded as such)."""
    mode = access.require(Action.record_consent)
    assert access.actor.professional_id is not None
    basis = "care-team" if care_team else "consent"
    grant(access, access.actor.professional_id, basis=basis)
    access.audit(
        AuditAction.RecordAuthorisationGrant,
        mode,
        target=f"Practitioner/{access.actor.professional_id}",
        details={"basis": basis},
    )
    access.refresh()


def _end(access: Access, model: Any, professional_id: uuid.UUID) -> bool:
    row = _active(access.session, model, access.patient_id, professional_id)
    if row is None:
        return False
    row.revoked_at = access.clock.now()
    row.revoked_by = access.account.id
    access.session.flush()
    return True


def revoke(access: Access, professional_id: uuid.UUID) -> None:
    mode = access.require(Action.sharing_manage)
    if not _end(access, AuthorisationRow, professional_id):
        raise NotFound(N_("Ce professionnel n'est pas autorisé."), code="not-authorised")
    registry.withdraw(
        access.session,
        access.patient_id,
        Purpose.data_sharing,
        now=access.clock.now(),
        by=access.account.id,
        scope=str(professional_id),
    )
    access.audit(
        AuditAction.RecordAuthorisationRevoke, mode, target=f"Practitioner/{professional_id}"
    )
    access.refresh()


def block(access: Access, professional_id: uuid.UUID) -> None:
    """Keep a professional out: they lose access even if authorised or médecin traitant."""
    mode = access.require(Action.sharing_manage)
    _professional(access.session, professional_id)
    if _active(access.session, BlockRow, access.patient_id, professional_id) is not None:
        raise Conflict(N_("Ce professionnel est déjà bloqué."), code="already-blocked")
    access.session.add(
        BlockRow(
            patient_id=access.patient_id,
            professional_id=professional_id,
            blocked_at=access.clock.now(),
            blocked_by=access.account.id,
        )
    )
    access.session.flush()
    access.audit(AuditAction.RecordBlock, mode, target=f"Practitioner/{professional_id}")
    access.refresh()


def unblock(access: Access, professional_id: uuid.UUID) -> None:
    mode = access.require(Action.sharing_manage)
    if not _end(access, BlockRow, professional_id):
        raise NotFound(N_("Ce professionnel n'est pas bloqué."), code="not-blocked")
    access.audit(AuditAction.RecordUnblock, mode, target=f"Practitioner/{professional_id}")
    access.refresh()


def designate_treating_doctor(access: Access, professional_id: uuid.UUID | None) -> None:
    """Name the médecin traitant (or none); the previous one loses the role."""
    mode = access.require(Action.sharing_manage)
    current = access.facts.treating_doctor
    if current is not None:
        _end(access, CareRoleRow, current)
    if professional_id is not None:
        professional = _professional(access.session, professional_id)
        if professional.profession_code != "10":
            raise InvalidInput.single(
                "professional_id",
                "not-a-doctor",
                N_("Le médecin traitant doit être un médecin."),
            )
        # One active care role per professional: extended rights give way to the role.
        _end(access, CareRoleRow, professional_id)
        access.session.add(
            CareRoleRow(
                patient_id=access.patient_id,
                professional_id=professional_id,
                role=TREATING_DOCTOR,
                granted_at=access.clock.now(),
                granted_by=access.account.id,
            )
        )
        access.session.flush()
    access.audit(
        AuditAction.RecordTreatingDoctor,
        mode,
        target=f"Practitioner/{professional_id}" if professional_id else None,
    )
    access.refresh()


def grant_extended_rights(access: Access, professional_id: uuid.UUID) -> None:
    """Give a professional the same rights as the médecin traitant."""
    mode = access.require(Action.sharing_manage)
    _professional(access.session, professional_id)
    if access.facts.treating_doctor == professional_id:
        raise Conflict(
            N_("Ce professionnel est votre médecin traitant : il a déjà ces droits."),
            code="already-treating-doctor",
        )
    if _active(access.session, CareRoleRow, access.patient_id, professional_id) is None:
        access.session.add(
            CareRoleRow(
                patient_id=access.patient_id,
                professional_id=professional_id,
                role=EXTENDED_RIGHTS,
                granted_at=access.clock.now(),
                granted_by=access.account.id,
            )
        )
        access.session.flush()
    access.audit(
        AuditAction.RecordExtendedRightsGrant, mode, target=f"Practitioner/{professional_id}"
    )
    access.refresh()


def revoke_extended_rights(access: Access, professional_id: uuid.UUID) -> None:
    mode = access.require(Action.sharing_manage)
    row = _active(access.session, CareRoleRow, access.patient_id, professional_id)
    if row is None or row.role != EXTENDED_RIGHTS:
        raise NotFound(N_("Ce professionnel n'a pas de droits étendus."), code="not-extended")
    _end(access, CareRoleRow, professional_id)
    access.audit(
        AuditAction.RecordExtendedRightsRevoke, mode, target=f"Practitioner/{professional_id}"
    )
    access.refresh()


def preferences(session: Session, patient_id: uuid.UUID, now: dt.datetime) -> PreferencesRow:
    row = session.get(PreferencesRow, patient_id)
    if row is None:
        row = PreferencesRow(patient_id=patient_id, updated_at=now)
        session.add(row)
        session.flush()
    return row


def update_preferences(access: Access, **changes: bool) -> PreferencesRow:
    mode = access.require(Action.sharing_manage)
    allowed = {
        "emergency_opposed",
        "regulation_opposed",
        "notify_first_access",
        "notify_emergency",
        "notify_announcement",
        "notify_new_document",
        "notify_vaccination",
        "notify_directives",
    }
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown preferences {sorted(unknown)}")
    row = preferences(access.session, access.patient_id, access.clock.now())
    before = {name: bool(getattr(row, name)) for name in changes}
    for name, value in changes.items():
        setattr(row, name, bool(value))
    registry.notification_changes(
        access.session,
        access.patient_id,
        {name: (before[name], bool(value)) for name, value in changes.items()},
        now=access.clock.now(),
        by=access.account.id,
        channel=channel_for(access.ctx.channel),
    )
    row.updated_at = access.clock.now()
    access.session.flush()
    access.audit(
        AuditAction.RecordPreferences, mode, details={k: str(v).lower() for k, v in changes.items()}
    )
    access.refresh()
    return row


# --- Emergency and regulation -----------------------------------------------------------------


def declare_emergency(
    access: Access, *, reason: str, regulation: bool = False
) -> EmergencyAccessRow:
    """Bris de glace (or a regulation-centre access): time-limited read access with a reason.

    The holder and the médecin traitant are told afterwards (the caller notifies)."""
    action = Action.regulation_declare if regulation else Action.emergency_declare
    mode = access.require(action)
    reason = " ".join((reason or "").split())
    if len(reason) < 10:
        raise InvalidInput.single(
            "reason",
            "reason-required",
            N_("Décrivez la situation d'urgence en quelques mots (10 caractères au moins)."),
        )
    assert access.actor.professional_id is not None
    now = access.clock.now()
    row = EmergencyAccessRow(
        patient_id=access.patient_id,
        professional_id=access.actor.professional_id,
        account_id=access.account.id,
        kind="regulation" if regulation else "emergency",
        reason=reason[:500],
        started_at=now,
        expires_at=now + dt.timedelta(hours=access.settings.emergency_access_hours),
    )
    access.session.add(row)
    access.session.flush()
    access.audit(
        AuditAction.RecordRegulation if regulation else AuditAction.RecordEmergency,
        mode,
        target=f"EmergencyAccess/{row.id}",
        details={"reason": row.reason, "until": row.expires_at.isoformat()},
    )
    access.refresh()
    return row


def live_emergency(access: Access) -> EmergencyAccessRow | None:
    if access.actor.professional_id is None:
        return None
    now = access.clock.now()
    return access.session.scalars(
        select(EmergencyAccessRow)
        .where(
            EmergencyAccessRow.patient_id == access.patient_id,
            EmergencyAccessRow.professional_id == access.actor.professional_id,
            EmergencyAccessRow.expires_at > now,
            EmergencyAccessRow.ended_at.is_(None),
        )
        .order_by(EmergencyAccessRow.started_at.desc())
    ).first()


def end_emergency(access: Access) -> bool:
    """The professional ends their emergency (or regulation) access before it expires;
    False when none is running."""
    row = live_emergency(access)
    if row is None:
        return False
    row.ended_at = access.clock.now()
    access.session.flush()
    access.audit(
        AuditAction.RecordEmergencyEnd,
        Mode.regulation if row.kind == "regulation" else Mode.emergency,
        target=f"Record/{access.patient_id}",
    )
    access.refresh()
    return True


def patient_of(session: Session, patient_id: uuid.UUID) -> PatientRow:
    patient = session.get(PatientRow, patient_id)
    if patient is None:
        raise NotFound(NOT_FOUND, code="record-not-found")
    return patient


def revoke_everything_for(session: Session, patient_id: uuid.UUID, now: dt.datetime) -> None:
    """On purge: every grant ends."""
    for model in (AuthorisationRow, BlockRow, CareRoleRow):
        session.execute(
            update(model)
            .where(model.patient_id == patient_id, model.revoked_at.is_(None))
            .values(revoked_at=now)
        )
