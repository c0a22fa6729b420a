"""The export sections other features register, end to end on the demo records: Camille's
ZIP holds her verified blood-group card (Dr Bernard's, in the demo seed), her advance
directives, her trusted person and her consents registry as FHIR resources that parse with
fhir.resources R4B and pass ``fhir.check``, with a line of each in the printed summary; what is
hidden from legal representatives stays out of her son's part."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle
from helpers_records import BERNARD, CAMILLE, SETUP, acting, audit_entries, details, storage
from sqlalchemy import select

from dmp import demo
from dmp.accounts.queries import account_by_email
from dmp.audit.model import AuditAction
from dmp.bloodgroup import services as blood_group
from dmp.bloodgroup.model import BloodGroupInput
from dmp.bloodgroup.orm import BloodGroupRow
from dmp.container import Container
from dmp.demo_records import seed_records
from dmp.directives.model import AdvanceDirectives, Author, TreatmentWish
from dmp.directives.trusted_person import TrustedPerson
from dmp.directives_record import services as advance
from dmp.directives_record.orm import DirectivesRow
from dmp.export import fhir, services
from dmp.identity import services as identity_services
from dmp.rights import services as rights
from dmp.shared.clock import FrozenClock
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction
from dmp.trusted import services as trusted
from support import seed_demo

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


@pytest.fixture
def people(container: Container) -> tuple[uuid.UUID, uuid.UUID]:
    """The demo accounts and records: Camille (verified blood-group card) and her son Léo."""
    seed_demo(container)
    with transaction(container.sessions) as session:
        assert seed_records(session, container.settings, container.clock, storage(container))
        camille = identity_services.patient_by_matricule(session, demo.CAMILLE_NIR)
        leo = identity_services.patient_by_matricule(session, demo.LEO_NIR)
        assert camille is not None
        assert leo is not None
        return camille.id, leo.id


def sign(container: Container, camille: uuid.UUID, **changes: Any) -> DirectivesRow:
    wishes = AdvanceDirectives(
        author=Author("Martin", "Camille Anne", dt.date(1985, 3, 27), "Paris"),
        situation="healthy",
        treatments=(TreatmentWish("cardiopulmonary-resuscitation", "refuse"),),
        sedation="yes",
        other_wishes="Finir ma vie à la maison.",
        place="Lyon",
    )
    with acting(container, CAMILLE, camille) as access:
        proof = advance.reauthenticate(access, container.security, demo.DEMO_PASSWORD)
        assert isinstance(proof, advance.Reauthenticated)
        return advance.sign(
            access,
            storage(container),
            proof,
            AdvanceDirectives(**{**wishes.__dict__, **changes}),
            typed_name="Camille Martin",
        )


def designate_and_cosign(container: Container, camille: uuid.UUID) -> None:
    key = trusted.invitation_key(container.security.keys)
    with acting(container, CAMILLE, camille) as access:
        issued = trusted.designate(
            access, PAUL, key=key, link_base="https://dmp.example", language="fr"
        )
    with transaction(container.sessions) as session:
        opened = trusted.answer(
            session,
            container.security,
            key,
            DESIGNEE,
            accept=True,
            full_name="Paul MARTIN",
            code=issued.code,
        )
        assert opened.error is None


def export_zip(container: Container) -> zipfile.ZipFile:
    with transaction(container.sessions) as session:
        account = account_by_email(session, CAMILLE)
        assert account is not None
        export_id = services.request_export(
            session, container.settings, container.clock, SETUP, account, language="fr"
        ).id
    services.build_exports(
        container.sessions, container.settings, container.clock, services.storage_for(container)
    )
    with transaction(container.sessions) as session:
        account = account_by_email(session, CAMILLE)
        assert account is not None
        row, chunks = services.open_download(
            session, container.clock, SETUP, account, container.keks, container.blobs, export_id
        )
        assert row.status == "ready", row.error
        return zipfile.ZipFile(io.BytesIO(b"".join(chunks)))


def resources_of(archive: zipfile.ZipFile) -> list[dict[str, Any]]:
    """Every resource of the bundle, each checked and parsed with fhir.resources R4B."""
    bundle = json.loads(archive.read("fhir/bundle.json"))
    Bundle.model_validate(bundle)
    resources = [entry["resource"] for entry in bundle["entry"]]
    for resource in resources:
        fhir.check(resource)
        get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    return resources


def codes(concept: dict[str, Any]) -> set[str]:
    return {coding["code"] for coding in concept.get("coding", [])}


def of(resources: list[dict[str, Any]], patient: uuid.UUID, kind: str) -> list[dict[str, Any]]:
    url = fhir.full_url(str(patient))
    found = []
    for resource in resources:
        if resource["resourceType"] != kind:
            continue
        subject = resource.get("subject") or resource.get("patient")
        if subject == {"reference": url}:
            found.append(resource)
    return found


def summary_text(archive: zipfile.ZipFile, tmp_path: Path) -> str | None:
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        return None
    path = tmp_path / "summary.pdf"
    path.write_bytes(archive.read("summary.pdf"))
    result = subprocess.run([pdftotext, str(path), "-"], check=True, capture_output=True, text=True)
    return " ".join(result.stdout.split())


def test_camilles_zip_holds_her_blood_group_directives_trusted_person_and_consents(
    container: Container,
    people: tuple[uuid.UUID, uuid.UUID],
    clock: FrozenClock,
    tmp_path: Path,
) -> None:
    camille, leo = people
    first = sign(container, camille)
    clock.advance(days=30)
    second = sign(container, camille, sedation="no")
    designate_and_cosign(container, camille)
    with acting(container, CAMILLE, camille) as access:
        assert rights.set_research_opposition(access, True)
        # Masking hides the card from professionals, never from the holder's own export.
        blood_group.set_masked(access, True)
    # Léo's card, which his doctor hid from his legal representatives.
    with acting(container, BERNARD, leo) as access:
        card = blood_group.record(
            access,
            BloodGroupInput(
                abo="O",
                rhd="negative",
                source=None,
                big_c=False,
                little_c=True,
                big_e=False,
                little_e=True,
                kell=False,
                laboratory="Laboratoire Paris Nation",
                biologist="Dr Sophie Lambert",
                first_determination=clock.now().date() - dt.timedelta(days=3),
            ),
        )
        card.invisible_to_representatives = True

    archive = export_zip(container)
    resources = resources_of(archive)

    # Blood group: Dr Bernard's verified card, final, the laboratory as performer.
    observations = of(resources, camille, "Observation")
    [group] = [o for o in observations if "882-1" in codes(o["code"])]
    assert group["status"] == "final"
    assert group["valueCodeableConcept"] == {"text": "A RhD+ (RH1+)"}
    assert {"display": "Laboratoire de biologie médicale Paris Nation"} in group["performer"]
    [screen] = [o for o in observations if "890-4" in codes(o["code"])]
    assert screen["valueCodeableConcept"] == {"text": "Négative"}
    # Léo's card is hidden from his representatives: not in his mother's export.
    assert not [o for o in of(resources, leo, "Observation") if "882-1" in codes(o["code"])]
    assert str(card.id) not in json.dumps(resources)

    # Advance directives: one Consent per version, the latest active, each on its document.
    consents = of(resources, camille, "Consent")
    directives = {c["id"]: c for c in consents if codes(c["scope"]) == {"adr"}}
    assert set(directives) == {str(first.id), str(second.id)}
    assert directives[str(second.id)]["status"] == "active"
    assert directives[str(first.id)]["status"] == "inactive"
    documents = {
        fhir.full_url(r["id"]): r for r in resources if r["resourceType"] == "DocumentReference"
    }
    current = directives[str(second.id)]["sourceReference"]["reference"]
    assert current == fhir.full_url(str(second.document_id))
    assert documents[current]["type"]["coding"][0]["code"] == "EXPPAT_3"
    for consent in directives.values():
        if "sourceReference" in consent:  # only ever a document of this export
            assert consent["sourceReference"]["reference"] in documents

    # The trusted person, co-signed: an active RelatedPerson.
    [person] = of(resources, camille, "RelatedPerson")
    assert person["active"] is True
    assert "FAMMEMB" in codes(person["relationship"][0])
    assert person["name"][0]["family"] == "Martin"
    assert {"system": "email", "value": "paul.martin@example.fr"} in person["telecom"]
    assert "start" in person["period"]

    # The consents registry: the research opposition denies; the record's creation is there.
    registry = [c for c in consents if codes(c["scope"]) != {"adr"}]
    [research] = [c for c in registry if codes(c["scope"]) == {"research"}]
    assert research["status"] == "active"
    assert research["provision"]["type"] == "deny"
    assert research["policyRule"] == {"text": "research/2026-01"}
    assert research["sourceAttachment"]["title"] == "Choix exprimé par une application"
    assert any(c["policyRule"]["text"].startswith("dmp-creation/") for c in registry)
    # Léo's registry is his representative's to read: exported in his part.
    assert any(
        c["policyRule"]["text"].startswith("dmp-creation/") for c in of(resources, leo, "Consent")
    )
    assert not of(resources, leo, "RelatedPerson")

    # Audited with the counts of each section.
    [built] = audit_entries(container, camille, AuditAction.RecordExportBuild.value)
    counts = details(built)
    assert counts["blood-group"] == "1"
    assert counts["directives"] == "2"
    assert counts["trusted-person"] == "1"
    assert int(counts["consents"]) == len(registry)
    [built_leo] = audit_entries(container, leo, AuditAction.RecordExportBuild.value)
    assert details(built_leo)["blood-group"] == "0"

    # The printed summary: a blood-group line and the readable lists.
    text = summary_text(archive, tmp_path)
    if text is not None:
        for expected in (
            "Groupe sanguin",
            "A RhD+ (RH1+)",
            "Directives anticipées, version 2",
            "Personne de confiance",
            "Paul MARTIN",
            "Consentements et oppositions",
            "Utilisation pour la recherche",
            "texte research/2026-01",
        ):
            assert expected in text, expected


def test_revoked_directives_and_a_withdrawn_opposition_are_inactive(
    container: Container, people: tuple[uuid.UUID, uuid.UUID], clock: FrozenClock
) -> None:
    camille, _leo = people
    signed = sign(container, camille)
    with acting(container, CAMILLE, camille) as access:
        assert rights.set_research_opposition(access, True)
    clock.advance(days=2)
    with acting(container, CAMILLE, camille) as access:
        advance.revoke(access, storage(container))
        assert rights.set_research_opposition(access, False)
    with acting(container, CAMILLE, camille) as access:
        trusted.designate(
            access,
            PAUL,
            key=trusted.invitation_key(container.security.keys),
            link_base="https://dmp.example",
            language="fr",
        )

    resources = resources_of(export_zip(container))
    consents = of(resources, camille, "Consent")
    [directives] = [c for c in consents if codes(c["scope"]) == {"adr"}]
    assert directives["id"] == str(signed.id)
    assert directives["status"] == "inactive"
    assert directives["provision"]["period"]["end"] == fhir.instant(clock.now())
    [research] = [c for c in consents if codes(c["scope"]) == {"research"}]
    assert research["status"] == "inactive"
    assert research["provision"]["period"]["end"] == fhir.instant(clock.now())
    # Waiting for the co-signature: not active, no period yet.
    [person] = of(resources, camille, "RelatedPerson")
    assert person["active"] is False
    assert "period" not in person
    with transaction(container.sessions) as session:
        revocations = session.scalars(
            select(DirectivesRow).where(DirectivesRow.kind == "revocation")
        ).all()
        assert len(revocations) == 1
        assert str(revocations[0].id) not in {c["id"] for c in consents}
        assert session.scalars(select(BloodGroupRow)).first() is not None
