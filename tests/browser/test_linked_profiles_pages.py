"""Linked profiles in Chromium, checked by axe-core in French and English: the switcher from
the header, attaching a child (with errors first), the child's record with its indicator,
accepting an invitation (a wrong code), the delegates page and its form."""

from __future__ import annotations

from typing import Any

import pytest
from browser_journey import Journey

from dmp import demo

# One child per language: the live server is shared by both runs.
CHILD = {"fr": ("Emma", "215037505612341"), "en": ("Jade", "215037505612440")}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_linked_profile_pages_are_accessible(browser: Any, live_server: Any, language: str) -> None:
    fr = language == "fr"
    name, nir = CHILD[language]
    j = Journey(browser, live_server, language)
    j.log_in(demo.CAMILLE)
    j.click("Changer de profil" if fr else "Switch profile")
    j.check("linked profiles")
    assert "Léo MARTIN" in j.page.locator("main").inner_text()

    j.submit("form[action='/linked-profiles/accept'] button")
    j.check("linked profiles: wrong invitation code")

    j.go("/linked-profiles/new")
    j.check("attach a child")
    j.submit()
    j.check("attach a child with errors")
    assert j.page.locator(".error-summary").count() == 1
    j.page.locator("#field-birth_name").fill("MARTIN")
    j.page.locator("#field-first_given_name").fill(name)
    j.page.locator("label[for='field-sex']").click()  # the first option: female
    j.page.locator("#field-birth_date").fill("2015-03-12")
    j.page.locator("#field-ins_matricule").fill(nir)
    j.page.locator("label[for='field-relationship']").click()
    j.submit()
    j.check("linked profiles after attaching")
    j.click(f"{name} MARTIN")
    owner = j.page.locator(".record-owner").inner_text()
    assert f"{name} MARTIN" in owner
    j.check("the child's documents")

    j.go("/linked-profiles")
    j.click("Voir et gérer mes délégués" if fr else "See and manage my delegates")
    j.check("delegates")
    j.click("Désigner un délégué" if fr else "Designate a delegate")
    j.check("designate a delegate")
    j.submit()
    j.check("designate a delegate with errors")
    j.close()
    assert j.checked >= 9
    assert j.problems == [], "\n".join(j.problems)
