"""Every actor × every visibility-flag combination × every action, against an explicit table.

The expectations below are written from DOMAIN.md §1, actor by actor, not derived from the
implementation: if the policy changes, this table must be changed on purpose.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from dmp.access.policy import (
    Action,
    Actor,
    ActorKind,
    DocumentFacts,
    DocumentStatus,
    Mode,
    PolicySettings,
    RecordFacts,
    RecordStatus,
    decide,
    document_filter,
)

HOLDER = uuid.uuid4()
PARENT = uuid.uuid4()  # a legal representative (their own patient id)
TREATING = uuid.uuid4()
EXTENDED = uuid.uuid4()
AUTHORISED = uuid.uuid4()
AUTHOR = uuid.uuid4()  # authorised, and wrote the document
STRANGER = uuid.uuid4()  # a professional with no authorisation
BLOCKED = uuid.uuid4()  # authorised *and* blocked
BLOCKED_TREATING = uuid.uuid4()  # would be médecin traitant, but blocked
EMERGENCY = uuid.uuid4()
REGULATOR = uuid.uuid4()

RECORD = RecordFacts(
    patient_id=HOLDER,
    status=RecordStatus.open,
    authorised=frozenset({AUTHORISED, AUTHOR, BLOCKED}),
    blocked=frozenset({BLOCKED, BLOCKED_TREATING}),
    treating_doctor=TREATING,
    extended_rights=frozenset({EXTENDED}),
    representatives=frozenset({PARENT}),
    emergency_access=frozenset({EMERGENCY}),
    regulation_access=frozenset({REGULATOR}),
)


def professional(pid: uuid.UUID, *, regulator: bool = False) -> Actor:
    return Actor(ActorKind.professional, professional_id=pid, is_regulator=regulator)


ACTORS: dict[str, Actor] = {
    "patient": Actor(ActorKind.patient, patient_id=HOLDER),
    "representative": Actor(ActorKind.representative, patient_id=PARENT),
    "treating doctor": professional(TREATING),
    "extended rights": professional(EXTENDED),
    "authorised PS": professional(AUTHORISED),
    "author": professional(AUTHOR),
    "unauthorised PS": professional(STRANGER),
    "blocked PS": professional(BLOCKED),
    "blocked treating doctor": professional(BLOCKED_TREATING),
    "emergency": professional(EMERGENCY),
    "regulator": professional(REGULATOR, regulator=True),
    "operator": Actor(ActorKind.operator),
    "support": Actor(ActorKind.support),
}


@dataclass(frozen=True)
class Flags:
    masked: bool
    invisible_to_patient: bool
    invisible_to_representatives: bool


FLAGS = [Flags(*combo) for combo in itertools.product([False, True], repeat=3)]

# --- Expected answers, actor by actor ----------------------------------------------------

Rule = Callable[[Flags], bool]
never: Rule = lambda f: False  # noqa: E731
always: Rule = lambda f: True  # noqa: E731
unless_masked: Rule = lambda f: not f.masked  # noqa: E731

READ: dict[str, Rule] = {
    "patient": lambda f: not f.invisible_to_patient,
    "representative": lambda f: not f.invisible_to_patient and not f.invisible_to_representatives,
    "treating doctor": always,
    "extended rights": always,
    "authorised PS": unless_masked,
    "author": always,
    "unauthorised PS": never,
    "blocked PS": never,
    "blocked treating doctor": never,
    "emergency": unless_masked,
    "regulator": unless_masked,
    "operator": never,
    "support": never,
}

MODE: dict[str, Mode | None] = {
    "patient": Mode.holder,
    "representative": Mode.representative,
    "treating doctor": Mode.treating_doctor,
    "extended rights": Mode.extended_rights,
    "authorised PS": Mode.authorised,
    "author": Mode.authorised,
    "emergency": Mode.emergency,
    "regulator": Mode.regulation,
}

# Actions that do not depend on the document's flags: who may, on an open record.
RECORD_ACTIONS: dict[Action, set[str]] = {
    Action.record_status: {
        "patient",
        "representative",
        "treating doctor",
        "extended rights",
        "authorised PS",
        "author",
        "unauthorised PS",
        "blocked PS",
        "blocked treating doctor",
        "emergency",
        "regulator",
    },
    Action.record_close: {"patient", "representative"},
    Action.sharing_manage: {"patient", "representative"},
    Action.record_consent: {
        "treating doctor",
        "extended rights",
        "authorised PS",
        "author",
        "unauthorised PS",
        "emergency",
        "regulator",
    },
    Action.history_read: {"patient", "representative", "treating doctor"},
    Action.documents_list: {
        "patient",
        "representative",
        "treating doctor",
        "extended rights",
        "authorised PS",
        "author",
        "emergency",
        "regulator",
    },
    Action.document_create: {
        "patient",
        "representative",
        "treating doctor",
        "extended rights",
        "authorised PS",
        "author",
    },
    Action.emergency_declare: {
        "treating doctor",
        "extended rights",
        "authorised PS",
        "author",
        "unauthorised PS",
        "emergency",
        "regulator",
    },
    Action.regulation_declare: {"regulator"},
}


def document(flags: Flags, *, author: uuid.UUID | None = AUTHOR) -> DocumentFacts:
    return DocumentFacts(
        status=DocumentStatus.approved,
        author_professional_id=author,
        masked=flags.masked,
        invisible_to_patient=flags.invisible_to_patient,
        invisible_to_representatives=flags.invisible_to_representatives,
    )


CASES = [(name, flags) for name in ACTORS for flags in FLAGS]


@pytest.mark.parametrize(("name", "flags"), CASES)
def test_reading_a_document(name: str, flags: Flags) -> None:
    decision = decide(ACTORS[name], Action.document_read, RECORD, document(flags))
    assert decision.allowed is READ[name](flags)
    if decision.allowed:
        assert decision.mode is MODE[name]


@pytest.mark.parametrize(("name", "flags"), CASES)
def test_lists_hold_exactly_what_can_be_read(name: str, flags: Flags) -> None:
    """The filter a query applies agrees with the per-document decision."""
    visible = document_filter(ACTORS[name], RECORD).admits(document(flags))
    assert visible is READ[name](flags)


@pytest.mark.parametrize("name", list(ACTORS))
@pytest.mark.parametrize("action", list(RECORD_ACTIONS))
def test_record_level_actions(name: str, action: Action) -> None:
    assert decide(ACTORS[name], action, RECORD).allowed is (name in RECORD_ACTIONS[action])


MANAGE = {"author"}  # professionals manage only what they wrote
MASK: dict[str, Rule] = {"patient": READ["patient"], "representative": READ["representative"]}
ANNOUNCE: dict[str, Rule] = {
    "treating doctor": always,
    "extended rights": always,
    "authorised PS": unless_masked,
    "author": always,
}


@pytest.mark.parametrize(("name", "flags"), CASES)
def test_document_actions(name: str, flags: Flags) -> None:
    actor, facts = ACTORS[name], document(flags)
    assert decide(actor, Action.document_manage, RECORD, facts).allowed is (name in MANAGE)
    assert decide(actor, Action.document_mask, RECORD, facts).allowed is MASK.get(name, never)(
        flags
    )
    expected = ANNOUNCE.get(name, never)(flags)
    assert decide(actor, Action.announcement_record, RECORD, facts).allowed is expected


def test_the_holders_side_manages_its_own_documents_only() -> None:
    own = DocumentFacts(DocumentStatus.approved, author_patient_id=HOLDER)
    professional_doc = document(Flags(False, False, False))
    for side in ("patient", "representative"):
        assert decide(ACTORS[side], Action.document_manage, RECORD, own)
        assert not decide(ACTORS[side], Action.document_manage, RECORD, professional_doc)


@pytest.mark.parametrize("name", list(ACTORS))
def test_a_closed_record_shows_no_document_to_anyone(name: str) -> None:
    closed = RecordFacts(**{**RECORD.__dict__, "status": RecordStatus.closed})
    for flags in FLAGS:
        assert not decide(ACTORS[name], Action.document_read, closed, document(flags))
    assert not decide(ACTORS[name], Action.document_create, closed)
    can_reopen = name in ("patient", "representative")
    assert decide(ACTORS[name], Action.record_close, closed).allowed is can_reopen


@pytest.mark.parametrize("name", list(ACTORS))
def test_without_a_record_only_creation_is_possible(name: str) -> None:
    # Without a record there are no authorisations or blocks yet: any professional may create
    # it with the holder's consent, as may the holder's side.
    none = RecordFacts(patient_id=HOLDER, status=None, representatives=frozenset({PARENT}))
    assert not decide(ACTORS[name], Action.documents_list, none)
    creators = set(ACTORS) - {"operator", "support"}
    assert decide(ACTORS[name], Action.record_create, none).allowed is (name in creators)
    assert not decide(ACTORS[name], Action.record_create, RECORD)


def test_oppositions_stop_emergency_and_regulation() -> None:
    opposed = RecordFacts(
        **{**RECORD.__dict__, "emergency_opposed": True, "regulation_opposed": True}
    )
    visible = document(Flags(False, False, False))
    for name in ("emergency", "regulator"):
        assert not decide(ACTORS[name], Action.document_read, opposed, visible)
    assert not decide(ACTORS["authorised PS"], Action.emergency_declare, opposed)
    assert not decide(ACTORS["regulator"], Action.regulation_declare, opposed)
    assert decide(ACTORS["authorised PS"], Action.document_read, opposed, visible)


def test_emergency_modes_may_see_masked_documents_when_configured() -> None:
    masked = document(Flags(True, False, False), author=None)
    setting = PolicySettings(emergency_sees_masked=True)
    for name in ("emergency", "regulator"):
        assert not decide(ACTORS[name], Action.document_read, RECORD, masked)
        assert decide(ACTORS[name], Action.document_read, RECORD, masked, setting)
    assert not decide(ACTORS["authorised PS"], Action.document_read, RECORD, masked, setting)


def test_deleted_documents_are_never_shown_and_archived_ones_are() -> None:
    for status, expected in (
        (DocumentStatus.deleted, False),
        (DocumentStatus.archived, True),
        (DocumentStatus.deprecated, True),
    ):
        facts = DocumentFacts(status, author_professional_id=AUTHOR)
        for name in ("patient", "treating doctor", "author"):
            assert decide(ACTORS[name], Action.document_read, RECORD, facts).allowed is expected


def test_a_regulator_without_a_regulation_access_sees_nothing() -> None:
    other = professional(uuid.uuid4(), regulator=True)
    assert not decide(other, Action.document_read, RECORD, document(Flags(False, False, False)))


def test_system_jobs_see_everything() -> None:
    system = Actor(ActorKind.system)
    for flags in FLAGS:
        assert decide(system, Action.document_read, RECORD, document(flags))
