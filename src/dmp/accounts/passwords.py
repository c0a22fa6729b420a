"""Password policy and hashing.

Policy, after ANSSI's recommendations on passwords (long passphrases preferred to complex short
passwords; refuse the predictable rather than impose arbitrary rules):

* at least 12 characters and at most 128;
* under 16 characters, at least three kinds of characters among lower case, upper case, digits
  and others; from 16 characters on (a passphrase), no composition rule;
* not a common password, even with its case changed, "leet" substitutions undone, or digits and
  symbols added around it;
* not built on the person's own e-mail, names or birth date;
* not one or two characters repeated.

Hashing is argon2id with parameters from the settings.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from argon2 import PasswordHasher as _Argon2
from argon2 import Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from dmp.shared.errors import N_, FieldError, InvalidInput

MIN_LENGTH = 12
PASSPHRASE_LENGTH = 16
MAX_LENGTH = 128

_LEET = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    text = resources.files("dmp.accounts").joinpath("data/common-passwords.txt").read_text("utf-8")
    return frozenset(
        line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")
    )


@dataclass(frozen=True)
class PersonalData:
    """What a guesser would try first: the person's own identifiers."""

    email: str | None = None
    names: tuple[str, ...] = ()
    birth_date: dt.date | None = None


def _variants(password: str) -> Iterable[str]:
    lowered = password.lower()
    yield lowered
    yield lowered.translate(_LEET)
    stripped = _EDGES.sub("", lowered)
    if stripped:
        yield stripped
        yield stripped.translate(_LEET)
    collapsed = re.sub(r"[\s\-_.]", "", lowered)
    yield collapsed
    collapsed_stripped = _EDGES.sub("", collapsed)
    if collapsed_stripped:
        yield collapsed_stripped
        yield collapsed_stripped.translate(_LEET)


def check_password(password: str, personal: PersonalData | None = None) -> list[FieldError]:
    """Every reason the password is refused (empty list when acceptable)."""
    errors: list[FieldError] = []

    def fail(code: str, message: str, **params: object) -> None:
        errors.append(FieldError("password", code, message, params))

    if len(password) < MIN_LENGTH:
        fail(
            "password-too-short",
            N_("Le mot de passe doit comporter au moins %(min)s caractères."),
            min=MIN_LENGTH,
        )
        return errors
    if len(password) > MAX_LENGTH:
        fail(
            "password-too-long",
            N_("Le mot de passe doit comporter au plus %(max)s caractères."),
            max=MAX_LENGTH,
        )
        return errors
    if len(set(password.lower())) < 5:
        fail(
            "password-repetitive", N_("Le mot de passe contient trop peu de caractères différents.")
        )
        return errors
    if len(password) < PASSPHRASE_LENGTH:
        kinds = sum(
            (
                any(c.islower() for c in password),
                any(c.isupper() for c in password),
                any(c.isdigit() for c in password),
                any(not c.isalnum() for c in password),
            )
        )
        if kinds < 3:
            fail(
                "password-composition",
                N_(
                    "Sous %(passphrase)s caractères, utilisez au moins trois sortes de caractères"
                    " (minuscules, majuscules, chiffres, symboles) — ou choisissez une phrase de"
                    " passe d'au moins %(passphrase)s caractères."
                ),
                passphrase=PASSPHRASE_LENGTH,
            )
    common = common_passwords()
    if any(variant in common for variant in _variants(password)):
        fail(
            "password-common",
            N_(
                "Ce mot de passe fait partie des mots de passe les plus courants :"
                " choisissez-en un autre."
            ),
        )
    if personal is not None and _uses_personal_data(password, personal):
        fail(
            "password-personal",
            N_(
                "Le mot de passe ne doit contenir ni votre adresse e-mail, ni votre nom,"
                " ni votre date de naissance."
            ),
        )
    return errors


def _uses_personal_data(password: str, personal: PersonalData) -> bool:
    lowered = password.lower()
    unleeted = lowered.translate(_LEET)
    tokens: list[str] = []
    if personal.email:
        local = personal.email.split("@", 1)[0].lower()
        tokens.append(local)
        tokens.extend(re.split(r"[._\-+]", local))
    for name in personal.names:
        tokens.extend(part.lower() for part in re.split(r"[\s'\-]", name))
    if personal.birth_date:
        d = personal.birth_date
        tokens.extend([f"{d:%d%m%Y}", f"{d:%Y%m%d}", f"{d:%d%m%y}", f"{d:%d/%m/%Y}"])
    return any(
        len(token) >= 4 and (token in lowered or token.translate(_LEET) in unleeted)
        for token in tokens
    )


def require_acceptable(password: str, personal: PersonalData | None = None) -> None:
    errors = check_password(password, personal)
    if errors:
        raise InvalidInput(errors=errors)


class PasswordHasher:
    """argon2id hashing; a dummy hash keeps the timing of unknown accounts identical."""

    def __init__(self, *, time_cost: int, memory_kib: int, parallelism: int) -> None:
        self._argon2 = _Argon2(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism, type=Type.ID
        )
        self._dummy = self._argon2.hash("dmp-dummy-password-for-constant-time")

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, stored_hash: str | None, password: str) -> bool:
        """True when ``password`` matches; with no stored hash, spends the same time and fails."""
        try:
            return self._argon2.verify(stored_hash or self._dummy, password) and bool(stored_hash)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._argon2.check_needs_rehash(stored_hash)
