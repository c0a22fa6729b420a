"""A notice is worded when it is read: in the reader's language, with its moments written for
that language, and naming the patient for anyone but the holder. Older notices, stored with
their dates already written out, still read as they were."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import pytest

from dmp.notifications.orm import InboxRow
from dmp.notifications.services import KINDS, notice_text

LATE_EVENING = dt.datetime(2026, 11, 28, 23, 30, tzinfo=dt.UTC)  # 29 November in Paris


def inbox(kind: str, params: dict[str, Any]) -> InboxRow:
    return InboxRow(
        account_id=uuid.uuid4(),
        patient_id=uuid.uuid4(),
        kind=kind,
        params=json.dumps(params, ensure_ascii=False),
        created_at=LATE_EVENING,
    )


def test_an_iso_moment_is_written_in_the_readers_language_and_french_time() -> None:
    moment = LATE_EVENING.isoformat()
    row = inbox("record-closed", {"date": moment, "when": moment, "patient": "Léo MARTIN"})
    assert notice_text(row, "fr")[1].startswith("Votre dossier a été fermé le 29 novembre 2026.")
    assert notice_text(row, "en")[1].startswith("Your record was closed on 29 November 2026.")


def test_a_date_stored_written_out_by_an_older_version_is_shown_as_it_is() -> None:
    row = inbox("record-closed", {"date": "29 novembre 2026", "patient": "Léo MARTIN"})
    assert "29 novembre 2026" in notice_text(row, "en")[1]


def test_older_notices_without_a_recipient_flag_read_as_to_the_holder() -> None:
    row = inbox("new-document", {"date": "29 novembre 2026", "patient": "Léo MARTIN"})
    assert "votre dossier" in notice_text(row, "fr")[1]


@pytest.mark.parametrize("code", sorted(c for c, k in KINDS.items() if k.audience == "record"))
def test_every_kind_names_the_patient_to_anyone_but_the_holder(code: str) -> None:
    params = {"date": LATE_EVENING.isoformat(), "patient": "Léo MARTIN", "to_holder": False}
    for language in ("fr", "en"):
        title, text = notice_text(inbox(code, params), language)
        assert "Léo MARTIN" in text
        assert "votre" not in (title + text).lower()
        assert "your " not in (title + text).lower()
        assert "%(" not in title + text


@pytest.mark.parametrize("code", sorted(KINDS))
def test_every_kind_reads_in_english(code: str) -> None:
    for to_holder in (True, False):
        params = {
            "date": LATE_EVENING.isoformat(),
            "until": LATE_EVENING.isoformat(),
            "patient": "Léo MARTIN",
            "to_holder": to_holder,
        }
        french = notice_text(inbox(code, params), "fr")
        english = notice_text(inbox(code, params), "en")
        assert english[0] != french[0]
        assert english[1] != french[1]


def test_a_request_to_act_names_no_patient() -> None:
    addressed = [k for k in KINDS.values() if k.audience == "addressee"]
    assert addressed
    params = {"date": LATE_EVENING.isoformat(), "patient": "Léo MARTIN", "to_holder": False}
    for kind in addressed:
        for language in ("fr", "en"):
            title, text = notice_text(inbox(kind.code, params), language)
            assert "Léo" not in title + text
