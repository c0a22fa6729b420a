""" "Ma santé": the main menu's one entry to the health space, leading to the record's health
pages the reader may open, and marked as the current menu entry on each of them."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers_web_records import (
    DemoRecords,
    Login,
    block,
    links,
    main_of,
)

from dmp import demo


def current_menu_entry(page: str) -> list[str]:
    menu = block(page, "nav", "main-nav")
    return [label for href, label in links(menu) if f'href="{href}" aria-current' in menu]


def test_the_patient_reaches_each_health_page_from_one_menu_entry(
    login: Login, records: DemoRecords
) -> None:
    camille = login(demo.CAMILLE)
    own = f"/records/{records.camille}"
    home = camille.page("/")
    assert (f"{own}/health", "Ma santé") in links(block(home, "nav", "main-nav"))

    hub = camille.page(f"{own}/health")
    assert "<h1>Ma santé</h1>" in hub
    main = main_of(hub)
    assert (f"{own}/profile", "Profil médical") in links(main)
    assert (f"{own}/vaccinations", "Vaccinations") in links(main)
    assert current_menu_entry(hub) == ["Ma santé"]
    for path in ("/profile", "/vaccinations", "/vaccinations/new"):
        assert current_menu_entry(camille.page(own + path)) == ["Ma santé"], path
    assert current_menu_entry(camille.page(f"{own}/documents")) == ["Mes documents"]


def test_a_parent_opens_the_childs_health_space_and_strangers_get_404(
    login: Login, records: DemoRecords
) -> None:
    hub = login(demo.CAMILLE).page(f"/records/{records.leo}/health")
    assert "Santé de Léo MARTIN" in hub
    assert f"/records/{records.leo}/vaccinations" in hub

    # A professional with no access to Léo's record: the page does not exist for him.
    login(demo.PETIT).get(f"/records/{records.leo}/health", expected=404)


def test_in_english(login: Login, records: DemoRecords) -> None:
    camille = login(demo.CAMILLE)
    camille.submit("/", "/language", {"language": "en"})
    hub = camille.page(f"/records/{records.camille}/health")
    assert "<h1>My health</h1>" in hub
    assert "Medical profile" in hub


def test_every_part_of_the_health_space_is_in_the_openapi_description(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for path in (
        "/api/v1/patients/{patient_id}/profile",
        "/api/v1/patients/{patient_id}/profile/summary",
        "/api/v1/patients/{patient_id}/vaccinations",
        "/api/v1/patients/{patient_id}/vaccinations/certificate",
        "/api/v1/patients/{patient_id}/blood-group",
        "/api/v1/patients/{patient_id}/directives",
        "/api/v1/patients/{patient_id}/trusted-person",
        "/api/v1/trusted-person/invitation",
        "/api/v1/me/linked-profiles",
        "/api/v1/patients/{patient_id}/representative-invitations",
        "/api/v1/patients/{patient_id}/delegates",
        "/api/v1/patients/{patient_id}/rectifications",
        "/api/v1/patients/{patient_id}/consents",
        "/api/v1/me/exports",
    ):
        assert path in paths, path
        for operation in paths[path].values():
            assert operation.get("summary"), (path, operation)
