"""The record as FHIR R4 resources, for the GDPR export (plain values in, JSON-ready dicts out).

No database and no web here: the export's sections turn rows into the small dataclasses below,
and these functions map them to resources. Every resource is checked twice before it leaves:
by the ``fhir.resources`` R4B models (structure and primitive types) and by :func:`check`
(required elements and the code values the library does not enforce, DESIGN.md §2).

Code systems: LOINC as ``http://loinc.org``, the CI-SIS/DMP nomenclatures by their OID
(``urn:oid:…``, as the XDS metadata of the record carries them), HL7 terminology by its
canonical URL, FR Core for the identity.
"""

from __future__ import annotations

import base64
import datetime as dt
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

LOINC = "2.16.840.1.113883.6.1"
LOINC_URI = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
URI = "urn:ietf:rfc:3986"
OID_NIR = "1.2.250.1.213.1.4.8"
OID_NIA = "1.2.250.1.213.1.4.9"
CONFIDENTIALITY_OID = "2.16.840.1.113883.5.25"  # TRE_A08 (HL7 Confidentiality)
VISIBILITY_OID = "1.2.250.1.213.1.1.4.13"  # TRE_A07-StatutVisibiliteDocument
FR_CORE = "https://hl7.fr/ig/fhir/core"
FR_IDENTIFIER_TYPE = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0203"
FR_IDENTITY_STATUS = f"{FR_CORE}/CodeSystem/fr-core-cs-v2-0445"
FR_IDENTITY_RELIABILITY = f"{FR_CORE}/StructureDefinition/fr-core-identity-reliability"
FR_BIRTH_LIST_GIVEN_NAME = f"{FR_CORE}/StructureDefinition/fr-core-birth-list-given-name"
FR_INSEE_CODE = f"{FR_CORE}/StructureDefinition/fr-core-address-insee-code"
INSEE_COMMUNES = "https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM"
BIRTH_PLACE = "http://hl7.org/fhir/StructureDefinition/patient-birthPlace"
HL7 = "http://terminology.hl7.org/CodeSystem"

GENDERS = {"M": "male", "F": "female", "U": "unknown"}
# XDS availability status → DocumentReference.status (IHE MHD); "archived" stays current.
DOCUMENT_STATUSES = {"approved": "current", "archived": "current", "deprecated": "superseded"}
RELATIVES = {  # v3-RoleCode
    "mother": ("MTH", "mother"),
    "father": ("FTH", "father"),
    "sibling": ("SIB", "sibling"),
    "child": ("CHILD", "child"),
    "grandparent": ("GRPRN", "grandparent"),
    "other": ("FAMMEMB", "family member"),
}
# Measurement kinds (dmp.profile.model.MEASUREMENTS) → LOINC code and UCUM unit.
MEASUREMENT_CODES: dict[str, tuple[str, str, str]] = {
    "weight": ("29463-7", "Body weight", "kg"),
    "height": ("8302-2", "Body height", "cm"),
    "systolic": ("8480-6", "Systolic blood pressure", "mm[Hg]"),
    "diastolic": ("8462-4", "Diastolic blood pressure", "mm[Hg]"),
    "heart_rate": ("8867-4", "Heart rate", "/min"),
    "temperature": ("8310-5", "Body temperature", "Cel"),
    "glycemia": ("2339-0", "Glucose [Mass/volume] in Blood", "g/L"),
    "oxygen_saturation": ("2708-6", "Oxygen saturation in Arterial blood", "%"),
    "waist": ("8280-0", "Waist Circumference at umbilicus by Tape measure", "cm"),
}


class FhirError(ValueError):
    """A resource this module built does not hold: a bug, never the user's input."""


def system_uri(oid: str) -> str:
    """A code system named by OID, as FHIR wants it."""
    return LOINC_URI if oid == LOINC else f"urn:oid:{oid}"


def full_url(resource_id: str) -> str:
    return f"urn:uuid:{resource_id}"


