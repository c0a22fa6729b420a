"""The holder's sharing choices on a real database: authorisations, blocks, médecin traitant,
extended rights, consent recorded by a professional, preferences (DOMAIN.md §1.1–§1.2)."""

from __future__ import annotations

import uuid

import pytest
from helpers_records import (
    ADMIN,
    AUTHORISED,
    BERNARD,
    CAMILLE,
    EXTENDED,
    NURSE,
    PETIT,
    STRANGER,
    People,
    acting,
    audit_entries,
    create_record,
    details,
    seed_people,
)
from sqlalchemy import select

from dmp.access import services as access_services
from dmp.access.orm import AuthorisationRow, CareRoleRow
from dmp.access.policy import Mode
from dmp.container import Container
from dmp.records import documents, lifecycle
from dmp.records.documents import DocumentQuery
from dmp.shared.db import transaction
from dmp.shared.errors import Conflict, InvalidInput, NotFound


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    return found


def mode_of(container: Container, email: str, people: People) -> Mode | None:
    try:
        with acting(container, email, people.camille) as access:
            return documents.list_documents(access, DocumentQuery()).mode
    except NotFound:
        return None


def active_roles(container: Container, people: People) -> dict[str, str]:
    names = {v: k for k, v in people.professional.items()}
    with transaction(container.sessions) as session:
        rows = session.scalars(
            select(CareRoleRow).where(
                CareRoleRow.patient_id == people.camille, CareRoleRow.revoked_at.is_(None)
            )
        ).all()
    return {names[r.professional_id]: r.role for r in rows}


def test_authorise_and_revoke(container: Container, people: People) -> None:
    professional = people.professional[AUTHORISED]
    assert mode_of(container, AUTHORISED, people) is None
    with acting(container, CAMILLE, people.camille) as access:
        access_services.authorise(access, professional)
        assert professional in access.facts.authorised  # the request sees its own change
        access_services.authorise(access, professional)  # twice: still one grant
    assert mode_of(container, AUTHORISED, people) is Mode.authorised
    with transaction(container.sessions) as session:
        grants = session.scalars(
            select(AuthorisationRow).where(AuthorisationRow.professional_id == professional)
        ).all()
    assert [(g.basis, g.granted_by) for g in grants] == [("holder", people.account[CAMILLE])]
    with acting(container, CAMILLE, people.camille) as access:
        access_services.revoke(access, professional)
        assert professional not in access.facts.authorised
    assert mode_of(container, AUTHORISED, people) is None
    with pytest.raises(NotFound) as caught, acting(container, CAMILLE, people.camille) as access:
        access_services.revoke(access, professional)
    assert caught.value.code == "not-authorised"
    # The professional who created the record can be revoked like any other.
    with acting(container, CAMILLE, people.camille) as access:
        access_services.revoke(access, people.professional[PETIT])
    assert mode_of(container, PETIT, people) is None
    actions = [e.action for e in audit_entries(container, people.camille)]
    assert actions.count("record:authorisation:grant") == 2
    assert actions.count("record:authorisation:revoke") == 2


@pytest.mark.parametrize("email", [PETIT, BERNARD, ADMIN])
def test_only_the_holders_side_manages_sharing(
    container: Container, people: People, email: str
) -> None:
    target = people.professional[STRANGER]
    operations = [
        lambda a: access_services.authorise(a, target),
        lambda a: access_services.block(a, target),
        lambda a: access_services.designate_treating_doctor(a, target),
        lambda a: access_services.grant_extended_rights(a, target),
        lambda a: access_services.update_preferences(a, emergency_opposed=True),
    ]
    for operation in operations:
        with pytest.raises(NotFound), acting(container, email, people.camille) as access:
            operation(access)
    assert mode_of(container, STRANGER, people) is None


def test_the_legal_representative_manages_the_childs_sharing(
    container: Container, people: People
) -> None:
    create_record(container, people.leo)
    with acting(container, CAMILLE, people.leo) as access:
        access_services.designate_treating_doctor(access, people.professional[BERNARD])
    with acting(container, BERNARD, people.leo) as access:
        assert documents.list_documents(access, DocumentQuery()).mode is Mode.treating_doctor
    [entry] = audit_entries(container, people.leo, "record:treating-doctor:designate")
    assert details(entry)["mode"] == "representative"
    assert entry.actor_account_id == people.account[CAMILLE]


def test_an_unknown_professional_is_not_found(container: Container, people: People) -> None:
    with pytest.raises(NotFound) as caught, acting(container, CAMILLE, people.camille) as access:
        access_services.authorise(access, uuid.uuid4())
    assert caught.value.code == "professional-not-found"


def test_block_twice_is_a_conflict_and_unblock_needs_a_block(
    container: Container, people: People
) -> None:
    professional = people.professional[AUTHORISED]
    with acting(container, CAMILLE, people.camille) as access:
        access_services.authorise(access, professional)
        access_services.block(access, professional)
    assert mode_of(container, AUTHORISED, people) is None
    with pytest.raises(Conflict), acting(container, CAMILLE, people.camille) as access:
        access_services.block(access, professional)
    with acting(container, CAMILLE, people.camille) as access:
        access_services.unblock(access, professional)
    assert mode_of(container, AUTHORISED, people) is Mode.authorised  # the grant remained
    with pytest.raises(NotFound) as caught, acting(container, CAMILLE, people.camille) as access:
        access_services.unblock(access, professional)
    assert caught.value.code == "not-blocked"


