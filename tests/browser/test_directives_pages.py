"""Advance directives in Chromium, every page checked by axe-core in French and English: Camille
writes her directives with the guided form (after a mistake), reviews them, signs with her
password and typed name, then asks to revoke them."""

from __future__ import annotations

from typing import Any

import pytest
from browser_journey import Journey

from dmp import demo


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_holder_writes_signs_and_revokes_her_directives(
    browser: Any, live_server: Any, language: str
) -> None:
    j = Journey(browser, live_server, language)
    j.log_in(demo.CAMILLE)
    j.go("/")
    documents = j.page.locator("a[href^='/records/'][href$='/documents']").first
    base = (documents.get_attribute("href") or "").removesuffix("/documents") + "/directives"
    j.go(base)
    j.check("advance directives, none yet")
    j.submit(f"a[href='{base}/new']")
    j.check("advance directives form")
    j.page.locator("#field-other_wishes").fill("")
    j.submit("main form[action$='/review'] button[type=submit]")
    j.check("advance directives form, with errors")
    assert j.page.locator(".error-summary").is_visible()
    j.page.locator("#field-situation").check(force=True)
    j.page.locator("[id='field-treatments.cardiopulmonary-resuscitation-refuse']").check(force=True)
    j.page.locator("#field-sedation").check(force=True)
    j.page.locator("#field-other_wishes").fill("Finir ma vie à la maison.")
    j.page.locator("[id='field-author.birth_place']").fill("Paris")
    j.submit("main form[action$='/review'] button[type=submit]")
    j.check("advance directives review and signing")
    j.page.locator("#field-place").fill("Lyon")
    j.page.locator("#field-typed_name").fill("Camille Martin")
    j.page.locator("#field-password").fill("wrong password")
    j.submit("main form[action$='/sign'] button[type=submit]")
    j.check("advance directives signing, with errors")
    j.page.locator("#field-place").fill("Lyon")
    j.page.locator("#field-typed_name").fill("Camille Martin")
    j.page.locator("#field-password").fill(demo.DEMO_PASSWORD)
    j.submit("main form[action$='/sign'] button[type=submit]")
    j.check("advance directives in force")
    assert j.page.locator(".tag-success").first.is_visible()
    j.submit(f"a[href='{base}/revoke']")
    j.check("revoke advance directives")
    j.submit("main form button[type=submit]")
    j.check("advance directives revoked")
    j.submit(f"a[href='{base}/scan']")
    j.check("file signed advance directives")
    j.close()
    assert j.problems == [], "\n".join(j.problems)