def _instant(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise FhirError("naive datetime")
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    coding = {"system": system, "code": code}
    if display:
        coding["display"] = display
    return coding


def _concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {"coding": [_coding(system, code, display)]}


def _text(text: str) -> dict[str, Any]:
    return {"text": text}


def _notes(*texts: str | None) -> list[dict[str, Any]]:
    return [{"text": text} for text in texts if text]


# The same helpers, public, for the sections other features register (dmp.export.sections).
instant = _instant
coding = _coding
concept = _concept
notes = _notes


def narrative(text: str) -> dict[str, Any]:
    """A resource's human-readable ``text`` (a Narrative): one escaped paragraph."""
    div = f'<div xmlns="http://www.w3.org/1999/xhtml"><p>{html.escape(text, quote=False)}</p></div>'
    return {"status": "generated", "div": div}


# --- Inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Identity:
    id: str
    birth_name: str
    first_given_name: str
    birth_given_names: str
    sex: str  # M | F | U
    birth_date: dt.date
    identity_status: str  # PROV | RECUP | VALI | QUAL
    used_name: str | None = None
    used_given_name: str | None = None
    birth_place_code: str | None = None
    ins_matricule: str | None = None
    ins_oid: str | None = None


@dataclass(frozen=True)
class Code:
    system: str  # an OID
    code: str
    display: str | None = None


@dataclass(frozen=True)
class Document:
    """One document version, as far as the exporter may see it."""

    id: str
    unique_id: str
    status: str  # approved | deprecated | archived
    title: str
    type: Code
    class_code: Code
    format: Code
    facility_type: Code
    confidentiality: Code
    mime_type: str
    submitted_at: dt.datetime
    creation_time: dt.datetime
    service_start: dt.datetime
    service_stop: dt.datetime | None
    size: int
    attachment_url: str  # the file inside the archive
    practice_setting: Code | None = None
    comments: str | None = None
    author: str | None = None
    language: str = "fr-FR"
    replaces_id: str | None = None  # only when that version is exported too
    flags: tuple[str, ...] = ()  # MASQUE_PS, INVISIBLE_REPRESENTANTS_LEGAUX…


@dataclass(frozen=True)
class Item:
    """What every structured item shares: its id, who recorded it and when."""

    id: str
    recorded_at: dt.datetime
    declared_by_patient: bool
    author: str | None = None


@dataclass(frozen=True)
class ProfileEntry:
    item: Item
    category: str  # dmp.profile.model.CATEGORIES
    values: Mapping[str, Any]
    # Labels of the entry's choices and topic in the export's language (e.g. "Tabac").
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Dose:
    item: Item
    vaccine_code: str
    vaccine: str  # the vaccine's name
    given_on: dt.date
    product: str | None = None
    dose_number: int | None = None
    lot: str | None = None
    administered_by: str | None = None


# --- Resources ---------------------------------------------------------------------------------


def patient(identity: Identity) -> dict[str, Any]:
    """FR Core-shaped Patient; the INS matricule only for a qualified identity (RNIV)."""
    official: dict[str, Any] = {
        "use": "official",
        "family": identity.birth_name,
        "given": [identity.first_given_name],
    }
    if identity.birth_given_names:
        official["extension"] = [
            {"url": FR_BIRTH_LIST_GIVEN_NAME, "valueString": identity.birth_given_names}
        ]
    names = [official]
    if identity.used_name or identity.used_given_name:
        family = identity.used_name or identity.birth_name
        given = identity.used_given_name or identity.first_given_name
        names.append({"use": "usual", "family": family, "given": [given]})
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": identity.id,
        "extension": [
            {
                "url": FR_IDENTITY_RELIABILITY,
                "extension": [
                    {
                        "url": "identityStatus",
                        "valueCoding": _coding(FR_IDENTITY_STATUS, identity.identity_status),
                    }
                ],
            }
        ],
        "name": names,
        "gender": GENDERS.get(identity.sex, "unknown"),
        "birthDate": identity.birth_date.isoformat(),
    }
    if identity.birth_place_code:
        resource["extension"].append(
            {
                "url": BIRTH_PLACE,
                "valueAddress": {
                    "extension": [
                        {
                            "url": FR_INSEE_CODE,
                            "valueCoding": _coding(INSEE_COMMUNES, identity.birth_place_code),
                        }
                    ]
                },
            }
        )
    if identity.identity_status == "QUAL" and identity.ins_matricule:
        oid = identity.ins_oid or OID_NIR
        kind = "INS-NIA" if oid == OID_NIA else "INS-NIR"
        resource["identifier"] = [
            {
                "use": "official",
                "type": _concept(FR_IDENTIFIER_TYPE, kind),
                "system": f"urn:oid:{oid}",
                "value": identity.ins_matricule,
            }
        ]
    return resource


