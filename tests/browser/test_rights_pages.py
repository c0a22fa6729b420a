""" "Mes droits" in Chromium, every page checked by axe-core in French and English: the
patient reads her rights, reports an error in a professional's document (error summary
first), opposes research use; the professional answers from his rectification requests."""

from __future__ import annotations

from typing import Any

import pytest
from browser_journey import Journey

from dmp import demo


def words(language: str, french: str, english: str) -> str:
    return french if language == "fr" else english


@pytest.mark.parametrize("language", ["fr", "en"])
def test_rights_rectification_and_consents(browser: Any, live_server: Any, language: str) -> None:
    camille = Journey(browser, live_server, language)
    camille.log_in(demo.CAMILLE)
    camille.go("/rights")
    camille.check("rights page")
    assert camille.page.locator("h1").inner_text() == words(language, "Mes droits", "My rights")
    assert "dpo@dmp.example" in camille.page.locator("main").inner_text()

    camille.click(words(language, "Signaler une erreur", "Report an error"))
    camille.check("rectification form")
    camille.submit()
    camille.check("rectification form with errors")
    summary = camille.page.locator(".error-summary")
    assert summary.is_visible()
    assert camille.page.evaluate("document.activeElement.classList.contains('error-summary')")
    value = camille.page.evaluate(
        "[...document.querySelectorAll('#field-target option')]"
        ".find(o => o.textContent.includes('Consultation de cardiologie')).value"
    )
    camille.page.locator("#field-target").select_option(value)
    camille.page.locator("#field-description").fill(
        words(language, "La tension notée n'est pas la mienne.", "The blood pressure is wrong.")
    )
    camille.submit()
    camille.check("my rectification requests")
    assert camille.page.locator("tbody tr").count() >= 1

    camille.go("/rights")
    camille.click(words(language, "Voir et gérer mes consentements", "See and manage my consents"))
    camille.check("consents")
    camille.submit()
    camille.check("consents, research opposed")
    camille.submit()  # and withdrawn again, so the next run starts alike
    camille.close()

    petit = Journey(browser, live_server, language)
    petit.log_in(demo.PETIT)
    petit.go("/pro/rectifications")
    petit.check("professional's rectification requests")
    petit.page.locator("main tbody a").first.click()
    petit.page.wait_for_load_state()
    petit.check("answer form")
    petit.submit()
    petit.check("answer form with errors")
    petit.page.locator("label[for='field-outcome-refused']").click()
    petit.page.locator("#field-answer").fill(
        words(language, "Vérifié : c'est bien votre mesure.", "Checked: it is your measurement.")
    )
    petit.submit()
    petit.check("requests after answering")
    petit.close()

    assert camille.problems + petit.problems == []
    assert camille.checked + petit.checked == 10
