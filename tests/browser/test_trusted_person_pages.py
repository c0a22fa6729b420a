"""The personne de confiance in Chromium, every page checked by axe-core in French and English:
Camille designates her brother (errors first), he co-signs on the public invitation page with
the code (a wrong one first), her doctor sees it read-only, she revokes it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from browser_journey import Journey

from dmp import demo
from dmp.identity import services as identity_services
from dmp.shared.db import transaction


def camille_id(server: Any) -> str:
    with transaction(server.container.sessions) as session:
        patient = identity_services.patient_by_matricule(session, demo.CAMILLE_NIR)
        assert patient is not None
        return str(patient.id)


@pytest.mark.parametrize("language", ["fr", "en"])
def test_designation_cosignature_and_revocation(
    browser: Any, live_server: Any, language: str
) -> None:
    fr = language == "fr"
    page_path = f"/records/{camille_id(live_server)}/trusted-person"
    camille = Journey(browser, live_server, language)
    camille.log_in(demo.CAMILLE)
    camille.go(page_path)
    camille.check("trusted person page")
    camille.click("Désigner une personne de confiance" if fr else "Designate a trusted person")
    camille.check("designation form")
    camille.submit()
    camille.check("designation form with errors")
    assert camille.page.locator(".error-summary li").count() >= 4
    page = camille.page
    page.locator("#field-first_names").fill("Paul")
    page.locator("#field-surname").fill("Martin")
    page.locator("label[for='field-relationship']").click()
    page.locator("#field-phone").fill("06 12 34 56 78")
    page.locator("#field-email").fill("paul.martin@example.fr")
    page.locator("label[for='field-adult_confirmed']").click()
    camille.submit()
    camille.check("invitation code shown once")
    code = page.locator("#invitation-code").inner_text().strip()
    assert re.fullmatch(r"[0-9A-Z]{4}-[0-9A-Z]{4}", code)

    designee = Journey(browser, live_server, language)
    designee.go("/")
    if not fr:
        designee.submit("form[action='/language'] button")
    designee.go("/trusted-person/invitation")
    designee.check("public invitation: code")
    designee.page.locator("#field-code").fill("ZZZZ-ZZZZ")
    designee.submit()
    designee.check("public invitation: wrong code")
    designee.page.locator("#field-code").fill(code)
    designee.submit()
    designee.check("public invitation: the designation and the role")
    assert "Camille MARTIN" in designee.page.locator("main").inner_text()
    designee.page.locator("#field-full_name").fill("Pierre")
    designee.submit("button[value=accept]")
    designee.check("public invitation: name mismatch")
    designee.page.locator("#field-full_name").fill("Paul Martin")
    designee.submit("button[value=accept]")
    designee.check("public invitation: accepted")
    designee.close()

    camille.go(page_path)
    camille.check("trusted person page, co-signed")
    main = camille.page.locator("main").inner_text()
    assert "Paul MARTIN" in main

    doctor = Journey(browser, live_server, language)
    doctor.log_in(demo.BERNARD)
    doctor.go(page_path)
    doctor.check("trusted person page, doctor's read-only view")
    assert "Paul MARTIN" in doctor.page.locator("main").inner_text()
    assert doctor.page.locator("a[href$='/trusted-person/new']").count() == 0
    doctor.close()

    camille.click("Révoquer la désignation" if fr else "Revoke the designation")
    camille.check("revocation confirmation")
    camille.submit()
    camille.check("trusted person page after revocation, with history")
    assert camille.page.locator("main table tbody tr").count() >= 1
    camille.close()
    assert camille.problems + designee.problems + doctor.problems == []
