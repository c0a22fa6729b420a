"""Login (password, then second factor) and logout."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query
from fastapi.responses import Response

from dmp.accounts import authentication, web_sessions
from dmp.accounts.model import FactorKind
from dmp.accounts.orm import AccountRow, MfaFactorRow
from dmp.accounts.queries import preferred_factor
from dmp.shared.errors import (
    N_,
    DomainError,
    FieldError,
    InvalidInput,
    PermissionDenied,
    TooManyAttempts,
)
from dmp.web.context import Web, WebDep, WebFormDep, safe_next
from dmp.web.helpers import mask_destination

router = APIRouter()

LOGIN_TITLE = N_("Se connecter")
SECOND_FACTOR_TITLE = N_("Vérification en deux étapes")


@router.get("/login")
def login_form(web: WebDep, next: Annotated[str | None, Query()] = None) -> Response:
    if web.account is not None:
        return web.redirect(safe_next(next))
    return web.render("auth/login.html", title=LOGIN_TITLE, next=safe_next(next))


@router.post("/login")
def login_submit(
    web: WebFormDep,
    email: Annotated[str, Form(max_length=254)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    next: Annotated[str, Form(max_length=500)] = "/",
) -> Response:
    row = web.ensure_session()
    target = safe_next(next)
    missing = [
        FieldError(name, "required", message)
        for name, value, message in (
            ("email", email.strip(), N_("Saisissez votre adresse e-mail.")),
            ("password", password, N_("Saisissez votre mot de passe.")),
        )
        if not value
    ]
    if missing:
        return web.form_error(
            "auth/login.html",
            InvalidInput(errors=missing),
            title=LOGIN_TITLE,
            values={"email": email},
            next=target,
        )
    result = authentication.check_password(
        web.db, web.security, email=email, password=password, ctx=web.ctx
    )
    metrics = web.container.metrics.logins
    if not result.ok:
        metrics.labels("password", "failure").inc()
        assert result.error is not None
        return web.form_error(
            "auth/login.html", result.error, title=LOGIN_TITLE, values={"email": email}, next=target
        )
    assert result.account_id is not None
    metrics.labels("password", "success").inc()
    options = authentication.second_factor_options(web.db, web.security, result.account_id)
    if not options.usable:
        # Active accounts always have a factor (activation requires one, the last one cannot
        # be removed); letting the password alone enrol a new one would make it one factor.
        error = PermissionDenied(authentication.NO_SECOND_FACTOR, code="no-second-factor")
        return web.form_error(
            "auth/login.html", error, title=LOGIN_TITLE, values={"email": email}, next=target
        )
    web_sessions.start_pending(
        row, web.security, account_id=result.account_id, step="second-factor", data=target
    )
    first = preferred_factor(options.factors)
    if first is None:
        return web.redirect("/login/second-factor?method=recovery")
    if first.kind == FactorKind.totp:
        return web.redirect("/login/second-factor?method=totp")
    account = web.db.get(AccountRow, result.account_id)
    assert account is not None
    sent = authentication.send_login_code(
        web.db, web.security, account=account, factor=first, ctx=web.ctx, language=web.language
    )
    if sent.ok:
        return web.redirect(f"/login/second-factor?method=otp&factor={first.id}")
    return _second_factor_page(web, account, "otp", error=sent.error)


def _pending_login(web: Web) -> AccountRow | None:
    row = web.row
    if row is None or row.pending_step != "second-factor" or row.pending_account_id is None:
        return None
    return web.db.get(AccountRow, row.pending_account_id)


def _second_factor_page(
    web: Web,
    account: AccountRow,
    method: str,
    *,
    factor_id: str | None = None,
    error: DomainError | None = None,
) -> Response:
    factors = authentication.second_factor_options(web.db, web.security, account.id).factors
    code_factors = [f for f in factors if f.kind != FactorKind.totp]
    has_totp = any(f.kind == FactorKind.totp for f in factors)
    if (
        method not in ("totp", "otp", "recovery")
        or (method == "totp" and not has_totp)
        or (method == "otp" and not code_factors)
    ):
        method = "totp" if has_totp else "otp" if code_factors else "recovery"
    sent_to: MfaFactorRow | None = None
    if method == "otp":
        # Only say "we sent a code to…" when a usable code was really sent there.
        live = authentication.factors_with_live_code(web.db, web.security, account.id)
        candidates = [f for f in code_factors if f.id in live]
        sent_to = next((f for f in candidates if str(f.id) == factor_id), None) or (
            candidates[-1] if candidates else None
        )
    context: dict[str, Any] = {
        "method": method,
        "has_totp": has_totp,
        "code_factors": [(f, mask_destination(f.destination)) for f in code_factors],
        "sent_to": mask_destination(sent_to.destination) if sent_to else "",
        "sent_factor_id": str(sent_to.id) if sent_to else "",
    }
    if error is not None:
        return web.form_error(
            "auth/second_factor.html", error, title=SECOND_FACTOR_TITLE, **context
        )
    return web.render("auth/second_factor.html", title=SECOND_FACTOR_TITLE, **context)


@router.get("/login/second-factor")
def second_factor_form(
    web: WebDep,
    method: Annotated[str, Query(max_length=20)] = "totp",
    factor: Annotated[str | None, Query(max_length=40)] = None,
) -> Response:
    account = _pending_login(web)
    if account is None:
        return web.redirect("/login")
    return _second_factor_page(web, account, method, factor_id=factor)


@router.post("/login/second-factor")
def second_factor_submit(
    web: WebFormDep,
    code: Annotated[str, Form(max_length=64)] = "",
    method: Annotated[str, Form(max_length=20)] = "totp",
    factor: Annotated[str | None, Form(max_length=40)] = None,
) -> Response:
    account = _pending_login(web)
    row = web.row
    if account is None or row is None:
        web.flash(N_("Votre connexion a expiré : recommencez."))
        return web.redirect("/login")
    checked_method: authentication.SecondFactorMethod = (
        "recovery" if method == "recovery" else "otp" if method == "otp" else "totp"
    )
    result = authentication.verify_second_factor(
        web.db, web.security, account_id=account.id, method=checked_method, code=code, ctx=web.ctx
    )
    metrics = web.container.metrics.logins
    if not result.ok:
        metrics.labels("second-factor", "failure").inc()
        if isinstance(result.error, TooManyAttempts):
            web_sessions.clear_pending(row)
            assert result.error is not None
            return web.form_error(
                "auth/login.html", result.error, title=LOGIN_TITLE, values={}, next="/"
            )
        return _second_factor_page(
            web, account, checked_method, factor_id=factor, error=result.error
        )
    metrics.labels("second-factor", "success").inc()
    target = safe_next(row.pending_data)
    token, new_row = web_sessions.log_in(
        web.db, web.security, row, account_id=account.id, ctx=web.ctx
    )
    web.replace_session(token, new_row)
    if result.details.get("second_factor") == "recovery":
        remaining = authentication.remaining_recovery_codes(web.db, account.id)
        web.flash(
            N_("Vous avez utilisé un code de secours ; il vous en reste %(count)s."),
            count=remaining,
        )
    return web.redirect(target)


@router.post("/login/send-code")
def send_code(web: WebFormDep, factor: Annotated[str, Form(max_length=40)] = "") -> Response:
    account = _pending_login(web)
    if account is None:
        return web.redirect("/login")
    chosen = next(
        (
            f
            for f in authentication.second_factor_options(web.db, web.security, account.id).factors
            if str(f.id) == factor and f.kind != FactorKind.totp
        ),
        None,
    )
    if chosen is None:
        return web.redirect("/login/second-factor")
    result = authentication.send_login_code(
        web.db, web.security, account=account, factor=chosen, ctx=web.ctx, language=web.language
    )
    if not result.ok:
        return _second_factor_page(web, account, "otp", factor_id=factor, error=result.error)
    web.flash(N_("Un nouveau code vous a été envoyé."))
    return web.redirect(f"/login/second-factor?method=otp&factor={chosen.id}")


@router.post("/logout")
def logout(web: WebFormDep) -> Response:
    if web.row is not None:
        web_sessions.log_out(web.db, web.security, web.row, web.ctx)
        language = web.row.language
        web.row = None
        web.account = None
        token, row = web_sessions.create(web.db, web.security, web.ctx, language=language)
        web.replace_session(token, row)
        web.flash(N_("Vous êtes déconnecté. À bientôt."))
    return web.redirect("/")
