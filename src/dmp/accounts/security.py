"""The collaborators every authentication service needs, built once in the composition root."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from dmp.accounts.model import LockoutPolicy, RateLimit
from dmp.accounts.passwords import PasswordHasher
from dmp.config import Settings
from dmp.shared.clock import Clock
from dmp.shared.crypto import FieldCipher, KeyRing, keyed_digest


@dataclass(frozen=True)
class Security:
    settings: Settings
    clock: Clock
    keys: KeyRing
    hasher: PasswordHasher
    _code_key: bytes = field(init=False, repr=False)
    totp_cipher: FieldCipher = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_code_key", self.keys.derive("codes"))
        object.__setattr__(self, "totp_cipher", self.keys.field_cipher("totp"))

    @classmethod
    def build(cls, settings: Settings, clock: Clock, keys: KeyRing) -> Security:
        hasher = PasswordHasher(
            time_cost=settings.argon2_time_cost,
            memory_kib=settings.argon2_memory_kib,
            parallelism=settings.argon2_parallelism,
        )
        return cls(settings=settings, clock=clock, keys=keys, hasher=hasher)

    def digest(self, purpose: str, value: str) -> str:
        """Keyed digest of a one-time code or identifier: useless to an attacker without the key."""
        return keyed_digest(self._code_key, f"{purpose}:{value}")

    @property
    def lockout(self) -> LockoutPolicy:
        return LockoutPolicy(
            threshold=self.settings.lockout_threshold, lock_minutes=self.settings.lockout_minutes
        )

    @property
    def ip_limit(self) -> RateLimit:
        return RateLimit(
            limit=self.settings.ip_rate_limit,
            window=dt.timedelta(minutes=self.settings.ip_rate_window_minutes),
        )

    def now(self) -> dt.datetime:
        return self.clock.now()
