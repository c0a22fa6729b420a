"""Account rules: lockout arithmetic, rate limits, TOTP matching, one-time codes."""

from __future__ import annotations

import datetime as dt
import re

import pyotp
import pytest

from dmp.accounts.model import (
    CODE_ALPHABET,
    RECOVERY_CODE_COUNT,
    TOTP_INTERVAL,
    LockoutPolicy,
    RateLimit,
    ThrottleState,
    grouped_code,
    match_totp,
    new_activation_code,
    new_recovery_codes,
    new_totp_secret,
    normalise_code,
    normalise_digits,
    normalise_email,
    random_otp,
    totp_now,
    totp_uri,
)

T0 = dt.datetime(2026, 3, 12, 14, 0, 0, tzinfo=dt.UTC)
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def minutes(n: float) -> dt.timedelta:
    return dt.timedelta(minutes=n)


# --- LockoutPolicy ----------------------------------------------------------------------------


@pytest.fixture
def policy() -> LockoutPolicy:
    return LockoutPolicy(threshold=3, lock_minutes=15)


def fail_times(
    policy: LockoutPolicy, state: ThrottleState | None, now: dt.datetime, n: int
) -> tuple[ThrottleState | None, list[bool]]:
    locked: list[bool] = []
    for _ in range(n):
        state, just_locked = policy.fail(state, now)
        locked.append(just_locked)
    return state, locked


def test_failures_below_threshold_do_not_lock(policy: LockoutPolicy) -> None:
    state, locked = fail_times(policy, None, T0, 2)
    assert locked == [False, False]
    assert state is not None
    assert state.count == 2
    assert state.locked_until is None
    assert state.window_start == T0
    assert policy.remaining(state, T0) == 0


def test_threshold_locks(policy: LockoutPolicy) -> None:
    state, locked = fail_times(policy, None, T0, 3)
    assert locked == [False, False, True]
    assert state is not None
    assert state.locked_until == T0 + minutes(15)
    assert state.lock_count == 1
    assert state.count == 0
    assert 0 < policy.remaining(state, T0) <= 15 * 60 + 1
    assert policy.remaining(state, T0 + minutes(14)) > 0
    assert policy.remaining(state, T0 + minutes(15)) == 0
    assert policy.remaining(state, T0 + minutes(16)) == 0


def test_remaining_without_state(policy: LockoutPolicy) -> None:
    assert policy.remaining(None, T0) == 0
    assert policy.remaining(ThrottleState(2, T0, None, 0), T0) == 0


def test_remaining_rounds_up(policy: LockoutPolicy) -> None:
    state = ThrottleState(0, T0, T0 + dt.timedelta(seconds=10.5), 1)
    assert policy.remaining(state, T0) == 11


def test_threshold_one_locks_at_first_failure() -> None:
    policy = LockoutPolicy(threshold=1, lock_minutes=5)
    state, locked = policy.fail(None, T0)
    assert locked is True
    assert state.locked_until == T0 + minutes(5)


def test_lock_duration_doubles(policy: LockoutPolicy) -> None:
    state: ThrottleState | None = None
    now = T0
    durations = []
    for _ in range(4):
        state, locked = fail_times(policy, state, now, 3)
        assert locked[-1] is True
        assert state is not None
        assert state.locked_until is not None
        durations.append(state.locked_until - now)
        now = state.locked_until + minutes(1)
    assert durations == [minutes(15), minutes(30), minutes(60), minutes(120)]
    assert state is not None
    assert state.lock_count == 4


def test_lock_duration_is_capped_at_24_hours(policy: LockoutPolicy) -> None:
    state = ThrottleState(2, T0, None, 10)  # 15 min * 2**10 would be over 10 days
    state, locked = policy.fail(state, T0)
    assert locked is True
    assert state.locked_until == T0 + dt.timedelta(hours=24)
    assert state.lock_count == 11
    assert policy.remaining(state, T0) <= 24 * 3600 + 1


def test_lock_cap_reached_exactly() -> None:
    policy = LockoutPolicy(threshold=1, lock_minutes=15)
    # 15 * 2**6 = 960 min < 1440; 15 * 2**7 = 1920 min > 1440.
    state, _ = policy.fail(ThrottleState(0, T0, None, 6), T0)
    assert state.locked_until == T0 + minutes(960)
    state, _ = policy.fail(ThrottleState(0, T0, None, 7), T0)
    assert state.locked_until == T0 + dt.timedelta(hours=24)


def test_custom_cap() -> None:
    policy = LockoutPolicy(threshold=1, lock_minutes=15, max_lock=dt.timedelta(minutes=20))
    state, _ = policy.fail(ThrottleState(0, T0, None, 3), T0)
    assert state.locked_until == T0 + minutes(20)


def test_window_expiry_resets_count(policy: LockoutPolicy) -> None:
    state, _ = fail_times(policy, None, T0, 2)
    later = T0 + dt.timedelta(hours=1, seconds=1)
    state, locked = policy.fail(state, later)
    assert locked is False
    assert state.count == 1
    assert state.window_start == later


