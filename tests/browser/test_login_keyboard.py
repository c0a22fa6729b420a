"""A person logs in with a TOTP second factor using the keyboard only."""

from __future__ import annotations

from typing import Any

import pyotp

from dmp import demo


def tab_to(page: Any, element_id: str, limit: int = 40) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"#{element_id} never received keyboard focus")


def test_keyboard_only_login_with_totp(browser: Any, live_server: Any) -> None:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + "/")

    # The skip link is the first stop and becomes visible with focus.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.locator(".skip-link").bounding_box()["x"] >= 0

    page.goto(live_server.url + "/login")
    tab_to(page, "field-email")
    page.keyboard.type(demo.CAMILLE.email)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "field-password"
    page.keyboard.type(demo.DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/login/second-factor**")
    assert page.locator("h1").inner_text() == "Vérification en deux étapes"

    tab_to(page, "field-code")
    page.keyboard.type(pyotp.TOTP(demo.CAMILLE.totp_secret).now())
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Bonjour Camille Martin"

    # Logging out is reachable from the keyboard too.
    page.locator("form[action='/logout'] button").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(live_server.url + "/")
    assert "Vous êtes déconnecté" in page.locator("[role=status]").inner_text()
    context.close()


def test_wrong_code_moves_focus_to_the_error_summary(browser: Any, live_server: Any) -> None:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    page.goto(live_server.url + "/login")
    page.locator("#field-email").fill(demo.BERNARD.email)
    page.locator("#field-password").fill("not the password at all")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.className") == "error-summary"
    summary = page.locator(".error-summary")
    assert "Adresse e-mail ou mot de passe incorrect" in summary.inner_text()
    context.close()
