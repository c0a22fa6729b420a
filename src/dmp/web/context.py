"""The per-request view of a browser visit: database session, web session, language, account.

Routes receive a :class:`Web` and end with :meth:`Web.render` or :meth:`Web.redirect`, which
commit the unit of work before the response is built. A route that wants to show a form error
wraps the service call in ``with web.db.begin_nested():`` so the failed work is undone while
the rest (the session itself) is kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from dmp.accounts import web_sessions
from dmp.accounts.orm import AccountRow, WebSessionRow
from dmp.accounts.queries import active_account
from dmp.container import Container
from dmp.identity.model import Role
from dmp.shared.context import RequestContext
from dmp.shared.crypto import constant_time_equals
from dmp.shared.errors import (
    N_,
    DomainError,
    FieldError,
    InvalidInput,
    PermissionDenied,
    TooManyAttempts,
)
from dmp.shared.i18n import (
    LANGUAGES,
    format_date,
    format_datetime,
    local_date,
    negotiate,
    normalise_language,
    translate,
)
from dmp.web.templating import build_environment

SESSION_COOKIE = "dmp_session"
R = TypeVar("R", bound=Response)


class LoginRequired(Exception):
    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfFailure(Exception):
    pass


def safe_next(value: str | None, default: str = "/") -> str:
    """Only local paths: ``next`` must never send someone to another site."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def client_ip(request: Request) -> str | None:
    return request.client.host if request.client else None


def get_container(request: Request) -> Container:
    container: Container = request.app.state.container
    return container


def get_db(request: Request) -> Iterator[Session]:
    session = get_container(request).sessions()
    try:
        yield session
    finally:
        session.close()


