"""Per-request plumbing: request id, one JSON log line, metrics, security headers."""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable

from starlette.middleware.base import BaseHTTPMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match
from starlette.types import ASGIApp

from dmp.observability.metrics import Metrics
from dmp.shared.logging import request_id_var

log = logging.getLogger("dmp.http")
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._\-]{1,64}$")

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def route_template(request: Request) -> str:
    """The matched route's path template (never the raw path: it may hold identifiers)."""
    if request.url.path.startswith("/static/"):
        return "/static"
    route = request.scope.get("route")
    if route is not None:
        return str(getattr(route, "path", "other"))
    for candidate in request.app.router.routes:
        match, _ = candidate.matches(request.scope)
        if match is Match.FULL:
            return str(getattr(candidate, "path", "other"))
    return "unmatched"


class RequestMiddleware(BaseHTTPMiddleware):
    def __init__(
        self, app: ASGIApp, metrics: Metrics, on_error: Callable[[Request], Response]
    ) -> None:
        super().__init__(app)
        self.metrics = metrics
        self.on_error = on_error

    async def dispatch(
        self, request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        incoming = request.headers.get("x-request-id", "")
        request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        request.state.request_id = request_id
        started = time.perf_counter()
        status = 500
        try:
            try:
                response = await call_next(request)
            except Exception:
                log.exception("unhandled error")
                response = self.on_error(request)
            status = response.status_code
        finally:
            elapsed = time.perf_counter() - started
            route = route_template(request)
            self.metrics.requests.labels(request.method, route, str(status)).inc()
            self.metrics.latency.labels(request.method, route).observe(elapsed)
            log.info(
                "%s %s %s",
                request.method,
                route,
                status,
                extra={
                    "method": request.method,
                    "path": route,
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 1),
                },
            )
            request_id_var.reset(token)
        response.headers["X-Request-ID"] = request_id
        _secure_headers(request, response)
        return response


def _secure_headers(request: Request, response: Response) -> None:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    headers.setdefault("Content-Security-Policy", CSP)
    if request.url.scheme == "https":
        headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
    if not request.url.path.startswith("/static/"):
        # Pages and API answers may hold personal data: never keep them in shared caches.
        headers.setdefault("Cache-Control", "no-store")
