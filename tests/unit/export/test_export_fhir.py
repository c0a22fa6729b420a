"""The FHIR mapping of the GDPR export, without a database: each kind of record data gives a
resource that fhir.resources R4B accepts, with the codes and identifiers the rules ask for."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.bundle import Bundle

from dmp.export import fhir
from dmp.export.archive import IntegrityError, Written, zip_stream
from dmp.export.model import (
    ExportStatus,
    document_file_name,
    downloadable,
    expires_at,
    patient_folder,
    slug,
)
from dmp.export.sections import ExportFile
from dmp.profile.model import CATEGORIES

NOW = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)
PATIENT = fhir.full_url("7b0d6c1e-4c4f-4a35-9a53-0d6b7a1c2e3f")


def identity(**changes: Any) -> fhir.Identity:
    values: dict[str, Any] = {
        "id": "7b0d6c1e-4c4f-4a35-9a53-0d6b7a1c2e3f",
        "birth_name": "MARTIN",
        "first_given_name": "Camille",
        "birth_given_names": "Camille Marie",
        "sex": "F",
        "birth_date": dt.date(1988, 3, 14),
        "identity_status": "QUAL",
        "used_name": "DURAND",
        "birth_place_code": "75056",
        "ins_matricule": "288037505612345",
        "ins_oid": fhir.OID_NIR,
    }
    values.update(changes)
    return fhir.Identity(**values)


def parsed(resource: dict[str, Any]) -> Any:
    fhir.check(resource)
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def test_the_patient_carries_the_ins_only_when_the_identity_is_qualified() -> None:
    qualified = fhir.patient(identity())
    parsed(qualified)
    assert qualified["identifier"][0]["system"] == "urn:oid:1.2.250.1.213.1.4.8"
    assert qualified["identifier"][0]["type"]["coding"][0]["code"] == "INS-NIR"
    assert qualified["gender"] == "female"
    assert [n["use"] for n in qualified["name"]] == ["official", "usual"]
    assert qualified["name"][0]["extension"][0]["valueString"] == "Camille Marie"
    for status in ("PROV", "RECUP", "VALI"):
        resource = fhir.patient(identity(identity_status=status))
        parsed(resource)
        assert "identifier" not in resource
        assert "288037505612345" not in str(resource)


def document(**changes: Any) -> fhir.Document:
    values: dict[str, Any] = {
        "id": "0b7cfa0a-4b1a-4a58-8a0e-2a1c4d1e2f3a",
        "unique_id": "2.25.1234",
        "status": "approved",
        "title": "Compte rendu",
        "type": fhir.Code(fhir.LOINC, "11488-4", "Note de consultation"),
        "class_code": fhir.Code("1.2.250.1.213.1.1.4.1", "10", "Compte rendu"),
        "format": fhir.Code("1.2.250.1.213.1.1.4.2.282", "urn:ihe:iti:xds-sd:pdf:2008"),
        "facility_type": fhir.Code("1.2.250.1.71.4.2.4", "SA07"),
        "confidentiality": fhir.Code(fhir.CONFIDENTIALITY_OID, "N"),
        "mime_type": "application/pdf",
        "submitted_at": NOW,
        "creation_time": NOW,
        "service_start": NOW,
        "service_stop": None,
        "size": 3,
        "attachment_url": "documents/camille-martin-7b0d6c1e/001-compte-rendu-v1-0b7cfa0a.pdf",
    }
    values.update(changes)
    return fhir.Document(**values)


def test_a_document_version_becomes_a_document_reference_pointing_at_its_file() -> None:
    resource = fhir.document_reference(
        document(flags=("MASQUE_PS",), status="deprecated", author="Dr Claire Bernard"),
        PATIENT,
    )
    attachment = resource["content"][0]["attachment"]
    fhir.complete_attachment(attachment, sha1=hashlib.sha1(b"abc").digest(), size=3)  # noqa: S324
    model = parsed(resource)
    assert model.status == "superseded"
    assert attachment["hash"] == "qZk+NkcGgWq6PiVxeFDCbJzQ2J0="
    assert resource["type"]["coding"][0]["system"] == "http://loinc.org"
    assert resource["category"][0]["coding"][0]["system"] == "urn:oid:1.2.250.1.213.1.1.4.1"
    labels = [label["coding"][0] for label in resource["securityLabel"]]
    assert labels == [
        {"system": "urn:oid:2.16.840.1.113883.5.25", "code": "N"},
        {"system": "urn:oid:1.2.250.1.213.1.1.4.13", "code": "MASQUE_PS"},
    ]
    assert resource["masterIdentifier"]["value"] == "urn:oid:2.25.1234"
    assert resource["subject"]["reference"] == PATIENT


SAMPLES: dict[str, tuple[dict[str, Any], str]] = {
    "allergy": (
        {"substance": "Pollen", "kind": "allergy", "severity": "severe"},
        "AllergyIntolerance",
    ),
    "condition": ({"name": "Asthme"}, "Condition"),
    "surgery": (
        {"procedure": "Appendicectomie", "date": "2005-03-02", "place": "CHU"},
        "Procedure",
    ),
    "treatment": ({"substance": "Ventoline", "end": "2020-01-01"}, "MedicationStatement"),
    "family": ({"relative": "mother", "condition": "Diabète"}, "FamilyMemberHistory"),
    "lifestyle": ({"topic": "tobacco", "description": "Non-fumeuse"}, "Observation"),
    "measurement": ({"kind": "weight", "value": 61.5, "measured_on": "2026-01-02"}, "Observation"),
}


@pytest.mark.parametrize("category", sorted(CATEGORIES))
def test_every_profile_category_has_a_resource(category: str) -> None:
    values, kind = SAMPLES[category]
    item = fhir.Item("5d1c0e8a-9a43-4c1b-8f0e-7f3b2a1c0d9e", NOW, declared_by_patient=True)
    resource = fhir.profile_entry(
        fhir.ProfileEntry(item, category, values), PATIENT, dt.date(2026, 11, 30)
    )
    assert resource["resourceType"] == kind
    parsed(resource)


def test_declared_items_are_unconfirmed_and_finished_treatments_completed() -> None:
    declared = fhir.Item("a", NOW, declared_by_patient=True)
    checked = fhir.Item("b", NOW, declared_by_patient=False, author="Dr Petit")
    today = dt.date(2026, 11, 30)
    allergy = fhir.profile_entry(
        fhir.ProfileEntry(declared, "allergy", SAMPLES["allergy"][0]), PATIENT, today
    )
    assert allergy["verificationStatus"]["coding"][0]["code"] == "unconfirmed"
    condition = fhir.profile_entry(
        fhir.ProfileEntry(checked, "condition", {"name": "x"}), PATIENT, today
    )
    assert condition["verificationStatus"]["coding"][0]["code"] == "confirmed"
    assert condition["clinicalStatus"]["coding"][0]["code"] == "active"
    treatment = fhir.profile_entry(
        fhir.ProfileEntry(declared, "treatment", SAMPLES["treatment"][0]), PATIENT, today
    )
    assert treatment["status"] == "completed"
    weight = fhir.profile_entry(
        fhir.ProfileEntry(declared, "measurement", SAMPLES["measurement"][0]), PATIENT, today
    )
    assert weight["code"]["coding"][0]["code"] == "29463-7"
    assert weight["valueQuantity"] == {
        "value": 61.5,
        "unit": "kg",
        "system": "http://unitsofmeasure.org",
        "code": "kg",
    }


def test_a_dose_becomes_an_immunization() -> None:
    dose = fhir.Dose(
        fhir.Item("c", NOW, declared_by_patient=True),
        "ROR",
        "Rougeole, oreillons, rubéole (ROR)",
        dt.date(2020, 6, 20),
        product="Priorix",
        dose_number=1,
        lot="L1",
        administered_by="Dr Petit",
    )
    resource = fhir.immunization(dose, PATIENT)
    model = parsed(resource)
    assert model.primarySource is False
    assert resource["protocolApplied"] == [{"doseNumberPositiveInt": 1}]
    assert resource["occurrenceDateTime"] == "2020-06-20"


def test_the_bundle_is_a_collection_of_every_resource_under_its_urn() -> None:
    resources = [fhir.patient(identity()), fhir.document_reference(document(), PATIENT)]
    bundle = fhir.bundle("e4a1b2c3-0000-4000-8000-000000000001", NOW, resources)
    fhir.check(bundle)
    model = Bundle.model_validate(bundle)
    assert model.type == "collection"
    assert [entry["fullUrl"] for entry in bundle["entry"]] == [
        PATIENT,
        "urn:uuid:0b7cfa0a-4b1a-4a58-8a0e-2a1c4d1e2f3a",
    ]


def test_check_refuses_what_the_library_lets_through() -> None:
    with pytest.raises(fhir.FhirError, match="not an allowed code"):
        fhir.check({"resourceType": "DocumentReference", "status": "bogus", "content": [{}]})
    with pytest.raises(fhir.FhirError, match="lacks content"):
        fhir.check({"resourceType": "DocumentReference", "status": "current"})
    with pytest.raises(fhir.FhirError, match="unexpected resource type"):
        fhir.check({"resourceType": "Basic"})


def test_names_inside_the_archive_are_safe_and_unique() -> None:
    assert slug("Compte rendu d'hospitalisation / Léo") == "compte-rendu-d-hospitalisation-leo"
    assert slug("***") == "sans-titre"
    assert patient_folder("Léo Martin", "7b0d6c1e-4c4f") == "leo-martin-7b0d6c1e"
    name = document_file_name(3, "Échographie", 2, "image/jpeg", "0b7cfa0a-4b1a")
    assert name == "003-echographie-v2-0b7cfa0a.jpg"


def test_an_export_is_downloadable_for_seven_days() -> None:
    end = expires_at(NOW)
    assert end == NOW + dt.timedelta(days=7)
    assert downloadable(ExportStatus.ready, end, end - dt.timedelta(seconds=1))
    assert not downloadable(ExportStatus.ready, end, end)
    assert not downloadable(ExportStatus.running, end, NOW)


def test_the_zip_streams_and_checks_every_file() -> None:
    content = b"%PDF-1.7 bonjour" * 5000
    written: list[Written] = []
    files = [
        ExportFile(
            "documents/a/doc.pdf",
            lambda: [content[:1000], content[1000:]],
            sha256=hashlib.sha256(content).hexdigest(),
            size=len(content),
        ),
        ExportFile("README.txt", lambda: [b"hello"]),
    ]
    data = b"".join(
        zip_stream(files, moment=NOW, on_written=lambda _f, result: written.append(result))
    )
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.read("documents/a/doc.pdf") == content
    assert [w.size for w in written] == [len(content), 5]
    assert written[0].sha1 == hashlib.sha1(content).digest()  # noqa: S324
    wrong = [ExportFile("x.pdf", lambda: [b"abc"], sha256="0" * 64)]
    with pytest.raises(IntegrityError):
        b"".join(zip_stream(wrong, moment=NOW))
