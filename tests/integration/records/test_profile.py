"""The medical profile under the record's rules: who writes, who reads, masking, the minor's
confidential care, versions and the audit trail (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid

import pytest
from helpers_records import (
    AUTHORISED,
    BERNARD,
    BLOCKED,
    CAMILLE,
    PETIT,
    STRANGER,
    People,
    acting,
    audit_entries,
    create_record,
    details,
    seed_people,
    share_camille,
)

from dmp.container import Container
from dmp.profile import services
from dmp.records import lifecycle
from dmp.shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed

POLLEN = {"substance": "Pollen de bouleau", "kind": "allergy", "severity": "moderate"}
STATIN = {"substance": "Atorvastatine", "dose": "20 mg le soir", "start": "2025-06-01"}


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    create_record(container, found.leo)
    share_camille(container, found)
    return found


def add(
    container: Container,
    email: str,
    patient: uuid.UUID,
    category: str,
    values: dict[str, object],
    **options: bool,
) -> uuid.UUID:
    with acting(container, email, patient) as access:
        return services.add(access, category, values, **options).id


def seen(container: Container, email: str, patient: uuid.UUID) -> set[str]:
    with acting(container, email, patient) as access:
        return {
            str(row.values.get("substance") or row.values.get("name") or row.values.get("kind"))
            for row in services.entries(access)
        }


def test_the_holder_declares_and_professionals_who_may_read_see_it(
    container: Container, people: People
) -> None:
    entry = add(container, CAMILLE, people.camille, "allergy", POLLEN)
    with acting(container, CAMILLE, people.camille) as access:
        row = services.get(access, entry)
        assert row.declared_by_patient
        assert row.author_professional_id is None
        assert row.values == POLLEN
    assert seen(container, AUTHORISED, people.camille) == {"Pollen de bouleau"}
    assert seen(container, BERNARD, people.camille) == {"Pollen de bouleau"}
    for outsider in (STRANGER, BLOCKED):
        with acting(container, outsider, people.camille) as access, pytest.raises(NotFound):
            services.entries(access)
        with acting(container, outsider, people.camille) as access, pytest.raises(NotFound):
            services.get(access, entry)


def test_a_professional_writes_with_their_name_and_only_the_author_corrects(
    container: Container, people: People
) -> None:
    statin = add(container, AUTHORISED, people.camille, "treatment", STATIN)
    with acting(container, CAMILLE, people.camille) as access:
        row = services.get(access, statin)
        assert row.author_professional_id == people.professional[AUTHORISED]
        assert not row.declared_by_patient
    # Neither the holder nor another doctor rewrites a professional's entry.
    for other in (CAMILLE, BERNARD):
        with acting(container, other, people.camille) as access, pytest.raises(NotFound):
            services.update(access, statin, {**STATIN, "dose": "40 mg"})
        with acting(container, other, people.camille) as access, pytest.raises(NotFound):
            services.delete(access, statin)
    # Strangers cannot write at all.
    with acting(container, STRANGER, people.camille) as access, pytest.raises(NotFound):
        services.add(access, "treatment", STATIN)

    with acting(container, AUTHORISED, people.camille) as access:
        newer = services.update(access, statin, {**STATIN, "dose": "40 mg le soir"}).id
    with acting(container, CAMILLE, people.camille) as access:
        history = services.versions(access, newer)
        assert [v.values["dose"] for v in history] == ["20 mg le soir", "40 mg le soir"]
        assert [v.status for v in history] == ["deprecated", "approved"]
        [current] = services.entries(access, "treatment")
        assert current.id == newer
    # The old version cannot be corrected again: only the current one.
    with acting(container, AUTHORISED, people.camille) as access, pytest.raises(Conflict):
        services.update(access, statin, STATIN)


def test_masked_entries_stay_with_the_author_and_the_treating_doctor(
    container: Container, people: People
) -> None:
    mine = add(container, CAMILLE, people.camille, "condition", {"name": "Dépression"})
    theirs = add(container, AUTHORISED, people.camille, "condition", {"name": "Hypertension"})
    with acting(container, CAMILLE, people.camille) as access:
        services.set_masked(access, mine, True)
        services.set_masked(access, theirs, True)
    assert seen(container, AUTHORISED, people.camille) == {"Hypertension"}  # its own
    assert seen(container, BERNARD, people.camille) == {"Dépression", "Hypertension"}
    assert seen(container, PETIT, people.camille) == set()
    with acting(container, PETIT, people.camille) as access, pytest.raises(NotFound):
        services.get(access, mine)
    # Only the holder's side masks.
    with acting(container, AUTHORISED, people.camille) as access, pytest.raises(NotFound):
        services.set_masked(access, theirs, False)
    with acting(container, CAMILLE, people.camille) as access:
        services.set_masked(access, mine, False)
    assert seen(container, PETIT, people.camille) == {"Dépression"}


def test_a_minors_confidential_care_never_reaches_the_representative(
    container: Container, people: People
) -> None:
    add(container, CAMILLE, people.leo, "allergy", {"substance": "Arachide", "kind": "allergy"})
    secret = add(
        container,
        PETIT,
        people.leo,
        "treatment",
        {"substance": "Contraception"},
        invisible_to_representatives=True,
    )
    assert seen(container, CAMILLE, people.leo) == {"Arachide"}
    with acting(container, CAMILLE, people.leo) as access, pytest.raises(NotFound):
        services.get(access, secret)
    assert seen(container, PETIT, people.leo) == {"Arachide", "Contraception"}
    # The holder's side cannot hide things from itself.
    with acting(container, CAMILLE, people.leo) as access, pytest.raises(InvalidInput):
        services.add(access, "allergy", POLLEN, invisible_to_representatives=True)


def test_changes_need_the_version_read_and_bad_values_are_refused(
    container: Container, people: People
) -> None:
    entry = add(container, CAMILLE, people.camille, "allergy", POLLEN)
    with acting(container, CAMILLE, people.camille) as access, pytest.raises(PreconditionFailed):
        services.update(access, entry, POLLEN, expected_version=7)
    with acting(container, CAMILLE, people.camille) as access, pytest.raises(InvalidInput) as bad:
        services.add(
            access,
            "measurement",
            {"kind": "weight", "value": "720", "measured_on": "2999-01-01", "colour": "x"},
        )
    assert {(e.field, e.code) for e in bad.value.errors} == {
        ("value", "out-of-range"),
        ("measured_on", "future"),
        ("colour", "unknown-field"),
    }
    with acting(container, CAMILLE, people.camille) as access:
        services.delete(access, entry, expected_version=1)
        assert services.entries(access) == []
    with acting(container, CAMILLE, people.camille) as access, pytest.raises(NotFound):
        services.get(access, entry)  # deleted: gone from every view


def test_every_change_and_read_is_audited_with_its_grounds(
    container: Container, people: People
) -> None:
    entry = add(container, CAMILLE, people.camille, "allergy", POLLEN)
    with acting(container, CAMILLE, people.camille) as access:
        services.update(access, entry, {**POLLEN, "severity": "severe"})
    seen(container, BERNARD, people.camille)
    [created] = audit_entries(container, people.camille, "record:profile:create")
    assert details(created) == {"mode": "holder", "category": "allergy"}
    [updated] = audit_entries(container, people.camille, "record:profile:update")
    assert details(updated)["version"] == "2"
    reads = audit_entries(container, people.camille, "record:profile:read")
    assert details(reads[-1])["mode"] == "treating-doctor"


def test_a_closed_record_takes_no_new_entry(container: Container, people: People) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.close(access, reason="Je déménage à l'étranger")
    for email in (CAMILLE, AUTHORISED):
        with acting(container, email, people.camille) as access, pytest.raises(NotFound):
            services.add(access, "allergy", POLLEN)
