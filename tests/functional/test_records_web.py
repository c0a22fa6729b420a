"""What an attacker tries on the record's web pages: forms posted without (or with someone
else's) CSRF token, another patient's record, a patient on the professionals' pages, no
session at all, ids that are not ids. Each refusal is checked to have changed nothing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers_dmp import ALICE, logout, password_step, register_via_api, second_step, text_of
from helpers_matrix import Api, file_ok
from helpers_web_records import (
    BILAN,
    CARDIO,
    RANDOM_ID,
    SUIVI,
    DemoRecords,
    Login,
    browser,
    document_of,
    documents_of,
    inbox,
    main_of,
    not_found_body,
    patient_id_of,
    record_actions,
)

from dmp import demo
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from support import csrf_of, get_csrf, totp

CSRF_MESSAGE = "Pour votre sécurité, ce formulaire a expiré."
REASON = "Patient inconscient aux urgences, antécédents inconnus"


@pytest.fixture
def api(client: TestClient, seeded: Container) -> Api:
    return Api(client, seeded)


@dataclass(frozen=True)
class Snapshot:
    """What a refused request must leave as it was."""

    audit: tuple[int, int]
    documents: list[tuple[uuid.UUID, str, bool, int]]
    notices: int

    @classmethod
    def take(cls, container: Container, records: DemoRecords) -> Snapshot:
        rows = documents_of(container, records.camille) + documents_of(container, records.leo)
        return cls(
            (
                len(record_actions(container, records.camille)),
                len(record_actions(container, records.leo)),
            ),
            [(r.id, r.status, r.masked, r.version) for r in rows],
            sum(len(inbox(container, a.email)) for a in (demo.CAMILLE, demo.BERNARD)),
        )


def csrf_forms(records: DemoRecords) -> list[tuple[demo.DemoAccount, str, dict[str, str]]]:
    """(who, action, fields) of forms that change the record."""
    camille, leo = records.camille, records.leo
    petit_id = records.professional[demo.PETIT.email]
    suivi = records.documents[SUIVI]
    cardio = records.documents[CARDIO]
    return [
        (demo.CAMILLE, f"/records/{camille}/sharing/block/{petit_id}", {}),
        (demo.CAMILLE, f"/records/{camille}/sharing/revoke/{petit_id}", {}),
        (demo.CAMILLE, f"/records/{camille}/sharing/preferences", {"emergency_opposed": "1"}),
        (demo.CAMILLE, f"/records/{camille}/documents/{suivi}/mask", {"masked": "1"}),
        (demo.CAMILLE, f"/records/{camille}/record/close", {"reason": "Je pars"}),
        (demo.CAMILLE, f"/records/{camille}/record/deletion", {}),
        (demo.CAMILLE, "/notices/read", {}),
        (demo.PETIT, f"/records/{camille}/documents/{cardio}/status", {"status": "deleted"}),
        (demo.PETIT, f"/pro/patients/{leo}/consent", {"basis": "consent"}),
        (demo.PETIT, f"/pro/patients/{leo}/emergency", {"reason": REASON, "confirmed": "1"}),
    ]


def assert_csrf_refusal(response: object) -> None:
    assert getattr(response, "status_code", None) == 403
    text = text_of(getattr(response, "text", ""))
    assert "Accès refusé" in text
    assert CSRF_MESSAGE in text


def test_forms_posted_without_a_valid_token_change_nothing(
    app: FastAPI, login: Login, records: DemoRecords, seeded: Container, clock: FrozenClock
) -> None:
    people = {account: login(account) for account in (demo.CAMILLE, demo.PETIT)}
    with browser(app, clock) as attacker:
        attackers_token = get_csrf(attacker.client)  # a real token, of another session
    before = Snapshot.take(seeded, records)
    for account, action, fields in csrf_forms(records):
        victim = people[account]
        own_token = csrf_of(victim.page("/account"))
        for forged in (None, "", "guessed", attackers_token, own_token[:-1]):
            data = dict(fields) if forged is None else {**fields, "csrf_token": forged}
            assert_csrf_refusal(victim.post_raw(action, data))
        # The right token, sent from another site, is refused too.
        cross = victim.post_raw(
            action, {**fields, "csrf_token": own_token}, headers={"Origin": "https://evil.example"}
        )
        assert_csrf_refusal(cross)
    assert Snapshot.take(seeded, records) == before


def test_a_document_upload_without_token_files_nothing(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    camille = login(demo.CAMILLE)
    action = f"/records/{records.camille}/documents/new"
    before = Snapshot.take(seeded, records)
    response = camille.post_raw(
        action,
        {"title": "Injecté", "type_code": "DOCPAT01"},
        files={"file": ("note.txt", b"Texte\n", "text/plain")},
    )
    assert_csrf_refusal(response)
    assert Snapshot.take(seeded, records) == before


# --- Someone else's record -----------------------------------------------------------------


def alices_record(
    client: TestClient, clock: FrozenClock, api: Api, seeded: Container
) -> tuple[uuid.UUID, str]:
    """Another patient, Alice, with a record (created by Dr Petit) and one document."""
    assert register_via_api(client, clock, ALICE).status_code == 201
    alice = patient_id_of(seeded, ALICE.nir)
    created = api.post(
        demo.PETIT.email, f"/api/v1/patients/{alice}/record", {"consent_method": "oral"}
    )
    assert created.status_code == 201, created.text
    return alice, file_ok(api, demo.PETIT.email, alice, "Compte rendu d'Alice")


RECORD_PAGES = (
    "/documents",
    "/documents/new",
    "/sharing",
    "/sharing/search?q=Petit",
    "/history",
    "/record",
)
DOCUMENT_PAGES = ("", "/content", "/content?download=1", "/mask", "/replace", "/delete")


def test_another_patients_record_answers_exactly_like_a_random_id(
    client: TestClient,
    login: Login,
    records: DemoRecords,
    api: Api,
    clock: FrozenClock,
    seeded: Container,
) -> None:
    alice, alice_document = alices_record(client, clock, api, seeded)
    camille = login(demo.CAMILLE)
    for suffix in RECORD_PAGES:
        real = camille.get(f"/records/{alice}{suffix}", expected=404)
        fake = camille.get(f"/records/{RANDOM_ID}{suffix}", expected=404)
        assert not_found_body(real) == not_found_body(fake), suffix
        assert "Alice" not in real.text
    for suffix in DOCUMENT_PAGES:
        real = camille.get(f"/records/{alice}/documents/{alice_document}{suffix}", expected=404)
        fake = camille.get(f"/records/{alice}/documents/{RANDOM_ID}{suffix}", expected=404)
        assert not_found_body(real) == not_found_body(fake), suffix
        # Her own record's path with Alice's document id: not found either.
        mixed = camille.get(
            f"/records/{records.camille}/documents/{alice_document}{suffix}", expected=404
        )
        own_fake = camille.get(
            f"/records/{records.camille}/documents/{RANDOM_ID}{suffix}", expected=404
        )
        assert not_found_body(mixed) == not_found_body(own_fake), suffix

    # Changing Alice's record with a valid token is refused the same way.
    token = csrf_of(camille.page("/account"))
    petit_id = records.professional[demo.PETIT.email]
    for action, fields in (
        (f"/records/{alice}/sharing/block/{petit_id}", {}),
        (f"/records/{alice}/record/close", {"reason": "piratage"}),
        (f"/records/{alice}/documents/{alice_document}/mask", {"masked": "1"}),
    ):
        refused = camille.post_raw(action, {**fields, "csrf_token": token})
        assert refused.status_code == 404, action
    assert (
        api.get(demo.PETIT.email, f"/api/v1/patients/{alice}/record").json()["record_status"]
        == "open"
    )
    assert document_of(seeded, alice_document).masked is False
    assert record_actions(seeded, alice, "record:block:add") == []


def test_an_unauthorised_professional_gets_the_same_404_as_for_a_random_id(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    lefevre = login(demo.LEFEVRE)
    for suffix in ("/documents", "/documents/new", "/history", "/sharing", "/record"):
        real = lefevre.get(f"/records/{records.camille}{suffix}", expected=404)
        fake = lefevre.get(f"/records/{RANDOM_ID}{suffix}", expected=404)
        assert not_found_body(real) == not_found_body(fake), suffix
    bilan = records.documents[BILAN]
    for suffix in ("", "/content"):
        real = lefevre.get(f"/records/{records.camille}/documents/{bilan}{suffix}", expected=404)
        fake = lefevre.get(
            f"/records/{records.camille}/documents/{RANDOM_ID}{suffix}", expected=404
        )
        assert not_found_body(real) == not_found_body(fake), suffix
    assert record_actions(seeded, records.camille, "record:document:read") == []
    assert record_actions(seeded, records.camille, "record:document:list") == []


# --- The wrong kind of account, or none ----------------------------------------------------


def test_a_patient_cannot_reach_the_professionals_pages(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    camille = login(demo.CAMILLE)
    assert "/pro/patients" not in camille.page("/")
    for path in (
        "/pro/patients",
        f"/pro/patients/{records.camille}",
        f"/pro/patients/{records.leo}",
        f"/pro/patients/{records.leo}/emergency",
        f"/pro/patients/{records.leo}/regulation",
    ):
        refused = camille.get(path, expected=403)
        assert "Cette page est réservée à d'autres profils d'utilisateurs." in text_of(
            main_of(refused.text)
        )
    token = csrf_of(camille.page("/account"))
    before = Snapshot.take(seeded, records)
    for action, fields in (
        (
            "/pro/patients",
            {
                "ins_matricule": demo.LEO_NIR,
                "birth_day": "14",
                "birth_month": "6",
                "birth_year": "2019",
            },
        ),
        (f"/pro/patients/{records.leo}/emergency", {"reason": REASON, "confirmed": "1"}),
        (f"/pro/patients/{records.leo}/consent", {"basis": "consent"}),
        (f"/pro/patients/{records.leo}/emergency/end", {}),
    ):
        refused = camille.post_raw(action, {**fields, "csrf_token": token})
        assert refused.status_code == 403, action
    assert Snapshot.take(seeded, records) == before


def anonymous_paths(records: DemoRecords) -> list[str]:
    camille = f"/records/{records.camille}"
    document = f"{camille}/documents/{records.documents[BILAN]}"
    petit_id = records.professional[demo.PETIT.email]
    return [
        f"{camille}/documents",
        f"{camille}/documents?category=10&page=2",
        f"{camille}/documents/new",
        document,
        f"{document}/content",
        f"{document}/mask",
        f"{document}/replace",
        f"{document}/delete",
        f"{document}/visibility",
        f"{camille}/sharing",
        f"{camille}/sharing/search?q=Petit",
        f"{camille}/sharing/block/{petit_id}",
        f"{camille}/history",
        f"{camille}/record",
        f"/records/{records.leo}/documents",
        f"/records/{RANDOM_ID}/documents",
        "/notices",
        "/pro/patients",
        f"/pro/patients/{records.camille}",
        f"/pro/patients/{records.camille}/emergency",
    ]


def test_an_anonymous_visitor_is_sent_to_the_login_page(
    app: FastAPI, records: DemoRecords, seeded: Container, clock: FrozenClock
) -> None:
    with browser(app, clock) as anonymous:
        for path in anonymous_paths(records):
            response = anonymous.get(path, expected=303)
            location = response.headers["location"]
            assert location == f"/login?next={quote(path)}", path  # the query is kept
        # A form posted with the visitor's own (valid) token: still the login page.
        token = get_csrf(anonymous.client)
        before = Snapshot.take(seeded, records)
        blocked = anonymous.post_raw(
            f"/records/{records.camille}/sharing/block/{records.professional[demo.PETIT.email]}",
            {"csrf_token": token},
        )
        assert blocked.status_code == 303
        assert blocked.headers["location"].startswith("/login?next=")
        assert Snapshot.take(seeded, records) == before

        # Logging in from there leads back to the page asked for, filters included.
        filtered = f"/records/{records.camille}/documents?category=11&page=1"
        first = password_step(anonymous.client, demo.CAMILLE, next_path=filtered)
        assert first.status_code == 303, first.text
        clock.advance(seconds=31)
        second = second_step(anonymous.client, "totp", totp(demo.CAMILLE.totp_secret, clock))
        assert second.headers["location"] == filtered
        logout(anonymous.client)

        wanted = f"/records/{records.camille}/documents/{records.documents[BILAN]}"
        first = password_step(anonymous.client, demo.CAMILLE, next_path=wanted)
        assert first.status_code == 303, first.text
        clock.advance(seconds=31)
        second = second_step(anonymous.client, "totp", totp(demo.CAMILLE.totp_secret, clock))
        assert second.headers["location"] == wanted
        assert "Glycémie" in anonymous.page(wanted)


NOT_UUIDS = (
    "/records/not-a-uuid/documents",
    "/records/123/history",
    "/records/{camille}/documents/not-a-uuid",
    "/records/{camille}/documents/not-a-uuid/content",
    "/records/{camille}/documents/1%27%20OR%20%271%27%3D%271",
    "/records/{camille}/sharing/block/not-a-uuid",
    "/records/{camille}-00/documents",
    "/pro/patients/not-a-uuid",
    "/pro/patients/not-a-uuid/emergency",
)


def test_ids_that_are_not_uuids_answer_404(login: Login, records: DemoRecords) -> None:
    camille, petit = login(demo.CAMILLE), login(demo.PETIT)
    for template in NOT_UUIDS:
        who = petit if template.startswith("/pro/") else camille
        response = who.get(template.format(camille=records.camille), expected=404)
        assert "Page introuvable" in text_of(response.text), template
        assert "Traceback" not in response.text
