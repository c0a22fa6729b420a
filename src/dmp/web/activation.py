"""Activation of a patient's space: code and identity traits, password, then a second factor."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from dmp.accounts import activation, web_sessions
from dmp.accounts.orm import AccountRow
from dmp.accounts.passwords import MIN_LENGTH, PASSPHRASE_LENGTH
from dmp.identity.nir import parse_matricule
from dmp.shared.errors import N_, FieldError, InvalidInput
from dmp.web.context import Web, WebDep, WebFormDep
from dmp.web.helpers import parse_date_fields

router = APIRouter()

ACTIVATION_TITLE = N_("Activer mon espace")
PASSWORD_TITLE = N_("Choisir votre mot de passe")
FACTOR_TITLE = N_("Choisir votre second facteur")


@router.get("/activation")
def activation_form(web: WebDep) -> Response:
    if web.account is not None:
        return web.redirect("/")
    return web.render("activation/code.html", title=ACTIVATION_TITLE)


@router.post("/activation")
def activation_submit(
    web: WebFormDep,
    code: Annotated[str, Form(max_length=40)] = "",
    ins_matricule: Annotated[str, Form(max_length=40)] = "",
    birth_day: Annotated[str, Form(max_length=4)] = "",
    birth_month: Annotated[str, Form(max_length=4)] = "",
    birth_year: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    values = {
        "code": code,
        "ins_matricule": ins_matricule,
        "birth_day": birth_day,
        "birth_month": birth_month,
        "birth_year": birth_year,
    }
    row = web.ensure_session()
    errors: list[FieldError] = []
    if not code.strip():
        errors.append(FieldError("code", "required", N_("Saisissez le code d'activation reçu.")))
    try:
        parse_matricule(ins_matricule)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    birth_date = None
    try:
        birth_date = parse_date_fields("birth_date", birth_day, birth_month, birth_year)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    if errors or birth_date is None:
        return web.form_error(
            "activation/code.html",
            InvalidInput(errors=errors),
            title=ACTIVATION_TITLE,
            values=values,
        )
    result = activation.verify_activation(
        web.db,
        web.security,
        code=code,
        ins_matricule=ins_matricule,
        birth_date=birth_date,
        ctx=web.ctx,
    )
    if not result.ok:
        assert result.error is not None
        return web.form_error(
            "activation/code.html", result.error, title=ACTIVATION_TITLE, values=values
        )
    assert result.account_id is not None
    web_sessions.start_pending(
        row, web.security, account_id=result.account_id, step="activation-password"
    )
    return web.redirect("/activation/password")


def _activating(web: Web, step: str) -> AccountRow | None:
    row = web.row
    if row is None or row.pending_step != step or row.pending_account_id is None:
        return None
    try:
        return activation.pending_account(web.db, row.pending_account_id)
    except Exception:
        return None


def _password_page(web: Web, error: InvalidInput | None = None) -> Response:
    context: dict[str, Any] = {"min_length": MIN_LENGTH, "passphrase_length": PASSPHRASE_LENGTH}
    if error is not None:
        return web.form_error("activation/password.html", error, title=PASSWORD_TITLE, **context)
    return web.render("activation/password.html", title=PASSWORD_TITLE, **context)


@router.get("/activation/password")
def password_form(web: WebDep) -> Response:
    if _activating(web, "activation-password") is None:
        return web.redirect("/activation")
    return _password_page(web)


@router.post("/activation/password")
def password_submit(
    web: WebFormDep,
    password: Annotated[str, Form(max_length=1024)] = "",
    password_confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    account = _activating(web, "activation-password")
    row = web.row
    if account is None or row is None:
        return web.redirect("/activation")
    try:
        with web.db.begin_nested():
            activation.set_initial_password(
                web.db,
                web.security,
                account_id=account.id,
                password=password,
                confirm=password_confirm,
            )
    except InvalidInput as exc:
        return _password_page(web, exc)
    web_sessions.start_pending(row, web.security, account_id=account.id, step="enrol-factor")
    return web.redirect("/activation/second-factor")


@router.get("/activation/second-factor")
def factor_choice(web: WebDep) -> Response:
    row = web.row
    if row is None or row.pending_step != "enrol-factor" or row.pending_account_id is None:
        return web.redirect("/activation")
    account = web.db.get(AccountRow, row.pending_account_id)
    if account is None:
        return web.redirect("/activation")
    return web.render(
        "account/factor_new.html", title=FACTOR_TITLE, enrolling=account, during_activation=True
    )
