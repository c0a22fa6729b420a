"""The FHIR mappings of the export sections other features register (blood group, advance
directives, trusted person, consents registry), without a database: each resource passes
``fhir.check`` and parses with fhir.resources R4B, with the codes, statuses and links the
mapping promises."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any

import pytest
from fhir.resources.R4B import get_fhir_model_class

from dmp.bloodgroup.export_fhir import observations, screen_id
from dmp.bloodgroup.model import (
    Abo,
    AntibodyScreen,
    BloodGroupCard,
    Phenotype,
    RhD,
    ScreenResult,
    Source,
)
from dmp.directives_record.export_fhir import DirectivesVersion
from dmp.directives_record.export_fhir import consent as directives_consent
from dmp.export import fhir
from dmp.export.sections import PLUGIN_MODULES, sections
from dmp.rights.export_fhir import ConsentEntry
from dmp.rights.export_fhir import consent as registry_consent
from dmp.rights.texts import text_of
from dmp.shared.i18n import translate
from dmp.trusted.export_fhir import Designation, related_person

NOW = dt.datetime(2026, 11, 30, 9, 30, tzinfo=dt.UTC)
PATIENT = fhir.full_url("7b0d6c1e-4c4f-4a35-9a53-0d6b7a1c2e3f")
CARD_ID = "3f2c1a4e-0d5b-4c6e-8f7a-9b0c1d2e3f40"
LOINC = "http://loinc.org"


def french(message: str, **params: Any) -> str:
    return translate("fr", message, params or None)


def english(message: str, **params: Any) -> str:
    return translate("en", message, params or None)


def day(moment: dt.datetime) -> str:
    return moment.date().isoformat()


def parsed(resource: dict[str, Any]) -> Any:
    fhir.check(resource)
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def codes(concept: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["system"], c["code"]) for c in concept.get("coding", [])]


# --- Registration -----------------------------------------------------------------------------


def test_the_four_sections_are_registered_after_the_core_ones() -> None:
    assert {
        "dmp.bloodgroup.export",
        "dmp.directives_record.export",
        "dmp.trusted.export",
        "dmp.rights.export",
    } <= set(PLUGIN_MODULES)
    order = [section.code for section in sections()]
    for code in ("blood-group", "advance-directives", "trusted-person", "consents"):
        assert code in order
    assert order.index("vaccinations") < order.index("blood-group")
    assert order.index("consents") < order.index("access-history")


# --- Blood group ------------------------------------------------------------------------------


def card(**changes: Any) -> BloodGroupCard:
    values: dict[str, Any] = {
        "abo": Abo.A,
        "rhd": RhD.positive,
        "source": Source.professional,
        "phenotype": Phenotype(big_c=True, little_c=True, big_e=False, little_e=True, kell=False),
        "antibody_screen": AntibodyScreen(dt.date(2026, 10, 30), ScreenResult.negative),
        "laboratory": "Laboratoire de biologie médicale Paris Nation",
        "biologist": "Dr Sophie Lambert",
        "first_determination": dt.date(2026, 10, 30),
    }
    values.update(changes)
    return BloodGroupCard(**values)


def test_a_verified_card_is_a_final_abo_rh_observation_and_a_screen() -> None:
    group, screen = observations(
        card(), card_id=CARD_ID, recorded_at=NOW, patient_url=PATIENT, gettext=french
    )
    for resource in (group, screen):
        parsed(resource)
        assert resource["status"] == "final"
        assert resource["subject"] == {"reference": PATIENT}
        assert resource["performer"] == [
            {"display": "Laboratoire de biologie médicale Paris Nation"},
            {"display": "Dr Sophie Lambert"},
        ]
        notes = " ".join(note["text"] for note in resource.get("note", []))
        assert "Déclaré" not in notes  # a professional's card
        assert resource["issued"] == "2026-11-30T09:30:00Z"
    assert group["id"] == CARD_ID
    assert codes(group["code"]) == [(LOINC, "882-1")]
    assert group["valueCodeableConcept"] == {"text": "A RhD+ (RH1+)"}
    assert group["effectiveDateTime"] == "2026-10-30"
    parts = {c["code"].get("text") or codes(c["code"])[0][1]: c for c in group["component"]}
    assert parts["883-9"]["valueCodeableConcept"] == {"text": "A"}
    assert parts["10331-7"]["valueCodeableConcept"] == {"text": "RhD+"}
    # Antigens: text codes only (no invented system), present or absent.
    antigens = {
        text: parts[text]["valueBoolean"]
        for text in ("C (RH2)", "c (RH4)", "E (RH3)", "e (RH5)", "K (KEL1)")
    }
    assert antigens == {
        "C (RH2)": True,
        "c (RH4)": True,
        "E (RH3)": False,
        "e (RH5)": True,
        "K (KEL1)": False,
    }
    for text in antigens:
        assert "coding" not in parts[text]["code"]
    assert screen["id"] == screen_id(CARD_ID) != CARD_ID
    uuid.UUID(screen["id"])
    assert codes(screen["code"]) == [(LOINC, "890-4")]
    assert screen["effectiveDateTime"] == "2026-10-30"
    assert screen["valueCodeableConcept"] == {"text": "Négative"}
    assert group["note"] == [{"text": "Phénotype RH-KEL1 : RH:1,2,-3,4,5; KEL:-1"}]


def test_a_declared_card_says_so_and_names_the_patient_as_its_source() -> None:
    declared = card(
        source=Source.patient,
        phenotype=None,
        laboratory=None,
        biologist=None,
        first_determination=None,
        antibody_screen=AntibodyScreen(dt.date(2026, 1, 5), ScreenResult.positive, "anti-E"),
    )
    group, screen = observations(
        declared, card_id=CARD_ID, recorded_at=NOW, patient_url=PATIENT, gettext=english
    )
    for resource in (group, screen):
        parsed(resource)
        assert resource["status"] == "final"
        assert resource["performer"] == [{"reference": PATIENT}]
        assert "issued" not in resource
        assert "declared by the patient" in resource["note"][0]["text"].lower()
    assert "effectiveDateTime" not in group
    assert len(group["component"]) == 2  # ABO and Rh only: no phenotype was declared
    assert screen["valueCodeableConcept"] == {"text": "Positive (anti-E)"}


def test_a_card_without_screen_gives_one_observation_with_its_notes() -> None:
    [group] = observations(
        card(
            antibody_screen=None,
            rare_phenotype=True,
            second_determination=dt.date(2026, 11, 2),
            rhd=RhD.negative,
        ),
        card_id=CARD_ID,
        recorded_at=NOW,
        patient_url=PATIENT,
        gettext=french,
    )
    parsed(group)
    assert group["valueCodeableConcept"] == {"text": "A RhD\N{MINUS SIGN} (RH1\N{MINUS SIGN})"}
    notes = [note["text"] for note in group["note"]]
    assert any("RH:-1,2,-3,4,5; KEL:-1" in note for note in notes)
    assert any("2026-11-02" in note for note in notes)
    assert len(notes) == 3


# --- Advance directives -----------------------------------------------------------------------


def version(**changes: Any) -> DirectivesVersion:
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "number": 2,
        "kind": "form",
        "signed_at": NOW,
        "status": "current",
        "document_id": str(uuid.uuid4()),
    }
    values.update(changes)
    return DirectivesVersion(**values)


def test_the_version_in_force_is_an_active_adr_consent_pointing_at_its_document() -> None:
    current = version()
    resource = directives_consent(current, PATIENT, french, "30/11/2026")
    parsed(resource)
    assert resource["status"] == "active"
    assert codes(resource["scope"]) == [(f"{fhir.HL7}/consentscope", "adr")]
    assert codes(resource["category"][0]) == [(LOINC, "75320-2")]
    assert resource["patient"] == {"reference": PATIENT}
    assert resource["dateTime"] == "2026-11-30T09:30:00Z"
    assert resource["sourceReference"] == {"reference": f"urn:uuid:{current.document_id}"}
    assert resource["policyRule"]["text"]  # ppc-1: a policy or a policy rule
    assert resource["provision"]["period"] == {"start": "2026-11-30T09:30:00Z"}
    assert "version 2" in resource["text"]["div"]
    assert "En vigueur" in resource["text"]["div"]


def test_replaced_and_revoked_versions_are_inactive() -> None:
    replaced = directives_consent(version(status="superseded"), PATIENT, french, "1/1/2026")
    revoked_at = NOW + dt.timedelta(days=3)
    revoked = directives_consent(
        version(status="revoked", revoked_at=revoked_at, document_id=None, kind="scan"),
        PATIENT,
        english,
        "1/1/2026",
    )
    for resource in (replaced, revoked):
        parsed(resource)
        assert resource["status"] == "inactive"
    assert "end" not in replaced["provision"]["period"]
    assert revoked["provision"]["period"]["end"] == "2026-12-03T09:30:00Z"
    assert "sourceReference" not in revoked  # its document is not in this export
    assert "Revoked" in revoked["text"]["div"]


# --- Trusted person ---------------------------------------------------------------------------


def designation(**changes: Any) -> Designation:
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "surname": "Martin",
        "first_names": "Paul Henri",
        "relationship": "relative",
        "relationship_detail": "mon frère",
        "status": "active",
        "designated_at": NOW,
        "phone": "+33612345678",
        "email": "paul.martin@example.fr",
        "cosigned_at": NOW + dt.timedelta(days=1),
    }
    values.update(changes)
    return Designation(**values)


def test_a_cosigned_designation_is_an_active_related_person() -> None:
    resource = related_person(designation(), PATIENT, french, day)
    parsed(resource)
    assert resource["active"] is True
    assert resource["patient"] == {"reference": PATIENT}
    tie, role = resource["relationship"]
    assert codes(tie) == [("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "FAMMEMB")]
    assert tie["text"] == "Un membre de ma famille (mon frère)"
    assert role == {"text": "Personne de confiance"}
    assert resource["name"][0]["family"] == "Martin"
    assert resource["name"][0]["given"] == ["Paul", "Henri"]
    assert resource["telecom"] == [
        {"system": "phone", "value": "+33612345678"},
        {"system": "email", "value": "paul.martin@example.fr"},
    ]
    assert resource["period"] == {"start": "2026-12-01T09:30:00Z"}
    assert "co-signée le 2026-12-01" in resource["text"]["div"]


@pytest.mark.parametrize(
    ("status", "cosigned", "ended", "period"),
    [
        ("pending", False, False, None),
        ("declined", False, False, None),
        ("revoked", True, True, {"start": "2026-12-01T09:30:00Z", "end": "2026-12-10T09:30:00Z"}),
        (
            "superseded",
            True,
            True,
            {"start": "2026-12-01T09:30:00Z", "end": "2026-12-10T09:30:00Z"},
        ),
    ],
)
def test_a_designation_not_in_force_is_inactive(
    status: str, cosigned: bool, ended: bool, period: dict[str, str] | None
) -> None:
    resource = related_person(
        designation(
            status=status,
            relationship="close-person",
            relationship_detail=None,
            email=None,
            cosigned_at=NOW + dt.timedelta(days=1) if cosigned else None,
            ended_at=NOW + dt.timedelta(days=10) if ended else None,
        ),
        PATIENT,
        english,
        day,
    )
    parsed(resource)
    assert resource["active"] is False
    assert resource.get("period") == period
    # "A close person" has no certain v3-RoleCode: text only.
    assert resource["relationship"][0] == {"text": "Someone close to me"}
    assert resource["telecom"] == [{"system": "phone", "value": "+33612345678"}]


# --- Consents registry ------------------------------------------------------------------------


def entry(**changes: Any) -> ConsentEntry:
    values: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "purpose": "research",
        "stance": "opposition",
        "text_version": "research/2026-01",
        "given_at": NOW,
        "channel": "web",
        "text": text_of("research/2026-01"),
    }
    values.update(changes)
    return ConsentEntry(**values)


def test_the_research_opposition_is_a_research_consent_that_denies() -> None:
    opposition = entry()
    resource = registry_consent(opposition, PATIENT, french, day)
    parsed(resource)
    assert resource["status"] == "active"
    assert codes(resource["scope"]) == [(f"{fhir.HL7}/consentscope", "research")]
    assert codes(resource["category"][0]) == [(LOINC, "59284-0")]
    assert resource["category"][1] == {"text": "Utilisation pour la recherche"}
    assert resource["provision"] == {
        "type": "deny",
        "period": {"start": "2026-11-30T09:30:00Z"},
    }
    assert resource["policyRule"] == {"text": "research/2026-01"}
    attachment = resource["sourceAttachment"]
    assert attachment["title"] == "Choix exprimé en ligne"
    assert base64.b64decode(attachment["data"]).decode() == text_of("research/2026-01")
    assert attachment["contentType"].startswith("text/plain")
    assert resource["dateTime"] == "2026-11-30T09:30:00Z"


def test_a_withdrawn_sharing_consent_is_inactive_and_names_its_professional() -> None:
    withdrawn = entry(
        purpose="data-sharing",
        stance="consent",
        text_version="data-sharing/2026-01",
        channel="oral",
        withdrawn_at=NOW + dt.timedelta(days=2),
        scope_label="Dr Claire Bernard",
        text=None,
    )
    resource = registry_consent(withdrawn, PATIENT, english, day)
    parsed(resource)
    assert resource["status"] == "inactive"
    assert codes(resource["scope"]) == [(f"{fhir.HL7}/consentscope", "patient-privacy")]
    assert resource["provision"]["type"] == "permit"
    assert resource["provision"]["period"]["end"] == "2026-12-02T09:30:00Z"
    [actor] = resource["provision"]["actor"]
    assert actor["reference"] == {"display": "Dr Claire Bernard"}
    assert codes(actor["role"]) == [(f"{fhir.HL7}/v3-ParticipationType", "IRCP")]
    assert resource["sourceAttachment"] == {"title": "Choice made orally, to a professional"}
    assert "Dr Claire Bernard" in resource["category"][1]["text"]


def test_a_notice_opposition_is_a_privacy_consent_that_denies() -> None:
    resource = registry_consent(
        entry(
            purpose="notifications",
            text_version="notifications/2026-01",
            scope_label="Nouveau document",
            text=text_of("notifications/2026-01"),
        ),
        PATIENT,
        french,
        day,
    )
    parsed(resource)
    assert codes(resource["scope"]) == [(f"{fhir.HL7}/consentscope", "patient-privacy")]
    assert resource["provision"]["type"] == "deny"
    assert resource["category"][1] == {"text": "Messages et notifications — Nouveau document"}


def test_check_refuses_a_consent_without_patient_and_a_related_person_of_a_bad_status() -> None:
    resource = registry_consent(entry(), PATIENT, french, day)
    del resource["patient"]
    with pytest.raises(fhir.FhirError, match="patient"):
        fhir.check(resource)
    bad = registry_consent(entry(), PATIENT, french, day)
    bad["status"] = "withdrawn"
    with pytest.raises(fhir.FhirError, match="status"):
        fhir.check(bad)
    person = related_person(designation(), PATIENT, french, day)
    person["active"] = "maybe"
    with pytest.raises(fhir.FhirError):
        fhir.check(person)
