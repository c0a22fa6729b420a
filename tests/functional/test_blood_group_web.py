"""The blood-group card in the browser and over REST: Camille's verified card from the demo,
her declaration for Léo refused field by field then accepted, Dr Bernard's verified card
replacing it, masking, the printable card and the public page its QR code leads to."""

from __future__ import annotations

import uuid

from fastapi.testclient import TestClient
from helpers_dmp import text_of
from helpers_records import acting
from helpers_web_records import (
    DemoRecords,
    Login,
    error_text,
    flash,
    main_of,
    record_actions,
    record_nav,
    table_rows,
)
from sqlalchemy import select

from dmp import demo
from dmp.access import services as access_services
from dmp.bloodgroup import services
from dmp.bloodgroup.orm import BloodGroupRow
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction
from support import api_tokens, bearer


def current_token(container: Container, patient_id: uuid.UUID) -> str:
    with transaction(container.sessions) as session:
        row = services.stored_current(session, patient_id)
        assert row is not None
        return services.card_token(row, container.security.keys)


def card_rows(container: Container, patient_id: uuid.UUID) -> list[BloodGroupRow]:
    with transaction(container.sessions) as session:
        found = list(
            session.scalars(select(BloodGroupRow).where(BloodGroupRow.patient_id == patient_id))
        )
        session.expunge_all()
        return found


def test_camilles_verified_card_prints_masks_and_verifies(
    login: Login, records: DemoRecords, seeded: Container, client: TestClient
) -> None:
    camille = login(demo.CAMILLE)
    path = f"/records/{records.camille}/blood-group"
    page = text_of(main_of(camille.page(path)))
    assert "A RhD+ (RH1+)" in page
    assert "Groupe A, RhD positif" in page
    assert "Vérifiée — enregistrée par Dr Claire Bernard" in page
    assert "Antigène E (RH3) : absent" in page
    assert "Laboratoire de biologie médicale Paris Nation" in page
    # Verified: she may not replace it with a declaration, the page says so.
    assert f"{path}/edit" not in camille.page(path)
    assert "seul un professionnel peut la remplacer" in page
    refused = camille.get(f"{path}/edit", expected=409)
    assert "seul un professionnel peut la remplacer" in text_of(refused.text)

    pdf = camille.get(f"{path}/card.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-")

    # Anyone holding the card checks it, without logging in.
    token = current_token(seeded, records.camille)
    check = client.get(f"/verify/blood-group/{token}")
    assert check.status_code == 200
    assert check.headers["cache-control"] == "no-store"
    shown = text_of(main_of(check.text))
    assert "Carte authentique et à jour" in shown
    assert "C. M." in shown
    assert "A RhD+ (RH1+)" in shown
    assert "Camille" not in shown
    assert "Paris Nation" not in shown  # the laboratory is not needed to compare the card
    forged = client.get(f"/verify/blood-group/{token[:-2]}AA")
    assert forged.status_code == 404
    assert "Carte non authentique" in text_of(forged.text)

    # Petit (authorised) sees it, then it is masked: he no longer does, Bernard still does.
    petit = login(demo.PETIT)
    assert (path, "Groupe sanguin") in record_nav(petit.page(path))
    assert "A RhD+ (RH1+)" in text_of(petit.page(path))
    confirm = f"{path}/mask"
    done = camille.submit(confirm, confirm, {"masked": "1"})
    masked = flash(camille.follow(done))
    assert masked == "La carte de groupe sanguin est masquée aux professionnels."
    assert "Masquée aux professionnels" in text_of(camille.page(path))
    hidden = text_of(main_of(petit.page(path)))
    assert "Aucune carte de groupe sanguin" in hidden
    assert "A RhD+" not in hidden
    petit.get(f"{path}/card.pdf", expected=404)
    assert "A RhD+ (RH1+)" in text_of(login(demo.BERNARD).page(path))
    outdated = text_of(client.get(f"/verify/blood-group/{token}").text)
    assert "Carte authentique, mais plus à jour" in outdated
    assert "A RhD+" not in outdated

    actions = [e.action for e in record_actions(seeded, records.camille)]
    assert "record:blood-group:card" in actions
    assert "record:blood-group:mask" in actions
    assert "record:blood-group:verify" in actions
    history = text_of(camille.page(f"/records/{records.camille}/history"))
    assert "a masqué ou démasqué la carte de groupe sanguin" in history
    assert "a consulté la carte de groupe sanguin" in history  # Petit's read
    assert "a vérifié la carte de groupe sanguin imprimée" in history

    # A blocked professional: the page is not found.
    with acting(seeded, demo.CAMILLE.email, records.camille) as access:
        access_services.block(access, records.professional[demo.PETIT.email])
    petit.get(path, expected=404)


