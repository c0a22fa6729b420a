"""Server-side browser sessions.

The cookie carries a random token; the table stores only its SHA-256, so a database leak does
not hand out live sessions. A session starts anonymous (language, CSRF token, a login in
progress) and gets a *new* token when the person logs in, so a token planted before login
(session fixation) is worthless after it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.accounts.orm import AccountRow, TokenFamilyRow, WebSessionRow
from dmp.accounts.security import Security
from dmp.audit import services as audit
from dmp.audit.model import AuditAction, chain_for_account
from dmp.shared.context import RequestContext
from dmp.shared.crypto import new_token, token_digest
from dmp.shared.errors import N_, NotFound

# A login or activation left half-way is forgotten after this long.
PENDING_TTL = dt.timedelta(minutes=15)


def _expired(row: WebSessionRow, security: Security, now: dt.datetime) -> bool:
    settings = security.settings
    if row.revoked_at is not None:
        return True
    if now - row.last_seen_at > dt.timedelta(minutes=settings.session_idle_minutes):
        return True
    started = row.authenticated_at or row.created_at
    return now - started > dt.timedelta(hours=settings.session_absolute_hours)


def load(session: Session, security: Security, token: str | None) -> WebSessionRow | None:
    """The live session for a cookie token, or None (unknown, revoked, idle or too old)."""
    if not token or len(token) > 200:
        return None
    row = session.get(WebSessionRow, token_digest(token))
    if row is None or _expired(row, security, security.now()):
        return None
    if row.pending_since and security.now() - row.pending_since > PENDING_TTL:
        clear_pending(row)
    return row


def create(
    session: Session,
    security: Security,
    ctx: RequestContext,
    *,
    language: str | None,
    account_id: uuid.UUID | None = None,
) -> tuple[str, WebSessionRow]:
    token = new_token()
    now = security.now()
    row = WebSessionRow(
        id=token_digest(token),
        account_id=account_id,
        csrf_token=new_token(24),
        language=language,
        created_at=now,
        last_seen_at=now,
        authenticated_at=now if account_id else None,
        ip=ctx.ip,
        user_agent=(ctx.user_agent or "")[:300] or None,
    )
    session.add(row)
    session.flush()
    return token, row


def touch(row: WebSessionRow, security: Security) -> None:
    now = security.now()
    # Writing on every request costs a row lock; a minute of idle-time precision is plenty.
    if now - row.last_seen_at > dt.timedelta(seconds=60):
        row.last_seen_at = now


def start_pending(
    row: WebSessionRow,
    security: Security,
    *,
    account_id: uuid.UUID,
    step: str,
    data: str | None = None,
) -> None:
    row.pending_account_id = account_id
    row.pending_step = step
    row.pending_since = security.now()
    row.pending_data = data


def clear_pending(row: WebSessionRow) -> None:
    row.pending_account_id = None
    row.pending_step = None
    row.pending_since = None
    row.pending_data = None


def log_in(
    session: Session,
    security: Security,
    previous: WebSessionRow,
    *,
    account_id: uuid.UUID,
    ctx: RequestContext,
) -> tuple[str, WebSessionRow]:
    """Replace ``previous`` by a fresh authenticated session (new token, new CSRF token)."""
    now = security.now()
    previous.revoked_at = now
    previous.revoked_reason = "rotated"
    clear_pending(previous)
    return create(session, security, ctx, language=previous.language, account_id=account_id)


def log_out(session: Session, security: Security, row: WebSessionRow, ctx: RequestContext) -> None:
    row.revoked_at = security.now()
    row.revoked_reason = "logout"
    if row.account_id:
        audit.record(
            session,
            security.clock,
            chain=chain_for_account(row.account_id),
            action=AuditAction.AuthLogout,
            context=ctx,
            actor_account_id=row.account_id,
        )


@dataclass(frozen=True)
class ActiveSession:
    kind: str  # web | api
    id: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    ip: str | None
    user_agent: str | None
    current: bool


def list_active(
    session: Session, security: Security, account: AccountRow, *, current_id: str | None
) -> list[ActiveSession]:
    now = security.now()
    found: list[ActiveSession] = []
    for row in session.scalars(
        select(WebSessionRow).where(
            WebSessionRow.account_id == account.id, WebSessionRow.revoked_at.is_(None)
        )
    ):
        if _expired(row, security, now):
            continue
        found.append(
            ActiveSession(
                "web",
                row.id[:32],
                row.authenticated_at or row.created_at,
                row.last_seen_at,
                row.ip,
                row.user_agent,
                row.id == current_id,
            )
        )
    for family in session.scalars(
        select(TokenFamilyRow).where(
            TokenFamilyRow.account_id == account.id,
            TokenFamilyRow.revoked_at.is_(None),
            TokenFamilyRow.expires_at > now,
        )
    ):
        found.append(
            ActiveSession(
                "api",
                str(family.id),
                family.created_at,
                family.last_used_at,
                family.ip,
                family.user_agent or family.client,
                False,
            )
        )
    return sorted(found, key=lambda s: s.last_seen_at, reverse=True)


def revoke(
    session: Session,
    security: Security,
    account: AccountRow,
    *,
    kind: str,
    session_id: str,
    ctx: RequestContext,
) -> None:
    """Revoke one of the account's own sessions; another account's id is simply not found."""
    now = security.now()
    if kind == "web":
        matches = (
            list(
                session.scalars(
                    select(WebSessionRow).where(
                        WebSessionRow.account_id == account.id,
                        WebSessionRow.revoked_at.is_(None),
                        WebSessionRow.id.startswith(session_id[:32], autoescape=True),
                    )
                )
            )
            if len(session_id) >= 32
            else []
        )
        if len(matches) != 1:
            raise NotFound(N_("Cette session n'existe pas ou est déjà fermée."))
        matches[0].revoked_at = now
        matches[0].revoked_reason = "revoked"
    elif kind == "api":
        try:
            family = session.get(TokenFamilyRow, uuid.UUID(session_id))
        except ValueError:
            family = None
        if family is None or family.account_id != account.id or family.revoked_at is not None:
            raise NotFound(N_("Cette session n'existe pas ou est déjà fermée."))
        family.revoked_at = now
        family.revoked_reason = "revoked"
    else:
        raise NotFound(N_("Cette session n'existe pas ou est déjà fermée."))
    audit.record(
        session,
        security.clock,
        chain=chain_for_account(account.id),
        action=AuditAction.AuthSessionRevoke,
        context=ctx,
        actor_account_id=account.id,
        details={"kind": kind},
    )
