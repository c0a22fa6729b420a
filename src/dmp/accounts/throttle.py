"""Lockouts and rate limits, stored in the database so every app replica shares them.

Rows are locked while updated, so concurrent failures are all counted.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dmp.accounts.model import ThrottleState
from dmp.accounts.orm import AuthThrottleRow
from dmp.accounts.security import Security
from dmp.shared.errors import N_, DomainError, TooManyAttempts

TOO_MANY = N_("Trop de tentatives. Réessayez dans %(minutes)s minutes.")


class Throttle:
    def __init__(self, session: Session, security: Security) -> None:
        self._session = session
        self._security = security

    def key(self, scope: str, value: str) -> str:
        return f"{scope}:{self._security.digest('throttle:' + scope, value)[:40]}"

    def _row(self, key: str, *, create: bool) -> AuthThrottleRow | None:
        query = select(AuthThrottleRow).where(AuthThrottleRow.key == key).with_for_update()
        row = self._session.execute(query).scalar_one_or_none()
        if row is not None or not create:
            return row
        try:
            with self._session.begin_nested():
                self._session.add(
                    AuthThrottleRow(
                        key=key, count=0, window_start=self._security.now(), lock_count=0
                    )
                )
        except IntegrityError:
            pass
        return self._session.execute(query.execution_options(populate_existing=True)).scalar_one()

    @staticmethod
    def _state(row: AuthThrottleRow | None) -> ThrottleState | None:
        if row is None:
            return None
        return ThrottleState(row.count, row.window_start, row.locked_until, row.lock_count)

    @staticmethod
    def _store(row: AuthThrottleRow, state: ThrottleState) -> None:
        row.count = state.count
        row.window_start = state.window_start
        row.locked_until = state.locked_until
        row.lock_count = state.lock_count

    def locked_for(self, key: str) -> int:
        """Seconds left on a lock of ``key`` (0 when not locked)."""
        row = self._row(key, create=False)
        return self._security.lockout.remaining(self._state(row), self._security.now())

    def fail(self, key: str) -> bool:
        """Count a failure; True when this failure locked ``key``."""
        row = self._row(key, create=True)
        assert row is not None
        state, locked = self._security.lockout.fail(self._state(row), self._security.now())
        self._store(row, state)
        return locked

    def refuse(self, key: str, error: DomainError) -> DomainError:
        """Count a failed attempt and return what to answer: ``error``, or the lockout itself
        when this very failure locked ``key`` — everywhere the locking failure says so at once.
        """
        if self.fail(key):
            return TooManyAttempts(TOO_MANY, retry_after=self.locked_for(key))
        return error

    def succeed(self, key: str) -> None:
        row = self._row(key, create=False)
        if row is not None:
            self._store(row, self._security.lockout.succeed(self._state(row), self._security.now()))

    def rate(self, key: str) -> int:
        """Count one attempt against the per-address rate limit; seconds to wait if exceeded."""
        row = self._row(key, create=True)
        assert row is not None
        state, wait = self._security.ip_limit.hit(self._state(row), self._security.now())
        self._store(row, state)
        return wait
