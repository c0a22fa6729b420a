"""Demo data: a patient with a child, two doctors, a SAMU regulator, an operator. Idempotent:
running it again changes nothing that exists and adds what is missing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.accounts import registration
from dmp.accounts.model import AccountStatus, FactorKind
from dmp.accounts.orm import AccountRow
from dmp.accounts.queries import account_by_email
from dmp.accounts.security import Security
from dmp.identity import services as identity_services
from dmp.identity.model import IdentityInput, Role, validate_identity
from dmp.identity.orm import LegalRepresentativeRow, OrganisationRow, ProfessionalRow
from dmp.shared.context import RequestContext

DEMO_PASSWORD = "Demo-Dossier-2026"  # noqa: S105 (published demo password; refused in production)
CLI = RequestContext(channel="cli", user_agent="dmp demo")


@dataclass(frozen=True)
class DemoAccount:
    email: str
    label: str
    totp_secret: str


CAMILLE = DemoAccount(
    "camille.martin@demo.test", "Camille Martin — patiente", "CAMILLEMARTINDMPDEMOTOTPSECRETAA"
)
BERNARD = DemoAccount(
    "dr.bernard@demo.test",
    "Dr Claire Bernard — médecin généraliste (médecin traitant)",
    "CLAIREBERNARDDMPDEMOTOTPSECRETAA",
)
PETIT = DemoAccount(
    "dr.petit@demo.test", "Dr Julien Petit — cardiologue", "JULIENPETITDMPDEMOTOTPSECRETAAAA"
)
LEFEVRE = DemoAccount(
    "dr.lefevre@demo.test",
    "Dr Hugo Lefèvre — médecin régulateur du SAMU (centre 15)",
    "HUGOLEFEVREDMPDEMOTOTPSECRETAAAA",
)
ADMIN = DemoAccount(
    "admin@demo.test", "Opérateur de la plateforme", "ADMINDMPDEMOTOTPSECRETAAAAAAAAAA"
)
ACCOUNTS = (CAMILLE, BERNARD, PETIT, LEFEVRE, ADMIN)

# Fictitious but valid numbers: the NIR keys are computed, the RPPS are 11 digits.
CAMILLE_NIR = "285037505612306"
LEO_NIR = "119067505604224"


def _with_factors(
    session: Session, security: Security, account: AccountRow, demo: DemoAccount
) -> None:
    registration.add_confirmed_totp(session, security, account, demo.totp_secret)
    registration.add_confirmed_code_factor(
        session, security, account, FactorKind.email, account.email
    )


def _professional(
    session: Session,
    security: Security,
    demo: DemoAccount,
    *,
    rpps: str,
    family: str,
    given: str,
    specialty: str,
    organisation: OrganisationRow,
    regulator: bool = False,
) -> None:
    if account_by_email(session, demo.email):
        return
    professional = session.scalars(
        select(ProfessionalRow).where(ProfessionalRow.rpps == rpps)
    ).first()
    if professional is None:
        professional = identity_services.create_professional(
            session,
            security.clock,
            rpps=rpps,
            family_name=family,
            given_name=given,
            profession_code="10",
            specialty_code=specialty,
            organisation=organisation,
            ctx=CLI,
            regulator=regulator,
        )
    account = registration.create_account(
        session,
        security,
        email=demo.email,
        display_name=f"Dr {given} {family}",
        roles=[Role.professional],
        status=AccountStatus.active,
        ctx=CLI,
        professional_id=professional.id,
        password=DEMO_PASSWORD,
    )
    _with_factors(session, security, account, demo)


def _organisation(
    session: Session, security: Security, *, name: str, finess: str | None, kind: str
) -> OrganisationRow:
    existing = session.scalars(select(OrganisationRow).where(OrganisationRow.name == name)).first()
    return existing or identity_services.get_or_create_organisation(
        session, security.clock, finess=finess, name=name, facility_type=kind
    )


def seed(session: Session, security: Security) -> list[str]:
    """Create what is missing; returns what was created (empty on a second run)."""
    created: list[str] = []
    today = security.now().date()

    camille_patient = identity_services.patient_by_matricule(session, CAMILLE_NIR)
    if camille_patient is None:
        identity = validate_identity(
            IdentityInput(
                birth_name="MARTIN",
                first_given_name="Camille",
                birth_given_names="Camille Anne",
                sex="F",
                birth_date=dt.date(1985, 3, 27),
                birth_place_code="75056",
                ins_matricule=CAMILLE_NIR,
                from_insi=True,
                document_checked=True,
            ),
            today=today,
        )
        camille_patient = identity_services.create_patient(session, security.clock, identity, CLI)
        created.append("patient Camille Martin")
    if account_by_email(session, CAMILLE.email) is None:
        account = registration.create_account(
            session,
            security,
            email=CAMILLE.email,
            display_name="Camille Martin",
            roles=[Role.patient],
            status=AccountStatus.active,
            ctx=CLI,
            patient_id=camille_patient.id,
            phone="+33612345678",
            password=DEMO_PASSWORD,
        )
        _with_factors(session, security, account, CAMILLE)
        created.append(CAMILLE.email)

    leo = identity_services.patient_by_matricule(session, LEO_NIR)
    if leo is None:
        identity = validate_identity(
            IdentityInput(
                birth_name="MARTIN",
                first_given_name="Léo",
                birth_given_names="Léo Paul",
                sex="M",
                birth_date=dt.date(2019, 6, 14),
                birth_place_code="75056",
                ins_matricule=LEO_NIR,
                from_insi=True,
                document_checked=True,
            ),
            today=today,
        )
        leo = identity_services.create_patient(session, security.clock, identity, CLI)
        created.append("patient Léo Martin")
    link = session.scalars(
        select(LegalRepresentativeRow).where(
            LegalRepresentativeRow.patient_id == leo.id,
            LegalRepresentativeRow.representative_id == camille_patient.id,
        )
    ).first()
    if link is None:
        session.add(
            LegalRepresentativeRow(
                patient_id=leo.id,
                representative_id=camille_patient.id,
                relationship="parent",
                since=leo.birth_date,
                created_at=security.now(),
            )
        )
        created.append("Camille → Léo (parent)")

    cabinet = _organisation(
        session, security, name="Cabinet médical du Parc", finess=None, kind="SA07"
    )
    clinic = _organisation(
        session,
        security,
        name="Centre de cardiologie de démonstration",
        finess="759999991",
        kind="SA05",
    )
    if account_by_email(session, BERNARD.email) is None:
        _professional(
            session,
            security,
            BERNARD,
            rpps="10000123456",
            family="Bernard",
            given="Claire",
            specialty="SM54",
            organisation=cabinet,
        )
        created.append(BERNARD.email)
    if account_by_email(session, PETIT.email) is None:
        _professional(
            session,
            security,
            PETIT,
            rpps="10000654321",
            family="Petit",
            given="Julien",
            specialty="SM04",
            organisation=clinic,
        )
        created.append(PETIT.email)
    if account_by_email(session, LEFEVRE.email) is None:
        samu = _organisation(
            session, security, name="SAMU de démonstration — centre 15", finess=None, kind="SA01"
        )
        _professional(
            session,
            security,
            LEFEVRE,
            rpps="10000987654",
            family="Lefèvre",
            given="Hugo",
            specialty="SM54",
            organisation=samu,
            regulator=True,
        )
        created.append(LEFEVRE.email)

    if account_by_email(session, ADMIN.email) is None:
        account = registration.create_account(
            session,
            security,
            email=ADMIN.email,
            display_name="Admin dmp",
            roles=[Role.operator],
            status=AccountStatus.active,
            ctx=CLI,
            password=DEMO_PASSWORD,
        )
        _with_factors(session, security, account, ADMIN)
        created.append(ADMIN.email)
    return created
