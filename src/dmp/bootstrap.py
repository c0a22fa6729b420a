"""Composition root: ``create_app(settings)`` is the only place the web app is assembled."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from dmp import __version__
from dmp.api import auth as api_auth
from dmp.api import directory as api_directory
from dmp.api import exports as api_exports
from dmp.api import patients as api_patients
from dmp.api import records as api_records
from dmp.api.problems import api_language, domain_problem, problem
from dmp.config import Settings
from dmp.container import Container, build_container
from dmp.observability import health
from dmp.observability.middleware import RequestMiddleware
from dmp.shared.errors import N_, DomainError
from dmp.shared.i18n import translate
from dmp.shared.logging import configure_logging
from dmp.web import account as web_account
from dmp.web import activation as web_activation
from dmp.web import blood_group as web_blood_group
from dmp.web import directives as web_directives
from dmp.web import documents as web_documents
from dmp.web import export as web_export
from dmp.web import factors as web_factors
from dmp.web import health as web_health
from dmp.web import history as web_history
from dmp.web import linked as web_linked
from dmp.web import login as web_login
from dmp.web import notices as web_notices
from dmp.web import pages as web_pages
from dmp.web import patients as web_patients
from dmp.web import pro as web_pro
from dmp.web import profile as web_profile
from dmp.web import record_holder as web_record_holder
from dmp.web import rights as web_rights
from dmp.web import sharing as web_sharing
from dmp.web import trusted_person as web_trusted_person
from dmp.web import vaccinations as web_vaccinations
from dmp.web.context import CsrfFailure, LoginRequired
from dmp.web.errors import CSRF_MESSAGE, domain_error_page, error_page, login_redirect
from dmp.web.templating import STATIC_DIR, build_environment

API_DESCRIPTION = """
REST API of dmp. Authenticate with `POST /api/v1/auth/token` (password and second factor),
send the access token as `Authorization: Bearer …`, renew it with `POST /api/v1/auth/refresh`.
Errors are `application/problem+json` (RFC 9457); messages follow `Accept-Language` (fr, en).
"""


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


def create_app(settings: Settings, *, container: Container | None = None) -> FastAPI:
    configure_logging(settings.log_level, json_output=settings.log_json)
    container = container or build_container(settings)
    app = FastAPI(
        title="dmp",
        version=__version__,
        description=API_DESCRIPTION,
        # FastAPI's Swagger UI loads its scripts from a CDN, which our rules (and our CSP)
        # forbid; the description is served as /openapi.json for any OpenAPI tool.
        docs_url=None,
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.container = container
    app.state.jinja = build_environment()

    def on_error(request: Request) -> Response:
        if _is_api(request):
            language = api_language(request)
            return problem(
                request,
                status=500,
                code="internal-error",
                title=translate(language, N_("Une erreur interne est survenue.")),
            )
        return error_page(request, 500)

    app.add_middleware(RequestMiddleware, metrics=container.metrics, on_error=on_error)

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        return domain_problem(request, exc) if _is_api(request) else domain_error_page(request, exc)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        if not _is_api(request):
            return error_page(request, 400)
        language = api_language(request)
        errors = [
            {
                "field": ".".join(
                    str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path")
                ),
                "code": str(err.get("type", "invalid")),
                "message": str(err.get("msg", "")),
            }
            for err in exc.errors()
        ]
        return problem(
            request,
            status=422,
            code="invalid-input",
            title=translate(language, N_("Certaines informations sont incorrectes.")),
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if _is_api(request):
            language = api_language(request)
            titles = {404: N_("Ressource introuvable."), 405: N_("Méthode non autorisée.")}
            return problem(
                request,
                status=exc.status_code,
                code={404: "not-found", 405: "method-not-allowed"}.get(
                    exc.status_code, "http-error"
                ),
                title=translate(
                    language,
                    titles.get(exc.status_code, N_("Cette demande n'a pas pu être traitée.")),
                ),
                headers=dict(exc.headers) if exc.headers else None,
            )
        return error_page(request, exc.status_code)

    @app.exception_handler(LoginRequired)
    async def _login(_request: Request, exc: LoginRequired) -> Response:
        return login_redirect(exc.next_path)

    @app.exception_handler(CsrfFailure)
    async def _csrf(request: Request, _exc: CsrfFailure) -> Response:
        return error_page(request, 403, CSRF_MESSAGE)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for module in (health, api_auth, api_patients, api_records, api_directory, api_exports):
        app.include_router(module.router)
    for module in (
        web_pages,
        web_login,
        web_activation,
        web_factors,
        web_account,
        web_patients,
        web_pro,
        web_documents,
        web_sharing,
        web_history,
        web_health,
        web_profile,
        web_vaccinations,
        web_directives,
        web_export,
        web_trusted_person,
        web_blood_group,
        web_record_holder,
        web_notices,
        web_linked,
        web_rights,
    ):
        app.include_router(module.router, include_in_schema=False)
    return app


def create_app_from_env() -> Any:
    """ASGI factory for ``uvicorn --factory dmp.bootstrap:create_app_from_env``."""
    from dmp.config import load_settings

    return create_app(load_settings())
