"""Which version of the directives prevails, revocation, and the regular reminder.

* R1111-17: when several valid directives exist, the most recent prevails. A new version does
  not revoke the older ones: it supersedes them. A revoked version is no longer valid.
* L1111-11: directives are revocable at any time. Withdrawing « my directives » must revoke
  every valid version, otherwise the previous one would silently prevail again; revoking one
  version only (say, a version signed by mistake) brings the previous valid one back.
* R1111-19: the author is reminded regularly that they exist (the period is ours to set; there
  has been no validity limit since the 2016 law).

The functions accept anything shaped like :class:`VersionLike` (an ORM row, for instance).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from dmp.shared.errors import N_, Conflict, NotFound

DEFAULT_REMINDER_MONTHS = 12


class VersionLike(Protocol):
    @property
    def number(self) -> int: ...

    @property
    def signed_at(self) -> dt.datetime: ...

    @property
    def revoked_at(self) -> dt.datetime | None: ...


V = TypeVar("V", bound=VersionLike)


@dataclass(frozen=True)
class Version:
    number: int
    signed_at: dt.datetime
    revoked_at: dt.datetime | None = None


class VersionStatus(enum.StrEnum):
    current = "current"  # the one that prevails
    superseded = "superseded"  # valid, but a more recent one prevails (« version remplacée »)
    revoked = "revoked"


def _valid_at(version: VersionLike, at: dt.datetime | None) -> bool:
    if at is None:
        return version.revoked_at is None
    return version.signed_at <= at and (version.revoked_at is None or version.revoked_at > at)


def current(versions: Iterable[V], *, at: dt.datetime | None = None) -> V | None:
    """The version that prevails: the most recently signed one not revoked, or None.

    With ``at``, the one that prevailed at that moment (signed by then, not yet revoked), which is
    what a doctor's decision taken at that moment relied on.
    """
    valid = [v for v in versions if _valid_at(v, at)]
    return max(valid, key=lambda v: (v.signed_at, v.number), default=None)


def status_of(
    version: VersionLike, versions: Iterable[VersionLike], *, at: dt.datetime | None = None
) -> VersionStatus:
    if not _valid_at(version, at):
        return VersionStatus.revoked
    prevailing = current(versions, at=at)
    if prevailing is not None and prevailing.number == version.number:
        return VersionStatus.current
    return VersionStatus.superseded


def next_number(versions: Iterable[VersionLike]) -> int:
    return max((v.number for v in versions), default=0) + 1


def revocation_targets(versions: Sequence[V], *, number: int | None = None) -> list[V]:
    """The versions a revocation marks as revoked.

    ``number=None`` withdraws the directives: every valid version, so none prevails afterwards.
    With a number, only that version; the previous valid version (if any) prevails again, which
    the page asking for confirmation must say.

    Raises :class:`NotFound` for an unknown number, :class:`Conflict` when there is nothing left
    to revoke.
    """
    if number is None:
        targets = [v for v in versions if v.revoked_at is None]
        if not targets:
            raise Conflict(
                N_("Vous n'avez pas de directives anticipées en vigueur à révoquer."),
                code="nothing-to-revoke",
            )
        return targets
    matching = [v for v in versions if v.number == number]
    if not matching:
        raise NotFound(N_("Cette version de vos directives est introuvable."))
    if matching[0].revoked_at is not None:
        raise Conflict(
            N_("Cette version de vos directives est déjà révoquée."), code="already-revoked"
        )
    return matching


def revoke(
    versions: Sequence[Version], *, at: dt.datetime, number: int | None = None
) -> list[Version]:
    """``versions`` with the :func:`revocation_targets` revoked at ``at``, in the same order."""
    if at.tzinfo is None:
        raise ValueError("at must be timezone-aware")
    targets = {v.number for v in revocation_targets(versions, number=number)}
    if any(v.number in targets and at < v.signed_at for v in versions):
        raise ValueError("a version cannot be revoked before it was signed")
    return [dataclasses.replace(v, revoked_at=at) if v.number in targets else v for v in versions]


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, on the same day or the month's last day (29 Feb → 28 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def next_reminder(
    last_signed_or_confirmed: dt.date,
    every_months: int = DEFAULT_REMINDER_MONTHS,
    *,
    last_reminded: dt.date | None = None,
) -> dt.date:
    """When the author is next reminded: ``every_months`` after they last signed or confirmed
    their directives, or after the last reminder if they did not react to it."""
    if every_months < 1:
        raise ValueError("every_months must be at least 1")
    start = last_signed_or_confirmed
    if last_reminded is not None and last_reminded > start:
        start = last_reminded
    return add_months(start, every_months)


def reminder_due(
    last_signed_or_confirmed: dt.date,
    today: dt.date,
    every_months: int = DEFAULT_REMINDER_MONTHS,
    *,
    last_reminded: dt.date | None = None,
) -> bool:
    """Whether the reminder job sends one today; idempotent once ``last_reminded`` is recorded."""
    return today >= next_reminder(
        last_signed_or_confirmed, every_months, last_reminded=last_reminded
    )
