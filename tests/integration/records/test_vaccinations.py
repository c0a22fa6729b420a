"""Vaccinations under the record's rules: verified and declared doses, the plan each reader
gets, masking, the minor's confidential care, corrections and the audit trail."""

from __future__ import annotations

import datetime as dt

import pytest
from helpers_records import (
    AUTHORISED,
    BERNARD,
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
from dmp.shared.clock import FrozenClock
from dmp.shared.errors import InvalidInput, NotFound, PreconditionFailed
from dmp.vaccination import services
from dmp.vaccination.model import Status
from dmp.vaccination.services import DoseInput


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    create_record(container, found.leo)
    share_camille(container, found)
    return found


def dose(code: str, day: dt.date, **extra: object) -> DoseInput:
    return DoseInput(code, day, **extra)  # type: ignore[arg-type]


def statuses(container: Container, email: str, patient: object, vaccine: str) -> list[str]:
    with acting(container, email, patient) as access:  # type: ignore[arg-type]
        plan = services.plan_for(access, services.doses(access))
    return [item.status.value for item in plan if item.vaccine == vaccine]


def test_a_parent_declares_and_a_doctor_records_doses_and_the_plan_follows(
    container: Container, people: People, clock: FrozenClock
) -> None:
    today = clock.now().date()
    # Léo, born 14 June 2019: MMR was due at 12 and 16-18 months; nothing recorded yet
    # (the second dose is planned after the first, so it is upcoming, not overdue too)
    assert statuses(container, CAMILLE, people.leo, "ROR") == ["overdue", "upcoming"]
    with acting(container, CAMILLE, people.leo) as access:
        declared = services.add(access, dose("ROR", dt.date(2020, 6, 20), product="M-M-RvaxPro"))
        assert not declared.verified
        assert declared.author_patient_id is not None
    with acting(container, PETIT, people.leo) as access:
        verified = services.add(
            access, dose("ROR", dt.date(2020, 12, 1), lot="X123", administered_by="Dr Petit")
        )
        assert verified.verified
    assert statuses(container, CAMILLE, people.leo, "ROR") == ["done", "done"]
    with acting(container, PETIT, people.leo) as access:
        rows = services.doses(access)
        assert [r.given_on for r in rows] == [dt.date(2020, 6, 20), dt.date(2020, 12, 1)]
        plan = services.plan_for(access, rows)
    assert all(item.status is not Status.DUE or item.due_date <= today for item in plan)  # type: ignore[operator]


def test_a_masked_dose_leaves_the_plan_of_those_who_cannot_see_it(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        row = services.add(access, dose("DTP_ADULT", dt.date(2010, 5, 1)))
        services.set_masked(access, row.id, True)
    with acting(container, AUTHORISED, people.camille) as access:
        assert services.doses(access) == []
        with pytest.raises(NotFound):
            services.get(access, row.id)
    with acting(container, BERNARD, people.camille) as access:  # médecin traitant
        assert [r.id for r in services.doses(access)] == [row.id]
    with acting(container, STRANGER, people.camille) as access, pytest.raises(NotFound):
        services.doses(access)


def test_a_minors_confidential_vaccination_stays_away_from_the_parent(
    container: Container, people: People
) -> None:
    with acting(container, PETIT, people.leo) as access:
        secret = services.add(
            access, dose("HPV", dt.date(2026, 9, 1)), invisible_to_representatives=True
        )
    with acting(container, CAMILLE, people.leo) as access:
        assert services.doses(access) == []
        with pytest.raises(NotFound):
            services.get(access, secret.id)
    with acting(container, CAMILLE, people.leo) as access, pytest.raises(InvalidInput):
        services.add(access, dose("HPV", dt.date(2026, 9, 1)), invisible_to_representatives=True)


def test_wrong_doses_are_refused_and_corrections_keep_the_history(
    container: Container, people: People, clock: FrozenClock
) -> None:
    future = clock.now().date() + dt.timedelta(days=1)
    with acting(container, CAMILLE, people.leo) as access, pytest.raises(InvalidInput) as bad:
        services.add(access, DoseInput("NOPE", future, dose_number=40))
    assert {(e.field, e.code) for e in bad.value.errors} == {
        ("vaccine_code", "unknown-vaccine"),
        ("given_on", "future"),
        ("dose_number", "out-of-range"),
    }
    with acting(container, CAMILLE, people.leo) as access, pytest.raises(InvalidInput) as early:
        services.add(access, dose("HEXA", dt.date(2019, 6, 1)))
    assert [e.code for e in early.value.errors] == ["before-birth"]

    with acting(container, CAMILLE, people.leo) as access:
        first = services.add(access, dose("HEXA", dt.date(2019, 8, 14)))
    with acting(container, CAMILLE, people.leo) as access, pytest.raises(PreconditionFailed):
        services.correct(access, first.id, dose("HEXA", dt.date(2019, 8, 16)), expected_version=5)
    with acting(container, CAMILLE, people.leo) as access:
        second = services.correct(access, first.id, dose("HEXA", dt.date(2019, 8, 16)))
        assert [v.given_on.day for v in services.versions(access, second.id)] == [14, 16]
    # A professional's dose is corrected by its author only.
    with acting(container, PETIT, people.leo) as access:
        theirs = services.add(access, dose("ROR", dt.date(2020, 6, 20)))
    with acting(container, CAMILLE, people.leo) as access, pytest.raises(NotFound):
        services.delete(access, theirs.id)
    with acting(container, PETIT, people.leo) as access:
        services.delete(access, theirs.id)
        assert [r.vaccine_code for r in services.doses(access)] == ["HEXA"]

    [created, *_rest] = audit_entries(container, people.leo, "record:vaccination:create")
    assert details(created) == {"mode": "representative", "vaccine": "HEXA"}
    [deleted] = audit_entries(container, people.leo, "record:vaccination:delete")
    assert details(deleted)["mode"] == "authorised"


def test_reminders_go_once_ahead_of_a_due_dose_without_naming_it(
    container: Container, people: People, clock: FrozenClock
) -> None:
    from helpers_records import notices

    from dmp.access import services as access_services
    from dmp.vaccination.reminders import send_reminders

    def jump_to(day: dt.date) -> None:
        clock.advance(days=(day - clock.now().date()).days)

    def reminders_for_leo() -> list[dict[str, object]]:
        return [
            details(e) for e in audit_entries(container, people.leo, "record:vaccination:reminder")
        ]

    # Turned off first: Léo turns 11 on 14 June 2030 (boosters, MenACWY, HPV come due); the
    # reminder is recorded, but nobody is told.
    with acting(container, CAMILLE, people.leo) as access:
        access_services.update_preferences(access, notify_vaccination=False)
    jump_to(dt.date(2030, 5, 25))
    before = len(notices(container, CAMILLE, "vaccination-due"))
    assert send_reminders(container.sessions, container.settings, clock) >= 1
    assert reminders_for_leo()[-1]["told"] == "0"
    assert len(notices(container, CAMILLE, "vaccination-due")) == before

    # Once per dose: the next day brings nothing new.
    clock.advance(days=1)
    send_reminders(container.sessions, container.settings, clock)
    assert len(reminders_for_leo()) == 1

    # Back on: the second HPV dose, 5 months after the first, is announced to his parent,
    # without saying which vaccine.
    with acting(container, CAMILLE, people.leo) as access:
        access_services.update_preferences(access, notify_vaccination=True)
    jump_to(dt.date(2030, 7, 1))
    with acting(container, PETIT, people.leo) as access:
        services.add(access, dose("HPV", dt.date(2030, 6, 20)))
    jump_to(dt.date(2030, 11, 5))
    send_reminders(container.sessions, container.settings, clock)
    assert reminders_for_leo()[-1]["told"] == "1"
    new = notices(container, CAMILLE, "vaccination-due")[before:]
    [for_leo] = [n for n in new if n.patient_id == people.leo]
    assert "HPV" not in for_leo.params
    assert reminders_for_leo()[0]["mode"] == "system"
