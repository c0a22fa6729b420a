"""At majority (``age_of_majority``, 18 by default) the legal representatives' access ends.

The scheduled job ends each representative link of a child who came of age (the row stays,
with ``ended_reason`` "majority"), tells each representative, and invites the young adult to
take over their space. Nothing in the record is touched: documents, items, history, settings
stay as they were. Running it again does nothing more (only links not ended are looked at).

The young adult's activation (what happens at majority is not sourced, DOMAIN.md §1.3):
* they already have an active space: they are told they now manage it alone;
* their space awaits activation (registered by a professional): a new activation code goes to
  its address;
* they have no space but a representative gave their e-mail: a space awaiting activation is
  created for that address and the code sent there (the usual activation then checks the code,
  the birth date and the matricule INS, so the code alone opens nothing);
* otherwise no code is issued: it is never shown to the former representatives (who could
  then keep reading a record that is no longer theirs to read). The representatives' notice
  says the young adult is invited to activate their space; a professional or an operator gives
  them one (``POST /api/v1/patients/{id}/space``), which e-mails the code to the young adult.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from dmp.accounts.model import AccountStatus
from dmp.accounts.orm import AccountRow
from dmp.accounts.queries import account_by_email, sms_destination
from dmp.accounts.registration import create_account, issue_activation_code
from dmp.accounts.security import Security
from dmp.audit.model import AuditAction
from dmp.config import Settings
from dmp.identity.model import Role
from dmp.identity.orm import LegalRepresentativeRow, PatientRow
from dmp.linked.model import LEGAL, EndReason, majority_cutoff
from dmp.linked.orm import RepresentativeInvitationRow
from dmp.linked.services import audit_system, today_of
from dmp.notifications.services import notify
from dmp.shared.context import SYSTEM
from dmp.shared.db import transaction
from dmp.shared.i18n import normalise_language

log = logging.getLogger("dmp.jobs")


def end_at_majority(factory: sessionmaker[Session], security: Security, settings: Settings) -> int:
    """Returns how many young adults came of age in this run."""
    clock = security.clock
    cutoff = majority_cutoff(today_of(clock), settings.age_of_majority)
    done = 0
    with transaction(factory) as session:
        rows = session.scalars(
            select(LegalRepresentativeRow)
            .join(PatientRow, PatientRow.id == LegalRepresentativeRow.patient_id)
            .where(
                LegalRepresentativeRow.relationship.in_([r.value for r in LEGAL]),
                LegalRepresentativeRow.ended_at.is_(None),
                PatientRow.birth_date <= cutoff,
            )
            .with_for_update(of=LegalRepresentativeRow, skip_locked=True)
        ).all()
        by_patient: dict[uuid.UUID, list[LegalRepresentativeRow]] = defaultdict(list)
        for row in rows:
            by_patient[row.patient_id].append(row)
        for patient_id, links in by_patient.items():
            _come_of_age(session, security, settings, patient_id, links)
            done += 1
    return done


def _come_of_age(
    session: Session,
    security: Security,
    settings: Settings,
    patient_id: uuid.UUID,
    links: list[LegalRepresentativeRow],
) -> None:
    now = security.now()
    patient = session.get(PatientRow, patient_id)
    assert patient is not None
    for link in links:
        link.ended_at = now
        link.ended_reason = EndReason.majority.value
        audit_system(
            session,
            security.clock,
            patient_id,
            AuditAction.RecordRepresentativeEnd,
            f"RelatedPerson/{link.id}",
            {"reason": EndReason.majority.value, "age": str(settings.age_of_majority)},
        )
        representative = session.scalars(
            select(AccountRow).where(AccountRow.patient_id == link.representative_id)
        ).first()
        if representative is not None and representative.status == AccountStatus.active:
            notify(
                session,
                account_id=representative.id,
                email=representative.email,
                language=normalise_language(representative.preferred_language)
                or settings.default_language,
                kind="majority",
                now=now,
                patient_id=patient_id,
                params={"patient": patient.display_name},
                to_holder=False,
                sms=sms_destination(session, representative),
            )
    for invitation in session.scalars(
        select(RepresentativeInvitationRow).where(
            RepresentativeInvitationRow.patient_id == patient_id,
            RepresentativeInvitationRow.accepted_at.is_(None),
            RepresentativeInvitationRow.revoked_at.is_(None),
        )
    ):
        invitation.revoked_at = now
    session.flush()
    _young_adult(session, security, settings, patient, links)


def _young_adult(
    session: Session,
    security: Security,
    settings: Settings,
    patient: PatientRow,
    links: list[LegalRepresentativeRow],
) -> str:
    """Invite the young adult to take over their space; returns what was done."""
    account = session.scalars(select(AccountRow).where(AccountRow.patient_id == patient.id)).first()
    language = settings.default_language
    if account is not None and account.status == AccountStatus.active:
        notify(
            session,
            account_id=account.id,
            email=account.email,
            language=normalise_language(account.preferred_language) or language,
            kind="majority",
            now=security.now(),
            patient_id=patient.id,
            params={"patient": patient.display_name},
            sms=sms_destination(session, account),
        )
        return "told"
    if account is not None and account.status == AccountStatus.pending:
        issue_activation_code(session, security, account=account, ctx=SYSTEM, language=language)
        return "code-sent"
    if account is not None:  # disabled: the operator decides
        return "disabled"
    email = next(
        (
            link.ward_email
            for link in links
            if link.ward_email and account_by_email(session, link.ward_email) is None
        ),
        None,
    )
    if email is None or patient.ins_matricule is None:
        log.info("young adult without a known address: no activation code issued")
        return "no-address"
    created = create_account(
        session,
        security,
        email=email,
        display_name=patient.display_name,
        roles=[Role.patient],
        status=AccountStatus.pending,
        ctx=SYSTEM,
        patient_id=patient.id,
    )
    issue_activation_code(session, security, account=created, ctx=SYSTEM, language=language)
    return "account-created"