def test_window_boundary_still_counts(policy: LockoutPolicy) -> None:
    state, _ = fail_times(policy, None, T0, 2)
    state, locked = policy.fail(state, T0 + dt.timedelta(hours=1))
    assert locked is True


def test_window_expiry_keeps_lock_count(policy: LockoutPolicy) -> None:
    state = ThrottleState(2, T0, None, 2)
    state, locked = policy.fail(state, T0 + dt.timedelta(hours=2))
    assert locked is False
    assert state.count == 1
    assert state.lock_count == 2


def test_succeed_resets_everything(policy: LockoutPolicy) -> None:
    state, _ = fail_times(policy, None, T0, 3)
    assert state is not None
    assert state.lock_count == 1
    later = T0 + minutes(20)
    reset = policy.succeed(state, later)
    assert reset == ThrottleState(0, later, None, 0)
    # After a success, the next lock is the base duration again.
    state, locked = fail_times(policy, reset, later, 3)
    assert locked[-1] is True
    assert state is not None
    assert state.locked_until == later + minutes(15)


def test_succeed_without_state(policy: LockoutPolicy) -> None:
    assert LockoutPolicy.succeed(None, T0) == ThrottleState(0, T0, None, 0)


def test_states_are_immutable(policy: LockoutPolicy) -> None:
    state, _ = policy.fail(None, T0)
    again, _ = policy.fail(state, T0)
    assert state.count == 1
    assert again.count == 2


# --- RateLimit --------------------------------------------------------------------------------


def test_rate_limit_allows_up_to_limit() -> None:
    limit = RateLimit(limit=3, window=minutes(5))
    state: ThrottleState | None = None
    waits = []
    for i in range(3):
        state, wait = limit.hit(state, T0 + dt.timedelta(seconds=i))
        waits.append(wait)
    assert waits == [0, 0, 0]
    assert state is not None
    assert state.count == 3


def test_rate_limit_refuses_over_limit_until_window_end() -> None:
    limit = RateLimit(limit=2, window=minutes(5))
    state, _ = limit.hit(None, T0)
    state, _ = limit.hit(state, T0)
    state, wait = limit.hit(state, T0 + minutes(1))
    assert wait == 4 * 60 + 1
    state, wait = limit.hit(state, T0 + dt.timedelta(minutes=4, seconds=59, milliseconds=500))
    assert wait >= 1
    assert state.count == 4


def test_rate_limit_new_window() -> None:
    limit = RateLimit(limit=1, window=minutes(5))
    state, _ = limit.hit(None, T0)
    state, wait = limit.hit(state, T0 + minutes(1))
    assert wait > 0
    state, wait = limit.hit(state, T0 + minutes(5))
    assert wait == 0
    assert state.count == 1
    assert state.window_start == T0 + minutes(5)


# --- TOTP -------------------------------------------------------------------------------------


def code_at(moment: dt.datetime) -> str:
    return pyotp.TOTP(SECRET, digits=6, interval=30).at(moment)


