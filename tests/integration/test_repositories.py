"""Rows as the services write them: identities, accounts, uniqueness, time zones."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError

from dmp.accounts import registration
from dmp.accounts.model import AccountStatus
from dmp.accounts.orm import AccountRow
from dmp.container import Container
from dmp.identity import services as identity_services
from dmp.identity.model import IdentityInput, Role, validate_identity
from dmp.identity.orm import LegalRepresentativeRow, PatientRow, ProfessionalRow
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction
from dmp.shared.errors import Conflict

CTX = RequestContext(channel="test", roles=frozenset({"operator"}))


def identity(  # type: ignore[no-untyped-def]
    nir: str = "285037505612306",
    given: str = "Camille",
    sex: str = "F",
    birth_date: dt.date = dt.date(1985, 3, 27),
):
    return validate_identity(
        IdentityInput(
            birth_name="MARTIN",
            first_given_name=given,
            birth_given_names=given,
            sex=sex,
            birth_date=birth_date,
            birth_place_code="75056",
            ins_matricule=nir,
            from_insi=True,
            document_checked=True,
        ),
        today=dt.date(2026, 11, 29),
    )


def test_patient_round_trip_with_aware_timestamps(container: Container) -> None:
    with transaction(container.sessions) as session:
        created = identity_services.create_patient(session, container.clock, identity(), CTX)
        created_id = created.id
    with container.sessions() as session:
        row = session.get(PatientRow, created_id)
        assert row is not None
        assert row.ins_matricule == "285037505612306"
        assert row.ins_oid == "1.2.250.1.213.1.4.8"
        assert row.identity_status == "QUAL"
        assert row.birth_given_names == "Camille"
        assert row.created_at.tzinfo is not None
        assert row.created_at == container.clock.now()


def test_naive_timestamps_are_refused(container: Container) -> None:
    def write_naive() -> None:
        with transaction(container.sessions) as session:
            patient = identity_services.create_patient(session, container.clock, identity(), CTX)
            patient.updated_at = dt.datetime(2026, 1, 1)  # noqa: DTZ001 — the point of the test
            session.flush()

    with pytest.raises(StatementError, match="naive datetime"):
        write_naive()
    with container.sessions() as session:
        assert session.scalars(select(PatientRow)).first() is None


def test_one_record_per_matricule_and_one_account_per_email(container: Container) -> None:
    with transaction(container.sessions) as session:
        identity_services.create_patient(session, container.clock, identity(), CTX)
    with pytest.raises(Conflict), transaction(container.sessions) as session:
        identity_services.create_patient(session, container.clock, identity(), CTX)
    with transaction(container.sessions) as session:
        registration.create_account(
            session,
            container.security,
            email="Camille@Example.test",
            display_name="C",
            roles=[Role.patient],
            status=AccountStatus.pending,
            ctx=CTX,
        )
    with pytest.raises(Conflict), transaction(container.sessions) as session:
        registration.create_account(
            session,
            container.security,
            email="camille@example.TEST",
            display_name="C",
            roles=[Role.patient],
            status=AccountStatus.pending,
            ctx=CTX,
        )
    with container.sessions() as session:
        emails = session.scalars(select(AccountRow.email)).all()
    assert emails == ["camille@example.test"]


def test_the_database_enforces_uniqueness_too(container: Container) -> None:
    """Even a writer that skips the service check cannot create a duplicate."""
    with transaction(container.sessions) as session:
        identity_services.create_patient(session, container.clock, identity(), CTX)

    def insert_duplicate() -> None:
        now = container.clock.now()
        with transaction(container.sessions) as session:
            session.add(
                PatientRow(
                    ins_matricule="285037505612306",
                    birth_name="X",
                    first_given_name="Y",
                    birth_given_names="Y",
                    sex="F",
                    birth_date=dt.date(1985, 3, 27),
                    identity_status="PROV",
                    created_at=now,
                    updated_at=now,
                )
            )

    with pytest.raises(IntegrityError):
        insert_duplicate()


def test_professional_and_representative_links(container: Container) -> None:
    with transaction(container.sessions) as session:
        organisation = identity_services.get_or_create_organisation(
            session, container.clock, finess="690000017", name="Clinique", facility_type="SA04"
        )
        again = identity_services.get_or_create_organisation(
            session, container.clock, finess="690000017", name="Other name", facility_type=None
        )
        assert again.id == organisation.id
        professional = identity_services.create_professional(
            session,
            container.clock,
            rpps="10003461033",
            family_name="Durand",
            given_name="Alice",
            profession_code="10",
            specialty_code="SM54",
            organisation=organisation,
            ctx=CTX,
        )
        assert professional.idnat_ps == "810003461033"
        parent = identity_services.create_patient(session, container.clock, identity(), CTX)
        child = identity_services.create_patient(
            session,
            container.clock,
            identity("119067505604224", "Léo", "M", dt.date(2019, 6, 14)),
            CTX,
        )
        session.add(
            LegalRepresentativeRow(
                patient_id=child.id,
                representative_id=parent.id,
                relationship="parent",
                since=dt.date(2019, 6, 14),
                created_at=container.clock.now(),
            )
        )
    with pytest.raises(Conflict), transaction(container.sessions) as session:
        identity_services.create_professional(
            session,
            container.clock,
            rpps="10003461033",
            family_name="X",
            given_name="Y",
            profession_code="10",
            specialty_code=None,
            organisation=None,
            ctx=CTX,
        )
    with container.sessions() as session:
        assert session.scalars(select(ProfessionalRow.rpps)).all() == ["10003461033"]
        assert len(session.scalars(select(LegalRepresentativeRow)).all()) == 1
