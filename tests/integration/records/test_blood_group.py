"""The blood-group card under the record's rules: a declared card, a verified one replacing it,
inconsistent values refused with nothing written, who sees it (blocked, masked), and the printed
card's QR link telling a current card from a replaced, deleted, masked or forged one."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

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
from sqlalchemy import func, select

from dmp.bloodgroup import services
from dmp.bloodgroup.model import BloodGroupInput
from dmp.bloodgroup.orm import BloodGroupRow
from dmp.bloodgroup.services import CardStatus
from dmp.container import Container
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction
from dmp.shared.errors import Conflict, InvalidInput, NotFound, PreconditionFailed

SCANNER = RequestContext(ip="198.51.100.7", channel="web", user_agent="phone camera")


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    share_camille(container, found)
    return found


def declared(**changes: Any) -> BloodGroupInput:
    return dataclasses.replace(BloodGroupInput(abo="A", rhd="positive", source=None), **changes)


def lab_result(**changes: Any) -> BloodGroupInput:
    values: dict[str, Any] = {
        "abo": "O",
        "rhd": "negative",
        "source": None,
        "big_c": False,
        "little_c": True,
        "big_e": False,
        "little_e": True,
        "kell": False,
        "rai_date": dt.date(2025, 11, 3),
        "rai_result": "negative",
        "laboratory": "Laboratoire Biolab Paris 11",
        "biologist": "Dr Anne Roux",
        "first_determination": dt.date(2025, 11, 3),
    }
    values.update(changes)
    return BloodGroupInput(**values)


def rows(container: Container) -> int:
    with transaction(container.sessions) as session:
        return session.scalar(select(func.count()).select_from(BloodGroupRow)) or 0


def check(container: Container, token: str) -> services.Verification:
    with transaction(container.sessions) as session:
        return services.verify_token(
            session, container.clock, container.security.keys, token, SCANNER
        )


def token_of_current(container: Container, email: str, people: People) -> str:
    with acting(container, email, people.camille) as access:
        row = services.current(access)
        assert row is not None
        return services.card_token(row, container.security.keys)


def test_a_declared_card_then_a_verified_one_replacing_it(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        assert services.current(access) is None
        mine = services.record(access, declared())
        assert not mine.verified
        assert mine.card().source.value == "patient"
    with acting(container, BERNARD, people.camille) as access:
        seen = services.current(access)
        assert seen is not None
        assert not seen.verified
        verified = services.record(access, lab_result())
        assert verified.verified
        assert verified.series_id == mine.series_id
        assert verified.series_number == 2
    with acting(container, CAMILLE, people.camille) as access:
        now = services.current(access)
        assert now is not None
        assert (now.abo, now.rhd, now.verified) == ("O", "negative", True)
        assert [(v.abo, v.status) for v in services.versions(access)] == [
            ("A", "deprecated"),
            ("O", "approved"),
        ]
        # The holder's side cannot replace a verified card with a declaration.
        with pytest.raises(Conflict) as refused:
            services.record(access, declared(abo="B"))
        assert refused.value.code == "verified-card"
        assert not services.may_replace(access, now)

    updates = audit_entries(container, people.camille, "record:blood-group:update")
    assert [details(e) for e in updates] == [
        {"mode": "holder", "version": "1", "verified": "0"},
        {"mode": "treating-doctor", "version": "2", "verified": "1"},
    ]
    reads = audit_entries(container, people.camille, "record:blood-group:read")
    assert {details(e)["mode"] for e in reads} == {"holder", "treating-doctor"}


def test_inconsistent_values_are_refused_and_nothing_is_written(
    container: Container, people: People, clock: Any
) -> None:
    before = len(audit_entries(container, people.camille))
    with acting(container, BERNARD, people.camille) as access, pytest.raises(InvalidInput) as bad:
        services.record(
            access,
            lab_result(
                big_c=False,
                little_c=False,
                rai_result="positive",
                laboratory=None,
                first_determination=clock.now().date() + dt.timedelta(days=2),
            ),
        )
    assert {(e.field, e.code) for e in bad.value.errors} == {
        ("big_c", "c-both-absent"),
        ("rai_specificity", "specificity-required"),
        ("laboratory", "required"),
        ("first_determination", "date-future"),
    }
    # A professional's card needs the phenotype; a declaration does not.
    with acting(container, PETIT, people.camille) as access, pytest.raises(InvalidInput) as bare:
        services.record(access, declared())
    assert ("big_c", "phenotype-required") in {(e.field, e.code) for e in bare.value.errors}
    # Before the holder's birth (27 March 1985).
    with acting(container, CAMILLE, people.camille) as access, pytest.raises(InvalidInput) as old:
        services.record(access, declared(first_determination=dt.date(1980, 1, 1)))
    assert [e.code for e in old.value.errors] == ["date-before-birth"]
    assert rows(container) == 0
    assert len(audit_entries(container, people.camille)) == before


def test_who_sees_the_card(container: Container, people: People) -> None:
    with acting(container, BERNARD, people.camille) as access:
        services.record(access, lab_result())
    with acting(container, AUTHORISED, people.camille) as access:
        assert services.current(access) is not None
    for outsider in (BLOCKED, STRANGER):
        with acting(container, outsider, people.camille) as access, pytest.raises(NotFound):
            services.current(access)
        with acting(container, outsider, people.camille) as access, pytest.raises(NotFound):
            services.record(access, lab_result())

    # Masked: hidden from an authorised professional, still seen by the médecin traitant.
    with acting(container, CAMILLE, people.camille) as access:
        services.set_masked(access, True)
    with acting(container, AUTHORISED, people.camille) as access:
        assert services.current(access) is None
        assert services.versions(access) == []
        with pytest.raises(NotFound):
            services.set_masked(access, False)
    with acting(container, BERNARD, people.camille) as access:
        seen = services.current(access)
        assert seen is not None
        assert seen.masked
    # A professional's newer result replaces it: still one current card, still masked.
    with acting(container, AUTHORISED, people.camille) as access:
        newer = services.record(access, lab_result(abo="B"))
        assert newer.masked
    with acting(container, CAMILLE, people.camille) as access:
        assert [v.status for v in services.versions(access)] == ["deprecated", "approved"]
    with acting(container, PETIT, people.camille) as access:
        assert services.current(access) is None
    [mask] = audit_entries(container, people.camille, "record:blood-group:mask")
    assert details(mask) == {"mode": "holder", "masked": "true"}


def test_only_the_author_deletes_and_if_match_guards_changes(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        first = services.record(access, declared())
        stale = first.etag
        services.record(access, declared(abo="AB"), expected=first.etag)
    with acting(container, CAMILLE, people.camille) as access, pytest.raises(PreconditionFailed):
        services.record(access, declared(abo="B"), expected=stale)
    with acting(container, BERNARD, people.camille) as access:
        services.record(access, lab_result())
    with acting(container, CAMILLE, people.camille) as access, pytest.raises(NotFound):
        services.delete(access)  # Dr Bernard's card
    with acting(container, BERNARD, people.camille) as access:
        services.delete(access)
        assert services.current(access) is None
    with acting(container, CAMILLE, people.camille) as access:
        assert services.current(access) is None
        # A new card after a deletion starts a new series.
        again = services.record(access, declared(abo="O"))
        assert again.series_number == 1
    [deleted] = audit_entries(container, people.camille, "record:blood-group:delete")
    assert details(deleted) == {"mode": "treating-doctor", "version": "3"}


def test_the_printed_cards_link_tells_current_outdated_and_forged(
    container: Container, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    with acting(container, BERNARD, people.camille) as access:
        services.record(access, lab_result())
    printed: dict[str, Any] = {}

    def capture(card: Any, **options: Any) -> bytes:
        printed.update(options, card=card)
        return b"%PDF-1.7 captured"

    monkeypatch.setattr("dmp.bloodgroup.card.render_pdf", capture)
    with acting(container, AUTHORISED, people.camille) as access:
        services.card_pdf(
            access, keys=container.security.keys, base_url="https://dmp.example/", language="fr"
        )
    token = token_of_current(container, CAMILLE, people)
    assert printed["verification_url"] == f"https://dmp.example/verify/blood-group/{token}"
    assert printed["holder"].name == "Camille MARTIN"
    [card_print] = audit_entries(container, people.camille, "record:blood-group:card")
    assert details(card_print)["mode"] == "authorised"

    good = check(container, token)
    assert good.status is CardStatus.current
    assert (good.initials, good.birth_year) == ("C. M.", 1985)
    assert good.card is not None
    assert good.card.abo.value == "O"
    assert good.card.verified

    # One changed character: not authentic, and nothing recorded about anyone.
    forged = token[:-1] + ("A" if token[-1] != "A" else "B")
    before = len(audit_entries(container, people.camille))
    assert check(container, forged) == services.Verification(CardStatus.invalid)
    assert check(container, "not-a-token") == services.Verification(CardStatus.invalid)
    assert len(audit_entries(container, people.camille)) == before

    # Masked, then shown again: that printed card no longer verifies, a new print does.
    with acting(container, CAMILLE, people.camille) as access:
        services.set_masked(access, True)
    masked = check(container, token)
    assert masked.status is CardStatus.outdated
    assert masked.card is None
    assert masked.initials == "C. M."
    with acting(container, CAMILLE, people.camille) as access:
        services.set_masked(access, False)
    assert check(container, token).status is CardStatus.outdated
    reprinted = token_of_current(container, CAMILLE, people)
    assert check(container, reprinted).status is CardStatus.current

    # Replaced by a newer result.
    with acting(container, BERNARD, people.camille) as access:
        services.record(access, lab_result(kell=True))
    assert check(container, reprinted).status is CardStatus.outdated
    newest = token_of_current(container, CAMILLE, people)
    assert check(container, newest).status is CardStatus.current

    # Deleted.
    with acting(container, BERNARD, people.camille) as access:
        services.delete(access)
    gone = check(container, newest)
    assert gone.status is CardStatus.outdated
    assert gone.card is None

    checks = audit_entries(container, people.camille, "record:blood-group:verify")
    assert [details(e)["result"] for e in checks] == [
        "current",
        "outdated",
        "outdated",
        "current",
        "outdated",
        "current",
        "outdated",
    ]
    assert all(e.actor_account_id is None for e in checks)


def test_the_real_card_is_a_pdf_and_the_key_is_purpose_bound(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        services.record(access, declared())
        pdf = services.card_pdf(
            access, keys=container.security.keys, base_url="http://testserver", language="en"
        )
    assert pdf.startswith(b"%PDF-")
    key = services.signing_key(container.security.keys)
    assert len(key) == 32
    assert key != container.security.keys.derive("jwt:access")
    assert key == services.signing_key(container.security.keys)


def test_a_purged_record_loses_its_cards_and_their_links(
    container: Container, people: People
) -> None:
    from dmp.records import items

    assert BloodGroupRow in items.item_models()
    with acting(container, CAMILLE, people.camille) as access:
        services.record(access, declared())
    token = token_of_current(container, CAMILLE, people)
    with transaction(container.sessions) as session:
        assert items.purge(session, people.camille) >= 1
    assert rows(container) == 0
    assert check(container, token) == services.Verification(CardStatus.outdated)