def step_of(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // TOTP_INTERVAL


def test_totp_now_matches_pyotp() -> None:
    assert totp_now(SECRET, T0) == code_at(T0)
    assert re.fullmatch(r"\d{6}", totp_now(SECRET, T0))


def test_rfc6238_vector() -> None:
    # RFC 6238 SHA-1 vector: T = 59 s, secret "12345678901234567890", 8 digits 94287082.
    secret = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
    moment = dt.datetime(1970, 1, 1, 0, 0, 59, tzinfo=dt.UTC)
    assert totp_now(secret, moment) == "287082"
    assert match_totp(secret, "287082", moment, last_step=None) == 1


def test_match_current_step() -> None:
    assert match_totp(SECRET, code_at(T0), T0, last_step=None) == step_of(T0)


def test_match_with_spaces() -> None:
    code = code_at(T0)
    assert match_totp(SECRET, f" {code[:3]} {code[3:]} ", T0, last_step=None) == step_of(T0)


@pytest.mark.parametrize("drift", [-1, 1])
def test_match_one_step_of_drift(drift: int) -> None:
    other = T0 + dt.timedelta(seconds=30 * drift)
    assert match_totp(SECRET, code_at(other), T0, last_step=None) == step_of(T0) + drift


@pytest.mark.parametrize("drift", [-3, -2, 2, 3])
def test_refuse_larger_drift(drift: int) -> None:
    other = T0 + dt.timedelta(seconds=30 * drift)
    code = code_at(other)
    # Skip the (astronomically unlikely) collision with a code in the accepted window.
    accepted = {code_at(T0 + dt.timedelta(seconds=30 * d)) for d in (-1, 0, 1)}
    if code not in accepted:
        assert match_totp(SECRET, code, T0, last_step=None) is None


def test_same_moment_in_another_timezone() -> None:
    paris = T0.astimezone(dt.timezone(dt.timedelta(hours=1)))
    assert match_totp(SECRET, code_at(T0), paris, last_step=None) == step_of(T0)


def test_replay_of_the_same_step_is_refused() -> None:
    code = code_at(T0)
    step = match_totp(SECRET, code, T0, last_step=None)
    assert step is not None
    assert match_totp(SECRET, code, T0, last_step=step) is None
    assert match_totp(SECRET, code, T0 + dt.timedelta(seconds=20), last_step=step) is None


def test_earlier_step_is_refused_after_later_use() -> None:
    current = step_of(T0)
    assert match_totp(SECRET, code_at(T0), T0, last_step=current + 1) is None
    # The previous step's code is refused once the current step was used.
    previous = code_at(T0 - dt.timedelta(seconds=30))
    assert match_totp(SECRET, previous, T0, last_step=current) is None


def test_next_step_accepted_after_current_used() -> None:
    current = step_of(T0)
    later = code_at(T0 + dt.timedelta(seconds=30))
    assert match_totp(SECRET, later, T0, last_step=current) == current + 1


def test_older_last_step_does_not_block() -> None:
    current = step_of(T0)
    assert match_totp(SECRET, code_at(T0), T0, last_step=current - 1) == current


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12345a", "abcdef", "12-345", "123.45"])
def test_refuse_malformed_codes(code: str) -> None:
    assert match_totp(SECRET, code, T0, last_step=None) is None


@pytest.mark.parametrize("code", ["１２３４５６", "٠١٢٣٤٥"])
def test_refuse_non_ascii_digits(code: str) -> None:
    assert match_totp(SECRET, code, T0, last_step=None) is None


def test_refuse_none_code() -> None:
    assert match_totp(SECRET, None, T0, last_step=None) is None  # type: ignore[arg-type]


def test_wrong_code_is_refused() -> None:
    accepted = {code_at(T0 + dt.timedelta(seconds=30 * d)) for d in (-1, 0, 1)}
    wrong = next(f"{n:06d}" for n in range(1_000_000) if f"{n:06d}" not in accepted)
    assert match_totp(SECRET, wrong, T0, last_step=None) is None


def test_new_totp_secret_and_uri() -> None:
    secret = new_totp_secret()
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert secret != new_totp_secret()
    uri = totp_uri(secret, account_name="jeanne@example.fr")
    assert uri.startswith("otpauth://totp/")
    assert f"secret={secret}" in uri
    assert "issuer=dmp" in uri


# --- codes ------------------------------------------------------------------------------------


def test_code_alphabet_excludes_ambiguous_letters() -> None:
    assert len(CODE_ALPHABET) == 32
    assert len(set(CODE_ALPHABET)) == 32
    for letter in "ILOU":
        assert letter not in CODE_ALPHABET


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("abcd-efgh", "ABCDEFGH"),
        ("O0O0 IiLl", "00001111"),
        ("  x y\tz-\n", "XYZ"),
        ("1234-5678-9ABC", "123456789ABC"),
        ("", ""),
    ],
)
def test_normalise_code(raw: str, expected: str) -> None:
    assert normalise_code(raw) == expected


def test_normalise_code_none() -> None:
    assert normalise_code(None) == ""  # type: ignore[arg-type]


def test_normalise_code_round_trip() -> None:
    code = grouped_code(16)
    assert normalise_code(code.lower()) == code.replace("-", "")
    assert normalise_code(code.replace("-", " ")) == code.replace("-", "")


GROUPED_16 = re.compile(rf"[{CODE_ALPHABET}]{{4}}(?:-[{CODE_ALPHABET}]{{4}}){{3}}")


def test_grouped_code_format() -> None:
    assert GROUPED_16.fullmatch(grouped_code(16))
    assert re.fullmatch(rf"[{CODE_ALPHABET}]{{3}}-[{CODE_ALPHABET}]{{3}}", grouped_code(6, 3))
    assert re.fullmatch(rf"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{2}}", grouped_code(6))


def test_new_recovery_codes() -> None:
    codes = new_recovery_codes()
    assert len(codes) == RECOVERY_CODE_COUNT == 10
    assert len(set(codes)) == 10
    for code in codes:
        assert GROUPED_16.fullmatch(code), code
        assert len(code.replace("-", "")) == 16


def test_new_activation_code() -> None:
    code = new_activation_code()
    assert re.fullmatch(rf"[{CODE_ALPHABET}]{{4}}(?:-[{CODE_ALPHABET}]{{4}}){{2}}", code)
    assert new_activation_code() != new_activation_code()


def test_codes_use_the_whole_alphabet() -> None:
    seen: set[str] = set()
    for _ in range(30):
        seen |= set("".join(new_recovery_codes()).replace("-", ""))
    assert seen == set(CODE_ALPHABET)


def test_random_otp() -> None:
    assert re.fullmatch(r"\d{6}", random_otp())


def test_normalise_helpers() -> None:
    assert normalise_digits(" 12 34-56 ") == "123456"
    assert normalise_digits(None) == ""  # type: ignore[arg-type]
    assert normalise_email("  Jeanne.Dupont@Example.FR ") == "jeanne.dupont@example.fr"
    assert normalise_email(None) == ""  # type: ignore[arg-type]