def test_a_parent_declares_then_the_doctor_verifies(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    camille = login(demo.CAMILLE)
    path = f"/records/{records.leo}/blood-group"
    assert "Aucune carte de groupe sanguin" in text_of(camille.page(path))
    form = f"{path}/edit"
    wrong = camille.submit(
        form,
        form,
        {
            "abo": "",
            "rhd": "positive",
            "big_c": "present",
            "rai_result": "positive",
            "rai_date": "2024-02-31",
        },
    )
    assert wrong.status_code == 422
    errors = error_text(wrong.text)
    assert "Choisissez le groupe ABO : A, B, AB ou O." in errors
    assert "Indiquez si l'antigène c (RH4) est présent ou absent." in errors
    assert "Saisissez une date réelle." in errors
    assert "Une RAI positive précise l'anticorps trouvé" in errors
    assert "Indiquez la date de la RAI." not in errors  # the mistyped date says it already
    assert 'id="field-abo"' in wrong.text
    assert 'aria-invalid="true"' in wrong.text
    assert card_rows(seeded, records.leo) == []

    done = camille.submit(form, form, {"abo": "O", "rhd": "positive"})
    page = camille.follow(done)
    assert flash(page) == "La carte de groupe sanguin est enregistrée."
    assert "Déclarée par le patient (non vérifiée)" in text_of(page)
    assert f"{path}/delete" in page  # her own declaration

    # Her correction starts from her values.
    again = camille.page(form)
    assert 'value="O" checked' in again
    done = camille.submit(form, form, {"abo": "O", "rhd": "negative"})
    assert "O RhD− (RH1−)" in text_of(camille.follow(done))

    bernard = login(demo.BERNARD)
    blank = bernard.page(form)
    assert 'value="O" checked' not in blank  # a professional copies a result, not a declaration
    missing = bernard.submit(form, form, {"abo": "O", "rhd": "negative"})
    assert missing.status_code == 422
    assert "Indiquez le laboratoire" in error_text(missing.text)
    done = bernard.submit(
        form,
        form,
        {
            "abo": "O",
            "rhd": "negative",
            "big_c": "absent",
            "little_c": "present",
            "big_e": "absent",
            "little_e": "present",
            "kell": "absent",
            "rai_result": "negative",
            "rai_date": "2025-06-02",
            "laboratory": "Laboratoire Cerballiance",
            "biologist": "Dr Paul Girard",
            "first_determination": "2025-06-02",
        },
    )
    page = bernard.follow(done)
    assert "Vérifiée — enregistrée par Dr Claire Bernard" in text_of(page)
    assert "RH:-1,-2,-3,4,5; KEL:-1" in text_of(page)
    versions = table_rows(camille.page(f"{path}/versions"))
    assert len(versions) == 3
    assert "À jour" in versions[0]
    assert "Vérifiée Dr Claire Bernard" in versions[0]
    assert "Version remplacée" in versions[2]
    assert f"{path}/delete" not in camille.page(path)
    camille.get(f"{path}/delete", expected=404)
    # A form opened before someone else's change is refused, nothing written.
    stale = bernard.submit(form, form, {"abo": "A", "rhd": "negative", "current": "old.1"})
    assert stale.status_code == 412
    assert "La carte a changé depuis que vous l'avez ouverte" in error_text(stale.text)
    assert [r.status for r in card_rows(seeded, records.leo)].count("approved") == 1
    assert len(card_rows(seeded, records.leo)) == 3


def test_the_api_reads_writes_and_guards_the_card(
    records: DemoRecords, client: TestClient, clock: FrozenClock
) -> None:
    camille = bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])
    bernard = bearer(api_tokens(client, clock, demo.BERNARD)["access_token"])
    url = f"/api/v1/patients/{records.leo}/blood-group"
    none = client.get(url, headers=camille)
    assert none.status_code == 404
    assert none.json()["code"] == "no-blood-group-card"

    bad = client.put(
        url,
        json={"abo": "Z", "rhd": "positive", "big_c": False, "little_c": False},
        headers=camille,
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"abo", "big_e", "little_e", "kell"}
    rare = client.put(
        url,
        json={
            "abo": "A",
            "rhd": "positive",
            **dict.fromkeys(("big_c", "little_c", "kell"), False),
            **dict.fromkeys(("big_e", "little_e"), True),
        },
        headers=camille,
    )
    assert rare.status_code == 422
    [problem] = rare.json()["errors"]
    assert (problem["field"], problem["code"]) == ("big_c", "c-both-absent")

    created = client.put(url, json={"abo": "B", "rhd": "negative"}, headers=camille)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["verified"] is False
    assert body["group"] == "B RhD− (RH1−)"
    assert body["masked"] is False
    etag = created.headers["etag"]
    assert etag == f'"{body["etag"]}"'

    stale = client.put(
        url, json={"abo": "AB", "rhd": "negative"}, headers={**camille, "If-Match": '"nope.1"'}
    )
    assert stale.status_code == 412
    fixed = client.put(
        url, json={"abo": "AB", "rhd": "negative"}, headers={**camille, "If-Match": etag}
    )
    assert fixed.status_code == 200
    assert fixed.json()["series_number"] == 2

    verified = client.put(
        url,
        json={
            "abo": "AB",
            "rhd": "negative",
            "big_c": True,
            "little_c": True,
            "big_e": False,
            "little_e": True,
            "kell": False,
            "rai_date": "2025-06-02",
            "rai_result": "positive",
            "rai_unidentified": True,
            "laboratory": "Laboratoire Cerballiance",
            "biologist": "Dr Paul Girard",
            "first_determination": "2025-06-02",
        },
        headers=bernard,
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["verified"] is True
    assert verified.json()["recorded_by"] == "Dr Claire Bernard"
    assert verified.json()["masked"] is None  # told to the patient's side only
    assert verified.json()["rai_unidentified"] is True

    refused = client.put(url, json={"abo": "A", "rhd": "positive"}, headers=camille)
    assert refused.status_code == 409
    assert refused.json()["code"] == "verified-card"
    assert client.delete(url, headers=camille).status_code == 404

    masked = client.put(f"{url}/masked", json={"masked": True}, headers=camille)
    assert masked.status_code == 200
    assert masked.json()["masked"] is True
    versions = client.get(f"{url}/versions", headers=camille).json()
    assert [v["status"] for v in versions] == ["deprecated", "deprecated", "approved"]
    card = client.get(f"{url}/card.pdf", headers=bernard)
    assert card.status_code == 200
    assert card.content.startswith(b"%PDF-")
    assert client.delete(url, headers=bernard).status_code == 204
    assert client.get(url, headers=camille).status_code == 404

    spec = client.get("/openapi.json").json()
    assert "/api/v1/patients/{patient_id}/blood-group/card.pdf" in spec["paths"]
    assert "put" in spec["paths"]["/api/v1/patients/{patient_id}/blood-group/masked"]
