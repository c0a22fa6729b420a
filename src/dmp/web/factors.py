"""Adding a second factor: during activation, after a login without one, or from the account
page. The first confirmed factor of a new account completes its activation and logs it in."""

from __future__ import annotations

import base64
import uuid
from typing import Annotated, Any

import qrcode
import qrcode.image.svg
from fastapi import APIRouter, Form
from fastapi.responses import Response

from dmp.accounts import management, web_sessions
from dmp.accounts.model import AccountStatus, FactorKind
from dmp.accounts.orm import AccountRow, MfaFactorRow
from dmp.shared.errors import N_, DomainError, NotFound
from dmp.web.context import LoginRequired, Web, WebDep, WebFormDep, safe_next
from dmp.web.helpers import mask_destination

router = APIRouter()

CHOOSE_TITLE = N_("Ajouter un second facteur")
CONFIRM_TITLE = N_("Confirmer votre second facteur")
CODES_TITLE = N_("Vos codes de secours")


def enrolling_account(web: Web) -> tuple[AccountRow, bool]:
    """The account adding a factor, and whether it does so before being logged in (the last
    step of an activation)."""
    if web.account is not None:
        return web.account, False
    row = web.row
    if row is not None and row.pending_step == "enrol-factor" and row.pending_account_id:
        account = web.db.get(AccountRow, row.pending_account_id)
        # Only an activation in progress: an active account adds factors once logged in.
        if account is not None and account.status == AccountStatus.pending:
            return account, True
    raise LoginRequired("/account")


def qr_data_uri(uri: str) -> str:
    image = qrcode.make(uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=10, border=2)
    svg = image.to_string(encoding="unicode")
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


@router.get("/account/second-factors/new")
def choose(web: WebDep) -> Response:
    account, during = enrolling_account(web)
    return web.render(
        "account/factor_new.html", title=CHOOSE_TITLE, enrolling=account, during_activation=during
    )


@router.post("/account/second-factors/new")
def start(
    web: WebFormDep,
    kind: Annotated[str, Form(max_length=10)] = "",
    phone: Annotated[str | None, Form(max_length=30)] = None,
) -> Response:
    account, during = enrolling_account(web)
    if kind == FactorKind.totp:
        enrolment = management.begin_totp(web.db, web.security, account=account)
        return web.redirect(f"/account/second-factors/{enrolment.factor_id}/confirm")
    if kind in (FactorKind.email, FactorKind.sms):
        try:
            with web.db.begin_nested():
                result = management.begin_code_factor(
                    web.db,
                    web.security,
                    account=account,
                    kind=FactorKind(kind),
                    destination=phone if kind == FactorKind.sms else None,
                    ctx=web.ctx,
                    language=web.language,
                )
        except DomainError as exc:
            return web.form_error(
                "account/factor_new.html",
                exc,
                title=CHOOSE_TITLE,
                enrolling=account,
                during_activation=during,
                values={"kind": kind, "phone": phone or ""},
            )
        if not result.ok:
            assert result.error is not None
            return web.form_error(
                "account/factor_new.html",
                result.error,
                title=CHOOSE_TITLE,
                enrolling=account,
                during_activation=during,
                values={"kind": kind},
            )
        return web.redirect(f"/account/second-factors/{result.details['factor_id']}/confirm")
    from dmp.shared.errors import InvalidInput

    error = InvalidInput.single("kind", "required", N_("Choisissez comment recevoir vos codes."))
    return web.form_error(
        "account/factor_new.html",
        error,
        title=CHOOSE_TITLE,
        enrolling=account,
        during_activation=during,
    )


def _pending_factor(web: Web, account: AccountRow, factor_id: str) -> MfaFactorRow:
    try:
        factor = web.db.get(MfaFactorRow, uuid.UUID(factor_id))
    except ValueError:
        factor = None
    if factor is None or factor.account_id != account.id or factor.confirmed_at is not None:
        raise NotFound(N_("Cet ajout de second facteur n'existe plus ; recommencez."))
    return factor


def _confirm_page(
    web: Web, account: AccountRow, factor: MfaFactorRow, error: DomainError | None = None
) -> Response:
    context: dict[str, Any] = {
        "factor": factor,
        "destination": mask_destination(factor.destination),
    }
    if factor.kind == FactorKind.totp:
        enrolment = management.totp_enrolment(
            web.db, web.security, account=account, factor_id=factor.id
        )
        context["secret"] = " ".join(
            enrolment.secret[i : i + 4] for i in range(0, len(enrolment.secret), 4)
        )
        context["qr"] = qr_data_uri(enrolment.uri)
    if error is not None:
        return web.form_error("account/factor_confirm.html", error, title=CONFIRM_TITLE, **context)
    return web.render("account/factor_confirm.html", title=CONFIRM_TITLE, **context)


@router.get("/account/second-factors/{factor_id}/confirm")
def confirm_form(web: WebDep, factor_id: str) -> Response:
    account, _ = enrolling_account(web)
    factor = _pending_factor(web, account, factor_id)
    return _confirm_page(web, account, factor)


@router.post("/account/second-factors/{factor_id}/confirm")
def confirm_submit(
    web: WebFormDep, factor_id: str, code: Annotated[str, Form(max_length=64)] = ""
) -> Response:
    account, during = enrolling_account(web)
    factor = _pending_factor(web, account, factor_id)
    outcome = management.confirm_factor(
        web.db, web.security, account=account, factor_id=factor.id, code=code, ctx=web.ctx
    )
    if not outcome.result.ok:
        assert outcome.result.error is not None
        return _confirm_page(web, account, factor, outcome.result.error)
    target = "/account"
    if during:
        row = web.row
        assert row is not None
        target = safe_next(row.pending_data) if row.pending_data else "/"
        token, new_row = web_sessions.log_in(
            web.db, web.security, row, account_id=account.id, ctx=web.ctx
        )
        web.replace_session(token, new_row)
    if outcome.activated:
        web.flash(N_("Votre espace est activé. Bienvenue !"))
    else:
        web.flash(N_("Votre second facteur est ajouté."))
    if outcome.recovery_codes:
        return web.render(
            "account/recovery_codes.html",
            title=CODES_TITLE,
            codes=outcome.recovery_codes,
            next=target,
        )
    return web.redirect(target)
