"""Set-up for the visibility matrix through the REST API (test_records_matrix_http).

Bearer tokens are issued directly (most test professionals have no password), and again each
time the clock has moved. The documents are filed, archived, replaced and deleted through the
API, by Dr Petit unless stated otherwise: every combination of the three visibility flags on
Camille's record and on Léo's (Camille is his legal representative), plus a masked document by
another author and one document per status.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi.testclient import TestClient
from helpers_records import (
    AUTHORISED,
    PETIT,
    People,
    create_record,
    pdf,
    seed_people,
    share_camille,
)
from httpx2 import Response

from dmp.accounts import tokens
from dmp.accounts.queries import account_by_email
from dmp.container import Container
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction

FLAGS = list(itertools.product((False, True), repeat=3))  # masked, invisible patient, reps
EVERYTHING = {"archived": "true", "deprecated": "true", "limit": "100"}
REASON = "patient inconscient, appel au centre 15"


def flag_label(masked: bool, patient: bool, reps: bool) -> str:
    """``f`` then one digit per flag: masked, invisible to the patient, to representatives."""
    return "f" + "".join("1" if flag else "0" for flag in (masked, patient, reps))


class Api:
    """The test client, acting as any account through a bearer token of its own."""

    def __init__(self, client: TestClient, container: Container) -> None:
        self.client = client
        self.container = container
        self._tokens: dict[str, tuple[dt.datetime, str]] = {}

    def headers(self, email: str) -> dict[str, str]:
        now = self.container.clock.now()
        issued = self._tokens.get(email)
        if issued is None or issued[0] != now:  # a moved clock may have expired the token
            with transaction(self.container.sessions) as session:
                account = account_by_email(session, email)
                assert account is not None, email
                pair = tokens.issue(
                    session,
                    self.container.security,
                    account=account,
                    ctx=RequestContext(channel="api"),
                )
            issued = (now, pair.access_token)
            self._tokens[email] = issued
        return {"Authorization": f"Bearer {issued[1]}"}

    def get(self, email: str, path: str, **params: str) -> Response:
        return self.client.get(path, params=params, headers=self.headers(email))

    def post(self, email: str, path: str, body: dict[str, Any]) -> Response:
        return self.client.post(path, json=body, headers=self.headers(email))

    def patch(self, email: str, path: str, body: dict[str, Any]) -> Response:
        return self.client.patch(path, json=body, headers=self.headers(email))

    def file(self, email: str, path: str, label: str, **flags: bool) -> Response:
        metadata = {"title": label, "type_code": "11488-4", "facility_type_code": "SA07", **flags}
        return self.client.post(
            path,
            data={"metadata": json.dumps(metadata)},
            files={"file": (f"{label}.pdf", pdf(label), "application/pdf")},
            headers=self.headers(email),
        )


def documents_path(patient_id: uuid.UUID | str) -> str:
    return f"/api/v1/patients/{patient_id}/documents"


def document_path(patient_id: uuid.UUID | str, document_id: str, suffix: str = "") -> str:
    return f"{documents_path(patient_id)}/{document_id}{suffix}"


def concealed(response: Response) -> dict[str, Any]:
    """A 404 problem without what names the request (its id and path)."""
    assert response.status_code == 404, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    body.pop("request_id", None)
    body.pop("instance", None)
    return body


@dataclass(frozen=True)
class World:
    people: People
    camille: dict[str, str]  # label → document id on Camille's record
    leo: dict[str, str]  # label → document id on Léo's record

    def record(self, name: str) -> tuple[uuid.UUID, dict[str, str]]:
        if name == "camille":
            return self.people.camille, self.camille
        return self.people.leo, self.leo


def file_ok(api: Api, email: str, patient_id: uuid.UUID, label: str, **flags: bool) -> str:
    response = api.file(email, documents_path(patient_id), label, **flags)
    assert response.status_code == 201, response.text
    document_id: str = response.json()["id"]
    return document_id


def file_flag_documents(api: Api, patient_id: uuid.UUID, prefix: str = "") -> dict[str, str]:
    """Dr Petit files one document per flag combination; masked together with invisible to the
    patient is refused (EX_2.1-1050), so those two combinations do not exist."""
    ids: dict[str, str] = {}
    for masked, patient, reps in FLAGS:
        label = prefix + flag_label(masked, patient, reps)
        flags = {
            "masked": masked,
            "invisible_to_patient": patient,
            "invisible_to_representatives": reps,
        }
        if masked and patient:
            refused = api.file(PETIT, documents_path(patient_id), label, **flags)
            assert refused.status_code == 422, refused.text
            assert [e["code"] for e in refused.json()["errors"]] == ["flags-combination"]
            continue
        ids[label] = file_ok(api, PETIT, patient_id, label, **flags)
    return ids


def set_status(api: Api, patient_id: uuid.UUID, document_id: str, status: str) -> None:
    response = api.post(
        PETIT, document_path(patient_id, document_id, "/status"), {"status": status}
    )
    assert response.status_code == 200, response.text
    assert response.json()["status"] == status


def build_world(api: Api) -> World:
    container = api.container
    people = seed_people(container)
    create_record(container, people.camille)  # by Dr Petit, who is then authorised
    share_camille(container, people)
    camille = file_flag_documents(api, people.camille)
    camille["other-masked"] = file_ok(api, AUTHORISED, people.camille, "other-masked", masked=True)
    for label in ("archived", "old", "deleted"):
        camille[label] = file_ok(api, PETIT, people.camille, label)
    set_status(api, people.camille, camille["archived"], "archived")
    set_status(api, people.camille, camille["deleted"], "deleted")
    replaced = api.client.post(
        document_path(people.camille, camille["old"], "/replace"),
        data={
            "metadata": json.dumps(
                {"title": "new", "type_code": "11488-4", "facility_type_code": "SA07"}
            )
        },
        files={"file": ("new.pdf", pdf("new"), "application/pdf")},
        headers=api.headers(PETIT),
    )
    assert replaced.status_code == 201, replaced.text
    assert replaced.json()["replaces"] == camille["old"]
    camille["new"] = replaced.json()["id"]

    create_record(container, people.leo)  # by Dr Petit
    leo = file_flag_documents(api, people.leo, prefix="leo-")
    return World(people, camille, leo)
