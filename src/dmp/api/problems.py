"""RFC 9457 problem details for everything under ``/api``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from dmp.shared.errors import DomainError, FieldError, InvalidInput, TooManyAttempts
from dmp.shared.i18n import negotiate, translate

PROBLEM_JSON = "application/problem+json"


def api_language(request: Request) -> str:
    default = request.app.state.container.settings.default_language
    return negotiate(request.headers.get("accept-language"), default)


def problem(
    request: Request,
    *,
    status: int,
    code: str,
    title: str,
    detail: str | None = None,
    errors: Sequence[dict[str, Any]] = (),
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{code}",
        "title": title,
        "status": status,
        "code": code,
        "instance": request.url.path,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = list(errors)
    request_id = getattr(request.state, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    if extra:
        body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def field_errors(language: str, errors: Sequence[FieldError]) -> list[dict[str, Any]]:
    return [
        {"field": e.field, "code": e.code, "message": translate(language, e.message, e.params)}
        for e in errors
    ]


def domain_problem(request: Request, error: DomainError, **extra: Any) -> JSONResponse:
    language = api_language(request)
    headers = None
    if isinstance(error, TooManyAttempts):
        headers = {"Retry-After": str(error.retry_after)}
    elif error.status == 401:
        headers = {"WWW-Authenticate": 'Bearer realm="dmp"'}
    return problem(
        request,
        status=error.status,
        code=error.code,
        title=translate(language, error.message, error.params),
        errors=field_errors(language, error.errors) if isinstance(error, InvalidInput) else (),
        headers=headers,
        extra=extra or None,
    )
