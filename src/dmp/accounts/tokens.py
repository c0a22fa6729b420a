"""API bearer tokens.

* Access token: a JWT (HS256, key derived from the root secret) valid 15 minutes, bound to a
  *token family* (``sid``); it stops working as soon as its family is revoked.
* Refresh token: an opaque random string, single use. Each refresh returns a new one; presenting
  an already-used refresh token means it was stolen or replayed, so the whole family is revoked.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import OctKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from dmp.accounts.authentication import StepResult
from dmp.accounts.model import AccountStatus
from dmp.accounts.orm import AccountRow, RefreshTokenRow, TokenFamilyRow
from dmp.accounts.security import Security
from dmp.audit import services as audit
from dmp.audit.model import AuditAction, Outcome, chain_for_account
from dmp.shared.context import RequestContext
from dmp.shared.crypto import new_token, token_digest
from dmp.shared.errors import N_, AuthenticationFailed, AuthenticationRequired

ISSUER = "dmp"
ALGORITHM = "HS256"
INVALID_REFRESH = N_("Ce jeton de renouvellement n'est pas valide. Reconnectez-vous.")
INVALID_ACCESS = N_("Jeton d'accès absent, expiré ou révoqué.")


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str | None  # None for operator-issued tokens, which cannot be renewed
    expires_in: int
    family_id: uuid.UUID


@dataclass(frozen=True)
class AccessClaims:
    account_id: uuid.UUID
    family_id: uuid.UUID
    roles: frozenset[str]


def _key(security: Security) -> OctKey:
    return OctKey.import_key(security.keys.derive("jwt:access"))


def _access_token(security: Security, account: AccountRow, family_id: uuid.UUID) -> str:
    now = security.now()
    claims = {
        "iss": ISSUER,
        "sub": str(account.id),
        "sid": str(family_id),
        "jti": new_token(12),
        "iat": int(now.timestamp()),
        "exp": int(now.timestamp()) + security.settings.access_token_seconds,
        "roles": sorted(account.role_names),
    }
    return jwt.encode(
        {"alg": ALGORITHM, "typ": "at+jwt"}, claims, _key(security), algorithms=[ALGORITHM]
    )


def _new_refresh(session: Session, security: Security, family: TokenFamilyRow) -> str:
    token = new_token()
    now = security.now()
    session.add(
        RefreshTokenRow(
            family_id=family.id,
            token_digest=token_digest(token),
            created_at=now,
            expires_at=min(
                family.expires_at, now + dt.timedelta(days=security.settings.refresh_token_days)
            ),
        )
    )
    return token


def issue(
    session: Session,
    security: Security,
    *,
    account: AccountRow,
    ctx: RequestContext,
    client: str = "api",
    operator: AccountRow | None = None,
) -> TokenPair:
    """Open a token family for ``account``. ``operator`` is set when an operator issued it
    from the command line (``client="cli"``): such a family has no refresh token and ends with
    its single access token, so it does not linger among the person's sessions."""
    now = security.now()
    renewable = client != "cli"
    lifetime = (
        dt.timedelta(days=security.settings.refresh_token_days)
        if renewable
        else dt.timedelta(seconds=security.settings.access_token_seconds)
    )
    family = TokenFamilyRow(
        account_id=account.id,
        client=client,
        created_at=now,
        last_used_at=now,
        expires_at=now + lifetime,
        ip=ctx.ip,
        user_agent=(ctx.user_agent or "")[:300] or None,
    )
    session.add(family)
    session.flush()
    refresh = _new_refresh(session, security, family) if renewable else None
    audit.record(
        session,
        security.clock,
        chain=chain_for_account(account.id),
        action=AuditAction.AuthTokenIssueByOperator
        if client == "cli"
        else AuditAction.AuthTokenIssue,
        context=ctx,
        actor_account_id=operator.id if operator else account.id,
        target=f"TokenFamily/{family.id}",
        details={"client": client},
    )
    return TokenPair(
        _access_token(security, account, family.id),
        refresh,
        security.settings.access_token_seconds,
        family.id,
    )


