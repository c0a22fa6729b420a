"""Vaccinations in the browser and over REST: a parent records her son's doses from his
booklet, sees what is due, a doctor's dose shows as verified, the certificate prints."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers_dmp import text_of
from helpers_web_records import (
    DemoRecords,
    Login,
    error_text,
    flash,
    record_actions,
    section,
)

from dmp import demo
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from support import api_tokens, bearer


def test_a_parent_records_doses_and_sees_what_is_due(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    camille = login(demo.CAMILLE)
    path = f"/records/{records.leo}/vaccinations"
    page = camille.page(path)
    assert "Rougeole, oreillons, rubéole (ROR)" in section(page, "À faire maintenant")
    assert "Aucune vaccination enregistrée." in page

    form = f"{path}/new"
    wrong = camille.submit(form, form, {"vaccine_code": "", "given_on": "2031-01-01"})
    assert wrong.status_code == 422
    assert "Choisissez un vaccin de la liste." in error_text(wrong.text)
    assert "Cette date ne peut pas être dans le futur." in error_text(wrong.text)

    for day in ("2020-06-20", "2020-12-01"):
        done = camille.submit(
            form, form, {"vaccine_code": "ROR", "given_on": day, "product": "Priorix"}
        )
        dose_page = camille.follow(done)
        assert flash(dose_page) == "La vaccination est enregistrée."
        assert "Déclarée par le patient (non vérifiée" in text_of(dose_page)
    page = camille.page(path)
    assert "Rougeole" not in section(page, "À faire maintenant")
    assert "Priorix" in section(page, "Carnet de vaccination")
    assert [
        e.action for e in record_actions(seeded, records.leo) if "vaccination:create" in e.action
    ] == [
        "record:vaccination:create",
        "record:vaccination:create",
    ]

    certificate = camille.get(f"{path}/certificate")
    assert certificate.headers["content-type"] == "application/pdf"
    assert certificate.content.startswith(b"%PDF-")


def test_a_doctors_dose_is_verified_and_only_he_corrects_it(
    login: Login, records: DemoRecords, client: TestClient, clock: FrozenClock
) -> None:
    bernard = login(demo.BERNARD)  # files Léo's documents in the demo
    path = f"/records/{records.leo}/vaccinations"
    form = f"{path}/new"
    done = bernard.submit(
        form,
        form,
        {"vaccine_code": "HEXA", "given_on": "2019-08-14", "lot": "A12", "dose_number": "1"},
    )
    dose = done.headers["location"]
    assert "Vérifiée — enregistrée par Dr Claire Bernard" in text_of(bernard.page(dose))
    camille = login(demo.CAMILLE)
    assert "Vérifiée" in section(camille.page(path), "Carnet de vaccination")
    camille.get(f"{dose}/edit", expected=404)

    token = bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])
    body = client.get(f"/api/v1/patients/{records.leo}/vaccinations", headers=token).json()
    [recorded] = body["doses"]
    assert recorded["verified"] is True
    assert recorded["recorded_by"] == "Dr Claire Bernard"
    assert {item["status"] for item in body["plan"]} <= {
        "done",
        "due",
        "overdue",
        "upcoming",
        "not_applicable",
    }
    hexa = [i for i in body["plan"] if i["vaccine_code"] == "HEXA" and i["dose_number"] == 1]
    assert hexa[0]["status"] == "done"
    refused = client.post(
        f"/api/v1/patients/{records.leo}/vaccinations",
        json={"vaccine_code": "HEXA", "given_on": "2019-01-01"},
        headers=token,
    )
    assert refused.status_code == 422
    assert [e["code"] for e in refused.json()["errors"]] == ["before-birth"]
