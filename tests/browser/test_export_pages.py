"""The "Télécharger mes données" page in Chromium, in both languages, checked by axe-core at
each state: nothing asked yet, a copy being prepared (progress bar), a copy ready to download."""

from __future__ import annotations

from typing import Any

import pytest
from browser_journey import Journey

from dmp import demo
from dmp.export import services


@pytest.mark.parametrize("language", ["fr", "en"])
def test_a_mother_asks_for_a_copy_and_downloads_it(
    browser: Any, live_server: Any, language: str
) -> None:
    j = Journey(browser, live_server, language)
    try:
        j.log_in(demo.CAMILLE)
        j.go("/export")
        j.check("export page")
        assert j.page.locator("h1").inner_text() == (
            "Télécharger mes données" if language == "fr" else "Download my data"
        )
        # Her son's profile is offered, ticked; the box is reached and toggled by keyboard.
        box = j.page.locator("#field-include")
        assert box.is_checked()
        box.focus()
        j.page.keyboard.press("Space")
        assert not box.is_checked()
        j.page.keyboard.press("Space")
        j.submit("main form[action='/export'] button[type=submit]")
        j.check("export page, copy being prepared")
        assert j.page.locator("progress").count() >= 1
        assert j.page.locator("main form button[type=submit]").is_disabled()

        services.build_exports(
            live_server.container.sessions,
            live_server.container.settings,
            live_server.container.clock,
            services.storage_for(live_server.container),
        )
        j.go("/export")
        j.check("export page, copy ready")
        link = j.page.locator("a[href$='/download']").first
        response = j.page.request.get(live_server.url + str(link.get_attribute("href")))
        assert response.status == 200
        assert response.body()[:2] == b"PK"
        assert not j.problems, "\n".join(j.problems)
    finally:
        j.close()
