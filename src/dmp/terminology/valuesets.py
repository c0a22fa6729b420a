"""CI-SIS / DMP value sets for document metadata, read from the JSON files shipped in ``data/``.

Each file holds one official value set (jeu de valeurs, JDV) of the ANS "Nomenclatures des objets
de santé": its OID, its version, where the content was taken from, and its concepts. Codes keep the
official French label (``display``); ``display_en`` is an English rendering written for this
project. Nothing is fetched at run time: updating a value set means replacing its file.

Systems are identified by OID, as in the XDS ``codingScheme`` (LOINC is
``2.16.840.1.113883.6.1``); ``ValueSet.system_uri`` gives the FHIR canonical URI of a system.

The typeCode files also carry the classCode that the official association table gives each type
(ASS_X04-CorrespondanceType-Classe-CISIS for JDV_J07, ASS_X16-CorrespondanceType-Classe-DMP for
JDV_J66): a document's classCode is derived from its typeCode, never chosen separately.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Final, Literal

Completeness = Literal["full", "partial"]

# Value set names (file names under data/, without ".json").
TYPE_CODES: Final = "JDV_J07-XdsTypeCode-CISIS"
DMP_TYPE_CODES: Final = "JDV_J66-TypeCode-DMP"
CLASS_CODES: Final = "JDV_J57-ClassCode-DMP"
CISIS_CLASS_CODES: Final = "JDV_J06-XdsClassCode-CISIS"
CONFIDENTIALITY_CODES: Final = "JDV_J58-ConfidentialityCode-DMP"
FORMAT_CODES: Final = "JDV_J60-FormatCode-DMP"
FACILITY_TYPES: Final = "JDV_J02-XdsHealthcareFacilityTypeCode-CISIS"
DMP_FACILITY_TYPES: Final = "JDV_J61-HealthcareFacilityTypeCode-DMP"
PRACTICE_SETTINGS: Final = "JDV_J04-XdsPracticeSettingCode-CISIS"
DMP_PRACTICE_SETTINGS: Final = "JDV_J62-PracticeSettingCode-DMP"

# Code systems (OIDs).
LOINC: Final = "2.16.840.1.113883.6.1"
TYPE_DOC_COMPLEMENTAIRE: Final = "1.2.250.1.213.1.1.4.12"  # TRE_A05
CLASSE_DOCUMENT: Final = "1.2.250.1.213.1.1.4.1"  # TRE_A03
HL7_CONFIDENTIALITY: Final = "2.16.840.1.113883.5.25"  # TRE_A08
STATUT_VISIBILITE_DOCUMENT: Final = "1.2.250.1.213.1.1.4.13"  # TRE_A07
PRODUCTEUR_DOC_NON_PS: Final = "1.2.250.1.213.1.1.4.6"  # TRE_A00
CADRE_EXERCICE: Final = "1.2.250.1.213.1.1.4.9"  # TRE_A01
SECTEUR_ACTIVITE: Final = "1.2.250.1.71.4.2.4"  # TRE_R02

# Visibility flags (TRE_A07) carried as extra confidentialityCode values.
MASQUE_PS: Final = "MASQUE_PS"
INVISIBLE_PATIENT: Final = "INVISIBLE_PATIENT"
INVISIBLE_REPRESENTANTS_LEGAUX: Final = "INVISIBLE_REPRESENTANTS_LEGAUX"

# healthcareFacilityTypeCode / practiceSettingCode of a document the patient produced.
PATIENT_PRODUCER_CODE: Final = "EXP_PATIENT"

#: classCode 90, "Autres documents déposés par le patient".
PATIENT_DEPOSITED_CLASS_CODE: Final = "90"

#: Type codes (TRE_A05) of the documents a patient deposits in Mon espace santé, with the classCode
#: the official associations (ASS_X04 and ASS_X16) give them. Only EXPPAT_1..3 and LOINC 74465-6
#: map to class 90; each DOCPAT code maps to the class of what it contains (a summary the patient
#: uploads is a "Synthèse", 11; an imaging document is "Imagerie médicale", 31; ...).
PATIENT_DOCUMENT_TYPE_CODES: Final[Mapping[str, str]] = MappingProxyType(
    {
        "DOCPAT01": "11",
        "DOCPAT02": "42",
        "DOCPAT03": "10",
        "DOCPAT04": "31",
        "DOCPAT05": "10",
        "DOCPAT06": "10",
        "DOCPAT07": "52",
        "DOCPAT08": "11",
        "DOCPAT09": "95",
    }
)

_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_PACKAGE = "dmp.terminology"
_DATA_DIR = "data"


@dataclass(frozen=True, slots=True)
class Concept:
    """One coded value: ``code`` in ``system`` (an OID), with its labels."""

    code: str
    system: str
    display: str
    display_en: str
    class_code: str | None = None


@dataclass(frozen=True, eq=False)
class ValueSet:
    """An immutable value set, indexed by code and by (system, code)."""

    id: str
    oid: str
    version: str
    concepts: tuple[Concept, ...]
    url: str = ""
    source: str = ""
    completeness: Completeness = "full"
    system_uris: Mapping[str, str] = field(default_factory=dict)
    _by_key: dict[tuple[str, str], Concept] = field(init=False, repr=False)
    _by_code: dict[str, Concept] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_key: dict[tuple[str, str], Concept] = {}
        by_code: dict[str, Concept] = {}
        for concept in self.concepts:
            key = (concept.system, concept.code)
            if key in by_key:
                raise ValueError(f"{self.id}: duplicate code {concept.code!r} in {concept.system}")
            by_key[key] = concept
            by_code.setdefault(concept.code, concept)
        object.__setattr__(self, "concepts", tuple(self.concepts))
        object.__setattr__(self, "system_uris", MappingProxyType(dict(self.system_uris)))
        object.__setattr__(self, "_by_key", by_key)
        object.__setattr__(self, "_by_code", by_code)

    def get(self, code: str, system: str | None = None) -> Concept | None:
        """The concept with this code (in this system, when given), or None.

        Without a system the first concept with the code is returned; codes are unique across
        systems in every value set shipped here.
        """
        if system is None:
            return self._by_code.get(code)
        return self._by_key.get((system, code))

    def __contains__(self, item: object) -> bool:
        if isinstance(item, Concept):
            return (item.system, item.code) in self._by_key
        if isinstance(item, str):
            return item in self._by_code
        return False

    def __iter__(self) -> Iterator[Concept]:
        return iter(self.concepts)

    def __len__(self) -> int:
        return len(self.concepts)

    def codes(self) -> tuple[str, ...]:
        """The codes, in the value set's order."""
        return tuple(concept.code for concept in self.concepts)

    def systems(self) -> tuple[str, ...]:
        """The code systems (OIDs) used, in order of first appearance."""
        return tuple(dict.fromkeys(concept.system for concept in self.concepts))

    def system_uri(self, system: str) -> str | None:
        """The FHIR canonical URI of a code system given by OID, if known."""
        return self.system_uris.get(system)

    def __repr__(self) -> str:
        return f"ValueSet({self.id!r}, version={self.version!r}, {len(self.concepts)} concepts)"