def _code(code: Code) -> dict[str, Any]:
    return _concept(system_uri(code.system), code.code, code.display)


def document_reference(document: Document, patient_url: str) -> dict[str, Any]:
    """A document version (XDS DocumentEntry → DocumentReference, as IHE MHD maps it); the
    attachment points at the file in the archive. Its ``hash`` (SHA-1, base64) is set by
    :func:`complete_attachment` once the file's bytes have been written."""
    unique = document.unique_id
    master = f"urn:oid:{unique}" if _is_oid(unique) else unique
    security = [_coding(system_uri(document.confidentiality.system), document.confidentiality.code)]
    security += [_coding(system_uri(VISIBILITY_OID), flag) for flag in document.flags]
    attachment: dict[str, Any] = {
        "contentType": document.mime_type,
        "language": document.language,
        "url": document.attachment_url,
        "size": document.size,
        "title": document.title,
        "creation": _instant(document.creation_time),
    }
    context: dict[str, Any] = {
        "period": {"start": _instant(document.service_start)},
        "facilityType": _code(document.facility_type),
    }
    if document.service_stop is not None:
        context["period"]["end"] = _instant(document.service_stop)
    if document.practice_setting is not None:
        context["practiceSetting"] = _code(document.practice_setting)
    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": document.id,
        "masterIdentifier": {"system": URI, "value": master},
        "identifier": [{"system": URI, "value": full_url(document.id)}],
        "status": DOCUMENT_STATUSES[document.status],
        "docStatus": "final",
        "type": _code(document.type),
        "category": [_code(document.class_code)],
        "subject": {"reference": patient_url},
        "date": _instant(document.submitted_at),
        "securityLabel": [{"coding": [coding]} for coding in security],
        "content": [
            {
                "attachment": attachment,
                "format": _coding(system_uri(document.format.system), document.format.code),
            }
        ],
        "context": context,
    }
    if document.author:
        resource["author"] = [{"display": document.author}]
    if document.comments:
        resource["description"] = document.comments
    if document.replaces_id:
        resource["relatesTo"] = [
            {"code": "replaces", "target": {"reference": full_url(document.replaces_id)}}
        ]
    return resource


def _is_oid(value: str) -> bool:
    parts = value.split(".")
    return len(parts) > 1 and all(part.isdigit() for part in parts)


def sha1_base64(digest: bytes) -> str:
    return base64.b64encode(digest).decode("ascii")


def complete_attachment(attachment: dict[str, Any], *, sha1: bytes, size: int) -> None:
    """The attachment's hash and size, from the bytes actually written to the archive."""
    attachment["hash"] = sha1_base64(sha1)
    attachment["size"] = size


def _verification(item: Item, system: str) -> dict[str, Any]:
    # What the patient's side declared was not checked by a professional.
    return _concept(system, "unconfirmed" if item.declared_by_patient else "confirmed")


def _recorder(item: Item) -> dict[str, Any] | None:
    return {"display": item.author} if item.author else None


