"""Public pages, error pages (HTML for people, problem+json for the API), access rules and the
language switch."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from helpers_dmp import html_lang, is_logged_in, login_totp, logout, text_of

from dmp import demo
from dmp.accounts import authentication
from dmp.container import Container
from dmp.shared.clock import FrozenClock
from dmp.web.pages import HELP_DOCS
from support import post_form

PROBLEM_JSON = "application/problem+json"


def request_id_shown(page: str) -> str:
    match = re.search(r"Référence de la demande : <code>([^<]+)</code>", page)
    assert match, "the error page shows no request id"
    return match.group(1)


# --- Public pages --------------------------------------------------------------------------


PUBLIC_PAGES = {
    "/": "Votre dossier médical, partagé en confiance",
    "/login": "Se connecter",
    "/activation": "Activer mon espace",
    "/help": "Aide",
}


def test_public_pages(client: TestClient, seeded: Container) -> None:
    for path, heading in PUBLIC_PAGES.items():
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-type"].startswith("text/html")
        assert html_lang(response.text) == "fr"
        assert f"<h1>{heading}</h1>" in response.text, path
        assert 'name="csrf_token"' in response.text  # the language switch form


def test_home_page_of_each_profile(
    app: FastAPI, client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock, demo.CAMILLE)
    home = text_of(client.get("/").text)
    assert "Bonjour Camille Martin" in home
    assert "Vous êtes représentant légal de : Léo MARTIN" in home
    assert "Inscrire un patient" not in home
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as doctor:
        login_totp(doctor, clock, demo.BERNARD)
        pro = text_of(doctor.get("/").text)
        assert "Bonjour Dr Claire Bernard" in pro
        assert "Inscrire un patient" in pro
        assert "Mes proches" not in pro


@pytest.mark.parametrize("slug", [slug for slug, _ in HELP_DOCS])
def test_help_documents(client: TestClient, container: Container, slug: str) -> None:
    docs = container.settings.docs_dir
    if docs is None or not (Path(docs) / f"{slug}.md").is_file():
        pytest.skip(f"docs/{slug}.md is not written yet")
    assert f'href="/help/{slug}"' in client.get("/help").text
    response = client.get(f"/help/{slug}")
    assert response.status_code == 200
    assert "<h1>" in response.text


def test_unknown_help_documents_are_404(client: TestClient, container: Container) -> None:
    for slug in ("nope", "..%2F..%2Fpyproject", "%2E%2E", "USER-GUIDE", "a" * 61, "user_guide"):
        response = client.get(f"/help/{slug}")
        assert response.status_code == 404, slug
        assert response.headers["content-type"].startswith("text/html")


def test_help_document_from_a_docs_directory(
    tmp_path: Path, database_url: str, clock: FrozenClock
) -> None:
    """Documentation pages render Markdown, and never raw HTML from it."""
    from helpers_dmp import custom_app

    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "security.md").write_text(
        "# Sécurité\n\nDu **texte**.\n\n<script>alert(1)</script>\n", "utf-8"
    )
    with custom_app(tmp_path, database_url, clock, docs_dir=docs) as (client, _):
        listing = client.get("/help")
        assert 'href="/help/security"' in listing.text
        assert 'href="/help/user-guide"' not in listing.text
        page = client.get("/help/security")
        assert page.status_code == 200
        assert "<title>Sécurité – dmp</title>" in page.text
        assert "<strong>texte</strong>" in page.text
        assert "<script>alert(1)</script>" not in page.text
        assert "&lt;script&gt;" in page.text
        assert client.get("/help/user-guide").status_code == 404


# --- Error pages ---------------------------------------------------------------------------


def test_unknown_page_is_an_html_404_with_a_request_id(
    client: TestClient, seeded: Container
) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Page introuvable</h1>" in response.text
    assert request_id_shown(response.text) == response.headers["x-request-id"]
    sent = client.get("/no/such/page", headers={"X-Request-ID": "support-ticket-42"})
    assert request_id_shown(sent.text) == "support-ticket-42"


def test_wrong_method_on_a_page_is_an_html_405(client: TestClient, seeded: Container) -> None:
    response = client.get("/logout")
    assert response.status_code == 405
    assert response.headers["content-type"].startswith("text/html")
    assert "Action impossible" in response.text


def test_unknown_api_path_is_problem_json(client: TestClient, seeded: Container) -> None:
    response = client.get("/api/unknown", headers={"X-Request-ID": "abc-123"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    problem = response.json()
    assert problem["status"] == 404
    assert problem["code"] == "not-found"
    assert problem["type"] == "/problems/not-found"
    assert problem["instance"] == "/api/unknown"
    assert problem["request_id"] == "abc-123"
    assert problem["title"] == "Ressource introuvable."

    method = client.get("/api/v1/auth/token")
    assert method.status_code == 405
    assert method.headers["content-type"].startswith(PROBLEM_JSON)
    assert method.json()["code"] == "method-not-allowed"
    assert "allow" in method.headers


def test_malformed_form_gives_a_400_page(client: TestClient, seeded: Container) -> None:
    response = post_form(client, "/login", {"email": "x" * 300, "password": "y"})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/html")
    assert "Demande incorrecte" in response.text


def test_unexpected_errors_give_a_500_page_and_problem(
    client: TestClient, seeded: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("boom: secret internals")

    monkeypatch.setattr(authentication, "check_password", broken)
    started = time.perf_counter()
    page = post_form(client, "/login", {"email": demo.CAMILLE.email, "password": "x"})
    assert time.perf_counter() - started < 10  # no wait on a database lock
    assert page.status_code == 500
    assert page.headers["content-type"].startswith("text/html")
    assert "Une erreur est survenue" in page.text
    assert "boom" not in page.text
    assert request_id_shown(page.text) == page.headers["x-request-id"]
    assert page.headers["content-security-policy"]

    api = client.post("/api/v1/auth/token", json={"email": demo.CAMILLE.email, "password": "x"})
    assert api.status_code == 500
    assert api.headers["content-type"].startswith(PROBLEM_JSON)
    assert api.json()["code"] == "internal-error"
    assert api.json()["request_id"] == api.headers["x-request-id"]
    assert "boom" not in api.text
    # The service goes on answering.
    assert client.get("/").status_code == 200


def test_development_mailbox_is_hidden_outside_development(
    client: TestClient, seeded: Container
) -> None:
    assert client.get("/dev/outbox").status_code == 404


# --- Access rules --------------------------------------------------------------------------


def test_pages_needing_login_redirect_to_login(client: TestClient, seeded: Container) -> None:
    redirects = {
        "/account": "/login?next=/account",
        "/account/sessions": "/login?next=/account/sessions",
        "/account/password": "/login?next=/account/password",
        "/account/recovery-codes": "/login?next=/account/recovery-codes",
        "/account/second-factors/new": "/login?next=/account",
        "/patients/new": "/login?next=/patients/new",
    }
    for path, location in redirects.items():
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == location, path


def test_professional_page_is_forbidden_to_a_patient(
    client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    login_totp(client, clock)
    response = client.get("/patients/new")
    assert response.status_code == 403
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Accès refusé</h1>" in response.text
    assert is_logged_in(client)  # a refusal does not log anyone out


# --- Language ------------------------------------------------------------------------------


def test_language_switch_sets_the_page_language(client: TestClient, seeded: Container) -> None:
    assert html_lang(client.get("/help").text) == "fr"
    response = post_form(client, "/language", {"language": "en", "next": "/help"}, csrf_from="/")
    assert response.status_code == 303
    assert response.headers["location"] == "/help"
    for path in ("/", "/help", "/login", "/no/such/page"):
        assert html_lang(client.get(path).text) == "en", path
    back = post_form(client, "/language", {"language": "fr"}, csrf_from="/")
    assert back.headers["location"] == "/"
    assert html_lang(client.get("/").text) == "fr"


def test_unsupported_language_is_ignored(client: TestClient, seeded: Container) -> None:
    post_form(client, "/language", {"language": "xx"}, csrf_from="/")
    assert html_lang(client.get("/").text) == "fr"


def test_language_follows_the_browser_then_the_choice(
    client: TestClient, seeded: Container
) -> None:
    english = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert html_lang(english.text) == "en"
    post_form(client, "/language", {"language": "fr"}, csrf_from="/")
    chosen = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.8"})
    assert html_lang(chosen.text) == "fr"


def test_language_survives_login_and_is_remembered_for_the_account(
    app: FastAPI, client: TestClient, seeded: Container, clock: FrozenClock
) -> None:
    post_form(client, "/language", {"language": "en"}, csrf_from="/")
    login_totp(client, clock)
    assert html_lang(client.get("/").text) == "en"
    post_form(client, "/language", {"language": "en"}, csrf_from="/")  # while logged in
    logout(client)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as other:
        login_totp(other, clock)
        assert html_lang(other.get("/account").text) == "en"
