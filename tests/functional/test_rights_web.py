""" "Mes droits" in the browser and over REST: Camille reports an error in Dr Petit's
document, he answers from his "Demandes de rectification" page, she reads the answer; an
identity error goes to the operators; the research opposition; the DPO and retention facts."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers_dmp import text_of
from helpers_web_records import (
    ANTECEDENTS,
    CARDIO,
    RANDOM_ID,
    DemoRecords,
    Login,
    error_text,
    flash,
    inbox,
    main_of,
    record_actions,
)

from dmp import demo
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from support import api_tokens, bearer


def test_the_rights_page_links_every_right_and_says_what_is_kept(
    login: Login, records: DemoRecords
) -> None:
    camille = login(demo.CAMILLE)
    page = text_of(main_of(camille.page("/rights")))
    for expected in (
        "Voir et télécharger mes données",
        "Corriger une erreur",
        "Mes consentements",
        "Fermer mon dossier ou supprimer ses données",
        "dpo@dmp.example",
        "1 place de la Santé",
        "10 ans, puis suppression automatique",
        "au plus tard 90 jours",
        "Historique des accès",
        "CNIL",
    ):
        assert expected in page, expected
    html = camille.page("/rights")
    for href in (
        "/export",
        f"/records/{records.camille}/rights/rectifications/new",
        f"/records/{records.camille}/rights/consents",
        f"/records/{records.camille}/record",
    ):
        assert f'href="{href}"' in html, href
    # for her son, as his legal representative
    assert "Corriger une erreur" in camille.page(f"/records/{records.leo}/rights")
    # not for a professional
    bernard = login(demo.BERNARD)
    bernard.get("/rights", expected=403)
    bernard.get(f"/records/{records.camille}/rights", expected=404)


def test_a_document_error_is_answered_by_its_author_and_the_patient_reads_the_answer(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    camille = login(demo.CAMILLE)
    form = f"/records/{records.camille}/rights/rectifications/new"
    page = camille.page(form)
    cardio = f"document:{records.documents[CARDIO]}"
    assert f'value="{cardio}"' in page
    assert f"document:{records.documents[ANTECEDENTS]}" not in page  # her own: she corrects it
    assert 'value="identity:birth_name"' in page

    wrong = camille.submit(form, form, {"target": "", "description": "court"})
    assert wrong.status_code == 422
    assert "Choisissez l'information à corriger." in error_text(wrong.text)
    wrong = camille.submit(form, form, {"target": cardio, "description": "court"})
    assert "10 caractères au moins" in error_text(wrong.text)

    done = camille.submit(
        form, form, {"target": cardio, "description": "La tension notée n'est pas la mienne."}
    )
    listing = camille.follow(done)
    assert flash(listing).startswith("Votre demande est envoyée.")
    assert "En attente de réponse" in listing
    assert [n.kind for n in inbox(seeded, demo.PETIT.email)].count("rectification-request") == 1
    assert not [n for n in inbox(seeded, demo.ADMIN.email) if n.kind == "rectification-request"]

    petit = login(demo.PETIT)
    pro = petit.page("/pro/rectifications")
    assert "Camille MARTIN" in pro
    assert CARDIO in pro
    [request_path] = [
        line.split('"')[1] for line in pro.splitlines() if 'href="/pro/rectifications/' in line
    ]
    answer_page = petit.page(request_path)
    assert "La tension notée n'est pas la mienne." in text_of(answer_page)
    assert f'href="/records/{records.camille}/documents/{records.documents[CARDIO]}"' in answer_page
    refused = petit.submit(request_path, request_path, {"outcome": "refused", "answer": ""})
    assert refused.status_code == 422
    assert "Expliquez au patient pourquoi" in error_text(refused.text)
    done = petit.submit(
        request_path,
        request_path,
        {"outcome": "refused", "answer": "Vérifié : c'est bien votre mesure du 12."},
    )
    assert flash(petit.follow(done)) == "Votre réponse est enregistrée ; le patient en est prévenu."
    # Bernard is not the author: concealed
    login(demo.BERNARD).get(request_path, expected=404)
    login(demo.ADMIN).get(request_path.replace("/pro/", "/support/"), expected=404)

    listing = camille.page(f"/records/{records.camille}/rights/rectifications")
    assert "Refusée" in listing
    assert "Vérifié : c&#39;est bien votre mesure du 12." in listing
    assert "rectification-answered" in [n.kind for n in inbox(seeded, demo.CAMILLE.email)]
    actions = [e.action for e in record_actions(seeded, records.camille)]
    assert "record:rectification:request" in actions
    assert "record:rectification:answer" in actions
    history = camille.page(f"/records/{records.camille}/history")
    assert "a demandé la rectification d&#39;une information" in history
    assert "a répondu à une demande de rectification" in history


def test_an_identity_error_goes_to_the_operators(
    login: Login, records: DemoRecords, seeded: Container
) -> None:
    camille = login(demo.CAMILLE)
    form = f"/records/{records.camille}/rights/rectifications/new"
    camille.submit(
        form, form, {"target": "identity:used_name", "description": "Mon nom d'usage a changé."}
    )
    admin = login(demo.ADMIN)
    page = admin.page("/support/rectifications")
    assert "Nom utilisé" in page
    path = next(
        line.split('"')[1] for line in page.splitlines() if 'href="/support/rectifications/' in line
    )
    missing = admin.submit(path, path, {"outcome": "corrected"})
    assert "Indiquez la valeur corrigée" in error_text(missing.text)
    admin.follow(admin.submit(path, path, {"outcome": "corrected", "corrected_value": "Durand"}))
    assert "Valeur corrigée : Durand" in camille.page(
        f"/records/{records.camille}/rights/rectifications"
    )
    login(demo.PETIT).get("/support/rectifications", expected=403)
    assert "Aucune demande" in login(demo.PETIT).page("/pro/rectifications")


def test_the_research_opposition_from_the_consents_page(login: Login, records: DemoRecords) -> None:
    camille = login(demo.CAMILLE)
    path = f"/records/{records.camille}/rights/consents"
    page = text_of(main_of(camille.page(path)))
    assert "Création du dossier médical partagé" in page
    assert "dmp-creation/2026-01" in page
    action = f"{path}/research"
    done = camille.follow(camille.submit(path, action, {"opposed": "yes"}))
    assert flash(done) == "Votre opposition à la recherche est enregistrée."
    assert "Opposition enregistrée" in done
    assert "Utilisation pour la recherche" in done
    done = camille.follow(camille.submit(path, action, {"opposed": "no"}))
    assert flash(done) == "Votre opposition à la recherche est retirée."
    login(demo.BERNARD).get(path, expected=404)


def test_rights_over_the_api(client: TestClient, clock: FrozenClock, records: DemoRecords) -> None:
    camille = bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])
    base = f"/api/v1/patients/{records.camille}"
    created = client.post(
        f"{base}/rectifications",
        json={
            "target_kind": "document",
            "target": str(records.documents[CARDIO]),
            "description": "Ce n'est pas mon compte rendu.",
        },
        headers=camille,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["status"], body["route"]) == ("open", "author")
    own = client.post(
        f"{base}/rectifications",
        json={
            "target_kind": "document",
            "target": str(records.documents[ANTECEDENTS]),
            "description": "Je me suis trompée de fichier.",
        },
        headers=camille,
    )
    assert own.status_code == 422
    assert [e["code"] for e in own.json()["errors"]] == ["own-item"]
    assert (
        client.get(f"/api/v1/patients/{RANDOM_ID}/rectifications", headers=camille).status_code
        == 404
    )
    listed = client.get(f"{base}/rectifications", headers=camille).json()
    assert [r["id"] for r in listed] == [body["id"]]

    petit = bearer(api_tokens(client, clock, demo.PETIT)["access_token"])
    assert client.get(f"{base}/rectifications", headers=petit).status_code == 404
    assert [r["id"] for r in client.get("/api/v1/rectifications", headers=petit).json()] == [
        body["id"]
    ]
    bernard = bearer(api_tokens(client, clock, demo.BERNARD)["access_token"])
    answer = {"outcome": "corrected", "answer": "Corrigé."}
    url = f"/api/v1/rectifications/{body['id']}/answer"
    assert client.post(url, json=answer, headers=bernard).status_code == 404
    answered = client.post(url, json=answer, headers=petit)
    assert answered.status_code == 200, answered.text
    assert answered.json()["status"] == "corrected"
    assert client.post(url, json=answer, headers=petit).status_code == 409

    consents = client.get(f"{base}/consents", headers=camille).json()
    assert consents["research_opposed"] is False
    assert "dmp-creation" in {e["purpose"] for e in consents["entries"]}
    opposed = client.put(f"{base}/consents/research", json={"opposed": True}, headers=camille)
    assert opposed.status_code == 200
    assert opposed.json()["research_opposed"] is True
    research = [e for e in opposed.json()["entries"] if e["purpose"] == "research"]
    assert research[0]["stance"] == "opposition"
    assert research[0]["in_force"]
    assert (
        client.put(f"{base}/consents/research", json={"opposed": True}, headers=petit).status_code
        == 404
    )
    schema = client.get("/openapi.json").json()
    assert "/api/v1/rectifications/{request_id}/answer" in schema["paths"]
    assert "/api/v1/patients/{patient_id}/consents/research" in schema["paths"]
