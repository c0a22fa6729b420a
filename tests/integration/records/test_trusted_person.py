"""The personne de confiance under the record's rules: designation by an adult holder, the
designee's co-signature by code or link (throttled, single use, expiring), refusal, a new
designation superseding the old, revocation, who may see it, and the audit trail."""

from __future__ import annotations

import uuid

import pytest
from helpers_records import (
    AUTHORISED,
    BERNARD,
    BLOCKED,
    CAMILLE,
    STRANGER,
    People,
    acting,
    audit_entries,
    create_record,
    details,
    notices,
    outbox_rows,
    seed_people,
    share_camille,
)

from dmp.container import Container
from dmp.directives.trusted_person import TrustedPerson
from dmp.records import history
from dmp.shared.clock import FrozenClock
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction
from dmp.shared.errors import (
    Conflict,
    DomainError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from dmp.trusted import services
from dmp.trusted.orm import TrustedPersonInvitationRow, TrustedPersonRow
from dmp.trusted.services import Issued, Opened

BASE = "https://dmp.example"
DESIGNEE = RequestContext(ip="198.51.100.7", channel="web", user_agent="designee")
PAUL = TrustedPerson(
    surname="Martin",
    first_names="Paul",
    relationship="relative",
    phone="06 12 34 56 78",
    email="paul.martin@example.fr",
    relationship_detail="mon frère",
    adult_confirmed=True,
)
JEANNE = TrustedPerson(
    surname="Durand",
    first_names="Jeanne",
    relationship="close-person",
    phone="0611223344",
    adult_confirmed=True,
)


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    create_record(container, found.leo)
    share_camille(container, found)
    return found


def key(container: Container) -> bytes:
    return services.invitation_key(container.security.keys)


def designate(container: Container, people: People, person: TrustedPerson = PAUL) -> Issued:
    with acting(container, CAMILLE, people.camille) as access:
        issued = services.designate(
            access, person, key=key(container), link_base=BASE, language="fr"
        )
        assert issued.designation.designation_status == "pending"
        return issued


def answer(
    container: Container,
    *,
    accept: bool = True,
    name: str = "Paul MARTIN",
    code: str = "",
    token: str = "",
    ctx: RequestContext = DESIGNEE,
) -> Opened:
    """The designee's answer in its own transaction; throttled failures are committed, as the
    doors do, and raised."""
    with transaction(container.sessions) as session:
        opened = services.answer(
            session,
            container.security,
            key(container),
            ctx,
            accept=accept,
            full_name=name,
            code=code,
            token=token,
        )
    if opened.error is not None:
        raise opened.error
    return opened


def current(container: Container, email: str, patient: uuid.UUID) -> TrustedPersonRow | None:
    with acting(container, email, patient) as access:
        row, _history = services.read(access)
        return row


def test_designation_waits_for_the_cosignature_then_the_patient_is_told(
    container: Container, people: People
) -> None:
    issued = designate(container, people)
    assert issued.link.startswith(f"{BASE}/trusted-person/invitation?token=")
    assert issued.emailed
    [mail] = outbox_rows(container, "paul.martin@example.fr")
    assert "Camille MARTIN vous désigne comme personne de confiance" in mail.subject
    assert issued.code in mail.body
    assert issued.link in mail.body
    with transaction(container.sessions) as session:  # only digests are stored
        [invitation] = session.query(TrustedPersonInvitationRow).all()
        assert issued.code not in (invitation.code_hash, invitation.token_hash)
        assert issued.link.split("token=")[1] not in invitation.token_hash

    row = current(container, CAMILLE, people.camille)
    assert row is not None
    assert (row.designation_status, row.display_name, row.phone) == (
        "pending",
        "Paul MARTIN",
        "+33612345678",
    )

    with pytest.raises(InvalidInput) as wrong_name:
        answer(container, code=issued.code, name="Pierre Dupont")
    assert wrong_name.value.errors[0].code == "name-mismatch"
    opened = answer(container, code=issued.code.lower(), name="  paul   martin ")
    assert opened.patient_name == "Camille MARTIN"

    row = current(container, CAMILLE, people.camille)
    assert row is not None
    assert row.designation_status == "active"
    assert row.cosigned_name == "paul martin"
    assert row.cosigned_at is not None
    assert [n.kind for n in notices(container, CAMILLE, "trusted-person-accepted")] == [
        "trusted-person-accepted"
    ]
    [cosign] = audit_entries(container, people.camille, "record:trusted-person:cosign")
    assert cosign.actor_account_id is None
    assert cosign.actor_label == "paul martin"
    assert details(cosign) == {"mode": "designee"}
    with transaction(container.sessions) as session:
        entries, _total = history.history(session, people.camille)
    cosigned = [e for e in entries if e.action == "record:trusted-person:cosign"]
    assert cosigned[0].who == "paul martin"

    # Used once: the same code, and the link, no longer work.
    with pytest.raises(Conflict) as used:
        answer(container, code=issued.code)
    assert used.value.code == "used"
    with pytest.raises(Conflict):
        answer(container, token=issued.link.split("token=")[1])


def test_the_designee_may_decline_through_the_link(container: Container, people: People) -> None:
    issued = designate(container, people, JEANNE)
    assert not issued.emailed  # no address: the patient passes the code on
    assert not [m for m in outbox_rows(container) if "personne de confiance" in m.subject]
    answer(container, accept=False, name="", token=issued.link.split("token=")[1])
    row = current(container, CAMILLE, people.camille)
    assert row is not None
    assert row.designation_status == "declined"
    assert row.declined_at is not None
    assert len(notices(container, CAMILLE, "trusted-person-declined")) == 1
    [declined] = audit_entries(container, people.camille, "record:trusted-person:decline")
    assert declined.actor_label == "Jeanne DURAND"


def test_wrong_codes_are_refused_then_the_address_is_locked(
    container: Container, people: People
) -> None:
    issued = designate(container, people)
    threshold = container.settings.lockout_threshold
    for _attempt in range(threshold - 1):
        with pytest.raises(InvalidInput) as wrong:
            answer(container, code="AAAA-BBBB")
        assert wrong.value.code == "wrong-code"
    with pytest.raises(TooManyAttempts):  # the failure that locks says so at once
        answer(container, code="AAAA-BBBB")
    with pytest.raises(TooManyAttempts):  # even the right code waits now
        answer(container, code=issued.code)
    with pytest.raises(TooManyAttempts):
        answer(container, token="not-a-token")
    # Someone else, elsewhere, is not locked out.
    elsewhere = RequestContext(ip="203.0.113.9", channel="web")
    answer(container, code=issued.code, ctx=elsewhere)
    row = current(container, CAMILLE, people.camille)
    assert row is not None
    assert row.designation_status == "active"


def test_expired_and_replaced_invitations_are_refused(
    container: Container, people: People, clock: FrozenClock
) -> None:
    first = designate(container, people)
    with acting(container, CAMILLE, people.camille) as access:
        second = services.resend(access, key=key(container), link_base=BASE, language="en")
    assert second.code != first.code
    assert len(outbox_rows(container, "paul.martin@example.fr")) == 2
    with pytest.raises(Conflict) as replaced:
        answer(container, code=first.code)
    assert replaced.value.code == "cancelled"
    clock.advance(days=31)
    with pytest.raises(Conflict) as expired:
        answer(container, code=second.code)
    assert expired.value.code == "expired"
    [resent] = audit_entries(container, people.camille, "record:trusted-person:invite")
    assert details(resent)["mode"] == "holder"


def test_a_new_designation_supersedes_the_old_and_revocation_ends_it(
    container: Container, people: People
) -> None:
    first = designate(container, people)
    answer(container, code=first.code)
    second = designate(container, people, JEANNE)
    with acting(container, CAMILLE, people.camille) as access:
        row, rows = services.read(access)
    assert row is not None
    assert [(r.display_name, r.designation_status, r.status) for r in rows] == [
        ("Jeanne DURAND", "pending", "approved"),
        ("Paul MARTIN", "superseded", "deprecated"),
    ]
    assert rows[1].cosigned_at is not None  # kept as it was co-signed

    with acting(container, CAMILLE, people.camille) as access, pytest.raises(DomainError):
        services.revoke(access, expected_version=99)
    with acting(container, CAMILLE, people.camille) as access:
        revoked = services.revoke(access)
        assert revoked.revoked_at is not None
    with pytest.raises(Conflict) as cancelled:  # revocation cancels the pending invitation
        answer(container, code=second.code, name="Jeanne Durand")
    assert cancelled.value.code == "cancelled"
    with acting(container, CAMILLE, people.camille) as access, pytest.raises(Conflict):
        services.revoke(access)
    with acting(container, CAMILLE, people.camille) as access, pytest.raises(Conflict):
        services.resend(access, key=key(container), link_base=BASE, language="fr")
    # After a revocation, a new designation starts afresh in the same history.
    designate(container, people)
    with acting(container, CAMILLE, people.camille) as access:
        _row, rows = services.read(access)
    assert [r.designation_status for r in rows] == ["pending", "revoked", "superseded"]
    actions = [e.action for e in audit_entries(container, people.camille)]
    assert actions.count("record:trusted-person:designate") == 3
    assert actions.count("record:trusted-person:revoke") == 1


def test_only_an_adult_designates_for_themselves(container: Container, people: People) -> None:
    with acting(container, CAMILLE, people.leo) as access, pytest.raises(PermissionDenied) as minor:
        services.designate(access, PAUL, key=key(container), link_base=BASE, language="fr")
    assert minor.value.code == "adults-only"
    with acting(container, CAMILLE, people.leo) as access:
        assert services.may_designate(access) is not None
        assert services.read(access) == (None, [])
    with acting(container, AUTHORISED, people.camille) as access, pytest.raises(NotFound):
        services.designate(access, PAUL, key=key(container), link_base=BASE, language="fr")
    with acting(container, CAMILLE, people.camille) as access, pytest.raises(InvalidInput) as bad:
        services.designate(
            access,
            TrustedPerson(surname="", first_names="Paul", relationship="neighbour"),
            key=key(container),
            link_base=BASE,
            language="fr",
        )
    assert {e.field for e in bad.value.errors} == {
        "surname",
        "relationship",
        "contact",
        "adult_confirmed",
    }
    assert current(container, CAMILLE, people.camille) is None


def test_professionals_who_may_read_the_record_see_it_the_blocked_one_does_not(
    container: Container, people: People
) -> None:
    issued = designate(container, people)
    answer(container, code=issued.code)
    for email, mode in ((BERNARD, "treating-doctor"), (AUTHORISED, "authorised")):
        row = current(container, email, people.camille)
        assert row is not None
        assert (row.display_name, row.relationship, row.designation_status) == (
            "Paul MARTIN",
            "relative",
            "active",
        )
        with acting(container, email, people.camille) as access:
            assert services.may_designate(access) is None  # not theirs to change: 404 below
            with pytest.raises(NotFound):
                services.revoke(access)
        assert (
            details(audit_entries(container, people.camille, "record:trusted-person:read")[-1])[
                "mode"
            ]
            == mode
        )
    for email in (BLOCKED, STRANGER):
        with acting(container, email, people.camille) as access, pytest.raises(NotFound):
            services.read(access)
    with transaction(container.sessions) as session:
        entries, _total = history.history(session, people.camille)
    reads = [e for e in entries if e.action == "record:trusted-person:read"]
    assert {e.mode for e in reads} == {"treating-doctor", "authorised"}  # the holder's are not


def test_a_purged_record_loses_its_designations_and_invitations(
    container: Container, people: People, clock: FrozenClock
) -> None:
    from dmp.jobs import tasks
    from dmp.records import lifecycle

    designate(container, people)
    designate(container, people, JEANNE)
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.request_deletion(access)
    clock.advance(days=90)
    assert tasks.purge_records(container.sessions, container.blobs, clock) == 1
    with transaction(container.sessions) as session:
        assert session.query(TrustedPersonRow).count() == 0
        assert session.query(TrustedPersonInvitationRow).count() == 0