def refresh(
    session: Session, security: Security, *, refresh_token: str, ctx: RequestContext
) -> tuple[StepResult, TokenPair | None]:
    failure = StepResult(error=AuthenticationFailed(INVALID_REFRESH, code="invalid-refresh-token"))
    if not refresh_token or len(refresh_token) > 200:
        return failure, None
    now = security.now()
    row = session.scalars(
        select(RefreshTokenRow).where(RefreshTokenRow.token_digest == token_digest(refresh_token))
    ).first()
    if row is None:
        return failure, None
    family = session.get(TokenFamilyRow, row.family_id)
    assert family is not None
    account = session.get(AccountRow, family.account_id)
    assert account is not None
    # Compare-and-set, so two concurrent uses of one token cannot both succeed.
    claimed = session.execute(
        update(RefreshTokenRow)
        .where(RefreshTokenRow.id == row.id, RefreshTokenRow.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    if not claimed:
        if family.revoked_at is None:
            family.revoked_at = now
            family.revoked_reason = "refresh-reuse"
        audit.record(
            session,
            security.clock,
            chain=chain_for_account(account.id),
            action=AuditAction.AuthTokenReuseDetected,
            context=ctx,
            outcome=Outcome.failure,
            actor_account_id=account.id,
            target=f"TokenFamily/{family.id}",
        )
        return failure, None
    if (
        family.revoked_at is not None
        or family.expires_at <= now
        or row.expires_at <= now
        or account.status != AccountStatus.active
    ):
        return failure, None
    family.last_used_at = now
    new_refresh = _new_refresh(session, security, family)
    audit.record(
        session,
        security.clock,
        chain=chain_for_account(account.id),
        action=AuditAction.AuthTokenRefresh,
        context=ctx,
        actor_account_id=account.id,
        target=f"TokenFamily/{family.id}",
    )
    pair = TokenPair(
        _access_token(security, account, family.id),
        new_refresh,
        security.settings.access_token_seconds,
        family.id,
    )
    return StepResult(account_id=account.id), pair


def verify_access(session: Session, security: Security, token: str) -> AccessClaims:
    """Check signature, issuer, expiry, and that the family and account are still live.

    Raises :class:`AuthenticationRequired`.
    """
    return verify_access_account(session, security, token)[0]


def verify_access_account(
    session: Session, security: Security, token: str
) -> tuple[AccessClaims, AccountRow]:
    """:func:`verify_access`, also handing back the account it loaded (the request needs it,
    and loading it again would cost a query on every API call)."""
    failure = AuthenticationRequired(INVALID_ACCESS, code="invalid-token")
    try:
        decoded = jwt.decode(token, _key(security), algorithms=[ALGORITHM])
        jwt.JWTClaimsRegistry(
            now=int(security.now().timestamp()),
            leeway=0,
            iss={"essential": True, "value": ISSUER},
            exp={"essential": True},
            sub={"essential": True},
            sid={"essential": True},
        ).validate(decoded.claims)
        account_id = uuid.UUID(decoded.claims["sub"])
        family_id = uuid.UUID(decoded.claims["sid"])
    except (JoseError, ValueError, KeyError, TypeError) as exc:
        raise failure from exc
    family = session.get(TokenFamilyRow, family_id)
    account = session.get(AccountRow, account_id)
    if (
        family is None
        or family.account_id != account_id
        or family.revoked_at is not None
        or family.expires_at <= security.now()
        or account is None
        or account.status != AccountStatus.active
    ):
        raise failure
    return AccessClaims(account_id, family_id, account.role_names), account


def revoke_family(
    session: Session, security: Security, *, family_id: uuid.UUID, ctx: RequestContext
) -> None:
    family = session.get(TokenFamilyRow, family_id)
    if family is None or family.revoked_at is not None:
        return
    family.revoked_at = security.now()
    family.revoked_reason = "logout"
    audit.record(
        session,
        security.clock,
        chain=chain_for_account(family.account_id),
        action=AuditAction.AuthTokenRevoke,
        context=ctx,
        actor_account_id=family.account_id,
        target=f"TokenFamily/{family.id}",
    )
