"""Linked profiles: a parent attaches a child and invites the other parent (never a third),
the representatives' access ends at majority (nothing lost, the young adult activates their
own space), delegates of a protected adult within their scope and dates, and the minor's
confidential care kept from the parents at every door."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from helpers_records import (
    ADMIN,
    CAMILLE,
    PETIT,
    SETUP,
    STRANGER,
    People,
    acting,
    audit_entries,
    create_record,
    details,
    file_doc,
    notices,
    seed_people,
)

from dmp.access import services as access_services
from dmp.access.policy import Action, Mode
from dmp.accounts import registration
from dmp.accounts.activation import verify_activation
from dmp.accounts.model import AccountStatus
from dmp.accounts.orm import AccountRow
from dmp.accounts.queries import account_by_email
from dmp.container import Container
from dmp.identity import services as identity_services
from dmp.identity.model import IdentityInput, Role, validate_identity
from dmp.identity.orm import LegalRepresentativeRow
from dmp.linked import majority, services
from dmp.linked.hidden import hidden_ids
from dmp.linked.services import ChildInput, DelegateInput
from dmp.notifications.adapters import MemoryOutbox
from dmp.records import documents, history
from dmp.records.orm import DocumentRow
from dmp.shared.clock import FrozenClock
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction
from dmp.shared.errors import Conflict, InvalidInput, NotFound
from dmp.vaccination import services as vaccinations
from dmp.vaccination.services import DoseInput
from dmp.web.record_common import RecordPage

EMMA_NIR = "215037505612341"  # born March 2015
NOAH_NIR = "108127505612492"  # born 5 December 2008: 18 a few days after the tests start
THOMAS_NIR = "185067505612505"
THOMAS = "thomas.martin@demo.test"
JULIE_NIR = "290017505612617"
JULIE = "julie.durand@demo.test"
NOAH_EMAIL = "noah.martin@demo.test"


def _adult(
    container: Container, nir: str, email: str, family: str, given: str, day: dt.date
) -> None:
    with transaction(container.sessions) as session:
        identity = validate_identity(
            IdentityInput(
                birth_name=family,
                first_given_name=given,
                birth_given_names=given,
                sex="M" if nir[0] == "1" else "F",
                birth_date=day,
                ins_matricule=nir,
            ),
            today=container.clock.now().date(),
        )
        patient = identity_services.create_patient(session, container.clock, identity, SETUP)
        registration.create_account(
            session,
            container.security,
            email=email,
            display_name=f"{given} {family}",
            roles=[Role.patient],
            status=AccountStatus.active,
            ctx=SETUP,
            patient_id=patient.id,
        )


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    _adult(container, THOMAS_NIR, THOMAS, "MARTIN", "Thomas", dt.date(1985, 6, 2))
    _adult(container, JULIE_NIR, JULIE, "DURAND", "Julie", dt.date(1990, 1, 8))
    return found


def ctx_of(account: AccountRow) -> RequestContext:
    return RequestContext(channel="api", account_id=account.id, roles=account.role_names)


def attach(container: Container, email: str, data: ChildInput) -> services.Attached:
    with transaction(container.sessions) as session:
        account = account_by_email(session, email)
        assert account is not None
        return services.attach_child(
            session,
            container.security,
            container.settings,
            ctx_of(account),
            account,
            data,
        )


def accept(container: Container, email: str, code: str) -> LegalRepresentativeRow:
    with transaction(container.sessions) as session:
        account = account_by_email(session, email)
        assert account is not None
        return services.accept_invitation(
            session,
            container.security,
            container.settings,
            ctx_of(account),
            account,
            code=code,
        )


def code_in(outbox: MemoryOutbox, to: str) -> str:
    match = re.search(r"code[^:]*: ([A-Z0-9-]{6,})", outbox.last(to).body)
    assert match, outbox.last(to).body
    return match.group(1)


def emma(**extra: object) -> ChildInput:
    values: dict[str, object] = {
        "birth_name": "MARTIN",
        "first_given_name": "Emma",
        "sex": "F",
        "birth_date": dt.date(2015, 3, 12),
        "ins_matricule": EMMA_NIR,
    }
    values.update(extra)
    return ChildInput(**values)  # type: ignore[arg-type]


def test_a_parent_attaches_a_child_and_the_other_parent_joins_never_a_third(
    container: Container, people: People, outbox: MemoryOutbox
) -> None:
    attached = attach(
        container,
        CAMILLE,
        emma(other_birth_name="MARTIN", other_first_given_name="Thomas", other_email=THOMAS),
    )
    assert attached.created_patient
    assert attached.created_record
    child = attached.patient.id
    with acting(container, CAMILLE, child) as access:
        assert access.decide(Action.documents_list).mode is Mode.representative
    # Until Thomas accepts, he has no access at all.
    with acting(container, THOMAS, child) as access:
        assert not access.decide(Action.documents_list).allowed
    code = code_in(outbox, THOMAS)
    # Someone else holding the code cannot use it: it is bound to the invited address.
    with pytest.raises(InvalidInput):
        accept(container, JULIE, code)
    accept(container, THOMAS, code)
    with acting(container, THOMAS, child) as access:
        assert access.decide(Action.documents_list).mode is Mode.representative
    assert [n.kind for n in notices(container, THOMAS, "linked-invitation")] == [
        "linked-invitation"
    ]
    # A third legal representative is refused, with words that say why.
    with acting(container, CAMILLE, child) as access, pytest.raises(Conflict) as third:
        services.invite(
            access,
            container.security,
            birth_name="DURAND",
            first_given_name="Julie",
            email=JULIE,
        )
    assert third.value.code == "too-many-representatives"
    # Attaching an existing child someone else manages: ask them for an invitation.
    with pytest.raises(Conflict) as managed:
        attach(container, JULIE, emma())
    assert managed.value.code == "already-managed"
    # Everything was audited on the child's chain, by the representatives.
    added = audit_entries(container, child, "record:representative:add")
    assert [details(e)["mode"] for e in added] == ["representative", "representative"]
    [invited] = audit_entries(container, child, "record:representative:invite")
    assert details(invited)["mode"] == "representative"
    [created] = audit_entries(container, child, "record:record:create")
    assert details(created)["mode"] == "representative"


def test_wrong_traits_and_adults_are_refused(container: Container, people: People) -> None:
    attach(container, CAMILLE, emma())
    with pytest.raises(InvalidInput) as mismatch:
        attach(container, JULIE, emma(birth_date=dt.date(2015, 3, 13)))
    assert [e.code for e in mismatch.value.errors] == ["identity-mismatch"]
    with pytest.raises(InvalidInput) as adult:
        attach(
            container,
            CAMILLE,
            emma(
                first_given_name="Thomas",
                birth_name="MARTIN",
                sex="M",
                birth_date=dt.date(1985, 6, 2),
                ins_matricule=THOMAS_NIR,
            ),
        )
    assert "not-a-minor" in [e.code for e in adult.value.errors]


def test_at_majority_the_representatives_lose_access_and_nothing_is_lost(
    container: Container, people: People, clock: FrozenClock, outbox: MemoryOutbox
) -> None:
    noah = attach(
        container,
        CAMILLE,
        ChildInput(
            birth_name="MARTIN",
            first_given_name="Noah",
            sex="M",
            birth_date=dt.date(2008, 12, 5),
            ins_matricule=NOAH_NIR,
            ward_email=NOAH_EMAIL,
        ),
    ).patient.id
    with acting(container, CAMILLE, noah) as access:
        from dmp.access import services as access_services

        access_services.authorise(access, people.professional[PETIT])
    document = file_doc(container, PETIT, noah, "Bilan de santé")
    with acting(container, CAMILLE, noah) as access:
        assert [
            d.id for d in documents.list_documents(access, documents.DocumentQuery()).items
        ] == [document]
    run = lambda: majority.end_at_majority(  # noqa: E731
        container.sessions, container.security, container.settings
    )
    assert run() == 0  # still a minor
    clock.advance(days=6)  # 5 December 2026: Noah is 18
    # On the birthday itself his mother no longer reads his record, even before the job runs.
    with acting(container, CAMILLE, noah) as access, pytest.raises(NotFound):
        documents.list_documents(access, documents.DocumentQuery())
    assert run() == 1
    assert run() == 0  # idempotent
    with acting(container, CAMILLE, noah) as access, pytest.raises(NotFound):
        documents.list_documents(access, documents.DocumentQuery())
    with acting(container, CAMILLE, noah) as access, pytest.raises(NotFound):
        documents.get_document(access, document)
    [told] = notices(container, CAMILLE, "majority")
    assert told.patient_id == noah
    # Nothing lost: the document is still there, for the professional who wrote it.
    with acting(container, PETIT, noah) as access:
        assert documents.get_document(access, document)[0].title == "Bilan de santé"
    with transaction(container.sessions) as session:
        link = session.query(LegalRepresentativeRow).filter_by(patient_id=noah).one()
        assert link.ended_reason == "majority"
        assert session.get(DocumentRow, document) is not None
    # The young adult activates their own space with the code sent to their address.
    code = code_in(outbox, NOAH_EMAIL)
    with transaction(container.sessions) as session:
        step = verify_activation(
            session,
            container.security,
            code=code,
            ins_matricule=NOAH_NIR,
            birth_date=dt.date(2008, 12, 5),
            ctx=RequestContext(channel="web"),
        )
        assert step.ok
        assert step.account_id is not None
    [ended] = audit_entries(container, noah, "record:representative:end")
    assert details(ended) == {"mode": "system", "reason": "majority", "age": "18"}


def test_a_read_only_delegate_reads_within_their_dates_and_is_revocable(
    container: Container, people: People, clock: FrozenClock
) -> None:
    create_record(container, people.camille)
    today = clock.now().date()
    # The operator registers a judge's decision: Thomas may read Camille's record for 10 days.
    with acting(container, ADMIN, people.camille) as access:
        link = services.add_delegate(
            access,
            DelegateInput(
                THOMAS_NIR,
                dt.date(1985, 6, 2),
                "read",
                ends_on=today + dt.timedelta(days=10),
                basis="Jugement TJ Paris 2026/123",
            ),
        )
    [entry] = audit_entries(container, people.camille, "record:delegate:add")
    assert details(entry)["mode"] == "registrar"
    assert [n.kind for n in notices(container, CAMILLE, "delegate-added")] == ["delegate-added"]
    file_doc(container, CAMILLE, people.camille, "Mes analyses")
    with acting(container, THOMAS, people.camille) as access:
        assert access.decide(Action.documents_list).mode is Mode.delegate
        assert len(documents.list_documents(access, documents.DocumentQuery()).items) == 1
        # Every page of her record tells him he acts as her delegate.
        page = RecordPage(access, access_services.patient_of(access.session, people.camille), None)
        assert page.acting_for
        assert page.acting_as_delegate
    with acting(container, CAMILLE, people.leo) as access:
        page = RecordPage(access, access_services.patient_of(access.session, people.leo), None)
        assert page.acting_for
        assert not page.acting_as_delegate  # a parent, not a delegate
    # Reading only: any write is refused (as not found).
    with pytest.raises(NotFound):
        file_doc(container, THOMAS, people.camille, "Écrit par le délégué")
    with acting(container, THOMAS, people.camille) as access, pytest.raises(NotFound):
        vaccinations.add(access, DoseInput("DTP_ADULT", dt.date(2010, 5, 1)))
    # A delegate never names another one.
    with acting(container, THOMAS, people.camille) as access, pytest.raises(NotFound):
        services.add_delegate(access, DelegateInput(JULIE_NIR, dt.date(1990, 1, 8), "read"))
    # After the end date, nothing.
    clock.advance(days=11)
    with acting(container, THOMAS, people.camille) as access, pytest.raises(NotFound):
        documents.list_documents(access, documents.DocumentQuery())
    # The holder names a managing delegate, who writes; then revokes them.
    with acting(container, CAMILLE, people.camille) as access:
        julie = services.add_delegate(
            access, DelegateInput(JULIE_NIR, dt.date(1990, 1, 8), "manage")
        )
        assert {row.id for row, _p in services.delegates(access)} == {link.id, julie.id}
    file_doc(container, JULIE, people.camille, "Ajouté par la déléguée")
    with acting(container, CAMILLE, people.camille) as access:
        services.revoke_delegate(access, julie.id)
    with acting(container, JULIE, people.camille) as access, pytest.raises(NotFound):
        documents.list_documents(access, documents.DocumentQuery())
    [revoked] = audit_entries(container, people.camille, "record:delegate:revoke")
    assert details(revoked)["mode"] == "holder"


def test_a_minors_own_space_shows_what_the_parents_never_see(
    container: Container, people: People, outbox: MemoryOutbox
) -> None:
    create_record(container, people.leo)
    # Léo gets a space of his own from his doctor (as any patient registration).
    with transaction(container.sessions) as session:
        petit = account_by_email(session, PETIT)
        assert petit is not None
        services.open_own_space(
            session,
            container.security,
            ctx_of(petit),
            patient_id=people.leo,
            email="leo.martin@demo.test",
        )
    with transaction(container.sessions) as session:
        account = account_by_email(session, "leo.martin@demo.test")
        assert account is not None
        account.status = AccountStatus.active.value  # activation itself is tested elsewhere
    secret = file_doc(
        container,
        PETIT,
        people.leo,
        "Consultation confidentielle",
        invisible_to_representatives=True,
    )
    shared = file_doc(container, PETIT, people.leo, "Certificat de sport")
    with acting(container, PETIT, people.leo) as access:
        dose = vaccinations.add(
            access, DoseInput("HPV", dt.date(2026, 9, 1)), invisible_to_representatives=True
        )
    leo = "leo.martin@demo.test"
    with acting(container, leo, people.leo) as access:
        seen = {d.id for d in documents.list_documents(access, documents.DocumentQuery()).items}
        assert seen == {secret, shared}
        assert [v.id for v in vaccinations.doses(access)] == [dose.id]
        assert hidden_ids(access) == []
    with acting(container, CAMILLE, people.leo) as access:
        seen = {d.id for d in documents.list_documents(access, documents.DocumentQuery()).items}
        assert seen == {shared}
        with pytest.raises(NotFound):
            documents.get_document(access, secret)
        assert vaccinations.doses(access) == []
        with pytest.raises(NotFound):
            vaccinations.get(access, dose.id)
        hidden = hidden_ids(access)
        assert set(hidden) == {str(secret), str(dose.series_id)}
        entries, _total = history.history(access.session, people.leo, hidden_ids=hidden)
        targets = {e.target for e in entries}
        assert f"DocumentReference/{shared}" in targets
        assert not any(
            str(secret) in (t or "") or str(dose.series_id) in (t or "") for t in targets
        )
    # Notices: the new-document notices reach Léo for both, Camille for the shared one only.
    assert len(notices(container, leo, "new-document")) == 2
    assert len(notices(container, CAMILLE, "new-document")) == 1
    assert uuid.UUID(str(people.leo))


def test_a_professional_registers_a_delegate_only_for_a_patient_in_their_care(
    container: Container, people: People
) -> None:
    create_record(container, people.camille)
    decision = DelegateInput(THOMAS_NIR, dt.date(1985, 6, 2), "manage", basis="Jugement 2026/7")
    # Dr Moreau has no access to Camille's record: she can neither add nor list her delegates.
    with acting(container, STRANGER, people.camille) as access, pytest.raises(NotFound):
        services.add_delegate(access, decision)
    with acting(container, STRANGER, people.camille) as access, pytest.raises(NotFound):
        services.delegates(access)
    # Dr Petit, who may read her record, registers the judge's decision.
    with acting(container, PETIT, people.camille) as access:
        services.add_delegate(access, decision)
    [entry] = audit_entries(container, people.camille, "record:delegate:add")
    assert details(entry)["mode"] == "registrar"