def available() -> tuple[str, ...]:
    """Names of the value sets shipped with the package."""
    folder = resources.files(_PACKAGE).joinpath(_DATA_DIR)
    return tuple(
        sorted(
            entry.name.removesuffix(".json")
            for entry in folder.iterdir()
            if entry.is_file() and entry.name.endswith(".json")
        )
    )


@cache
def load(name: str) -> ValueSet:
    """The value set stored as ``data/<name>.json`` (KeyError when there is none)."""
    if not _NAME.match(name):
        raise KeyError(name)
    resource = resources.files(_PACKAGE).joinpath(_DATA_DIR, f"{name}.json")
    if not resource.is_file():
        raise KeyError(name)
    return _parse(name, json.loads(resource.read_text(encoding="utf-8")))


def _text(record: Mapping[str, object], key: str, where: str) -> str:
    value = record.get(key)
    if not isinstance(value, str) or not value:
        raise ValueError(f"{where}: {key!r} must be a non-empty string")
    return value


def _parse(name: str, raw: object) -> ValueSet:
    if not isinstance(raw, dict):
        raise ValueError(f"{name}: the file must hold a JSON object")
    if raw.get("id") != name:
        raise ValueError(f"{name}: 'id' does not match the file name")
    completeness = raw.get("completeness")
    if completeness not in ("full", "partial"):
        raise ValueError(f"{name}: 'completeness' must be 'full' or 'partial'")
    uris: dict[str, str] = {}
    systems = raw.get("code_systems", {})
    if not isinstance(systems, dict):
        raise ValueError(f"{name}: 'code_systems' must be an object")
    for oid, described in systems.items():
        if isinstance(described, dict) and isinstance(described.get("uri"), str):
            uris[oid] = described["uri"]
    records = raw.get("concepts")
    if not isinstance(records, list) or not records:
        raise ValueError(f"{name}: 'concepts' must be a non-empty list")
    concepts: list[Concept] = []
    for index, record in enumerate(records):
        where = f"{name}: concepts[{index}]"
        if not isinstance(record, dict):
            raise ValueError(f"{where} must be an object")
        class_code = record.get("class_code")
        if class_code is not None and (not isinstance(class_code, str) or not class_code):
            raise ValueError(f"{where}: 'class_code' must be a non-empty string when present")
        concepts.append(
            Concept(
                code=_text(record, "code", where),
                system=_text(record, "system", where),
                display=_text(record, "display", where),
                display_en=_text(record, "display_en", where),
                class_code=class_code,
            )
        )
    return ValueSet(
        id=name,
        oid=_text(raw, "oid", name),
        url=str(raw.get("url", "")),
        version=_text(raw, "version", name),
        source=_text(raw, "source", name),
        completeness="full" if completeness == "full" else "partial",
        concepts=tuple(concepts),
        system_uris=uris,
    )


