"""The visibility matrix through the REST API (DOMAIN.md §1).

For every kind of actor and every document of Camille's record (and of her son Léo's, which
she reaches as his legal representative), the document list shows exactly what the rules allow,
and the metadata and the content answer 200 for those documents and 404 for all others — a 404
identical to the one for a document that does not exist (concealment). When the caller may not
see the record at all, the list itself answers 404, as for a patient who does not exist.

The expected table is written from the rules, not computed by the policy.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers_matrix import (
    EVERYTHING,
    REASON,
    Api,
    World,
    build_world,
    concealed,
    document_path,
    documents_path,
)
from helpers_records import (
    ADMIN,
    AUTHORISED,
    BERNARD,
    BLOCKED,
    CAMILLE,
    EMERGENCY,
    EXTENDED,
    NURSE,
    PETIT,
    REGULATOR,
    STRANGER,
    document_rows,
    pdf,
)

from dmp.container import Container
from dmp.shared.clock import FrozenClock

# --- The table, from DOMAIN.md §1 ----------------------------------------------------------
#
# Camille's record. Labels ``fMPR``: one digit per flag, M masked to professionals (MASQUE_PS),
# P invisible to the patient (INVISIBLE_PATIENT), R invisible to legal representatives; all by
# Dr Petit (f110 and f111 cannot be filed). "other-masked": masked, by Dr Leroy (AUTHORISED).
# "archived"; "old" replaced by "new" (so deprecated); "deleted" appears to nobody.

# Everything but the deleted document: the médecin traitant and extended rights (L1111-16).
EVERY_DOCUMENT = {
    *("f000", "f001", "f010", "f011", "f100", "f101"),
    *("other-masked", "archived", "old", "new"),
}
# The holder: everything but what is still invisible to her pending announcement (R1111-53);
# masking is against professionals, not against her (R1111-49).
HOLDER_SEES = {"f000", "f001", "f100", "f101", "other-masked", "archived", "old", "new"}
# An authorised professional: nothing masked, except what he deposited himself (R1111-49).
AUTHORISED_SEES = {"f000", "f001", "f010", "f011", "other-masked", "archived", "old", "new"}
# Dr Petit, authorised when he created the record, deposited every document but "other-masked".
AUTHOR_SEES = {"f000", "f001", "f010", "f011", "f100", "f101", "archived", "old", "new"}
# Bris de glace and regulation: nothing masked (setting emergency_sees_masked, off by default).
EMERGENCY_SEES = {"f000", "f001", "f010", "f011", "archived", "old", "new"}
# Léo's record: the same flag combinations, prefixed "leo-", all by Dr Petit. His legal
# representative never sees what is invisible to representatives (R1111-50) nor, like a holder,
# what is still invisible to the patient.
LEO_EVERY_DOCUMENT = {"leo-f000", "leo-f001", "leo-f010", "leo-f011", "leo-f100", "leo-f101"}
REPRESENTATIVE_SEES = {"leo-f000", "leo-f100"}
STATUS = {"archived": "archived", "old": "deprecated"}  # the others are approved


# case: (account, record, visible labels or None when the record itself is refused, mode)
Case = tuple[str, str, set[str] | None, str | None]
CASES: dict[str, Case] = {
    "holder": (CAMILLE, "camille", HOLDER_SEES, "holder"),
    "treating-doctor": (BERNARD, "camille", EVERY_DOCUMENT, "treating-doctor"),
    "extended-rights": (EXTENDED, "camille", EVERY_DOCUMENT, "extended-rights"),
    "authorised": (AUTHORISED, "camille", AUTHORISED_SEES, "authorised"),
    "author": (PETIT, "camille", AUTHOR_SEES, "authorised"),
    "emergency": (EMERGENCY, "camille", EMERGENCY_SEES, "emergency"),
    "regulator": (REGULATOR, "camille", EMERGENCY_SEES, "regulation"),
    "unauthorised": (STRANGER, "camille", None, None),
    "unauthorised-nurse": (NURSE, "camille", None, None),
    "blocked": (BLOCKED, "camille", None, None),
    "operator": (ADMIN, "camille", None, None),
    "representative": (CAMILLE, "leo", REPRESENTATIVE_SEES, "representative"),
    "leo-author": (PETIT, "leo", LEO_EVERY_DOCUMENT, "authorised"),
    # Camille's choices concern her record only: her médecin traitant has no rights on Léo's.
    "leo-camilles-treating-doctor": (BERNARD, "leo", None, None),
    "leo-unauthorised": (STRANGER, "leo", None, None),
    "leo-operator": (ADMIN, "leo", None, None),
}


@pytest.fixture
def api(client: TestClient, container: Container) -> Api:
    return Api(client, container)


@pytest.fixture
def world(api: Api) -> World:
    return build_world(api)


def declare(api: Api, email: str, patient_id: uuid.UUID, kind: str) -> None:
    response = api.post(email, f"/api/v1/patients/{patient_id}/{kind}", {"reason": REASON})
    assert response.status_code == 201, response.text
    assert response.json()["kind"] == kind


def check(
    api: Api, world: World, email: str, record: str, expected: set[str] | None, mode: str | None
) -> None:
    """List, read and open every document of both records through ``record``'s URLs as
    ``email``; exactly ``expected`` is listed and answers 200, the rest answers a concealed 404.
    Mismatches are gathered so that one failure shows the whole row."""
    patient_id, _ = world.record(record)
    every = {**world.camille, **world.leo}  # the other record's ids never resolve here
    labels = {document_id: label for label, document_id in every.items()}
    missing = str(uuid.uuid4())
    not_found = {
        "metadata": concealed(api.get(email, document_path(patient_id, missing))),
        "content": concealed(api.get(email, document_path(patient_id, missing, "/content"))),
    }
    wrong: list[tuple[str, ...]] = []

    listed = api.get(email, documents_path(patient_id), **EVERYTHING)
    current = api.get(email, documents_path(patient_id), limit="100")
    if expected is None:
        nobody = api.get(email, documents_path(uuid.uuid4()), **EVERYTHING)
        assert concealed(listed) == concealed(nobody)
        assert concealed(current) == concealed(nobody)
    else:
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert body["mode"] == mode
        got = [labels.get(item["id"], item["id"]) for item in body["items"]]
        assert len(got) == len(set(got)) == body["total"]
        assert set(got) == expected
        for item in body["items"]:
            label = labels[item["id"]]
            if item["status"] != STATUS.get(label, "approved"):
                wrong.append((label, "status", item["status"]))
        assert current.status_code == 200, current.text
        by_default = {labels.get(item["id"], item["id"]) for item in current.json()["items"]}
        assert by_default == expected - {"archived", "old"}  # approved only, by default

    for label, document_id in sorted(every.items()):
        metadata = api.get(email, document_path(patient_id, document_id))
        content = api.get(email, document_path(patient_id, document_id, "/content"))
        if expected is not None and label in expected:
            if metadata.status_code != 200 or metadata.json()["id"] != document_id:
                wrong.append((label, "metadata", str(metadata.status_code)))
            if content.status_code != 200 or content.content != pdf(label):
                wrong.append((label, "content", str(content.status_code)))
            continue
        for part, response in (("metadata", metadata), ("content", content)):
            if response.status_code != 404 or concealed(response) != not_found[part]:
                wrong.append((label, part, str(response.status_code), response.text[:200]))
    assert wrong == [], f"{email} on {record}'s record"


# --- Who sees what ------------------------------------------------------------------------


@pytest.mark.parametrize("case", list(CASES))
def test_each_actor_lists_and_opens_exactly_what_the_rules_allow(
    api: Api, world: World, case: str
) -> None:
    email, record, expected, mode = CASES[case]
    if email in (EMERGENCY, REGULATOR):
        check(api, world, email, record, None, None)  # nothing before the declaration
        declare(
            api, email, world.people.camille, "emergency" if email == EMERGENCY else "regulation"
        )
    check(api, world, email, record, expected, mode)


def test_only_those_entitled_declare_an_emergency_or_a_regulation_access(
    api: Api, world: World
) -> None:
    camille = world.people.camille
    for email, kind in (
        (EMERGENCY, "regulation"),  # not a médecin régulateur
        (BLOCKED, "emergency"),  # blocked by the holder
        (BLOCKED, "regulation"),
        (ADMIN, "emergency"),
        (CAMILLE, "emergency"),
    ):
        response = api.post(email, f"/api/v1/patients/{camille}/{kind}", {"reason": REASON})
        assert response.status_code == 404, (email, kind, response.text)
    check(api, world, EMERGENCY, "camille", None, None)
    check(api, world, BLOCKED, "camille", None, None)


# --- Invisible to the patient: announcement, then one month -------------------------------


def announce(api: Api, email: str, patient_id: uuid.UUID, document_id: str) -> Any:
    return api.post(email, document_path(patient_id, document_id, "/announcement"), {})


def test_announcement_then_one_month_reveal_documents_to_the_holders_side(
    api: Api, world: World, clock: FrozenClock
) -> None:
    camille, leo = world.people.camille, world.people.leo
    # Only a professional who sees the document records the announcement; the others get the
    # "not found" of a missing document.
    for email, patient_id, document_id in (
        (CAMILLE, camille, world.camille["f010"]),
        (CAMILLE, leo, world.leo["leo-f010"]),
        (STRANGER, camille, world.camille["f010"]),
        (BLOCKED, camille, world.camille["f010"]),
        (ADMIN, camille, world.camille["f010"]),
    ):
        refused = announce(api, email, patient_id, document_id)
        missing = announce(api, email, patient_id, str(uuid.uuid4()))
        assert concealed(refused) == concealed(missing), email
    check(api, world, CAMILLE, "camille", HOLDER_SEES, "holder")

    announced = announce(api, PETIT, camille, world.camille["f010"])
    assert announced.status_code == 200, announced.text
    check(api, world, CAMILLE, "camille", HOLDER_SEES | {"f010"}, "holder")
    # Announced, but still invisible to representatives: Léo's parent does not see it.
    announced = announce(api, PETIT, leo, world.leo["leo-f011"])
    assert announced.status_code == 200, announced.text
    check(api, world, CAMILLE, "leo", REPRESENTATIVE_SEES, "representative")

    clock.advance(days=29)  # still within the month
    check(api, world, CAMILLE, "camille", HOLDER_SEES | {"f010"}, "holder")
    check(api, world, CAMILLE, "leo", REPRESENTATIVE_SEES, "representative")

    clock.advance(days=2)  # 31 days after filing: visible without announcement
    check(api, world, CAMILLE, "camille", HOLDER_SEES | {"f010", "f011"}, "holder")
    check(api, world, CAMILLE, "leo", REPRESENTATIVE_SEES | {"leo-f010"}, "representative")
    # Professionals' views do not depend on it.
    check(api, world, AUTHORISED, "camille", AUTHORISED_SEES, "authorised")


# --- Emergency and regulation end after the configured time ---------------------------------


def test_emergency_and_regulation_access_end_after_the_configured_hours(
    api: Api, world: World, clock: FrozenClock
) -> None:
    camille = world.people.camille
    declare(api, EMERGENCY, camille, "emergency")
    declare(api, REGULATOR, camille, "regulation")
    hours = api.container.settings.emergency_access_hours
    clock.advance(hours=hours, seconds=-1)
    for email, mode in ((EMERGENCY, "emergency"), (REGULATOR, "regulation")):
        listed = api.get(email, documents_path(camille), **EVERYTHING)
        assert listed.status_code == 200, listed.text
        assert listed.json()["mode"] == mode
    clock.advance(seconds=1)
    check(api, world, EMERGENCY, "camille", None, None)
    check(api, world, REGULATOR, "camille", None, None)
    # The others keep their access.
    check(api, world, AUTHORISED, "camille", AUTHORISED_SEES, "authorised")


# --- Visibility flags -------------------------------------------------------------------------


def flags_of(api: Api, patient_id: uuid.UUID) -> dict[str, tuple[Any, ...]]:
    return {
        str(row.id): (
            row.masked,
            row.invisible_to_patient,
            row.invisible_to_representatives,
            row.status,
            row.version,
        )
        for row in document_rows(api.container, patient_id)
    }


def patch_flags(
    api: Api, email: str, patient_id: uuid.UUID, document_id: str, body: dict[str, bool]
) -> Any:
    return api.patch(email, document_path(patient_id, document_id, "/flags"), body)


def test_only_the_author_changes_a_documents_flags(api: Api, world: World) -> None:
    camille = world.people.camille
    declare(api, EMERGENCY, camille, "emergency")
    declare(api, REGULATOR, camille, "regulation")
    before = flags_of(api, camille)
    bodies: list[dict[str, bool]] = [
        {"masked": True},
        {"masked": False},
        {"invisible_to_patient": False},
        {"invisible_to_representatives": True},
    ]
    petits = {label: i for label, i in world.camille.items() if label != "other-masked"}
    others = (BERNARD, EXTENDED, AUTHORISED, EMERGENCY, REGULATOR, STRANGER, NURSE, BLOCKED, ADMIN)
    attempts = [
        (email, label, document_id, body)
        for email in others
        for label, document_id in petits.items()
        for body in bodies
    ]
    attempts += [
        (email, "other-masked", world.camille["other-masked"], body)
        for email in (PETIT, BERNARD)
        for body in bodies
    ]
    # The holder may mask, not change what the author decided about her and her representatives.
    holder_bodies: list[dict[str, bool]] = [
        {"invisible_to_patient": False},
        {"invisible_to_representatives": True},
        {"masked": True, "invisible_to_representatives": False},
    ]
    attempts += [
        (CAMILLE, label, document_id, body)
        for label, document_id in petits.items()
        for body in holder_bodies
    ]
    missing: dict[tuple[str, str], dict[str, Any]] = {}
    wrong = []
    for email, label, document_id, body in attempts:
        key = (email, json.dumps(body, sort_keys=True))
        if key not in missing:
            missing[key] = concealed(patch_flags(api, email, camille, str(uuid.uuid4()), body))
        refused = patch_flags(api, email, camille, document_id, body)
        if refused.status_code != 404 or concealed(refused) != missing[key]:
            wrong.append((email, label, body, refused.status_code))
    assert wrong == []
    assert flags_of(api, camille) == before

    # The authors themselves may (the checks above did reach real documents).
    changed = patch_flags(
        api, PETIT, camille, world.camille["f000"], {"invisible_to_representatives": True}
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["invisible_to_representatives"] is True
    unmasked = patch_flags(
        api, AUTHORISED, camille, world.camille["other-masked"], {"masked": False}
    )
    assert unmasked.status_code == 200, unmasked.text
    assert unmasked.json()["masked"] is False
    both = patch_flags(
        api, PETIT, camille, world.camille["f001"], {"masked": True, "invisible_to_patient": True}
    )
    assert both.status_code == 422, both.text
    deleted = patch_flags(api, PETIT, camille, world.camille["deleted"], {"masked": True})
    assert deleted.status_code == 404, deleted.text


def visible(api: Api, email: str, patient_id: uuid.UUID, document_id: str) -> bool:
    response = api.get(email, document_path(patient_id, document_id))
    assert response.status_code in (200, 404), response.text
    return response.status_code == 200


def test_the_holders_side_masks_only_documents_it_sees(api: Api, world: World) -> None:
    camille, leo = world.people.camille, world.people.leo
    before = flags_of(api, camille)

    masked = patch_flags(api, CAMILLE, camille, world.camille["f000"], {"masked": True})
    assert masked.status_code == 200, masked.text
    assert masked.json()["masked"] is True
    assert not visible(api, AUTHORISED, camille, world.camille["f000"])
    assert visible(api, BERNARD, camille, world.camille["f000"])  # médecin traitant
    assert visible(api, PETIT, camille, world.camille["f000"])  # its author
    unmasked = patch_flags(api, CAMILLE, camille, world.camille["f100"], {"masked": False})
    assert unmasked.status_code == 200, unmasked.text
    assert visible(api, AUTHORISED, camille, world.camille["f100"])
    unmasked = patch_flags(api, CAMILLE, camille, world.camille["other-masked"], {"masked": False})
    assert unmasked.status_code == 200, unmasked.text
    assert visible(api, PETIT, camille, world.camille["other-masked"])

    # What the holder's side does not see, it cannot mask either: same 404 as a missing one.
    hidden = [
        (CAMILLE, camille, world.camille["f010"]),
        (CAMILLE, camille, world.camille["f011"]),
        (CAMILLE, camille, world.camille["deleted"]),
        (CAMILLE, camille, world.leo["leo-f000"]),  # Léo's document through Camille's record
        (CAMILLE, leo, world.leo["leo-f001"]),  # invisible to representatives
        (CAMILLE, leo, world.leo["leo-f010"]),  # invisible to the patient
        (CAMILLE, leo, world.leo["leo-f011"]),
        (CAMILLE, leo, world.leo["leo-f101"]),
        (CAMILLE, leo, world.camille["f001"]),  # Camille's document through Léo's record
        (ADMIN, camille, world.camille["f001"]),
        (STRANGER, camille, world.camille["f001"]),
    ]
    leo_before = flags_of(api, leo)
    for email, patient_id, document_id in hidden:
        for value in (True, False):
            refused = patch_flags(api, email, patient_id, document_id, {"masked": value})
            missing = patch_flags(api, email, patient_id, str(uuid.uuid4()), {"masked": value})
            assert concealed(refused) == concealed(missing), (email, document_id)
    after = flags_of(api, camille)
    for label in ("f010", "f011", "deleted", "f001"):
        assert after[world.camille[label]] == before[world.camille[label]], label
    assert flags_of(api, leo) == leo_before

    # The legal representative masks what he sees of Léo's record.
    masked = patch_flags(api, CAMILLE, leo, world.leo["leo-f000"], {"masked": True})
    assert masked.status_code == 200, masked.text
    assert masked.json()["masked"] is True
    unmasked = patch_flags(api, CAMILLE, leo, world.leo["leo-f100"], {"masked": False})
    assert unmasked.status_code == 200, unmasked.text
    assert unmasked.json()["masked"] is False

    # Once announced, the document is visible to the holder, who may then mask it.
    assert announce(api, PETIT, camille, world.camille["f010"]).status_code == 200
    masked = patch_flags(api, CAMILLE, camille, world.camille["f010"], {"masked": True})
    assert masked.status_code == 200, masked.text
    assert not visible(api, AUTHORISED, camille, world.camille["f010"])
    assert visible(api, PETIT, camille, world.camille["f010"])
