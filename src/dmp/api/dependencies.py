from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from dmp.accounts import tokens
from dmp.accounts.orm import AccountRow
from dmp.accounts.registration import require_registrar
from dmp.container import Container
from dmp.shared.context import RequestContext
from dmp.shared.errors import N_, AuthenticationRequired
from dmp.web.context import client_ip, get_container, get_db

_bearer = HTTPBearer(auto_error=False, description="Access token from POST /api/v1/auth/token")

ContainerDep = Annotated[Container, Depends(get_container)]
DbDep = Annotated[Session, Depends(get_db)]


def request_context(request: Request) -> RequestContext:
    return RequestContext(
        ip=client_ip(request),
        user_agent=request.headers.get("user-agent"),
        request_id=getattr(request.state, "request_id", None),
        channel="api",
    )


@dataclass(frozen=True)
class ApiActor:
    account: AccountRow
    claims: tokens.AccessClaims
    ctx: RequestContext


def get_actor(
    request: Request,
    container: ContainerDep,
    db: DbDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> ApiActor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise AuthenticationRequired(
            N_("Authentification requise : envoyez un jeton d'accès (Authorization: Bearer …)."),
            code="authentication-required",
        )
    claims, account = tokens.verify_access_account(db, container.security, credentials.credentials)
    ctx = request_context(request).as_account(account.id, account.role_names)
    return ApiActor(account=account, claims=claims, ctx=ctx)


ActorDep = Annotated[ApiActor, Depends(get_actor)]


def get_registrar(actor: ActorDep) -> ApiActor:
    """Professionals and operators only; checked before the request body, so other callers
    learn nothing from validation errors."""
    require_registrar(actor.ctx)
    return actor


RegistrarDep = Annotated[ApiActor, Depends(get_registrar)]