def type_codes() -> ValueSet:
    """typeCode, CI-SIS (JDV_J07), each concept with its classCode (ASS_X04)."""
    return load(TYPE_CODES)


def dmp_type_codes() -> ValueSet:
    """typeCode values the DMP accepts (JDV_J66), each with its classCode (ASS_X16)."""
    return load(DMP_TYPE_CODES)


def class_codes() -> ValueSet:
    """classCode, DMP (JDV_J57)."""
    return load(CLASS_CODES)


def cisis_class_codes() -> ValueSet:
    """classCode, CI-SIS (JDV_J06): JDV_J57 plus 99 "Document technique"."""
    return load(CISIS_CLASS_CODES)


def confidentiality() -> ValueSet:
    """confidentialityCode, DMP (JDV_J58): N/R/V and the three visibility flags."""
    return load(CONFIDENTIALITY_CODES)


def format_codes() -> ValueSet:
    """formatCode, DMP (JDV_J60)."""
    return load(FORMAT_CODES)


def facility_types() -> ValueSet:
    """healthcareFacilityTypeCode, CI-SIS (JDV_J02: TRE_R02 sectors and TRE_A00)."""
    return load(FACILITY_TYPES)


def dmp_facility_types() -> ValueSet:
    """healthcareFacilityTypeCode values the DMP accepts (JDV_J61)."""
    return load(DMP_FACILITY_TYPES)


def practice_settings() -> ValueSet:
    """practiceSettingCode, CI-SIS (JDV_J04: TRE_A01 cadre d'exercice and TRE_A00)."""
    return load(PRACTICE_SETTINGS)


def dmp_practice_settings() -> ValueSet:
    """practiceSettingCode values the DMP accepts (JDV_J62)."""
    return load(DMP_PRACTICE_SETTINGS)


def class_for_type(type_code: str, system: str | None = None) -> str:
    """The classCode the official association gives a typeCode (KeyError for an unknown type)."""
    concept = type_codes().get(type_code, system)
    if concept is None or concept.class_code is None:
        raise KeyError(type_code)
    return concept.class_code


def label(concept: Concept, language: str) -> str:
    """The concept's label in ``language``: English for "en…", the official French otherwise."""
    return concept.display_en if language.lower().startswith("en") else concept.display
