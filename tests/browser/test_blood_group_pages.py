"""The blood-group pages in Chromium, checked by axe-core in French and English: Camille's
verified card, the form for her son's card with its errors, the printable card, and the public
verification page in its three answers (current, no longer current, not authentic)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from browser_journey import Journey

from dmp import demo
from dmp.bloodgroup import services, verification
from dmp.identity import services as identity_services
from dmp.shared.db import transaction


def patient(live_server: Any, nir: str) -> uuid.UUID:
    with transaction(live_server.container.sessions) as session:
        found = identity_services.patient_by_matricule(session, nir)
        assert found is not None
        return found.id


def tokens(live_server: Any, patient_id: uuid.UUID) -> tuple[str, str]:
    """The current card's token, and an authentic one for a version that is not current."""
    keys = live_server.container.security.keys
    with transaction(live_server.container.sessions) as session:
        row = services.stored_current(session, patient_id)
        assert row is not None
        old = verification.sign(row.id, row.version + 7, services.signing_key(keys))
        return services.card_token(row, keys), old


@pytest.mark.parametrize("language", ["fr", "en"])
def test_blood_group_pages_are_accessible(browser: Any, live_server: Any, language: str) -> None:
    fr = language == "fr"
    camille, leo = patient(live_server, demo.CAMILLE_NIR), patient(live_server, demo.LEO_NIR)
    j = Journey(browser, live_server, language)
    j.log_in(demo.CAMILLE)
    j.go(f"/records/{camille}/blood-group")
    j.check("blood-group card page")
    main = j.page.locator("main").inner_text()
    assert "A RhD+ (RH1+)" in main
    assert ("Vérifiée par un professionnel" if fr else "Verified by") in main
    pdf = j.page.request.get(j.page.url + "/card.pdf")
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
    j.click("Versions de la carte" if fr else "Card versions")
    j.check("blood-group versions")

    # Léo's record: no card yet; the form, submitted incomplete, shows every problem.
    j.go(f"/records/{leo}/blood-group")
    j.check("blood-group page without a card")
    j.click("Saisir la carte de groupe sanguin" if fr else "Enter the blood group card")
    j.check("blood-group form")
    j.page.locator("label[for='field-rhd']").click()
    j.page.locator("label[for='field-big_c-present']").click()
    j.page.locator("label[for='field-rai_result-positive']").click()
    j.submit()
    j.check("blood-group form with errors")
    summary = j.page.locator(".error-summary").inner_text()
    assert ("Choisissez le groupe ABO" if fr else "ABO") in summary
    assert j.page.locator("#field-abo[aria-invalid], .field-has-error #field-abo").count() >= 1
    assert j.page.evaluate("document.activeElement.className").startswith("error-summary")

    # The verification page: current, then no longer current, then forged.
    current, outdated = tokens(live_server, camille)
    j.go(f"/verify/blood-group/{current}")
    j.check("verification: current")
    assert ("Carte authentique et à jour" if fr else "Authentic and current card") in (
        j.page.locator("main").inner_text()
    )
    j.go(f"/verify/blood-group/{outdated}")
    j.check("verification: no longer current")
    j.go(f"/verify/blood-group/{current[:-3]}xyz")
    j.check("verification: not authentic")
    assert ("Carte non authentique" if fr else "Card not authentic") in (
        j.page.locator("main").inner_text()
    )
    # Without logging in: the page is public (in the browser's language, French here).
    j.context.clear_cookies()
    j.go(f"/verify/blood-group/{current}")
    assert "/login" not in j.page.url
    if fr:
        j.check("verification, anonymous")
    j.close()
    assert j.problems == [], "\n".join(j.problems)
    assert j.checked >= 9 if fr else j.checked >= 8
