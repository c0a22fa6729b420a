"""axe-core finds no WCAG 2.1 A/AA violation on any page, in French and in English.

Each flow is walked as a person would (forms filled, errors provoked), and every page it shows
is checked: anonymous pages, login steps, activation steps, account pages, the professional's
patient registration, error pages and the documentation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe

from dmp import demo

TAGS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
DOCS = ("user-guide", "security", "api", "operations")


class Auditor:
    def __init__(self, page: Any, language: str) -> None:
        self.page = page
        self.language = language
        self.axe = Axe()
        self.problems: list[str] = []
        self.checked: list[str] = []

    def check(self, label: str) -> None:
        lang = self.page.evaluate("document.documentElement.lang")
        if lang != self.language:
            self.problems.append(f"{label}: <html lang={lang!r}>, expected {self.language!r}")
        response = self.axe.run(self.page, options=TAGS).response
        for violation in response["violations"]:
            targets = [node["target"] for node in violation["nodes"]][:5]
            self.problems.append(f"{label}: {violation['id']} ({violation['impact']}) {targets}")
        self.checked.append(label)

    def visit(self, path: str, label: str | None = None) -> None:
        self.page.goto(self.url(path))
        self.check(label or path)

    def url(self, path: str) -> str:
        return self.base + path

    base = ""


def submit(page: Any, selector: str = "main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.locator(selector).first.click()


def choose_language(page: Any, base: str, language: str) -> None:
    page.goto(base + "/")
    if language == "en":
        submit(page, "form[action='/language'] button")


def log_in(audit: Auditor, account: demo.DemoAccount) -> None:
    """Password, then a code by e-mail: unlike TOTP codes, each one is new, so the French and
    English runs can log the same person in within one 30-second step."""
    page = audit.page
    page.goto(audit.url("/login"))
    page.locator("#field-email").fill(account.email)
    page.locator("#field-password").fill(demo.DEMO_PASSWORD)
    submit(page)
    submit(page, "form[action='/login/send-code'] button")
    message = audit.live_server.outbox.last(account.email)  # type: ignore[attr-defined]
    code = re.search(r"\b[0-9]{6}\b", message.body)
    assert code, message.body
    page.locator("#field-code").fill(code.group(0))
    submit(page)
    assert page.url == audit.url("/"), page.url


def anonymous_pages(audit: Auditor) -> None:
    for path in ("/", "/login", "/activation", "/help", "/dev/outbox", "/this-page-does-not-exist"):
        audit.visit(path)
    for slug in DOCS:
        audit.visit(f"/help/{slug}")
    audit.page.goto(audit.url("/login"))
    submit(audit.page)
    audit.check("login with errors")
    audit.page.goto(audit.url("/activation"))
    audit.page.locator("#field-ins_matricule").fill("2850375056123 99")
    submit(audit.page)
    audit.check("activation with errors")


def login_steps(audit: Auditor) -> None:
    page = audit.page
    page.goto(audit.url("/login"))
    page.locator("#field-email").fill(demo.PETIT.email)
    page.locator("#field-password").fill(demo.DEMO_PASSWORD)
    submit(page)
    audit.check("second factor: authenticator app")
    page.locator("#field-code").fill("000000")
    submit(page)
    audit.check("second factor: wrong code")
    submit(page, "form[action='/login/send-code'] button")
    audit.check("second factor: code sent by e-mail")
    page.goto(audit.url("/login/second-factor?method=recovery"))
    audit.check("second factor: recovery code")


def patient_pages(audit: Auditor) -> None:
    page = audit.page
    log_in(audit, demo.CAMILLE)
    audit.check("patient home")
    for path in (
        "/account",
        "/account/password",
        "/account/sessions",
        "/account/second-factors/new",
    ):
        audit.visit(path)
    page.goto(audit.url("/account/password"))
    page.locator("#field-current_password").fill("wrong")
    page.locator("#field-password").fill("short")
    submit(page)
    audit.check("password change with errors")
    page.goto(audit.url("/account/second-factors/new"))
    submit(page)
    audit.check("new second factor with errors")
    page.locator("label[for='field-kind']").click()  # the first option: authenticator app
    submit(page)
    audit.check("authenticator app enrolment (QR code)")
    page.goto(audit.url("/account/second-factors/new"))
    page.locator("label[for='field-kind-email']").click()
    submit(page)
    audit.check("e-mail factor confirmation")
    page.goto(audit.url("/account"))
    page.locator("a[href$='/remove']").first.click()
    page.wait_for_load_state()
    audit.check("remove a second factor")
    audit.visit("/account/recovery-codes")
    submit(page)
    audit.check("new recovery codes")
    audit.visit("/patients/new", "forbidden page (403)")


def professional_pages(audit: Auditor, register_email: str, body: str) -> str:
    """Registers a patient and returns the activation code e-mailed to them."""
    page = audit.page
    log_in(audit, demo.BERNARD)
    audit.check("professional home")
    audit.visit("/patients/new")
    submit(page)
    audit.check("patient registration with errors")
    fields = {
        "birth_name": "DURAND",
        "first_given_name": "Inès",
        "birth_given_names": "Inès Marie",
        "birth_day": "2",
        "birth_month": "2",
        "birth_year": "1990",
        "birth_place_code": "69123",
        "email": register_email,
    }
    for name, value in fields.items():
        page.locator(f"[name='{name}']").fill(value)
    page.locator("label[for='field-sex']").click()  # Féminin
    page.locator("#field-ins_matricule").fill(nir(body))
    submit(page)
    audit.check("patient registered")
    return activation_code(audit, register_email)


def nir(body: str) -> str:
    return body + f"{97 - int(body) % 97:02d}"


def activation_code(audit: Auditor, email: str) -> str:
    message = audit.live_server.outbox.last(email)  # type: ignore[attr-defined]
    match = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", message.body)
    assert match, message.body
    return match.group(0)


def activation_steps(audit: Auditor, code: str, body: str) -> None:
    page = audit.page
    page.goto(audit.url("/activation"))
    page.locator("#field-code").fill(code)
    page.locator("#field-ins_matricule").fill(nir(body))
    page.locator("#field-birth_date").fill("2")
    page.locator("#field-birth_month").fill("2")
    page.locator("#field-birth_year").fill("1990")
    submit(page)
    audit.check("activation: password")
    page.locator("#field-password").fill("azerty")
    submit(page)
    audit.check("activation: password with errors")
    page.locator("#field-password").fill("une phrase de passe vraiment longue")
    page.locator("#field-password_confirm").fill("une phrase de passe vraiment longue")
    submit(page)
    audit.check("activation: choose second factor")
    page.locator("label[for='field-kind']").click()
    submit(page)
    audit.check("activation: authenticator app")
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    page.locator("#field-code").fill(pyotp.TOTP(secret).now())
    submit(page)
    audit.check("activation: recovery codes")


@pytest.mark.parametrize("language", ["fr", "en"])
def test_every_page_has_no_axe_violation(browser: Any, live_server: Any, language: str) -> None:
    flows: list[Callable[[Auditor], object]] = [
        anonymous_pages,
        login_steps,
        patient_pages,
    ]
    checked: list[str] = []
    problems: list[str] = []
    for flow in flows:
        context = browser.new_context(locale="fr-FR")
        audit = Auditor(context.new_page(), language)
        audit.base = live_server.url
        audit.live_server = live_server  # type: ignore[attr-defined]
        choose_language(audit.page, live_server.url, language)
        flow(audit)
        checked += audit.checked
        problems += audit.problems
        context.close()

    context = browser.new_context(locale="fr-FR")
    audit = Auditor(context.new_page(), language)
    audit.base = live_server.url
    audit.live_server = live_server  # type: ignore[attr-defined]
    choose_language(audit.page, live_server.url, language)
    # One patient per language: the live server is shared by both runs.
    body = {"fr": "2900269123045", "en": "2900269123046"}[language]
    code = professional_pages(audit, f"ines.durand.{language}@demo.test", body)
    context.close()
    context = browser.new_context(locale="fr-FR")
    activation = Auditor(context.new_page(), language)
    activation.base = live_server.url
    choose_language(activation.page, live_server.url, language)
    activation_steps(activation, code, body)
    context.close()
    checked += audit.checked + activation.checked
    problems += audit.problems + activation.problems

    assert len(checked) >= 35, checked
    assert problems == [], "\n".join(problems)
