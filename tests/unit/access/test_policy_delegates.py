"""Delegates of a protected adult in the one policy: a "manage" delegate acts as a legal
representative does; a "read" delegate lists and reads, every write is refused; neither sees
what is kept from legal representatives; a delegation outside its dates is simply not in the
facts (dmp.access.facts), so it gives nothing."""

from __future__ import annotations

import uuid

import pytest

from dmp.access.policy import (
    READ_ACTIONS,
    Action,
    Actor,
    ActorKind,
    DocumentFacts,
    DocumentStatus,
    Mode,
    RecordFacts,
    RecordStatus,
    decide,
    document_filter,
)

HOLDER = uuid.uuid4()
READER = uuid.uuid4()
MANAGER = uuid.uuid4()
PARENT = uuid.uuid4()
RECORD = RecordFacts(
    patient_id=HOLDER,
    status=RecordStatus.open,
    representatives=frozenset({PARENT}),
    delegates=frozenset({MANAGER}),
    read_only_delegates=frozenset({READER}),
)
OWN = DocumentFacts(DocumentStatus.approved, author_patient_id=HOLDER)
SECRET = DocumentFacts(DocumentStatus.approved, invisible_to_representatives=True)
WRITES = [a for a in Action if a not in READ_ACTIONS]


def side(patient_id: uuid.UUID) -> Actor:
    return Actor(ActorKind.representative, patient_id=patient_id)


@pytest.mark.parametrize("action", sorted(READ_ACTIONS))
def test_a_read_only_delegate_reads(action: Action) -> None:
    decision = decide(side(READER), action, RECORD, OWN)
    assert decision.allowed
    assert decision.mode is Mode.delegate


@pytest.mark.parametrize("action", WRITES)
def test_a_read_only_delegate_never_writes(action: Action) -> None:
    assert not decide(side(READER), action, RECORD, OWN).allowed


@pytest.mark.parametrize(
    "action",
    [
        Action.document_create,
        Action.document_manage,
        Action.document_mask,
        Action.sharing_manage,
        Action.record_close,
    ],
)
def test_a_managing_delegate_acts_as_a_representative(action: Action) -> None:
    delegate = decide(side(MANAGER), action, RECORD, OWN)
    parent = decide(side(PARENT), action, RECORD, OWN)
    assert delegate.allowed == parent.allowed is True
    assert delegate.mode is Mode.delegate
    assert parent.mode is Mode.representative


@pytest.mark.parametrize("who", [READER, MANAGER, PARENT])
def test_what_is_kept_from_representatives_is_kept_from_delegates(who: uuid.UUID) -> None:
    assert document_filter(side(who), RECORD).hide_invisible_to_representatives
    assert not decide(side(who), Action.document_read, RECORD, SECRET).allowed


def test_the_holder_still_sees_it() -> None:
    holder = Actor(ActorKind.patient, patient_id=HOLDER)
    assert decide(holder, Action.document_read, RECORD, SECRET).allowed


def test_an_ended_or_out_of_dates_delegation_gives_nothing() -> None:
    # The facts hold only links in force today: a delegate left out of them is a stranger.
    ended = RecordFacts(patient_id=HOLDER, status=RecordStatus.open)
    for action in Action:
        assert not decide(side(READER), action, ended, OWN).allowed


def test_a_wider_link_wins_over_a_read_only_one() -> None:
    both = RecordFacts(
        patient_id=HOLDER,
        status=RecordStatus.open,
        representatives=frozenset({READER}),
        read_only_delegates=frozenset({READER}),
    )
    decision = decide(side(READER), Action.document_create, both)
    assert decision.allowed
    assert decision.mode is Mode.representative
