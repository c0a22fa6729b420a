"""The health space in Chromium, every page checked by axe-core in French and English: a parent
opens "Ma santé", adds an allergy to her profile (after a mistake), prints nothing yet, then
records her son's vaccination from his booklet and reads what is due."""

from __future__ import annotations

from typing import Any

import pytest
from browser_journey import Journey

from dmp import demo


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_parent_keeps_her_profile_and_her_sons_vaccinations(
    browser: Any, live_server: Any, language: str
) -> None:
    fr = language == "fr"
    j = Journey(browser, live_server, language)
    j.log_in(demo.CAMILLE)
    j.click("Ma santé" if fr else "My health")
    j.check("health space hub")
    j.click("Profil médical" if fr else "Medical profile")
    j.check("medical profile")
    j.page.locator("a[href$='/profile/new?category=allergy']").click()
    j.page.wait_for_load_state()
    j.check("add an allergy")
    j.submit()
    j.check("add an allergy, with errors")
    assert j.page.locator(".error-summary").is_visible()
    j.page.locator("#field-substance").fill("Pénicilline")
    j.page.locator("#field-kind").select_option("allergy")
    j.submit()
    j.check("profile entry after adding")
    assert "Pénicilline" in j.page.locator("main").inner_text()

    j.go("/")
    j.click("Léo MARTIN")
    j.click("Vaccinations")
    j.check("child's vaccinations")
    assert (
        "vous agissez comme représentant légal" in j.page.locator(".record-owner").inner_text()
        or not fr
    )
    j.click("Enregistrer une vaccination" if fr else "Record a vaccination")
    j.check("record a vaccination")
    j.submit()
    j.check("record a vaccination, with errors")
    j.page.locator("#field-vaccine_code").select_option("ROR")
    j.page.locator("#field-given_on").fill("2021-06-20")
    j.page.locator("#field-product").fill("Priorix")
    j.submit()
    j.check("vaccinations after recording a dose")
    assert "Priorix" in j.page.locator("main").inner_text()
    j.close()
    assert j.problems == [], "\n".join(j.problems)
