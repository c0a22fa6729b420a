"""Small lookups shared by the account services."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.accounts.model import AccountStatus, FactorKind, normalise_email
from dmp.accounts.orm import AccountRow, MfaFactorRow
from dmp.shared.errors import N_, NotFound


def account_by_email(session: Session, email: str) -> AccountRow | None:
    return session.scalars(
        select(AccountRow).where(AccountRow.email == normalise_email(email))
    ).one_or_none()


def get_account(session: Session, account_id: uuid.UUID) -> AccountRow:
    account = session.get(AccountRow, account_id)
    if account is None:
        raise NotFound(N_("Ce compte n'existe pas."))
    return account


def active_account(session: Session, account_id: uuid.UUID | None) -> AccountRow | None:
    if account_id is None:
        return None
    account = session.get(AccountRow, account_id)
    if account is None or account.status != AccountStatus.active:
        return None
    return account


def confirmed_factors(session: Session, account_id: uuid.UUID) -> list[MfaFactorRow]:
    return list(
        session.scalars(
            select(MfaFactorRow)
            .where(MfaFactorRow.account_id == account_id, MfaFactorRow.confirmed_at.is_not(None))
            .order_by(MfaFactorRow.created_at)
        )
    )


def preferred_factor(factors: list[MfaFactorRow]) -> MfaFactorRow | None:
    """TOTP first (works offline, nothing to send), then e-mail, then SMS."""
    order = {FactorKind.totp: 0, FactorKind.email: 1, FactorKind.sms: 2}
    return min(factors, key=lambda f: order[FactorKind(f.kind)], default=None)


def sms_destination(session: Session, account: AccountRow) -> str | None:
    """Where the account's SMS notices go: the phone of its latest confirmed SMS factor, and
    only when the person asked for them."""
    if not account.notices_by_sms:
        return None
    return session.scalars(
        select(MfaFactorRow.destination)
        .where(
            MfaFactorRow.account_id == account.id,
            MfaFactorRow.kind == FactorKind.sms,
            MfaFactorRow.confirmed_at.is_not(None),
        )
        .order_by(MfaFactorRow.confirmed_at.desc())
    ).first()
