"""The pure rules of rectification requests and of the consents registry."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest

from dmp.rights.model import (
    DESCRIPTION_MAX,
    ConsentFact,
    Outcome,
    Purpose,
    Route,
    Stance,
    TargetKind,
    channel_for,
    clean_answer,
    clean_description,
    parse_target,
    research_allowed,
    route_for,
)
from dmp.rights.texts import BY_VERSION, CURRENT, current_version, text_of
from dmp.shared.errors import InvalidInput

NOW = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def codes(exc: pytest.ExceptionInfo[InvalidInput]) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in exc.value.errors}


def test_identity_goes_to_the_operators_and_items_to_their_professional_author() -> None:
    assert route_for(TargetKind.identity) is Route.operators
    assert route_for(TargetKind.document, author_professional_id=uuid.uuid4()) is Route.author
    assert route_for(TargetKind.profile, author_professional_id=uuid.uuid4()) is Route.author


def test_what_the_patient_side_declared_is_corrected_by_it_not_requested() -> None:
    with pytest.raises(InvalidInput) as exc:
        route_for(TargetKind.profile, author_patient_id=uuid.uuid4())
    assert codes(exc) == {("target", "own-item")}
    with pytest.raises(InvalidInput) as exc:
        route_for(TargetKind.document)
    assert codes(exc) == {("target", "no-author")}


@pytest.mark.parametrize(
    ("text", "code"), [("", "too-short"), ("  faux  ", "too-short"), ("x" * 2001, "too-long")]
)
def test_the_description_is_required_and_limited(text: str, code: str) -> None:
    with pytest.raises(InvalidInput) as exc:
        clean_description(text)
    assert codes(exc) == {("description", code)}


def test_a_description_is_kept_as_written_but_trimmed() -> None:
    assert clean_description("  Ce n'est pas mon allergie.\n") == "Ce n'est pas mon allergie."
    assert len(clean_description("x" * DESCRIPTION_MAX)) == DESCRIPTION_MAX


def test_targets_are_a_known_trait_or_an_id() -> None:
    assert parse_target("identity", "birth_name") == (TargetKind.identity, "birth_name")
    some = uuid.uuid4()
    assert parse_target("document", f" {some} ") == (TargetKind.document, str(some))
    for kind, target in (("identity", "ins_matricule"), ("document", "12"), ("other", "x")):
        with pytest.raises(InvalidInput):
            parse_target(kind, target)


def test_a_refusal_gives_its_reason_and_an_identity_correction_its_value() -> None:
    with pytest.raises(InvalidInput) as exc:
        clean_answer(TargetKind.document, "refused", "", None)
    assert codes(exc) == {("answer", "reason-required")}
    with pytest.raises(InvalidInput) as exc:
        clean_answer(TargetKind.identity, "corrected", None, "  ")
    assert codes(exc) == {("corrected_value", "required")}
    with pytest.raises(InvalidInput) as exc:
        clean_answer(TargetKind.identity, None, None, None)
    assert codes(exc) == {("outcome", "required")}
    answer = clean_answer(
        TargetKind.identity, "corrected", "Vérifié sur pièce.", " Dupont  Martin "
    )
    assert (answer.outcome, answer.corrected_value) == (Outcome.corrected, "Dupont Martin")
    # a corrected value means nothing for a document: the new version is the correction
    assert clean_answer(TargetKind.document, "corrected", None, "x").corrected_value is None
    refused = clean_answer(TargetKind.profile, "refused", "Le compte rendu est exact.", None)
    assert refused.outcome is Outcome.refused
    assert refused.text == "Le compte rendu est exact."


def opposition(given: dt.datetime, withdrawn: dt.datetime | None = None) -> ConsentFact:
    return ConsentFact(Purpose.research, Stance.opposition, given, withdrawn)


def test_research_needs_no_opposition_in_force_and_an_open_record() -> None:
    assert research_allowed([], record_open=True, now=NOW)
    assert not research_allowed([], record_open=False, now=NOW)
    assert not research_allowed([opposition(NOW - DAY)], record_open=True, now=NOW)
    assert research_allowed([opposition(NOW - 2 * DAY, NOW - DAY)], record_open=True, now=NOW)
    assert research_allowed([opposition(NOW + DAY)], record_open=True, now=NOW)  # not yet
    others = [
        ConsentFact(Purpose.notifications, Stance.opposition, NOW - DAY, scope="notify_emergency"),
        ConsentFact(Purpose.dmp_creation, Stance.consent, NOW - DAY),
    ]
    assert research_allowed(others, record_open=True, now=NOW)
    assert not research_allowed(
        [*others, opposition(NOW - 3 * DAY, NOW - 2 * DAY), opposition(NOW - DAY)],
        record_open=True,
        now=NOW,
    )


def test_every_purpose_has_a_current_versioned_text() -> None:
    assert set(CURRENT) == set(Purpose)
    for purpose in Purpose:
        version = current_version(purpose)
        assert version.startswith(purpose.value + "/")
        assert text_of(version)
    assert len(BY_VERSION) == len(CURRENT)
    assert text_of("research/1999-01") is None


def test_an_entry_made_by_the_person_is_online_or_through_an_app() -> None:
    assert channel_for("web").value == "web"
    assert channel_for("api").value == "api"
    assert channel_for("cli").value == "api"
