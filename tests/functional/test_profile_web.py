"""The medical profile in the browser (TestClient through the real forms) and over REST:
Camille declares, corrects and masks; Dr Petit adds a treatment with his name; Léo's
representative never sees his confidential care."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from helpers_dmp import text_of
from helpers_web_records import (
    DemoRecords,
    Login,
    error_text,
    flash,
    hrefs,
    record_actions,
    record_nav,
    section,
)

from dmp import demo
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from support import api_tokens, bearer


def profile_path(records: DemoRecords, patient: str = "camille", rest: str = "") -> str:
    return f"/records/{getattr(records, patient)}/profile{rest}"


def entry_links(page: str, path: str) -> list[str]:
    return [h for h in hrefs(page) if re.fullmatch(re.escape(path) + r"/[0-9a-f-]{36}", h)]


def test_the_holder_declares_corrects_and_masks(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    camille = login(demo.CAMILLE)
    path = profile_path(records)
    page = camille.page(path)
    assert "Allergies et intolérances" in page
    assert "Rien d'enregistré pour l'instant." in section(page, "Allergies et intolérances")
    assert record_nav(page) == []  # her own record: the main menu has "Profil médical"

    form = f"{path}/new?category=allergy"
    wrong = camille.submit(form, form, {"substance": "", "kind": "peur"})
    assert wrong.status_code == 422
    assert "Renseignez « Substance, aliment ou médicament »." in error_text(wrong.text)
    assert "Choisissez une valeur de la liste." in error_text(wrong.text)

    done = camille.submit(
        form, form, {"substance": "Pollen de bouleau", "kind": "allergy", "severity": "moderate"}
    )
    page = camille.follow(done)
    assert flash(page) == "L'information est ajoutée à votre profil médical."
    allergies = section(page, "Allergies et intolérances")
    assert "Pollen de bouleau" in allergies
    assert "Déclaré par le patient" in allergies
    [entry] = entry_links(page, path)

    details = text_of(camille.page(entry))
    assert "Modérée" in details
    assert "Déclaré par le patient (non vérifié" in details
    edit = f"{entry}/edit"
    corrected = camille.follow(
        camille.submit(
            edit,
            edit,
            {"substance": "Pollens", "kind": "allergy", "severity": "severe", "version": "1"},
        )
    )
    assert "Historique des modifications" in corrected
    assert "<h1>Pollens</h1>" in corrected
    assert "Sévère" in text_of(corrected)
    assert "Pollen de bouleau" in corrected  # the previous version, in the history

    [current] = entry_links(camille.page(path), path)
    mask = f"{current}/mask"
    masked = camille.follow(camille.submit(mask, mask, {"masked": "1"}))
    assert flash(masked) == "L'information est masquée aux professionnels."

    petit = login(demo.PETIT)
    assert "Pollens" not in petit.page(path)
    petit.get(current, expected=404)
    bernard = login(demo.BERNARD)  # médecin traitant: sees masked entries
    assert "Pollens" in bernard.page(path)
    bernard.get(f"{current}/edit", expected=404)  # only the author corrects

    actions = [e.action for e in record_actions(seeded, records.camille) if "profile" in e.action]
    assert actions.count("record:profile:create") == 1
    assert {"record:profile:update", "record:profile:mask"} <= set(actions)


def test_a_professional_adds_with_her_name_and_keeps_it_from_the_parent(
    login: Login, records: DemoRecords
) -> None:
    bernard = login(demo.BERNARD)
    path = profile_path(records, "leo")
    page = bernard.page(path)
    assert (path, "Profil médical") in record_nav(page)
    form = f"{path}/new?category=treatment"
    bernard.follow(bernard.submit(form, form, {"substance": "Ventoline", "dose": "2 bouffées"}))
    bernard.follow(
        bernard.submit(
            form,
            form,
            {"substance": "Traitement confidentiel", "invisible_to_representatives": "1"},
        )
    )
    page = bernard.page(path)
    assert "Dr Claire Bernard" in section(page, "Traitements en cours")
    assert "Non visible par les représentants légaux" in page

    camille = login(demo.CAMILLE)
    seen = camille.page(path)
    assert "Ventoline" in seen
    assert "Traitement confidentiel" not in seen
    # The parent's form has no such option: the holder's side cannot hide from itself.
    assert "invisible_to_representatives" not in camille.page(f"{path}/new?category=treatment")


def test_the_api_reads_and_writes_the_same_profile(
    client: TestClient, records: DemoRecords, clock: FrozenClock
) -> None:
    camille = bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])
    stranger_free = bearer(api_tokens(client, clock, demo.LEFEVRE)["access_token"])
    url = f"/api/v1/patients/{records.camille}/profile"
    created = client.post(
        url,
        json={
            "category": "measurement",
            "values": {"kind": "weight", "value": 64.5, "measured_on": "2026-11-20"},
        },
        headers=camille,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["unit"] == "kg"
    assert body["author"]["patient"] is True
    assert created.headers["etag"] == '"1"'

    bad = client.post(
        url, json={"category": "measurement", "values": {"kind": "weight"}}, headers=camille
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"value", "measured_on"}

    entry = f"{url}/{body['id']}"
    stale = client.put(
        entry,
        json={"values": {"kind": "weight", "value": 65, "measured_on": "2026-11-21"}},
        headers={**camille, "If-Match": '"9"'},
    )
    assert stale.status_code == 412
    newer = client.put(
        entry,
        json={"values": {"kind": "weight", "value": 65, "measured_on": "2026-11-21"}},
        headers={**camille, "If-Match": '"1"'},
    )
    assert newer.status_code == 200, newer.text
    versions = client.get(f"{url}/{newer.json()['id']}/versions", headers=camille).json()["items"]
    assert [v["values"]["value"] for v in versions] == [64.5, 65]

    assert client.get(url, headers=stranger_free).status_code == 404  # not authorised
    listed = client.get(url, params={"category": "measurement"}, headers=camille).json()["items"]
    assert [e["values"]["value"] for e in listed] == [65]
    schema = client.get("/api/v1/profile/schema", headers={"Accept-Language": "en"}).json()
    assert {c["code"] for c in schema} >= {"allergy", "treatment", "measurement"}
    labels = {ch["label"] for c in schema for f in c["fields"] for ch in (f["choices"] or [])}
    assert "Weight" in labels


def test_the_summary_is_a_pdf_filed_among_her_documents(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    from helpers_web_records import document_of

    camille = login(demo.CAMILLE)
    path = profile_path(records)
    form = f"{path}/new?category=condition"
    camille.follow(camille.submit(form, form, {"name": "Asthme", "status": "active"}))
    made = camille.submit(path, f"{path}/summary")
    assert made.status_code == 303
    document_page = made.headers["location"]
    page = camille.page(document_page)
    assert flash(page) == "La synthèse de votre profil médical est ajoutée à vos documents."
    row = document_of(seeded, document_page.rsplit("/", 1)[1])
    assert row.type_code == "DOCPAT08"
    assert row.author_patient_id is not None
    pdf = camille.get(f"{document_page}/content").content
    assert pdf.startswith(b"%PDF-")
    # A professional cannot produce it in the patient's name.
    bernard = login(demo.BERNARD)
    assert "synthèse PDF" not in bernard.page(path)


def test_the_api_files_the_summary_for_the_patient_side_only(
    client: TestClient, records: DemoRecords, clock: FrozenClock
) -> None:
    camille = bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])
    bernard = bearer(api_tokens(client, clock, demo.BERNARD)["access_token"])
    url = f"/api/v1/patients/{records.camille}/profile/summary"
    made = client.post(url, headers={**camille, "Accept-Language": "en"})
    assert made.status_code == 201, made.text
    assert made.json()["type"]["code"] == "DOCPAT08"
    assert made.json()["title"].startswith("Summary of my medical profile")
    content = client.get(made.headers["location"] + "/content", headers=camille)
    assert content.content.startswith(b"%PDF-")
    refused = client.post(url, headers=bernard)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["code"] == "holder-only"
