"""A person walking through pages in Chromium, every page they see checked by axe-core
(WCAG 2.1 A/AA), in the language they chose. Shared by the browser journeys."""

from __future__ import annotations

import re
from typing import Any

from axe_playwright_python.sync_playwright import Axe

from dmp import demo

TAGS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}


class Journey:
    def __init__(self, browser: Any, server: Any, language: str) -> None:
        self.context = browser.new_context(locale="fr-FR")
        self.page = self.context.new_page()
        self.server = server
        self.language = language
        self.problems: list[str] = []
        self.checked = 0

    def go(self, path: str) -> None:
        self.page.goto(self.server.url + path)

    def submit(self, selector: str = "main form button[type=submit]") -> None:
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()

    def click(self, text: str) -> None:
        with self.page.expect_navigation():
            self.page.get_by_role("link", name=text).first.click()

    def check(self, label: str) -> None:
        assert self.page.evaluate("document.documentElement.lang") == self.language, label
        for violation in Axe().run(self.page, options=TAGS).response["violations"]:
            targets = [n["target"] for n in violation["nodes"]][:5]
            self.problems.append(f"{label}: {violation['id']} {targets}")
        self.checked += 1

    def log_in(self, account: demo.DemoAccount) -> None:
        self.go("/")
        if self.language == "en":
            self.submit("form[action='/language'] button")
        self.go("/login")
        self.page.locator("#field-email").fill(account.email)
        self.page.locator("#field-password").fill(demo.DEMO_PASSWORD)
        self.submit()
        self.submit("form[action='/login/send-code'] button")
        body = self.server.outbox.last(account.email).body
        code = re.search(r"\b[0-9]{6}\b", body)
        assert code
        self.page.locator("#field-code").fill(code.group(0))
        self.submit()

    def close(self) -> None:
        self.context.close()
