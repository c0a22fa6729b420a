"""Journeys through the shared record in Chromium, each page checked by axe-core:
a patient reads a document, blocks a professional and sees it in the access history; a
professional finds a patient and files a document; emergency access shows its banner."""

from __future__ import annotations

from typing import Any

import pytest
from browser_journey import Journey

from dmp import demo


@pytest.mark.parametrize("language", ["fr", "en"])
def test_patient_reads_blocks_and_checks_history(
    browser: Any, live_server: Any, language: str
) -> None:
    j = Journey(browser, live_server, language)
    j.log_in(demo.CAMILLE)
    j.check("patient home with documents")
    j.click("Mes documents" if language == "fr" else "My documents")
    j.check("documents list")
    assert j.page.locator("tbody tr").count() >= 4
    j.page.locator("label[for='field-archived']").click()
    j.submit("form.filters button[type=submit]")
    j.check("documents list, filtered")
    j.click("Bilan biologique")
    j.check("document page (text)")
    assert "Glycémie" in j.page.locator(".document-view").inner_text()
    j.page.goto(j.page.url.rsplit("/documents", 1)[0] + "/documents")
    j.click("Consultation de suivi")
    j.check("document page (PDF)")
    pdf = j.page.request.get(j.page.url + "/content")
    assert pdf.status == 200
    assert pdf.body().startswith(b"%PDF")
    j.click(
        "Masquer ce document aux professionnels"
        if language == "fr"
        else "Hide this document from professionals"
    )
    j.check("mask confirmation")
    j.page.goto(j.page.url.rsplit("/documents", 1)[0] + "/documents/new")
    j.check("add a document")
    j.submit()
    j.check("add a document, with errors")

    j.click("Accès et confidentialité" if language == "fr" else "Access and privacy")
    j.check("sharing page")
    j.click("Bloquer un professionnel" if language == "fr" else "Block a professional")
    j.check("search a professional")
    j.page.locator("#field-q").fill("Petit")
    j.submit()
    j.check("search results")
    j.click("Choisir" if language == "fr" else "Choose")
    j.check("block confirmation")
    j.submit()
    j.check("sharing page after blocking")
    assert "Julien Petit" in j.page.locator("main").inner_text()

    j.click("Historique des accès" if language == "fr" else "Access history")
    j.check("access history")
    history = j.page.locator("main table").inner_text()
    assert "Dr Julien Petit" in history
    j.page.locator("label[for='field-professionals']").click()
    j.submit("form.filters button[type=submit]")
    j.check("access history, filtered")
    j.go("/notices")
    j.check("notices")
    j.close()
    # Unblock for the next run (the live server is shared).
    k = Journey(browser, live_server, "fr")
    k.log_in(demo.CAMILLE)
    k.click("Accès et confidentialité")
    k.click("Débloquer")
    k.submit()
    k.close()
    assert j.problems == [], "\n".join(j.problems)
    assert j.checked >= 16


@pytest.mark.parametrize("language", ["fr", "en"])
def test_professional_files_a_document_and_emergency_is_shown(
    browser: Any, live_server: Any, language: str
) -> None:
    j = Journey(browser, live_server, language)
    j.log_in(demo.BERNARD)
    j.check("professional home")
    j.go("/pro/patients")
    j.check("find a patient")
    j.submit()
    j.check("find a patient, with errors")
    j.page.locator("#field-ins_matricule").fill(demo.CAMILLE_NIR)
    j.page.locator("#field-birth_date").fill("27")
    j.page.locator("#field-birth_month").fill("3")
    j.page.locator("#field-birth_year").fill("1985")
    j.submit()
    j.check("patient status (authorised)")
    j.click("Ouvrir le dossier" if language == "fr" else "Open the record")
    j.check("professional's document list")
    j.click("Ajouter un document" if language == "fr" else "Add a document")
    j.check("file a document")
    j.page.locator("#field-file").set_input_files(
        files=[{"name": "note.txt", "mimeType": "text/plain", "buffer": b"Note de suivi.\n"}]
    )
    j.page.locator("#field-title").fill(f"Note de suivi {language}")
    j.page.locator("#field-type_code").select_option("11488-4")
    j.page.locator("label[for='field-invisible_to_patient']").click()
    j.submit()
    j.check("filed document (invisible to the patient)")
    assert "Note de suivi" in j.page.locator("h1").inner_text()
    j.click("Changer la visibilité" if language == "fr" else "Change who can see it")
    j.check("visibility form")
    j.page.go_back()
    j.submit("form[action$='/announcement'] button")
    j.check("after the announcement")
    j.click("Supprimer ce document" if language == "fr" else "Delete this document")
    j.check("delete confirmation")
    j.submit()
    j.check("list after deleting")
    j.close()

    # Dr Petit is not authorised on Léo's record: emergency access, with its banner.
    k = Journey(browser, live_server, language)
    k.log_in(demo.PETIT)
    k.go("/pro/patients")
    k.page.locator("#field-ins_matricule").fill(demo.LEO_NIR)
    k.page.locator("#field-birth_date").fill("14")
    k.page.locator("#field-birth_month").fill("6")
    k.page.locator("#field-birth_year").fill("2019")
    k.submit()
    k.check("patient status (no access)")
    k.click(
        "Accès d'urgence (bris de glace)"
        if language == "fr"
        else "Emergency access (bris de glace)"
    )
    k.check("emergency form")
    k.submit()
    k.check("emergency form, with errors")
    k.page.locator("#field-reason").fill("Enfant inconscient, pris en charge aux urgences")
    k.page.locator("label[for='field-confirmed']").click()
    k.submit()
    k.check("record during an emergency access")
    assert k.page.locator(".banner-emergency").is_visible()
    k.submit("form[action$='/emergency/end'] button")
    k.close()
    assert j.problems + k.problems == [], "\n".join(j.problems + k.problems)


def test_a_parent_sees_the_childs_record(browser: Any, live_server: Any) -> None:
    j = Journey(browser, live_server, "fr")
    j.log_in(demo.CAMILLE)
    j.click("Léo MARTIN")
    j.check("child's documents")
    assert "vous agissez comme représentant légal" in j.page.locator(".record-owner").inner_text()
    assert "Certificat de vaccination" in j.page.locator("main").inner_text()
    j.close()
    assert j.problems == [], "\n".join(j.problems)