def profile_entry(entry: ProfileEntry, patient_url: str, today: dt.date) -> dict[str, Any]:
    """One medical-profile entry as the FHIR resource of its kind."""
    values, item, labels = entry.values, entry.item, entry.labels
    notes = str(values.get("notes") or "") or None
    subject = {"reference": patient_url}
    resource: dict[str, Any]
    if entry.category == "allergy":
        resource = {
            "resourceType": "AllergyIntolerance",
            "clinicalStatus": _concept(f"{HL7}/allergyintolerance-clinical", "active"),
            "verificationStatus": _verification(item, f"{HL7}/allergyintolerance-verification"),
            "type": values["kind"],
            "code": _text(str(values["substance"])),
            "patient": subject,
            "recordedDate": _instant(item.recorded_at),
        }
        if "since" in values:
            resource["onsetDateTime"] = values["since"]
        severity = values.get("severity")
        if values.get("reaction"):
            reaction: dict[str, Any] = {"manifestation": [_text(str(values["reaction"]))]}
            if severity in ("mild", "moderate", "severe"):
                reaction["severity"] = severity
            resource["reaction"] = [reaction]
        elif severity in ("mild", "moderate", "severe"):
            notes = "; ".join(filter(None, [labels.get("severity", severity), notes]))
    elif entry.category == "condition":
        resource = {
            "resourceType": "Condition",
            "verificationStatus": _verification(item, f"{HL7}/condition-ver-status"),
            "category": [_concept(f"{HL7}/condition-category", "problem-list-item")],
            "code": _text(str(values["name"])),
            "subject": subject,
            "recordedDate": _instant(item.recorded_at),
        }
        # A problem-list entry must say whether it is active (con-3): unsaid means active.
        status = values.get("status") if values.get("status") in ("active", "resolved") else None
        resource["clinicalStatus"] = _concept(f"{HL7}/condition-clinical", status or "active")
        if "since" in values:
            resource["onsetDateTime"] = values["since"]
    elif entry.category == "surgery":
        resource = {
            "resourceType": "Procedure",
            "status": "completed",
            "category": _concept("http://snomed.info/sct", "387713003", "Surgical procedure"),
            "code": _text(str(values["procedure"])),
            "subject": subject,
        }
        if "date" in values:
            resource["performedDateTime"] = values["date"]
        if values.get("place"):
            resource["location"] = {"display": str(values["place"])}
        recorder = _recorder(item)
        if recorder and not item.declared_by_patient:
            resource["recorder"] = recorder
    elif entry.category == "treatment":
        end = values.get("end")
        resource = {
            "resourceType": "MedicationStatement",
            "status": "completed" if end and dt.date.fromisoformat(end) < today else "active",
            "medicationCodeableConcept": _text(str(values["substance"])),
            "subject": subject,
            "dateAsserted": _instant(item.recorded_at),
        }
        period = {k: values[n] for k, n in (("start", "start"), ("end", "end")) if n in values}
        if period:
            resource["effectivePeriod"] = period
        if values.get("dose"):
            resource["dosage"] = [{"text": str(values["dose"])}]
        if values.get("prescriber"):
            resource["informationSource"] = {"display": str(values["prescriber"])}
    elif entry.category == "family":
        code, display = RELATIVES.get(str(values["relative"]), RELATIVES["other"])
        resource = {
            "resourceType": "FamilyMemberHistory",
            "status": "completed",
            "patient": subject,
            "date": _instant(item.recorded_at),
            "relationship": _concept(
                "http://terminology.hl7.org/CodeSystem/v3-RoleCode",
                code,
                display,
            ),
            "condition": [{"code": _text(str(values["condition"]))}],
        }
        resource["relationship"]["text"] = labels.get("relative", display)
    elif entry.category == "lifestyle":
        resource = {
            "resourceType": "Observation",
            "status": "final",
            "category": [_concept(f"{HL7}/observation-category", "social-history")],
            "code": _text(labels.get("topic", str(values["topic"]))),
            "subject": subject,
            "effectiveDateTime": _instant(item.recorded_at),
            "valueString": str(values["description"]),
        }
    elif entry.category == "measurement":
        kind = str(values["kind"])
        loinc, display, unit = MEASUREMENT_CODES[kind]
        resource = {
            "resourceType": "Observation",
            "status": "final",
            "category": [_concept(f"{HL7}/observation-category", "vital-signs")],
            "code": {
                "coding": [_coding(LOINC_URI, loinc, display)],
                "text": labels.get("kind", display),
            },
            "subject": subject,
            "effectiveDateTime": values["measured_on"],
            "valueQuantity": {
                "value": float(values["value"]),
                "unit": unit,
                "system": UCUM,
                "code": unit,
            },
        }
    else:
        raise FhirError(f"no FHIR mapping for profile category {entry.category!r}")
    resource["id"] = item.id
    note = _notes(notes)
    if note:
        resource["note"] = note
    return resource


