"""Downloading one's data, in the browser and over REST: Camille asks for a copy of her record
and her son's, follows its preparation without JavaScript, downloads the ZIP; nobody else can."""

from __future__ import annotations

import io
import zipfile

from fastapi.testclient import TestClient
from helpers_dmp import text_of
from helpers_web_records import (
    DemoRecords,
    Login,
    flash,
    main_of,
)

from dmp import demo
from dmp.container import Container
from dmp.export import services
from dmp.shared.clock import FrozenClock
from support import api_tokens, bearer


def build(container: Container) -> int:
    return services.build_exports(
        container.sessions, container.settings, container.clock, services.storage_for(container)
    )


def test_camille_asks_follows_and_downloads_her_copy(
    login: Login, records: DemoRecords, seeded: Container, clock: FrozenClock
) -> None:
    camille = login(demo.CAMILLE)
    page = camille.page("/export")
    assert "<h1>Télécharger mes données</h1>" in page
    assert "Vous n'avez encore demandé aucune copie." in text_of(main_of(page))
    assert "Léo" in page  # her son's profile may be included, and is by default
    assert 'name="include"' in page
    assert " checked" in page

    asked = camille.submit("/export", "/export", {"include": str(records.leo)})
    waiting = camille.follow(asked)
    assert "Votre demande est enregistrée" in flash(waiting)
    response = camille.get("/export")
    assert response.headers["Refresh"] == "10"  # reloads itself while preparing: no script
    assert "En attente" in text_of(main_of(response.text))
    assert "<progress" in response.text
    assert 'href="/export">Actualiser</a>' in response.text
    assert " disabled" in response.text  # one copy at a time

    again = camille.post_raw("/export", {"csrf_token": ""})
    assert again.status_code == 403  # CSRF

    assert build(seeded) == 1
    ready = camille.get("/export")
    assert "Refresh" not in ready.headers
    text = text_of(main_of(ready.text))
    assert "Prêt" in text
    assert "Disponible jusqu'au" in text
    link = next(
        part.split('"')[0]
        for part in ready.text.split('href="')
        if part.startswith("/export/") and "/download" in part.split('"')[0]
    )
    archive = camille.get(link)
    assert archive.headers["content-type"] == "application/zip"
    assert "attachment" in archive.headers["content-disposition"]
    names = zipfile.ZipFile(io.BytesIO(archive.content)).namelist()
    assert "fhir/bundle.json" in names
    assert len({n.split("/")[1] for n in names if n.startswith("documents/")}) == 2

    bernard = login(demo.BERNARD)
    assert bernard.get(link, expected=404).status_code == 404
    assert bernard.get("/export", expected=403).status_code == 403

    clock.advance(days=7, minutes=1)
    camille = login(demo.CAMILLE)  # a new session, a week later
    assert "Cette copie a expiré" in text_of(camille.get(link, expected=410).text)
    build(seeded)
    services.expire_exports(seeded.sessions, seeded.blobs, clock)
    assert "Expiré" in text_of(main_of(camille.page("/export")))


def test_english_page(login: Login) -> None:
    camille = login(demo.CAMILLE)
    camille.submit("/export", "/language", {"language": "en", "next": "/export"})
    page = camille.page("/export")
    assert "<h1>Download my data</h1>" in page
    assert "You have not asked for any copy yet." in page


def test_the_api_asks_follows_and_downloads(
    client: TestClient, records: DemoRecords, seeded: Container, clock: FrozenClock
) -> None:
    camille = bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])
    asked = client.post("/api/v1/me/exports", headers=camille, json={"include": []})
    assert asked.status_code == 202, asked.text
    body = asked.json()
    assert body["status"] == "queued"
    assert body["patient_ids"] == [str(records.camille)]
    assert asked.headers["location"] == f"/api/v1/me/exports/{body['id']}"
    assert client.post("/api/v1/me/exports", headers=camille).status_code == 409

    build(seeded)
    one = client.get(f"/api/v1/me/exports/{body['id']}", headers=camille).json()
    assert one["status"] == "ready"
    assert one["progress"] == 100
    listed = client.get("/api/v1/me/exports", headers=camille).json()
    assert [item["id"] for item in listed] == [body["id"]]
    download = client.get(one["download_url"], headers=camille)
    assert download.status_code == 200
    assert download.headers["x-content-sha256"] == one["sha256"]
    assert len(download.content) == one["size"]

    petit = bearer(api_tokens(client, clock, demo.PETIT)["access_token"])
    assert client.get(f"/api/v1/me/exports/{body['id']}", headers=petit).status_code == 404
    assert client.get(one["download_url"], headers=petit).status_code == 404
    assert client.get("/api/v1/me/exports", headers=petit).json() == []
    assert client.get(one["download_url"]).status_code == 401

    clock.advance(days=8)
    camille = bearer(api_tokens(client, clock, demo.CAMILLE)["access_token"])
    gone = client.get(one["download_url"], headers=camille)
    assert gone.status_code == 410
    assert gone.headers["content-type"].startswith("application/problem+json")
