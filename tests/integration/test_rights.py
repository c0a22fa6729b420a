"""GDPR rights on the record: rectification requests routed to the author or the operators,
answered and traced; the consents registry filled from the record's own flows; the research
opposition and the one rule every research use applies."""

from __future__ import annotations

import uuid

import pytest
from helpers_records import (
    ADMIN,
    BLOCKED,
    CAMILLE,
    PETIT,
    STRANGER,
    People,
    acting,
    audit_entries,
    create_record,
    details,
    doc_input,
    file_doc,
    in_chunks,
    notices,
    pdf,
    seed_people,
    share_camille,
    storage,
)
from sqlalchemy import select

from dmp.access import services as access_services
from dmp.accounts.queries import account_by_email
from dmp.audit.model import AuditAction
from dmp.container import Container
from dmp.profile import services as profile_services
from dmp.records import documents, lifecycle
from dmp.rights import registry, services
from dmp.rights.orm import ConsentRow, RectificationRow
from dmp.shared.clock import FrozenClock
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction
from dmp.shared.errors import Conflict, InvalidInput, NotFound


@pytest.fixture
def people(container: Container) -> People:
    found = seed_people(container)
    create_record(container, found.camille)
    create_record(container, found.leo)
    share_camille(container, found)
    return found


def answer(
    container: Container, email: str, request_id: uuid.UUID, **fields: str
) -> RectificationRow:
    with transaction(container.sessions) as session:
        account = account_by_email(session, email)
        assert account is not None
        ctx = RequestContext(channel="api", account_id=account.id, roles=account.role_names)
        return services.answer(
            session,
            container.settings,
            container.clock,
            ctx,
            account,
            request_id,
            **fields,  # type: ignore[arg-type]
        )


def addressed(container: Container, email: str) -> list[RectificationRow]:
    with transaction(container.sessions) as session:
        account = account_by_email(session, email)
        assert account is not None
        return services.addressed_to(session, account)


def consents(container: Container, patient_id: uuid.UUID) -> list[ConsentRow]:
    with transaction(container.sessions) as session:
        return registry.entries(session, patient_id)


def test_a_document_error_goes_to_its_author_who_corrects_it_and_the_patient_is_told(
    container: Container, people: People, clock: FrozenClock
) -> None:
    doc_id = file_doc(container, PETIT, people.camille, "Bilan cardiaque")
    with acting(container, CAMILLE, people.camille) as access:
        found = services.targets(access)
        assert doc_id in [d.id for d in found.documents]
        row = services.request(
            access, "document", str(doc_id), "La date de l'examen est fausse : c'était le 3 mars."
        )
        request_id = row.id
    assert [n.kind for n in notices(container, PETIT, "rectification-request")] == [
        "rectification-request"
    ]
    assert [r.id for r in addressed(container, PETIT)] == [request_id]
    assert addressed(container, ADMIN) == []  # operators never see a document's request
    # the notice tells that something happened, never what
    notice = notices(container, PETIT, "rectification-request")[0]
    assert "date" not in notice.params.lower() or "mars" not in notice.params

    # the author replaces the document through the usual flow, then answers
    clock.advance(minutes=30)
    with acting(container, PETIT, people.camille) as access:
        new = documents.replace_document(
            access,
            storage(container),
            doc_id,
            doc_input("Bilan cardiaque (corrigé)"),
            in_chunks(pdf("corrigé")),
        )
        new_id = new.id
    answered = answer(
        container, PETIT, request_id, outcome="corrected", text="Date corrigée, merci."
    )
    assert answered.status == "corrected"
    assert answered.correction_id == new_id
    assert [n.kind for n in notices(container, CAMILLE, "rectification-answered")] == [
        "rectification-answered"
    ]
    with acting(container, CAMILLE, people.camille) as access:
        mine = services.request_of(access, request_id)
        assert (mine.status, mine.answer) == ("corrected", "Date corrigée, merci.")

    asked = audit_entries(container, people.camille, AuditAction.RecordRectificationRequest)
    answers = audit_entries(container, people.camille, AuditAction.RecordRectificationAnswer)
    assert len(asked) == 1
    assert len(answers) == 1
    assert details(asked[0])["item"].startswith("DocumentReference/")
    assert details(answers[0])["outcome"] == "corrected"
    assert details(answers[0])["correction"] == str(new_id)
    assert details(answers[0])["mode"] == "author"

    with pytest.raises(Conflict):  # answered once
        answer(container, PETIT, request_id, outcome="refused", text="Finalement non, désolé.")