def immunization(dose: Dose, patient_url: str) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Immunization",
        "id": dose.item.id,
        "status": "completed",
        # The codes of the French vaccination schedule shipped with dmp; no standard system
        # names them, so the coding has none and the text says what it is.
        "vaccineCode": {
            "coding": [{"code": dose.vaccine_code, "display": dose.vaccine}],
            "text": dose.product or dose.vaccine,
        },
        "patient": {"reference": patient_url},
        "occurrenceDateTime": dose.given_on.isoformat(),
        "recorded": _instant(dose.item.recorded_at),
        # Entered by a professional (primary source) or copied by the patient's side.
        "primarySource": not dose.item.declared_by_patient,
    }
    if dose.item.declared_by_patient:
        resource["reportOrigin"] = _concept(
            "http://terminology.hl7.org/CodeSystem/immunization-origin", "record", "Written Record"
        )
    if dose.lot:
        resource["lotNumber"] = dose.lot
    if dose.administered_by:
        resource["performer"] = [{"actor": {"display": dose.administered_by}}]
    if dose.dose_number:
        resource["protocolApplied"] = [{"doseNumberPositiveInt": dose.dose_number}]
    return resource


def bundle(
    bundle_id: str, timestamp: dt.datetime, resources: Iterable[Mapping[str, Any]]
) -> dict[str, Any]:
    """A Bundle of type "collection" holding ``resources``, each under its ``urn:uuid``."""
    return {
        "resourceType": "Bundle",
        "id": bundle_id,
        "identifier": {"system": URI, "value": full_url(bundle_id)},
        "type": "collection",
        "timestamp": _instant(timestamp),
        "entry": [
            {"fullUrl": full_url(str(resource["id"])), "resource": dict(resource)}
            for resource in resources
        ],
    }


# --- Checks ------------------------------------------------------------------------------------

# Required elements (1..*) of each resource we write, and the codes the standard binds as
# "required" (fhir.resources checks types, not bindings nor cardinalities of lists).
REQUIRED: dict[str, tuple[str, ...]] = {
    "Patient": (),
    "DocumentReference": ("status", "content"),
    "AllergyIntolerance": ("patient",),
    "Condition": ("subject",),
    "Procedure": ("status", "subject"),
    "MedicationStatement": ("status", "medicationCodeableConcept", "subject"),
    "FamilyMemberHistory": ("status", "patient", "relationship"),
    "Observation": ("status", "code"),
    "Immunization": ("status", "vaccineCode", "patient", "occurrenceDateTime"),
    "Consent": ("status", "scope", "category", "patient"),
    "RelatedPerson": ("patient",),
    "Bundle": ("type",),
}
BOUND: dict[tuple[str, str], frozenset[str]] = {
    ("Patient", "gender"): frozenset(GENDERS.values()),
    ("DocumentReference", "status"): frozenset({"current", "superseded", "entered-in-error"}),
    ("DocumentReference", "docStatus"): frozenset({"preliminary", "final", "amended"}),
    ("AllergyIntolerance", "type"): frozenset({"allergy", "intolerance"}),
    ("Procedure", "status"): frozenset({"preparation", "in-progress", "completed", "unknown"}),
    ("MedicationStatement", "status"): frozenset({"active", "completed", "intended", "unknown"}),
    ("FamilyMemberHistory", "status"): frozenset({"partial", "completed", "health-unknown"}),
    ("Observation", "status"): frozenset({"registered", "preliminary", "final", "amended"}),
    ("Immunization", "status"): frozenset({"completed", "entered-in-error", "not-done"}),
    ("Consent", "status"): frozenset(
        {"draft", "proposed", "active", "rejected", "inactive", "entered-in-error"}
    ),
    ("Bundle", "type"): frozenset({"collection", "document", "searchset"}),
}


def check(resource: Mapping[str, Any]) -> None:
    """Raise :class:`FhirError` unless ``resource`` is a valid R4B resource of a type this
    export writes, with its required elements and bound codes."""
    kind = resource.get("resourceType")
    if not isinstance(kind, str) or kind not in REQUIRED:
        raise FhirError(f"unexpected resource type {kind!r}")
    missing = [name for name in REQUIRED[kind] if not resource.get(name)]
    if missing:
        raise FhirError(f"{kind} lacks {', '.join(missing)}")
    for (bound_kind, name), allowed in BOUND.items():
        if bound_kind == kind and name in resource and resource[name] not in allowed:
            raise FhirError(f"{kind}.{name} = {resource[name]!r} is not an allowed code")
    try:
        get_fhir_model_class(kind).model_validate(dict(resource))
    except Exception as exc:  # pydantic's ValidationError, or a type error deep inside
        raise FhirError(f"{kind} does not validate: {exc}") from exc


def check_all(resources: Sequence[Mapping[str, Any]]) -> None:
    for resource in resources:
        check(resource)
