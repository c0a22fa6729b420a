"""The shared record through the REST API: a professional creates it and files a document, the
patient reads it, blocks the professional and reads the access history."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from dmp import demo
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from support import api_tokens, bearer

CAMILLE_NIR = demo.CAMILLE_NIR
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def metadata(**extra: object) -> str:
    import json

    return json.dumps(
        {
            "title": "Compte rendu de consultation",
            "type_code": "11488-4",
            "facility_type_code": "SA07",
            **extra,
        }
    )


@pytest.fixture
def bernard(client: TestClient, seeded: Container, clock: FrozenClock) -> dict[str, str]:
    return bearer(api_tokens(client, clock, demo.BERNARD)["access_token"])


@pytest.fixture
def camille(client: TestClient, seeded: Container, clock: FrozenClock) -> dict[str, str]:
    return bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])


def find(client: TestClient, headers: dict[str, str]) -> dict[str, object]:
    response = client.get(
        "/api/v1/patients/search",
        params={"ins": CAMILLE_NIR, "birth_date": "1985-03-27"},
        headers=headers,
    )
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_professional_creates_the_record_and_files_a_document(
    client: TestClient, bernard: dict[str, str], camille: dict[str, str]
) -> None:
    found = find(client, bernard)
    assert found["record_status"] is None
    pid = found["patient_id"]
    assert (
        client.get(
            "/api/v1/patients/search",
            params={"ins": CAMILLE_NIR, "birth_date": "1985-03-28"},
            headers=bernard,
        ).status_code
        == 404
    )

    bad_key = client.get(
        "/api/v1/patients/search",
        params={"ins": "2 85 03 75 056 123 00", "birth_date": "1985-03-27"},
        headers=bernard,
    )
    assert bad_key.status_code == 422
    assert [e["field"] for e in bad_key.json()["errors"]] == ["ins"]

    refused = client.post(f"/api/v1/patients/{pid}/record", json={}, headers=bernard)
    assert refused.status_code == 422  # consent method required
    created = client.post(
        f"/api/v1/patients/{pid}/record", json={"consent_method": "oral"}, headers=bernard
    )
    assert created.status_code == 201, created.text
    assert created.json()["my_access"] == "authorised"

    filed = client.post(
        f"/api/v1/patients/{pid}/documents",
        data={"metadata": metadata()},
        files={"file": ("cr.pdf", PDF, "application/pdf")},
        headers=bernard,
    )
    assert filed.status_code == 201, filed.text
    document = filed.json()
    assert document["class"]["code"] == "10"
    assert document["author"]["name"] == "Dr Claire Bernard"
    assert filed.headers["etag"] == '"1"'

    listed = client.get(f"/api/v1/patients/{pid}/documents", headers=camille)
    assert listed.status_code == 200, listed.text
    assert [d["id"] for d in listed.json()["items"]] == [document["id"]]
    content = client.get(
        f"/api/v1/patients/{pid}/documents/{document['id']}/content", headers=camille
    )
    assert content.status_code == 200
    assert content.content == PDF
    assert content.headers["content-type"] == "application/pdf"

    blocked = client.post(
        f"/api/v1/patients/{pid}/sharing/blocks",
        json={"professional_id": document["author"]["professional_id"]},
        headers=camille,
    )
    assert blocked.status_code == 200, blocked.text
    assert [p["name"] for p in blocked.json()["blocked"]] == ["Claire Bernard"]
    assert blocked.json()["authorised"] == []  # a blocked professional is not "authorised"
    assert client.get(f"/api/v1/patients/{pid}/documents", headers=bernard).status_code == 404
    assert (
        client.get(
            f"/api/v1/patients/{pid}/documents/{document['id']}/content", headers=bernard
        ).status_code
        == 404
    )

    history = client.get(f"/api/v1/patients/{pid}/history", headers=camille)
    assert history.status_code == 200, history.text
    descriptions = [(e["who"], e["action"], e["mode"]) for e in history.json()["items"]]
    assert ("Dr Claire Bernard", "record:document:create", "authorised") in descriptions
    assert ("Camille Martin", "record:block:add", "holder") in descriptions
    assert client.get(f"/api/v1/patients/{pid}/history", headers=bernard).status_code == 404


def test_an_unauthorised_professional_sees_nothing_until_consent(
    client: TestClient,
    bernard: dict[str, str],
    clock: FrozenClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    pid = find(client, bernard)["patient_id"]
    assert (
        client.post(
            f"/api/v1/patients/{pid}/record", json={"consent_method": "written"}, headers=bernard
        ).status_code
        == 201
    )
    petit = bearer(api_tokens(client, clock, demo.PETIT)["access_token"])
    with caplog.at_level("WARNING", logger="dmp.access"):
        assert client.get(f"/api/v1/patients/{pid}/documents", headers=petit).status_code == 404
    # Refusals cannot be audited (their transaction rolls back): they are logged for alerting.
    [refusal] = [r for r in caplog.records if getattr(r, "event", None) == "access-refused"]
    assert f"record:document:list on Record/{pid}" in refusal.getMessage()
    status = client.get(f"/api/v1/patients/{pid}/record", headers=petit)
    assert status.status_code == 200
    assert status.json()["my_access"] is None
    consent = client.post(
        f"/api/v1/patients/{pid}/record/consent", json={"care_team": True}, headers=petit
    )
    assert consent.status_code == 200, consent.text
    assert consent.json()["my_access"] == "authorised"
    assert client.get(f"/api/v1/patients/{pid}/documents", headers=petit).status_code == 200


def test_emergency_access_needs_a_reason_and_expires(
    client: TestClient, bernard: dict[str, str], clock: FrozenClock
) -> None:
    pid = find(client, bernard)["patient_id"]
    client.post(f"/api/v1/patients/{pid}/record", json={"consent_method": "oral"}, headers=bernard)
    petit = bearer(api_tokens(client, clock, demo.PETIT)["access_token"])
    assert (
        client.post(
            f"/api/v1/patients/{pid}/emergency", json={"reason": "vite"}, headers=petit
        ).status_code
        == 422
    )
    declared = client.post(
        f"/api/v1/patients/{pid}/emergency",
        json={"reason": "Patiente inconsciente aux urgences"},
        headers=petit,
    )
    assert declared.status_code == 201, declared.text
    assert (
        client.get(f"/api/v1/patients/{pid}/documents", headers=petit).json()["mode"] == "emergency"
    )
    clock.advance(hours=4, minutes=1)
    petit = bearer(api_tokens(client, clock, demo.PETIT)["access_token"])
    assert client.get(f"/api/v1/patients/{pid}/documents", headers=petit).status_code == 404


def test_a_professional_ends_the_emergency_access_early(
    client: TestClient, bernard: dict[str, str], clock: FrozenClock
) -> None:
    pid = find(client, bernard)["patient_id"]
    client.post(f"/api/v1/patients/{pid}/record", json={"consent_method": "oral"}, headers=bernard)
    petit = bearer(api_tokens(client, clock, demo.PETIT)["access_token"])
    url = f"/api/v1/patients/{pid}/emergency"
    nothing = client.delete(url, headers=petit)
    assert nothing.status_code == 404
    assert nothing.json()["code"] == "no-emergency-access"
    declared = client.post(
        url, json={"reason": "Patiente inconsciente aux urgences"}, headers=petit
    )
    assert declared.status_code == 201, declared.text
    assert client.delete(url, headers=petit).status_code == 204
    assert client.get(f"/api/v1/patients/{pid}/documents", headers=petit).status_code == 404
    assert client.delete(url, headers=petit).status_code == 404


def test_the_holder_masks_with_the_version_she_read(
    client: TestClient, bernard: dict[str, str], camille: dict[str, str]
) -> None:
    pid = find(client, bernard)["patient_id"]
    client.post(f"/api/v1/patients/{pid}/record", json={"consent_method": "oral"}, headers=bernard)
    filed = client.post(
        f"/api/v1/patients/{pid}/documents",
        data={"metadata": metadata()},
        files={"file": ("cr.pdf", PDF, "application/pdf")},
        headers=bernard,
    ).json()
    flags = f"/api/v1/patients/{pid}/documents/{filed['id']}/flags"

    nothing = client.patch(flags, json={}, headers=camille)
    assert nothing.status_code == 422
    assert "at least one flag" in nothing.text

    stale = client.patch(flags, json={"masked": True}, headers={**camille, "If-Match": '"9"'})
    assert stale.status_code == 412
    assert stale.json()["code"] == "version-mismatch"
    shown = client.get(f"/api/v1/patients/{pid}/documents/{filed['id']}", headers=camille)
    assert shown.json()["masked"] is False

    masked = client.patch(
        flags, json={"masked": True}, headers={**camille, "If-Match": shown.headers["etag"]}
    )
    assert masked.status_code == 200, masked.text
    assert masked.json()["masked"] is True
    assert masked.headers["etag"] == '"2"'


def test_after_the_announcement_the_document_reads_as_visible_to_the_patient(
    client: TestClient, bernard: dict[str, str], camille: dict[str, str]
) -> None:
    pid = find(client, bernard)["patient_id"]
    client.post(f"/api/v1/patients/{pid}/record", json={"consent_method": "oral"}, headers=bernard)
    filed = client.post(
        f"/api/v1/patients/{pid}/documents",
        data={"metadata": metadata(invisible_to_patient=True)},
        files={"file": ("cr.pdf", PDF, "application/pdf")},
        headers=bernard,
    ).json()
    assert filed["invisible_to_patient"] is True
    assert filed["announced_at"] is None
    url = f"/api/v1/patients/{pid}/documents/{filed['id']}"
    assert client.get(url, headers=camille).status_code == 404

    announced = client.post(f"{url}/announcement", headers=bernard)
    assert announced.status_code == 200, announced.text
    assert announced.json()["invisible_to_patient"] is False
    assert announced.json()["announced_at"] is not None
    assert client.get(url, headers=camille).json()["invisible_to_patient"] is False


def test_the_list_filters_by_author_and_by_the_patients_side(
    client: TestClient, bernard: dict[str, str], camille: dict[str, str]
) -> None:
    pid = find(client, bernard)["patient_id"]
    client.post(f"/api/v1/patients/{pid}/record", json={"consent_method": "oral"}, headers=bernard)
    filed = client.post(
        f"/api/v1/patients/{pid}/documents",
        data={"metadata": metadata()},
        files={"file": ("cr.pdf", PDF, "application/pdf")},
        headers=bernard,
    ).json()
    own = client.post(
        f"/api/v1/patients/{pid}/documents",
        data={"metadata": '{"title": "Mes notes", "type_code": "DOCPAT01"}'},
        files={"file": ("notes.txt", b"Notes\n", "text/plain")},
        headers=camille,
    )
    assert own.status_code == 201, own.text
    url = f"/api/v1/patients/{pid}/documents"

    def ids(**params: object) -> list[str]:
        response = client.get(url, params=params, headers=camille)
        assert response.status_code == 200, response.text
        return [d["id"] for d in response.json()["items"]]

    assert ids(author=filed["author"]["professional_id"]) == [filed["id"]]
    assert ids(by_patient=True) == [own.json()["id"]]
    assert client.get(url, params={"author": "nope"}, headers=camille).status_code == 422
