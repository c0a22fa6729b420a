"""HTML error pages; the API gets problem+json instead (see ``dmp.bootstrap``)."""

from __future__ import annotations

import logging
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from dmp.shared.errors import N_, DomainError, TooManyAttempts
from dmp.web.context import Web, get_container

log = logging.getLogger("dmp.web")

TITLES = {
    400: N_("Demande incorrecte"),
    401: N_("Connexion nécessaire"),
    403: N_("Accès refusé"),
    404: N_("Page introuvable"),
    405: N_("Action impossible"),
    409: N_("Action impossible"),
    422: N_("Informations incorrectes"),
    429: N_("Trop de tentatives"),
    500: N_("Une erreur est survenue"),
}
MESSAGES = {
    400: N_("Cette demande n'a pas pu être traitée."),
    403: N_("Vous n'avez pas accès à cette page."),
    404: N_(
        "Cette page n'existe pas ou n'est plus disponible. Vérifiez l'adresse ou revenez à"
        " l'accueil."
    ),
    405: N_("Cette action n'est pas possible depuis cette page."),
    500: N_(
        "Le service n'a pas pu traiter votre demande. Réessayez dans quelques minutes ; si le"
        " problème continue, contactez l'assistance en indiquant la référence ci-dessous."
    ),
}
CSRF_MESSAGE = N_(
    "Pour votre sécurité, ce formulaire a expiré. Revenez à la page précédente, rechargez-la et"
    " recommencez."
)


def error_page(
    request: Request,
    status: int,
    message: str | None = None,
    params: dict[str, object] | None = None,
) -> Response:
    title = TITLES.get(status, TITLES[400 if status < 500 else 500])
    text = message or MESSAGES.get(status, MESSAGES[400 if status < 500 else 500])
    container = get_container(request)
    db = container.sessions()
    try:
        web = Web(request, container, db)
        return web.render(
            "errors/error.html",
            title=title,
            status_code=status,
            message=web.gettext(text, **(params or {})),
            request_id=getattr(request.state, "request_id", ""),
        )
    except Exception:  # the error page must never fail, even with the database down
        log.exception("error page rendering failed")
        return HTMLResponse(
            "<!doctype html><html lang=fr><meta charset=utf-8><title>dmp</title>"
            f"<main><h1>Erreur {status}</h1><p>Référence : "
            f"{getattr(request.state, 'request_id', '')}</p><p><a href='/'>Accueil</a></p></main>",
            status_code=status,
        )
    finally:
        db.close()


def domain_error_page(request: Request, error: DomainError) -> Response:
    response = error_page(request, error.status, error.message, dict(error.params))
    if isinstance(error, TooManyAttempts):
        response.headers["Retry-After"] = str(error.retry_after)
    return response


def login_redirect(next_path: str) -> Response:
    return RedirectResponse(f"/login?next={quote(next_path)}", status_code=303)