def test_a_blocked_professional_cannot_record_consent(container: Container, people: People) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        access_services.block(access, people.professional[STRANGER])
    with pytest.raises(NotFound), acting(container, STRANGER, people.camille) as access:
        access_services.record_consent(access, care_team=False)
    assert mode_of(container, STRANGER, people) is None


def test_a_professional_records_the_holders_consent(container: Container, people: People) -> None:
    with acting(container, STRANGER, people.camille) as access:
        access_services.record_consent(access, care_team=False)
    with acting(container, AUTHORISED, people.camille) as access:
        access_services.record_consent(access, care_team=True)
    assert mode_of(container, STRANGER, people) is Mode.authorised
    with transaction(container.sessions) as session:
        bases = {
            g.professional_id: g.basis
            for g in session.scalars(
                select(AuthorisationRow).where(AuthorisationRow.patient_id == people.camille)
            )
        }
    assert bases[people.professional[STRANGER]] == "consent"
    assert bases[people.professional[AUTHORISED]] == "care-team"
    entries = audit_entries(container, people.camille, "record:authorisation:grant")
    assert [details(e)["basis"] for e in entries] == ["consent", "care-team"]
    # Not on a record that does not exist.
    with pytest.raises(NotFound), acting(container, STRANGER, people.leo) as access:
        access_services.record_consent(access, care_team=False)


def test_treating_doctor_designation(container: Container, people: People) -> None:
    with (
        pytest.raises(InvalidInput) as caught,
        acting(container, CAMILLE, people.camille) as access,
    ):
        access_services.designate_treating_doctor(access, people.professional[NURSE])
    assert [(e.field, e.code) for e in caught.value.errors] == [("professional_id", "not-a-doctor")]

    with acting(container, CAMILLE, people.camille) as access:
        access_services.designate_treating_doctor(access, people.professional[BERNARD])
        assert access.facts.treating_doctor == people.professional[BERNARD]
    assert mode_of(container, BERNARD, people) is Mode.treating_doctor
    assert active_roles(container, people) == {BERNARD: "treating-doctor"}

    # The same doctor again changes nothing visible.
    with acting(container, CAMILLE, people.camille) as access:
        access_services.designate_treating_doctor(access, people.professional[BERNARD])
    assert active_roles(container, people) == {BERNARD: "treating-doctor"}

    # A new one replaces the previous one.
    with acting(container, CAMILLE, people.camille) as access:
        access_services.designate_treating_doctor(access, people.professional[PETIT])
    assert active_roles(container, people) == {PETIT: "treating-doctor"}
    assert mode_of(container, BERNARD, people) is None
    assert mode_of(container, PETIT, people) is Mode.treating_doctor

    # None: no médecin traitant any more; Dr Petit keeps his authorisation from the creation.
    with acting(container, CAMILLE, people.camille) as access:
        access_services.designate_treating_doctor(access, None)
        assert access.facts.treating_doctor is None
    assert active_roles(container, people) == {}
    assert mode_of(container, PETIT, people) is Mode.authorised


def test_a_professional_with_extended_rights_becomes_treating_doctor(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        access_services.grant_extended_rights(access, people.professional[EXTENDED])
    assert mode_of(container, EXTENDED, people) is Mode.extended_rights
    with acting(container, CAMILLE, people.camille) as access:
        access_services.designate_treating_doctor(access, people.professional[EXTENDED])
    assert active_roles(container, people) == {EXTENDED: "treating-doctor"}
    assert mode_of(container, EXTENDED, people) is Mode.treating_doctor


def test_extended_rights_grant_and_revoke(container: Container, people: People) -> None:
    professional = people.professional[EXTENDED]
    with acting(container, CAMILLE, people.camille) as access:
        access_services.grant_extended_rights(access, professional)
        access_services.grant_extended_rights(access, professional)  # idempotent
        assert professional in access.facts.extended_rights
    assert active_roles(container, people) == {EXTENDED: "extended-rights"}
    assert mode_of(container, EXTENDED, people) is Mode.extended_rights
    with acting(container, CAMILLE, people.camille) as access:
        access_services.revoke_extended_rights(access, professional)
        assert professional not in access.facts.extended_rights
    assert mode_of(container, EXTENDED, people) is None
    with pytest.raises(NotFound), acting(container, CAMILLE, people.camille) as access:
        access_services.revoke_extended_rights(access, professional)
    # The médecin traitant's role is not "extended rights" and is not revoked as such.
    with acting(container, CAMILLE, people.camille) as access:
        access_services.designate_treating_doctor(access, people.professional[BERNARD])
    with pytest.raises(NotFound), acting(container, CAMILLE, people.camille) as access:
        access_services.revoke_extended_rights(access, people.professional[BERNARD])
    assert mode_of(container, BERNARD, people) is Mode.treating_doctor


def test_preferences(container: Container, people: People) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        row = access_services.update_preferences(
            access, emergency_opposed=True, notify_new_document=False
        )
        assert access.facts.emergency_opposed
    assert row.emergency_opposed is True
    assert row.notify_new_document is False
    assert row.notify_first_access is True
    [entry] = audit_entries(container, people.camille, "record:preferences:update")
    assert details(entry) == {
        "mode": "holder",
        "emergency_opposed": "true",
        "notify_new_document": "false",
    }
    with (
        pytest.raises(ValueError, match="unknown"),
        acting(container, CAMILLE, people.camille) as access,
    ):
        access_services.update_preferences(access, is_admin=True)


def test_sharing_is_frozen_while_the_record_is_closed(container: Container, people: People) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.close(access, reason="fermeture")
    with pytest.raises(NotFound), acting(container, CAMILLE, people.camille) as access:
        access_services.authorise(access, people.professional[AUTHORISED])
