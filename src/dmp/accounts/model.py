"""Account rules without I/O: statuses, factors, one-time codes, lockout arithmetic."""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
import secrets
from dataclasses import dataclass, replace

import pyotp

# Crockford-like alphabet: no I, L, O, U, so codes read aloud or retyped are unambiguous.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TOTP_INTERVAL = 30
TOTP_DIGITS = 6
OTP_DIGITS = 6
RECOVERY_CODE_COUNT = 10
MAX_OTP_ATTEMPTS = 5
MAX_ACTIVATION_ATTEMPTS = 5


class AccountStatus(enum.StrEnum):
    pending = "pending"  # registered, awaiting activation by its holder
    active = "active"
    disabled = "disabled"
    closed = "closed"


class FactorKind(enum.StrEnum):
    totp = "totp"
    email = "email"
    sms = "sms"


def normalise_email(value: str) -> str:
    return (value or "").strip().lower()


def grouped_code(length: int, group: int = 4) -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))
    return "-".join(raw[i : i + group] for i in range(0, length, group))


def normalise_code(value: str) -> str:
    cleaned = re.sub(r"[\s\-]", "", (value or "").upper())
    return cleaned.translate(str.maketrans("OIL", "011"))


def new_recovery_codes() -> list[str]:
    return [grouped_code(16) for _ in range(RECOVERY_CODE_COUNT)]


def new_activation_code() -> str:
    return grouped_code(12)


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, *, account_name: str, issuer: str = "dmp") -> str:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL).provisioning_uri(
        name=account_name, issuer_name=issuer
    )


def totp_now(secret: str, moment: dt.datetime) -> str:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL).at(moment)


def match_totp(secret: str, code: str, moment: dt.datetime, *, last_step: int | None) -> int | None:
    """The time step ``code`` belongs to (±1 step of clock drift), or ``None``.

    A step at or before ``last_step`` is refused, so an intercepted code cannot be replayed.
    """
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(rf"[0-9]{{{TOTP_DIGITS}}}", code):
        return None
    totp = pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_INTERVAL)
    current = totp.timecode(moment)
    for step in (current, current - 1, current + 1):
        if last_step is not None and step <= last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


# --- Lockout and rate limits -----------------------------------------------------------------


@dataclass(frozen=True)
class ThrottleState:
    count: int
    window_start: dt.datetime
    locked_until: dt.datetime | None
    lock_count: int


@dataclass(frozen=True)
class LockoutPolicy:
    threshold: int
    lock_minutes: int
    # Failures older than this no longer count towards a lock.
    window: dt.timedelta = dt.timedelta(hours=1)
    max_lock: dt.timedelta = dt.timedelta(hours=24)

    def remaining(self, state: ThrottleState | None, now: dt.datetime) -> int:
        """Seconds until the lock lifts (0 when not locked)."""
        if state is None or state.locked_until is None or state.locked_until <= now:
            return 0
        # Rounded up, not +1: a 15-minute lock must be announced as 15 minutes, not 16.
        return max(1, math.ceil((state.locked_until - now).total_seconds()))

    def fail(self, state: ThrottleState | None, now: dt.datetime) -> tuple[ThrottleState, bool]:
        """Count one failure; returns the new state and whether it has just locked."""
        if state is None or now - state.window_start > self.window:
            state = ThrottleState(0, now, None, state.lock_count if state else 0)
        count = state.count + 1
        if count < self.threshold:
            return replace(state, count=count), False
        duration = min(dt.timedelta(minutes=self.lock_minutes * 2**state.lock_count), self.max_lock)
        return ThrottleState(0, now, now + duration, state.lock_count + 1), True

    @staticmethod
    def succeed(state: ThrottleState | None, now: dt.datetime) -> ThrottleState:
        return ThrottleState(0, now, None, 0)


@dataclass(frozen=True)
class RateLimit:
    limit: int
    window: dt.timedelta

    def hit(self, state: ThrottleState | None, now: dt.datetime) -> tuple[ThrottleState, int]:
        """Count one attempt; returns the new state and the seconds to wait (0 if allowed)."""
        if state is None or now - state.window_start >= self.window:
            state = ThrottleState(0, now, None, 0)
        count = state.count + 1
        state = replace(state, count=count)
        if count > self.limit:
            wait = state.window_start + self.window - now
            return state, max(1, int(wait.total_seconds()) + 1)
        return state, 0


def random_otp() -> str:
    return "".join(secrets.choice("0123456789") for _ in range(OTP_DIGITS))


def normalise_digits(value: str) -> str:
    return re.sub(r"[^0-9]", "", value or "")
