"""Which version prevails (R1111-17), revocation, and the reminder schedule (R1111-19)."""

from __future__ import annotations

import datetime as dt

import pytest

from dmp.directives.versions import (
    Version,
    VersionStatus,
    add_months,
    current,
    next_number,
    next_reminder,
    reminder_due,
    revocation_targets,
    revoke,
    status_of,
)
from dmp.shared.errors import Conflict, NotFound


def at(day: int, month: int = 1, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, 10, tzinfo=dt.UTC)


V1 = Version(1, at(1))
V2 = Version(2, at(10))
V3 = Version(3, at(20))


@pytest.mark.parametrize(
    ("versions", "expected"),
    [
        pytest.param([], None, id="none"),
        pytest.param([V1], 1, id="one"),
        pytest.param([V1, V2, V3], 3, id="most recent"),
        pytest.param([V3, V1, V2], 3, id="order does not matter"),
        pytest.param([V1, V2, Version(3, at(20), revoked_at=at(21))], 2, id="latest revoked"),
        pytest.param([V1, Version(2, at(10), revoked_at=at(11)), V3], 3, id="middle revoked"),
        pytest.param(
            [Version(1, at(1), at(2)), Version(2, at(10), at(11))], None, id="all revoked"
        ),
        pytest.param([Version(1, at(5)), Version(2, at(5))], 2, id="same time: higher number"),
        pytest.param([Version(7, at(1)), Version(2, at(9))], 2, id="signing time first"),
    ],
)
def test_the_most_recent_valid_version_prevails(
    versions: list[Version], expected: int | None
) -> None:
    prevailing = current(versions)
    assert (prevailing.number if prevailing else None) == expected


def test_current_at_a_moment_in_the_past() -> None:
    history = [V1, Version(2, at(10), revoked_at=at(15)), V3]
    assert current(history, at=at(5)) == V1
    assert current(history, at=at(12)) == history[1]  # what a decision on the 12th relied on
    assert current(history, at=at(16)) == V1  # v2 revoked, v3 not yet signed
    assert current(history, at=at(25)) == V3
    assert current(history, at=at(1, year=2025)) is None


def test_status_of_each_version() -> None:
    history = [V1, Version(2, at(10), revoked_at=at(15)), V3]
    assert [status_of(v, history) for v in history] == [
        VersionStatus.superseded,
        VersionStatus.revoked,
        VersionStatus.current,
    ]


def test_next_number() -> None:
    assert next_number([]) == 1
    assert next_number([V3, V1]) == 4


class TestRevoke:
    def test_withdrawing_revokes_every_valid_version(self) -> None:
        history = [V1, Version(2, at(10), revoked_at=at(12)), V3]
        after = revoke(history, at=at(25))
        assert [v.revoked_at for v in after] == [at(25), at(12), at(25)]
        assert current(after) is None

    def test_revoking_one_version_brings_the_previous_one_back(self) -> None:
        after = revoke([V1, V2, V3], at=at(25), number=3)
        assert [v.revoked_at for v in after] == [None, None, at(25)]
        assert current(after) == V2

    def test_targets_work_on_any_version_shaped_object(self) -> None:
        assert revocation_targets([V1, V2], number=None) == [V1, V2]
        assert revocation_targets([V1, V2], number=1) == [V1]

    def test_unknown_version(self) -> None:
        with pytest.raises(NotFound):
            revoke([V1], at=at(25), number=9)

    def test_already_revoked_version(self) -> None:
        with pytest.raises(Conflict) as caught:
            revoke([Version(1, at(1), revoked_at=at(2))], at=at(25), number=1)
        assert caught.value.code == "already-revoked"

    @pytest.mark.parametrize(
        "versions", [[], [Version(1, at(1), revoked_at=at(2))]], ids=["none", "all revoked"]
    )
    def test_nothing_to_withdraw(self, versions: list[Version]) -> None:
        with pytest.raises(Conflict) as caught:
            revoke(versions, at=at(25))
        assert caught.value.code == "nothing-to-revoke"

    def test_not_before_it_was_signed(self) -> None:
        with pytest.raises(ValueError, match="before it was signed"):
            revoke([V1, V3], at=at(15))

    def test_aware_time_only(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            revoke([V1], at=dt.datetime(2026, 2, 1))  # noqa: DTZ001


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 3, 12), 12, dt.date(2027, 3, 12)),
        (dt.date(2024, 2, 29), 12, dt.date(2025, 2, 28)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 11, 30), 3, dt.date(2027, 2, 28)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
        (dt.date(2026, 5, 31), 6, dt.date(2026, 11, 30)),
    ],
)
def test_add_months(day: dt.date, months: int, expected: dt.date) -> None:
    assert add_months(day, months) == expected


class TestReminder:
    SIGNED = dt.date(2026, 3, 12)

    def test_a_year_after_signing_by_default(self) -> None:
        assert next_reminder(self.SIGNED) == dt.date(2027, 3, 12)
        assert not reminder_due(self.SIGNED, dt.date(2027, 3, 11))
        assert reminder_due(self.SIGNED, dt.date(2027, 3, 12))
        assert reminder_due(self.SIGNED, dt.date(2027, 6, 1))

    def test_other_period(self) -> None:
        assert next_reminder(self.SIGNED, 6) == dt.date(2026, 9, 12)
        assert reminder_due(self.SIGNED, dt.date(2026, 9, 12), every_months=6)

    def test_a_confirmation_restarts_the_period(self) -> None:
        confirmed = dt.date(2027, 3, 20)
        assert not reminder_due(confirmed, dt.date(2027, 12, 1))
        assert next_reminder(confirmed) == dt.date(2028, 3, 20)

    def test_once_reminded_not_again_until_the_next_period(self) -> None:
        reminded = dt.date(2027, 3, 12)
        assert not reminder_due(self.SIGNED, dt.date(2027, 3, 13), last_reminded=reminded)
        assert reminder_due(self.SIGNED, dt.date(2028, 3, 12), last_reminded=reminded)
        # A reminder older than the last confirmation changes nothing.
        assert next_reminder(self.SIGNED, last_reminded=dt.date(2025, 1, 1)) == dt.date(2027, 3, 12)

    def test_period_of_at_least_a_month(self) -> None:
        with pytest.raises(ValueError, match="at least 1"):
            next_reminder(self.SIGNED, 0)