class Web:
    def __init__(self, request: Request, container: Container, db: Session) -> None:
        self.request = request
        self.container = container
        self.security = container.security
        self.db = db
        token = request.cookies.get(SESSION_COOKIE)
        self.row: WebSessionRow | None = web_sessions.load(db, self.security, token)
        self.account: AccountRow | None = None
        if self.row is not None:
            web_sessions.touch(self.row, self.security)
            self.account = active_account(db, self.row.account_id)
            if self.row.account_id and self.account is None:
                self.row = None  # account disabled since: treat as logged out
        self._new_token: str | None = None
        self.language = self._resolve_language()

    # --- session -------------------------------------------------------------------------
    def _resolve_language(self) -> str:
        for candidate in (
            self.row.language if self.row else None,
            self.account.preferred_language if self.account else None,
        ):
            code = normalise_language(candidate)
            if code:
                return code
        return negotiate(
            self.request.headers.get("accept-language"),
            self.container.settings.default_language,
        )

    def ensure_session(self) -> WebSessionRow:
        if self.row is None:
            # The session stores only a language the person *chose* (POST /language): one
            # negotiated from the browser would otherwise outrank the account's preference.
            token, row = web_sessions.create(self.db, self.security, self.ctx, language=None)
            self.row, self._new_token = row, token
        return self.row

    def replace_session(self, token: str, row: WebSessionRow) -> None:
        self.row, self._new_token = row, token
        self.account = active_account(self.db, row.account_id)

    @property
    def csrf_token(self) -> str:
        return self.ensure_session().csrf_token

    def check_csrf(self, submitted: str | None) -> None:
        if (
            self.row is None
            or not submitted
            or not constant_time_equals(submitted, self.row.csrf_token)
        ):
            raise CsrfFailure()

    @property
    def ctx(self) -> RequestContext:
        base = RequestContext(
            ip=client_ip(self.request),
            user_agent=self.request.headers.get("user-agent"),
            request_id=getattr(self.request.state, "request_id", None),
            channel="web",
        )
        if self.account is not None:
            return base.as_account(self.account.id, self.account.role_names)
        return base

    # --- access --------------------------------------------------------------------------
    def require_account(self, *roles: Role) -> AccountRow:
        if self.account is None:
            url = self.request.url
            # A GET keeps its query (filters, page) across the login; a POST cannot be replayed.
            keep_query = url.query and self.request.method == "GET"
            raise LoginRequired(url.path + (f"?{url.query}" if keep_query else ""))
        if roles and not self.account.role_names & {r.value for r in roles}:
            raise PermissionDenied(N_("Cette page est réservée à d'autres profils d'utilisateurs."))
        return self.account

    @property
    def pending_account_id(self) -> uuid.UUID | None:
        return self.row.pending_account_id if self.row else None

    # --- text ----------------------------------------------------------------------------
    def gettext(self, message: str, **params: Any) -> str:
        return translate(self.language, message, params or None)

    def flash(self, message: str, **params: Any) -> None:
        self.ensure_session().flash = self.gettext(message, **params)[:500]

    # --- responses -----------------------------------------------------------------------
    def _finish(self, response: R) -> R:
        self.db.commit()
        if self._new_token is not None:
            configured = self.container.settings.cookie_secure
            secure = configured if configured is not None else self.request.url.scheme == "https"
            response.set_cookie(
                SESSION_COOKIE,
                self._new_token,
                httponly=True,
                secure=secure,
                samesite="lax",
                path="/",
            )
        return response

    def render(
        self,
        template: str,
        *,
        title: str,
        status_code: int = 200,
        errors: list[FieldError] | None = None,
        values: Mapping[str, Any] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        flash = None
        if self.row is not None and self.row.flash:
            flash, self.row.flash = self.row.flash, None
        env = self.request.app.state.jinja
        html = env.get_template(template).render(
            _=self.gettext,
            web=self,
            lang=self.language,
            languages=LANGUAGES,
            title=self.gettext(title),
            account=self.account,
            csrf_token=self.csrf_token,
            errors=errors or [],
            error_map=_error_map(errors or [], self.gettext),
            values=values or {},
            flash=flash,
            current_path=self.request.url.path,
            format_datetime=lambda moment: format_datetime(moment, self.language),
            format_date=lambda day: format_date(local_date(day), self.language),
            environment=self.container.settings.environment.value,
            otp_minutes=self.container.settings.otp_validity_minutes,
            sms_enabled=self.container.settings.sms_enabled,
            **context,
        )
        return self._finish(HTMLResponse(html, status_code=status_code))

    def redirect(self, url: str) -> RedirectResponse:
        return self._finish(RedirectResponse(url, status_code=303))

    def form_error(
        self,
        template: str,
        error: DomainError,
        *,
        title: str,
        values: Mapping[str, Any] | None = None,
        fields: Mapping[str, str] | None = None,
        **context: Any,
    ) -> HTMLResponse:
        """Re-render a form with the error summary; the failed work was already rolled back.

        ``fields`` renames the domain's field names to the form's own, where they differ (one
        date input feeds two domain fields: its error is shown once, on that input)."""
        field_errors: list[FieldError] = []
        for item in error.errors if isinstance(error, InvalidInput) else []:
            renamed = replace(item, field=(fields or {}).get(item.field, item.field))
            if not any(
                (e.field, e.message) == (renamed.field, renamed.message) for e in field_errors
            ):
                field_errors.append(renamed)
        if not field_errors:
            field_errors = [FieldError("", error.code, error.message, error.params)]
        response = self.render(
            template,
            title=title,
            status_code=error.status if error.status != 401 else 400,
            errors=field_errors,
            values=values,
            **context,
        )
        if isinstance(error, TooManyAttempts):
            response.headers["Retry-After"] = str(error.retry_after)
        return response


def _error_map(errors: list[FieldError], gettext: Any) -> dict[str, str]:
    found: dict[str, str] = {}
    for error in errors:
        if error.field and error.field not in found:
            found[error.field] = gettext(error.message, **dict(error.params))
    return found


def get_web(
    request: Request,
    container: Annotated[Container, Depends(get_container)],
    db: Annotated[Session, Depends(get_db)],
) -> Web:
    return Web(request, container, db)


async def get_web_form(request: Request, web: Annotated[Web, Depends(get_web)]) -> Web:
    """For POST routes: the form's CSRF token must match the session's."""
    form = await request.form()
    submitted = form.get("csrf_token")
    origin = request.headers.get("origin")
    # Host only, not scheme: behind a TLS-terminating proxy the app sees http while the
    # browser says https. The CSRF token remains the main defence.
    if origin and origin != "null" and urlsplit(origin).netloc != request.url.netloc:
        raise CsrfFailure()
    web.check_csrf(submitted if isinstance(submitted, str) else None)
    return web


WebDep = Annotated[Web, Depends(get_web)]
WebFormDep = Annotated[Web, Depends(get_web_form)]

__all__ = ["LoginRequired", "Web", "WebDep", "WebFormDep", "build_environment", "safe_next"]
