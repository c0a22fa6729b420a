"""The account page: password, second factors, recovery codes, sessions."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form
from fastapi.responses import Response

from dmp.accounts import management, web_sessions
from dmp.accounts.authentication import remaining_recovery_codes
from dmp.accounts.model import FactorKind
from dmp.accounts.orm import MfaFactorRow
from dmp.accounts.passwords import MIN_LENGTH, PASSPHRASE_LENGTH
from dmp.accounts.queries import confirmed_factors
from dmp.shared.errors import N_, DomainError, NotFound
from dmp.web.context import WebDep, WebFormDep
from dmp.web.helpers import mask_destination

router = APIRouter()

ACCOUNT_TITLE = N_("Mon compte")
PASSWORD_TITLE = N_("Changer de mot de passe")
SESSIONS_TITLE = N_("Sessions ouvertes")
REMOVE_TITLE = N_("Retirer un second facteur")
CODES_TITLE = N_("Vos codes de secours")
NEW_CODES_TITLE = N_("Générer de nouveaux codes de secours")


@router.get("/account")
def overview(web: WebDep) -> Response:
    account = web.require_account()
    confirmed = confirmed_factors(web.db, account.id)
    factors = [(f, mask_destination(f.destination)) for f in confirmed]
    phones = [f for f in confirmed if f.kind == FactorKind.sms]
    return web.render(
        "account/overview.html",
        title=ACCOUNT_TITLE,
        factors=factors,
        remaining_codes=remaining_recovery_codes(web.db, account.id),
        # Notices by SMS go to a number the person proved they hold: an SMS second factor.
        sms_phone=mask_destination(phones[-1].destination) if phones else None,
        is_patient=account.patient_id is not None,
    )


@router.post("/account/notice-channels")
def notice_channels(
    web: WebFormDep, sms: Annotated[str | None, Form(max_length=3)] = None
) -> Response:
    account = web.require_account()
    management.set_notices_by_sms(
        web.db, web.security, account=account, enabled=bool(sms), ctx=web.ctx
    )
    web.flash(
        N_("Vous recevrez aussi vos messages par SMS.")
        if sms
        else N_("Vous ne recevrez plus vos messages par SMS.")
    )
    return web.redirect("/account")


@router.get("/account/password")
def password_form(web: WebDep) -> Response:
    web.require_account()
    return web.render(
        "account/password.html",
        title=PASSWORD_TITLE,
        min_length=MIN_LENGTH,
        passphrase_length=PASSPHRASE_LENGTH,
    )


@router.post("/account/password")
def password_submit(
    web: WebFormDep,
    current_password: Annotated[str, Form(max_length=1024)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    password_confirm: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    account = web.require_account()
    context: dict[str, Any] = {"min_length": MIN_LENGTH, "passphrase_length": PASSPHRASE_LENGTH}
    try:
        with web.db.begin_nested():
            result = management.change_password(
                web.db,
                web.security,
                account=account,
                current=current_password,
                new=password,
                confirm=password_confirm,
                ctx=web.ctx,
                keep_web_session=web.row.id if web.row else None,
            )
    except DomainError as exc:
        return web.form_error("account/password.html", exc, title=PASSWORD_TITLE, **context)
    if not result.ok:
        assert result.error is not None
        return web.form_error(
            "account/password.html", result.error, title=PASSWORD_TITLE, **context
        )
    web.flash(N_("Votre mot de passe est changé. Vos autres sessions ont été fermées."))
    return web.redirect("/account")


@router.get("/account/sessions")
def sessions(web: WebDep) -> Response:
    account = web.require_account()
    active = web_sessions.list_active(
        web.db, web.security, account, current_id=web.row.id if web.row else None
    )
    return web.render("account/sessions.html", title=SESSIONS_TITLE, sessions=active)


@router.post("/account/sessions/revoke")
def revoke_session(
    web: WebFormDep,
    kind: Annotated[str, Form(max_length=10)] = "",
    session_id: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    account = web.require_account()
    web_sessions.revoke(
        web.db, web.security, account, kind=kind, session_id=session_id, ctx=web.ctx
    )
    web.flash(N_("La session a été fermée."))
    return web.redirect("/account/sessions")


def _own_factor(web: WebDep, factor_id: str) -> MfaFactorRow:
    account = web.require_account()
    try:
        factor = web.db.get(MfaFactorRow, uuid.UUID(factor_id))
    except ValueError:
        factor = None
    if factor is None or factor.account_id != account.id:
        raise NotFound(N_("Ce second facteur n'existe pas."))
    return factor


@router.get("/account/second-factors/{factor_id}/remove")
def remove_confirm(web: WebDep, factor_id: str) -> Response:
    factor = _own_factor(web, factor_id)
    return web.render(
        "account/factor_remove.html",
        title=REMOVE_TITLE,
        factor=factor,
        destination=mask_destination(factor.destination),
    )


@router.post("/account/second-factors/{factor_id}/remove")
def remove(web: WebFormDep, factor_id: str) -> Response:
    factor = _own_factor(web, factor_id)
    account = web.require_account()
    try:
        with web.db.begin_nested():
            management.remove_factor(
                web.db, web.security, account=account, factor_id=factor.id, ctx=web.ctx
            )
    except DomainError as exc:
        return web.form_error(
            "account/factor_remove.html",
            exc,
            title=REMOVE_TITLE,
            factor=factor,
            destination=mask_destination(factor.destination),
        )
    web.flash(N_("Le second facteur a été retiré."))
    return web.redirect("/account")


@router.get("/account/recovery-codes")
def codes_confirm(web: WebDep) -> Response:
    account = web.require_account()
    return web.render(
        "account/recovery_codes_new.html",
        title=NEW_CODES_TITLE,
        remaining_codes=remaining_recovery_codes(web.db, account.id),
    )


@router.post("/account/recovery-codes")
def codes_generate(web: WebFormDep) -> Response:
    account = web.require_account()
    codes = management.regenerate_recovery_codes(web.db, web.security, account=account, ctx=web.ctx)
    return web.render(
        "account/recovery_codes.html", title=CODES_TITLE, codes=codes, next="/account"
    )
