"""Creating and finding identities. Every creation is audited in the same transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.audit import services as audit
from dmp.audit.model import AuditAction, chain_for_patient
from dmp.identity.model import PatientIdentity, parse_finess, parse_rpps
from dmp.identity.orm import (
    OrganisationRow,
    PatientRow,
    ProfessionalOrganisationRow,
    ProfessionalRow,
)
from dmp.shared.clock import Clock
from dmp.shared.context import RequestContext
from dmp.shared.errors import N_, Conflict


def create_patient(
    session: Session, clock: Clock, identity: PatientIdentity, ctx: RequestContext
) -> PatientRow:
    """Raises :class:`Conflict` when a patient already has this matricule INS."""
    matricule = identity.matricule
    if (
        matricule is not None
        and session.scalars(
            select(PatientRow.id).where(PatientRow.ins_matricule == matricule.value)
        ).first()
    ):
        raise Conflict(N_("Un dossier existe déjà pour ce matricule INS."), code="patient-exists")
    now = clock.now()
    patient = PatientRow(
        id=uuid.uuid4(),
        ins_matricule=matricule.value if matricule else None,
        ins_oid=matricule.oid if matricule else None,
        birth_name=identity.birth_name,
        first_given_name=identity.first_given_name,
        birth_given_names=" ".join(identity.birth_given_names),
        used_name=identity.used_name,
        used_given_name=identity.used_given_name,
        sex=identity.sex.value,
        birth_date=identity.birth_date,
        birth_place_code=identity.birth_place_code,
        identity_status=identity.status.value,
        created_at=now,
        updated_at=now,
    )
    session.add(patient)
    session.flush()
    audit.record(
        session,
        clock,
        chain=chain_for_patient(patient.id),
        action=AuditAction.PatientIdentityCreate,
        context=ctx,
        patient_id=patient.id,
        target=f"Patient/{patient.id}",
        details={"identity_status": identity.status.value},
    )
    return patient


def patient_by_matricule(session: Session, matricule: str) -> PatientRow | None:
    return session.scalars(select(PatientRow).where(PatientRow.ins_matricule == matricule)).first()


def get_or_create_organisation(
    session: Session, clock: Clock, *, finess: str | None, name: str, facility_type: str | None
) -> OrganisationRow:
    code = parse_finess(finess) if finess else None
    if code:
        existing = session.scalars(
            select(OrganisationRow).where(OrganisationRow.finess == code)
        ).first()
        if existing:
            return existing
    organisation = OrganisationRow(
        finess=code, name=name, facility_type_code=facility_type, created_at=clock.now()
    )
    session.add(organisation)
    session.flush()
    return organisation


def create_professional(
    session: Session,
    clock: Clock,
    *,
    rpps: str,
    family_name: str,
    given_name: str,
    profession_code: str,
    specialty_code: str | None,
    organisation: OrganisationRow | None,
    ctx: RequestContext,
    regulator: bool = False,
) -> ProfessionalRow:
    """``regulator``: a médecin régulateur of a centre 15 (SAMU), who may use the regulation
    access mode (callers check that the professional is a médecin)."""
    number = parse_rpps(rpps)
    if session.scalars(select(ProfessionalRow.id).where(ProfessionalRow.rpps == number)).first():
        raise Conflict(N_("Un professionnel existe déjà avec ce numéro RPPS."), code="rpps-exists")
    professional = ProfessionalRow(
        rpps=number,
        family_name=family_name.strip(),
        given_name=given_name.strip(),
        profession_code=profession_code,
        specialty_code=specialty_code,
        regulator=regulator,
        created_at=clock.now(),
    )
    session.add(professional)
    session.flush()
    if organisation is not None:
        session.add(
            ProfessionalOrganisationRow(
                professional_id=professional.id, organisation_id=organisation.id
            )
        )
    audit.record(
        session,
        clock,
        chain=f"professional:{professional.id}",
        action=AuditAction.ProfessionalCreate,
        context=ctx,
        target=f"Practitioner/{professional.id}",
        details={"idnat_ps": professional.idnat_ps, "regulator": regulator},
    )
    return professional
