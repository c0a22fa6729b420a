"""Audit trail: canonical form, hashing and chain verification."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from dmp.audit.model import (
    GENESIS_HASH,
    AuditAction,
    AuditEntry,
    ChainBreak,
    Outcome,
    canonical_json,
    chain_for_account,
    chain_for_patient,
    timestamp,
    verify_chain,
)

CHAIN = "patient:42"
T0 = dt.datetime(2026, 3, 12, 13, 5, 0, 123456, tzinfo=dt.UTC)

Row = tuple[int, AuditEntry, str]


def make_entry(seq: int, prev_hash: str, **overrides: Any) -> AuditEntry:
    values: dict[str, Any] = {
        "chain": CHAIN,
        "seq": seq,
        "occurred_at": T0 + dt.timedelta(minutes=seq),
        "action": AuditAction.PatientIdentityCreate.value,
        "outcome": Outcome.success.value,
        "actor_account_id": "acc-1",
        "actor_label": "Dr Anne Lefèvre",
        "patient_id": "42",
        "target": f"document:{seq}",
        "channel": "web",
        "ip": "192.0.2.10",
        "request_id": f"req-{seq}",
        "details": {"seq": seq, "note": "été"},
        "prev_hash": prev_hash,
    }
    values.update(overrides)
    return AuditEntry(**values)


def build_chain(length: int, first_id: int = 100) -> tuple[list[Row], tuple[int, str] | None]:
    """Rows (row id, entry, stored hash) linked from the genesis hash, and the head."""
    rows: list[Row] = []
    prev = GENESIS_HASH
    for seq in range(1, length + 1):
        entry = make_entry(seq, prev)
        digest = entry.compute_hash()
        rows.append((first_id + seq, entry, digest))
        prev = digest
    head = (length, prev) if length else None
    return rows, head


def rehash(rows: list[Row], start: int) -> tuple[list[Row], tuple[int, str]]:
    """Recompute stored hashes and links from index ``start`` (an attacker rewriting the tail)."""
    rows = list(rows)
    prev = rows[start - 1][2] if start else GENESIS_HASH
    for i in range(start, len(rows)):
        row_id, entry, _ = rows[i]
        entry = dataclasses.replace(entry, prev_hash=prev)
        prev = entry.compute_hash()
        rows[i] = (row_id, entry, prev)
    return rows, (len(rows), prev)


# --- canonical form and hashing ---------------------------------------------------------------


def test_hash_is_deterministic() -> None:
    a = make_entry(1, GENESIS_HASH)
    b = make_entry(1, GENESIS_HASH)
    assert a.canonical() == b.canonical()
    assert a.compute_hash() == b.compute_hash()
    assert len(a.compute_hash()) == 64
    int(a.compute_hash(), 16)


def test_details_key_order_does_not_matter() -> None:
    a = make_entry(1, GENESIS_HASH, details={"a": 1, "b": {"x": 1, "y": 2}})
    b = make_entry(1, GENESIS_HASH, details={"b": {"y": 2, "x": 1}, "a": 1})
    assert a.canonical() == b.canonical()
    assert a.compute_hash() == b.compute_hash()


def test_canonical_is_compact_sorted_json_with_non_ascii_kept() -> None:
    entry = make_entry(1, GENESIS_HASH)
    text = entry.canonical().decode("utf-8")
    assert "Lefèvre" in text
    assert "été" in text
    assert "\\u" not in text
    assert ": " not in text
    assert ", " not in text
    parsed = json.loads(text)
    assert list(parsed) == sorted(parsed)
    assert parsed["occurred_at"] == "2026-03-12T13:06:00.123456Z"
    assert parsed["prev_hash"] == GENESIS_HASH
    assert parsed["details"] == {"note": "été", "seq": 1}


def test_canonical_json() -> None:
    assert canonical_json({"b": 1, "a": [1, "é"]}) == '{"a":[1,"é"],"b":1}'


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("chain", "patient:43"),
        ("seq", 2),
        ("occurred_at", T0 + dt.timedelta(microseconds=1)),
        ("action", AuditAction.AuthLoginFailure.value),
        ("outcome", Outcome.failure.value),
        ("actor_account_id", None),
        ("actor_label", "Dr Anne Lefevre"),
        ("patient_id", "43"),
        ("target", None),
        ("channel", "api"),
        ("ip", "192.0.2.11"),
        ("request_id", "req-x"),
        ("details", {"seq": 1, "note": "ete"}),
        ("prev_hash", "f" * 64),
    ],
)
def test_every_field_is_hashed(field: str, value: Any) -> None:
    entry = make_entry(1, GENESIS_HASH, occurred_at=T0)
    changed = dataclasses.replace(entry, **{field: value})
    assert changed.compute_hash() != entry.compute_hash()


def test_same_instant_in_another_timezone_hashes_the_same() -> None:
    paris = T0.astimezone(ZoneInfo("Europe/Paris"))
    a = make_entry(1, GENESIS_HASH, occurred_at=T0)
    b = make_entry(1, GENESIS_HASH, occurred_at=paris)
    assert a.compute_hash() == b.compute_hash()


def test_timestamp_is_utc_with_microseconds() -> None:
    paris = dt.datetime(2026, 7, 14, 14, 5, tzinfo=ZoneInfo("Europe/Paris"))
    assert timestamp(paris) == "2026-07-14T12:05:00.000000Z"
    assert timestamp(T0) == "2026-03-12T13:05:00.123456Z"


def test_timestamp_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        timestamp(dt.datetime(2026, 3, 12, 13, 5))  # noqa: DTZ001


def test_canonical_refuses_naive_datetimes() -> None:
    entry = make_entry(1, GENESIS_HASH, occurred_at=dt.datetime(2026, 3, 12))  # noqa: DTZ001
    with pytest.raises(ValueError, match="timezone-aware"):
        entry.compute_hash()


def test_chain_names() -> None:
    assert chain_for_patient(42) == "patient:42"
    assert chain_for_account("abc") == "account:abc"


def test_actions_are_context_resource_action_and_alphabetical() -> None:
    names = [a.name for a in AuditAction]
    assert names == sorted(names)
    for action in AuditAction:
        assert len(action.value.split(":")) == 3, action
    assert len({a.value for a in AuditAction}) == len(AuditAction)


# --- verify_chain -----------------------------------------------------------------------------


@pytest.mark.parametrize("length", [1, 2, 5])
def test_intact_chain(length: int) -> None:
    rows, head = build_chain(length)
    assert verify_chain(CHAIN, rows, head) is None


def test_intact_chain_from_a_generator() -> None:
    rows, head = build_chain(3)
    assert verify_chain(CHAIN, iter(rows), head) is None


def test_empty_chain_without_head() -> None:
    assert verify_chain(CHAIN, [], None) is None


def test_empty_chain_with_head_claiming_entries() -> None:
    _rows, head = build_chain(2)
    brk = verify_chain(CHAIN, [], head)
    assert brk == ChainBreak(CHAIN, 1, None, "head records 2 entries, found 0")


def test_altered_field() -> None:
    rows, head = build_chain(5)
    row_id, entry, digest = rows[2]
    rows[2] = (row_id, dataclasses.replace(entry, outcome="failure"), digest)
    brk = verify_chain(CHAIN, rows, head)
    assert brk is not None
    assert (brk.chain, brk.seq, brk.entry_id) == (CHAIN, 3, 103)
    assert brk.reason == "content does not match its hash"


def test_altered_details() -> None:
    rows, head = build_chain(3)
    row_id, entry, digest = rows[0]
    rows[0] = (row_id, dataclasses.replace(entry, details={"seq": 1, "note": "hiver"}), digest)
    brk = verify_chain(CHAIN, rows, head)
    assert brk is not None
    assert (brk.seq, brk.entry_id) == (1, 101)


def test_altered_stored_hash() -> None:
    rows, head = build_chain(3)
    row_id, entry, _ = rows[1]
    rows[1] = (row_id, entry, "a" * 64)
    brk = verify_chain(CHAIN, rows, head)
    assert brk is not None
    assert (brk.seq, brk.entry_id) == (2, 102)
    assert brk.reason == "content does not match its hash"


def test_altered_entry_with_recomputed_hash_breaks_the_next_link() -> None:
    rows, head = build_chain(4)
    row_id, entry, _ = rows[1]
    forged = dataclasses.replace(entry, actor_label="quelqu'un d'autre")
    rows[1] = (row_id, forged, forged.compute_hash())
    brk = verify_chain(CHAIN, rows, head)
    assert brk is not None
    assert (brk.seq, brk.entry_id) == (3, 103)
    assert brk.reason == "previous-hash link does not match"


def test_removed_middle_entry() -> None:
    rows, head = build_chain(5)
    del rows[2]  # seq 3, row id 103
    brk = verify_chain(CHAIN, rows, head)
    assert brk is not None
    assert brk.seq == 3  # the missing sequence number
    assert brk.entry_id == 104  # found where seq 3 was expected
    assert "entry missing" in brk.reason
    assert "4" in brk.reason


def test_removed_first_entry() -> None:
    rows, head = build_chain(3)
    brk = verify_chain(CHAIN, rows[1:], head)
    assert brk is not None
    assert (brk.seq, brk.entry_id) == (1, 102)


def test_removed_middle_entry_and_renumbered_tail() -> None:
    rows, head = build_chain(5)
    del rows[2]
    renumbered = [
        (row_id, dataclasses.replace(e, seq=i + 1), h) for i, (row_id, e, h) in enumerate(rows)
    ]
    brk = verify_chain(CHAIN, renumbered, head)
    assert brk is not None
    assert (brk.seq, brk.entry_id) == (3, 104)
    assert brk.reason == "previous-hash link does not match"


def test_removed_last_entry_is_detected_by_the_head() -> None:
    rows, head = build_chain(5)
    brk = verify_chain(CHAIN, rows[:-1], head)
    assert brk is not None
    assert brk.seq == 5
    assert brk.entry_id is None
    assert brk.reason == "head records 5 entries, found 4"


def test_extra_entry_after_the_head() -> None:
    rows, head = build_chain(5)
    assert head is not None
    brk = verify_chain(CHAIN, rows, (4, rows[3][2]))
    assert brk is not None
    assert brk.seq == 6
    assert brk.entry_id is None


def test_swapped_order() -> None:
    rows, head = build_chain(5)
    rows[1], rows[2] = rows[2], rows[1]
    brk = verify_chain(CHAIN, rows, head)
    assert brk is not None
    assert brk.seq == 2
    assert brk.entry_id == 103  # seq 3 stands where seq 2 was expected


def test_swapped_entries_with_swapped_seq_numbers() -> None:
    rows, head = build_chain(4)
    (id2, e2, h2), (id3, e3, h3) = rows[1], rows[2]
    rows[1] = (id3, dataclasses.replace(e3, seq=2), h3)
    rows[2] = (id2, dataclasses.replace(e2, seq=3), h2)
    brk = verify_chain(CHAIN, rows, head)
    assert brk is not None
    assert (brk.seq, brk.entry_id) == (2, id3)


def test_missing_head() -> None:
    rows, _ = build_chain(3)
    brk = verify_chain(CHAIN, rows, None)
    assert brk == ChainBreak(CHAIN, 3, None, "chain head is missing")


def test_head_hash_mismatch() -> None:
    rows, _ = build_chain(3)
    brk = verify_chain(CHAIN, rows, (3, "b" * 64))
    assert brk == ChainBreak(CHAIN, 3, None, "head hash does not match the last entry")


def test_wrong_prev_hash() -> None:
    rows, head = build_chain(4)
    row_id, entry, _ = rows[2]
    bad = dataclasses.replace(entry, prev_hash="c" * 64)
    rows[2] = (row_id, bad, bad.compute_hash())
    brk = verify_chain(CHAIN, rows, head)
    assert brk is not None
    assert (brk.chain, brk.seq, brk.entry_id) == (CHAIN, 3, 103)
    assert brk.reason == "previous-hash link does not match"


def test_first_entry_must_link_to_genesis() -> None:
    rows, head = build_chain(2)
    row_id, entry, _ = rows[0]
    bad = dataclasses.replace(entry, prev_hash="1" * 64)
    rows[0] = (row_id, bad, bad.compute_hash())
    brk = verify_chain(CHAIN, rows, head)
    assert brk is not None
    assert (brk.seq, brk.entry_id) == (1, 101)


def test_rewriting_the_whole_tail_needs_the_head_too() -> None:
    rows, head = build_chain(4)
    row_id, entry, _ = rows[1]
    rows[1] = (row_id, dataclasses.replace(entry, outcome="failure"), "")
    forged, forged_head = rehash(rows, 1)
    # Tail rewritten but old head kept: detected at the head.
    brk = verify_chain(CHAIN, forged, head)
    assert brk == ChainBreak(CHAIN, 4, None, "head hash does not match the last entry")
    # Head rewritten as well: undetectable by design (the head is the anchor).
    assert verify_chain(CHAIN, forged, forged_head) is None


def test_only_the_first_break_is_reported() -> None:
    rows, head = build_chain(5)
    for i in (1, 3):
        row_id, entry, digest = rows[i]
        rows[i] = (row_id, dataclasses.replace(entry, ip="203.0.113.9"), digest)
    brk = verify_chain(CHAIN, rows, head)
    assert brk is not None
    assert brk.seq == 2


def test_chain_break_str() -> None:
    with_id = ChainBreak(CHAIN, 3, 103, "content does not match its hash")
    assert (
        str(with_id) == "chain 'patient:42': entry id 103 (seq 3): content does not match its hash"
    )
    without_id = ChainBreak(CHAIN, 5, None, "chain head is missing")
    assert str(without_id) == "chain 'patient:42': seq 5: chain head is missing"
