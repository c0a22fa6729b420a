"""Record notices by SMS: an opt-in, to the number of a confirmed SMS second factor only."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers_dmp import actions, login_totp, otp_code, start_factor, text_of

from dmp import demo
from dmp.container import Container
from dmp.jobs import tasks
from dmp.notifications.adapters import MemoryOutbox
from dmp.shared.clock import FrozenClock
from support import api_tokens, bearer, post_form

PHONE = "+33611223344"


def deliver(container: Container) -> None:
    tasks.deliver_outbox(container.sessions, container.dispatcher, container.clock)


def camille_pid(client: TestClient, headers: dict[str, str]) -> str:
    found = client.get(
        "/api/v1/patients/search",
        params={"ins": demo.CAMILLE_NIR, "birth_date": "1985-03-27"},
        headers=headers,
    )
    assert found.status_code == 200, found.text
    return str(found.json()["patient_id"])


def test_notices_go_by_sms_once_asked_for(
    client: TestClient, seeded: Container, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    sms = seeded.sms
    assert isinstance(sms, MemoryOutbox)
    login_totp(client, clock)
    page = text_of(client.get("/account").text)
    assert "ajoutez un second facteur par SMS" in page
    assert "Les recevoir aussi par SMS" not in page

    started = start_factor(client, "sms", phone="06 11 22 33 44")
    code = otp_code(sms.last(PHONE).body)
    assert post_form(client, started.headers["location"], {"code": code}).status_code == 200
    page = text_of(client.get("/account").text)
    assert "Les recevoir aussi par SMS au •• •• •• •• 44" in page

    chosen = post_form(client, "/account/notice-channels", {"sms": "1"}, csrf_from="/account")
    assert chosen.status_code == 303
    assert "Vous recevrez aussi vos messages par SMS." in text_of(client.get("/account").text)
    assert "account:notice-channels:update" in actions(seeded)

    bernard = bearer(api_tokens(client, clock, demo.BERNARD)["access_token"])
    pid = camille_pid(client, bernard)
    sms.clear()
    created = client.post(
        f"/api/v1/patients/{pid}/record", json={"consent_method": "oral"}, headers=bernard
    )
    assert created.status_code == 201, created.text
    deliver(seeded)
    [text] = [m.body for m in sms.messages(PHONE)]
    assert text.startswith("Votre dossier médical partagé est ouvert.")
    assert len(text) < 160  # one SMS, read on a lock screen: nothing more than the subject

    off = post_form(client, "/account/notice-channels", {}, csrf_from="/account")
    assert off.status_code == 303
    sms.clear()
    outbox.clear()
    consent = client.post(
        f"/api/v1/patients/{pid}/record/consent",
        json={"care_team": True},
        headers=bearer(api_tokens(client, clock, demo.PETIT)["access_token"]),
    )
    assert consent.status_code == 200, consent.text
    client.get(
        f"/api/v1/patients/{pid}/documents",
        headers=bearer(api_tokens(client, clock, demo.PETIT)["access_token"]),
    )
    deliver(seeded)
    # The first access by Dr Petit is told by e-mail, no longer by SMS.
    assert [m.subject for m in outbox.messages(demo.CAMILLE.email)] == [
        "Un nouveau professionnel a consulté votre dossier"
    ]
    assert sms.messages(PHONE) == []