def test_only_the_author_answers_and_a_refusal_says_why(
    container: Container, people: People
) -> None:
    doc_id = file_doc(container, PETIT, people.camille, "Compte rendu")
    with acting(container, CAMILLE, people.camille) as access:
        request_id = services.request(
            access, "document", str(doc_id), "Ce compte rendu n'est pas le mien."
        ).id
    for other in (STRANGER, ADMIN, CAMILLE):
        with pytest.raises(NotFound):
            answer(container, other, request_id, outcome="corrected")
    with pytest.raises(InvalidInput):
        answer(container, PETIT, request_id, outcome="refused", text="")
    refused = answer(
        container, PETIT, request_id, outcome="refused", text="Le compte rendu est bien le vôtre."
    )
    assert refused.status == "refused"
    assert refused.correction_id is None


def test_identity_traits_go_to_the_operators_who_record_the_corrected_value(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        request_id = services.request(
            access, "identity", "used_name", "Mon nom d'usage est Martin-Durand."
        ).id
    assert [r.id for r in addressed(container, ADMIN)] == [request_id]
    assert addressed(container, PETIT) == []
    assert notices(container, ADMIN, "rectification-request")
    with pytest.raises(InvalidInput):
        answer(container, ADMIN, request_id, outcome="corrected")
    done = answer(
        container, ADMIN, request_id, outcome="corrected", corrected_value="Martin-Durand"
    )
    assert done.corrected_value == "Martin-Durand"
    entry = audit_entries(container, people.camille, AuditAction.RecordRectificationAnswer)[0]
    assert details(entry)["mode"] == "operator"
    assert details(entry)["corrected_value"] == "Martin-Durand"


def test_requests_are_for_items_someone_else_wrote_and_only_on_ones_own_side(
    container: Container, people: People
) -> None:
    own = file_doc(container, CAMILLE, people.camille, "Mes analyses")
    leo_doc = file_doc(container, PETIT, people.leo, "Carnet de Léo")
    with acting(container, CAMILLE, people.camille) as access:
        entry = profile_services.add(
            access, "allergy", {"substance": "Pollen", "kind": "allergy", "severity": "mild"}
        )
        entry_id = entry.id
    with acting(container, CAMILLE, people.camille) as access:
        with pytest.raises(InvalidInput) as exc:
            services.request(access, "document", str(own), "Je me suis trompée de fichier.")
        assert exc.value.errors[0].code == "own-item"
        with pytest.raises(InvalidInput):
            services.request(access, "profile", str(entry_id), "Ce n'est pas le pollen.")
        with pytest.raises(NotFound):  # Léo's document, named on Camille's own record
            services.request(access, "document", str(leo_doc), "Ce document n'est pas à moi.")
        with pytest.raises(NotFound):
            services.request(access, "document", str(uuid.uuid4()), "Ce document n'existe pas.")
    with acting(container, STRANGER, people.camille) as access, pytest.raises(NotFound):
        services.request(access, "identity", "birth_name", "Pas le bon nom de naissance.")
    with acting(container, PETIT, people.camille) as access, pytest.raises(NotFound):
        services.requests_of(access)
    # as Léo's legal representative, Camille asks on his behalf
    with acting(container, CAMILLE, people.leo) as access:
        row = services.request(access, "document", str(leo_doc), "Le carnet n'est pas à jour.")
        assert row.patient_id == people.leo
        with pytest.raises(Conflict):  # one request at a time per item
            services.request(access, "document", str(leo_doc), "Le carnet n'est pas à jour.")


def test_a_professional_profile_entry_can_be_rectified_by_a_new_version(
    container: Container, people: People
) -> None:
    with acting(container, PETIT, people.camille) as access:
        entry_id = profile_services.add(
            access, "allergy", {"substance": "Pénicilline", "kind": "allergy", "severity": "severe"}
        ).id
    with acting(container, CAMILLE, people.camille) as access:
        assert entry_id in [e.id for e in services.targets(access).profile]
        request_id = services.request(
            access, "profile", str(entry_id), "Je ne suis pas allergique à la pénicilline."
        ).id
    with acting(container, PETIT, people.camille) as access:
        new_id = profile_services.update(
            access, entry_id, {"substance": "Amoxicilline", "kind": "allergy", "severity": "severe"}
        ).id
    done = answer(container, PETIT, request_id, outcome="corrected")
    assert done.correction_id == new_id


def test_record_creation_and_sharing_fill_the_registry(
    container: Container, people: People, clock: FrozenClock
) -> None:
    entries = consents(container, people.camille)
    creation = [e for e in entries if e.purpose == "dmp-creation"]
    assert len(creation) == 1
    assert (creation[0].channel, creation[0].text_version) == ("oral", "dmp-creation/2026-01")
    assert creation[0].recorded_by == people.account[PETIT]
    assert creation[0].withdrawn_at is None
    sharing = {e.scope: e for e in entries if e.purpose == "data-sharing"}
    assert str(people.professional[BLOCKED]) in sharing  # authorised, then blocked (not revoked)
    with acting(container, CAMILLE, people.camille) as access:
        access_services.revoke(access, people.professional[BLOCKED])
    sharing = {
        e.scope: e for e in consents(container, people.camille) if e.purpose == "data-sharing"
    }
    assert sharing[str(people.professional[BLOCKED])].withdrawn_at is not None
    # closing withdraws the creation consent; reopening gives a new one
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.close(access, reason="Je déménage")
    clock.advance(minutes=5)
    with acting(container, CAMILLE, people.camille) as access:
        lifecycle.reopen(access)
    creation = [e for e in consents(container, people.camille) if e.purpose == "dmp-creation"]
    assert [e.withdrawn_at is None for e in creation] == [True, False]  # newest first
    assert creation[0].channel == "api"


def test_turning_a_notice_off_and_on_is_traced_without_copying_the_preference(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        access_services.update_preferences(access, notify_new_document=False)
    with acting(container, CAMILLE, people.camille) as access:
        access_services.update_preferences(access, notify_new_document=True, notify_emergency=True)
    entries = [e for e in consents(container, people.camille) if e.purpose == "notifications"]
    assert [(e.scope, e.stance, e.withdrawn_at is not None) for e in entries] == [
        ("notify_new_document", "opposition", True)
    ]


def test_the_research_opposition_is_recorded_withdrawn_and_honoured(
    container: Container, people: People
) -> None:
    def excluded() -> set[uuid.UUID]:
        with transaction(container.sessions) as session:
            return set(session.scalars(registry.research_excluded_patients()))

    def allowed(patient_id: uuid.UUID) -> bool:
        with transaction(container.sessions) as session:
            return registry.research_allowed_for(session, patient_id, container.clock.now())

    assert allowed(people.camille)
    assert people.camille not in excluded()
    with acting(container, CAMILLE, people.camille) as access:
        assert services.set_research_opposition(access, True)
        assert not services.set_research_opposition(access, True)  # already
        assert services.research_opposed(access)
    assert not allowed(people.camille)
    assert excluded() == {people.camille}
    assert allowed(people.leo)
    with acting(container, CAMILLE, people.camille) as access:
        assert services.set_research_opposition(access, False)
    assert allowed(people.camille)
    assert people.camille not in excluded()
    research = [e for e in consents(container, people.camille) if e.purpose == "research"]
    assert [(e.stance, e.withdrawn_at is not None) for e in research] == [("opposition", True)]
    changes = audit_entries(container, people.camille, AuditAction.RecordConsentChange)
    assert [details(e)["change"] for e in changes] == ["given", "withdrawn"]
    # a closed record is out of research whatever its holder chose
    with acting(container, CAMILLE, people.leo) as access:
        lifecycle.close(access, reason="Il a grandi")
    assert people.leo in excluded()
    assert not allowed(people.leo)
    # nobody else sets it
    with acting(container, PETIT, people.camille) as access, pytest.raises(NotFound):
        services.set_research_opposition(access, True)


def test_the_registry_is_backfilled_for_records_that_existed_before_it(
    container: Container, people: People
) -> None:
    """The migration's back-fill, replayed on today's rows: remove the entries, rerun it."""
    from importlib import import_module

    from alembic.migration import MigrationContext
    from alembic.operations import Operations

    migration = import_module(
        "dmp.migrations.versions.2026-11-29_ae5d4f6b3c54_rectification_consents"
    )
    with acting(container, CAMILLE, people.camille) as access:
        access_services.update_preferences(access, notify_first_access=False)
    with transaction(container.sessions) as session:
        session.execute(ConsentRow.__table__.delete())
    with container.engine.begin() as connection:
        context = MigrationContext.configure(connection)
        with Operations.context(context):
            migration._backfill(migration._consents())
    entries = consents(container, people.camille)
    kinds = sorted((e.purpose, e.scope or "") for e in entries)
    assert ("dmp-creation", "") in kinds
    assert ("notifications", "notify_first_access") in kinds
    assert ("data-sharing", str(people.professional[BLOCKED])) in kinds
    with transaction(container.sessions) as session:
        leo = session.scalars(
            select(ConsentRow).where(
                ConsentRow.patient_id == people.leo, ConsentRow.purpose == "dmp-creation"
            )
        ).one()
        assert leo.channel == "oral"


def test_reading_the_consents_and_the_requests_is_audited(
    container: Container, people: People
) -> None:
    with acting(container, CAMILLE, people.camille) as access:
        services.consents(access)
        services.requests_of(access)
    for action in ("record:consent:read", "record:rectification:read"):
        [entry] = audit_entries(container, people.camille, action)
        assert details(entry)["mode"] == "holder"
