"""CI-SIS / DMP value sets shipped as data files: content, invariants and the loader."""

from __future__ import annotations

import ast
import json
import re
import sys
from importlib import resources
from pathlib import Path

import pytest

from dmp.terminology import valuesets
from dmp.terminology.valuesets import (
    CADRE_EXERCICE,
    CLASSE_DOCUMENT,
    HL7_CONFIDENTIALITY,
    LOINC,
    PATIENT_DEPOSITED_CLASS_CODE,
    PATIENT_DOCUMENT_TYPE_CODES,
    PRODUCTEUR_DOC_NON_PS,
    SECTEUR_ACTIVITE,
    STATUT_VISIBILITE_DOCUMENT,
    TYPE_DOC_COMPLEMENTAIRE,
    Concept,
    ValueSet,
)

EXPECTED = {
    "JDV_J02-XdsHealthcareFacilityTypeCode-CISIS": "1.2.250.1.213.1.1.5.466",
    "JDV_J04-XdsPracticeSettingCode-CISIS": "1.2.250.1.213.1.1.5.467",
    "JDV_J06-XdsClassCode-CISIS": "1.2.250.1.213.1.1.5.462",
    "JDV_J07-XdsTypeCode-CISIS": "1.2.250.1.213.1.1.5.471",
    "JDV_J57-ClassCode-DMP": "1.2.250.1.213.1.1.5.6",
    "JDV_J58-ConfidentialityCode-DMP": "1.2.250.1.213.1.1.5.9",
    "JDV_J60-FormatCode-DMP": "1.2.250.1.213.1.1.5.8",
    "JDV_J61-HealthcareFacilityTypeCode-DMP": "1.2.250.1.213.1.1.5.3",
    "JDV_J62-PracticeSettingCode-DMP": "1.2.250.1.213.1.1.5.4",
    "JDV_J66-TypeCode-DMP": "1.2.250.1.213.1.1.5.7",
}
IHE_FORMAT_CODE = "1.3.6.1.4.1.19376.1.2.3"  # TRE_A11
DIGITAL_SIGNATURE_CLASS = "urn:oid:1.3.6.1.4.1.19376.1.2.1.1.1"
DATA = Path(str(resources.files("dmp.terminology").joinpath("data")))

ALL = sorted(EXPECTED)


def _raw(name: str) -> dict[str, object]:
    loaded = json.loads((DATA / f"{name}.json").read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


# --- every file -------------------------------------------------------------------------------


def test_the_shipped_files_are_the_expected_value_sets() -> None:
    assert valuesets.available() == tuple(ALL)


@pytest.mark.parametrize("name", ALL)
def test_every_file_loads_with_its_metadata(name: str) -> None:
    value_set = valuesets.load(name)
    raw = _raw(name)

    assert value_set.id == name
    assert value_set.oid == EXPECTED[name]
    assert re.fullmatch(r"\d{14}", value_set.version)
    assert value_set.completeness == "full"
    assert value_set.source
    assert value_set.url.startswith("https://mos.esante.gouv.fr/NOS/")
    assert len(value_set) == len(value_set.concepts) == len(raw["concepts"])  # type: ignore[arg-type]
    assert set(raw) >= {"id", "oid", "version", "source", "completeness", "concepts"}


@pytest.mark.parametrize("name", ALL)
def test_codes_are_unique_per_system_and_across_systems(name: str) -> None:
    concepts = valuesets.load(name).concepts
    keys = [(c.system, c.code) for c in concepts]
    assert len(keys) == len(set(keys))
    # ValueSet.get(code) without a system relies on this.
    codes = [c.code for c in concepts]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("name", ALL)
def test_every_concept_has_a_french_and_an_english_label(name: str) -> None:
    for concept in valuesets.load(name):
        for text in (concept.code, concept.system, concept.display, concept.display_en):
            assert text
            assert text == text.strip()


@pytest.mark.parametrize("name", ALL)
def test_every_system_used_has_a_fhir_uri(name: str) -> None:
    value_set = valuesets.load(name)
    for system in value_set.systems():
        uri = value_set.system_uri(system)
        assert uri is not None
        assert uri.startswith(("http://", "https://"))


# --- typeCode and classCode --------------------------------------------------------------------


def test_every_type_code_has_a_class_code_of_the_cisis_class_set() -> None:
    classes = valuesets.cisis_class_codes()
    for concept in valuesets.type_codes():
        assert concept.class_code is not None, concept.code
        assert concept.class_code in classes, concept.code


def test_every_dmp_type_code_is_a_cisis_type_code_with_a_dmp_class() -> None:
    cisis = valuesets.type_codes()
    classes = valuesets.class_codes()
    for concept in valuesets.dmp_type_codes():
        general = cisis.get(concept.code, concept.system)
        assert general is not None, concept.code
        assert concept.class_code == general.class_code, concept.code
        assert concept.display == general.display
        assert concept.class_code in classes, concept.code


def test_the_dmp_class_set_is_the_cisis_set_without_technical_documents() -> None:
    dmp = set(valuesets.class_codes().codes())
    cisis = set(valuesets.cisis_class_codes().codes())
    assert cisis - dmp == {"99"}
    assert dmp == {"10", "11", "31", "42", "43", "44", "45", "52", "60", "90", "95"} | {
        DIGITAL_SIGNATURE_CLASS
    }
    assert valuesets.class_codes().get("10", CLASSE_DOCUMENT) is not None


def test_type_code_systems() -> None:
    type_codes = valuesets.type_codes()
    assert set(type_codes.systems()) == {TYPE_DOC_COMPLEMENTAIRE, LOINC, "ASTM"}
    assert type_codes.get("11488-4", LOINC) is not None
    assert type_codes.get("SYNTH", TYPE_DOC_COMPLEMENTAIRE) is not None
    assert valuesets.class_for_type("E1762") == DIGITAL_SIGNATURE_CLASS


@pytest.mark.parametrize(
    ("type_code", "class_code", "type_label", "class_label"),
    [
        ("11488-4", "10", "CR ou fiche de consultation ou de visite", "Compte rendu"),
        ("11502-2", "10", "CR d'examens biologiques", "Compte rendu"),
        ("18748-4", "31", "CR d'imagerie médicale", "Imagerie médicale"),
        ("60591-5", "11", "Synthèse médicale", "Synthèse"),
        ("34133-9", "11", "Synthèse d'épisode de soins", "Synthèse"),
        ("57833-6", "42", "Prescription de produits de santé", "Prescription"),
        ("60593-1", "43", "Dispensation médicamenteuse", "Dispensation"),
        ("89601-9", "52", "Certificat médical", "Certificat, déclaration"),
        ("REMB", "60", "Données de remboursement", "Données de remboursement"),
        ("EXPPAT_3", "90", "Directives anticipées", "Autres documents déposés par le patient"),
        ("SYNTH", "11", "Synthèse", "Synthèse"),
    ],
)
def test_known_types_and_their_classes(
    type_code: str, class_code: str, type_label: str, class_label: str
) -> None:
    concept = valuesets.type_codes().get(type_code)
    assert concept is not None
    assert concept.display == type_label
    assert valuesets.class_for_type(type_code) == class_code
    klass = valuesets.class_codes().get(class_code)
    assert klass is not None
    assert klass.display == class_label


def test_patient_document_types_and_their_official_classes() -> None:
    assert tuple(PATIENT_DOCUMENT_TYPE_CODES) == tuple(f"DOCPAT0{n}" for n in range(1, 10))
    for type_code, class_code in PATIENT_DOCUMENT_TYPE_CODES.items():
        assert valuesets.class_for_type(type_code, TYPE_DOC_COMPLEMENTAIRE) == class_code
        in_dmp = valuesets.dmp_type_codes().get(type_code, TYPE_DOC_COMPLEMENTAIRE)
        assert in_dmp is not None
        assert in_dmp.class_code == class_code
    profile = valuesets.type_codes().get("DOCPAT08")
    assert profile is not None
    assert profile.display == "Profil médical Mon espace santé"


def test_class_90_gathers_the_patients_own_expression() -> None:
    in_90 = {c.code for c in valuesets.type_codes() if c.class_code == PATIENT_DEPOSITED_CLASS_CODE}
    assert in_90 == {"EXPPAT_1", "EXPPAT_2", "EXPPAT_3", "74465-6"}


def test_class_for_type_rejects_unknown_types() -> None:
    with pytest.raises(KeyError):
        valuesets.class_for_type("00000-0")
    with pytest.raises(KeyError):
        valuesets.class_for_type("11488-4", TYPE_DOC_COMPLEMENTAIRE)
    with pytest.raises(KeyError):
        valuesets.class_for_type("")


# --- other value sets --------------------------------------------------------------------------


def test_confidentiality_is_three_levels_and_three_visibility_flags() -> None:
    found = {(c.system, c.code) for c in valuesets.confidentiality()}
    assert found == {
        (HL7_CONFIDENTIALITY, "N"),
        (HL7_CONFIDENTIALITY, "R"),
        (HL7_CONFIDENTIALITY, "V"),
        (STATUT_VISIBILITE_DOCUMENT, valuesets.MASQUE_PS),
        (STATUT_VISIBILITE_DOCUMENT, valuesets.INVISIBLE_PATIENT),
        (STATUT_VISIBILITE_DOCUMENT, valuesets.INVISIBLE_REPRESENTANTS_LEGAUX),
    }
    masked = valuesets.confidentiality().get("MASQUE_PS")
    assert masked is not None
    assert masked.display == "Masqué aux professionnels de santé"


def test_format_codes_include_the_unstructured_formats() -> None:
    formats = valuesets.format_codes()
    for code in (
        "urn:ihe:iti:xds-sd:pdf:2008",
        "urn:ihe:iti:xds-sd:text:2008",
        "urn:ihe:iti-fr:xds-sd:jpeg:2010",
        "urn:ihe:iti-fr:xds-sd:rtf:2010",
        "urn:ihe:iti-fr:xds-sd:tiff:2010",
    ):
        assert formats.get(code, IHE_FORMAT_CODE) is not None, code
    for code in (
        "urn:ihe:lab:xd-lab:2008",
        "urn:asip:ci-sis:vac-note:2021",
        "urn:asip:ci-sis:idap:2011",
        "urn:asipSante:modelesHorsProfils:2011",
        "1.2.840.10008.5.1.4.1.1.88.59",
    ):
        assert code in formats, code


def test_facility_types_cover_sectors_and_the_patient() -> None:
    facilities = valuesets.facility_types()
    patient = facilities.get(valuesets.PATIENT_PRODUCER_CODE)
    assert patient is not None
    assert patient.system == PRODUCTEUR_DOC_NON_PS
    for code in ("SA01", "SA04", "SA05", "SA07", "SA08", "SA25", "SA33", "SA52"):
        found = facilities.get(code)
        assert found is not None, code
        assert found.system == SECTEUR_ACTIVITE
    assert valuesets.PATIENT_PRODUCER_CODE in valuesets.dmp_facility_types()


def test_practice_settings_cover_the_cadre_exercice_and_the_patient() -> None:
    settings = valuesets.practice_settings()
    for code in (
        "AMBULATOIRE",
        "ETABLISSEMENT",
        "HAD",
        "SAMU_SMUR",
        "ESSMS",
        "DEPISTAGE",
        "PALLIATIF",
        "MAD",
        "SAD",
        "AMO",
    ):
        found = settings.get(code)
        assert found is not None, code
        assert found.system == CADRE_EXERCICE
    patient = settings.get(valuesets.PATIENT_PRODUCER_CODE)
    assert patient is not None
    assert patient.system == PRODUCTEUR_DOC_NON_PS
    dmp = valuesets.dmp_practice_settings()
    assert set(dmp.codes()) < set(settings.codes())


# --- loader and API ------------------------------------------------------------------------------


def test_load_is_cached_and_rejects_unknown_names() -> None:
    assert valuesets.load(valuesets.TYPE_CODES) is valuesets.type_codes()
    for name in ("JDV_J99-Nothing", "../valuesets", "", "JDV_J07-XdsTypeCode-CISIS.json"):
        with pytest.raises(KeyError):
            valuesets.load(name)


def test_value_set_lookup() -> None:
    type_codes = valuesets.type_codes()
    concept = type_codes.get("11488-4")
    assert concept is not None
    assert concept in type_codes
    assert "11488-4" in type_codes
    assert "00000-0" not in type_codes
    assert 11488 not in type_codes
    assert Concept("11488-4", "9.9.9", "x", "x") not in type_codes
    assert type_codes.get("00000-0") is None
    assert type_codes.get("11488-4", "9.9.9") is None
    assert type_codes.codes()[0] == type_codes.concepts[0].code
    assert list(type_codes) == list(type_codes.concepts)
    assert "JDV_J07-XdsTypeCode-CISIS" in repr(type_codes)


def test_label_picks_the_language() -> None:
    concept = valuesets.class_codes().get("10")
    assert concept is not None
    assert valuesets.label(concept, "fr") == "Compte rendu"
    assert valuesets.label(concept, "fr-FR") == "Compte rendu"
    assert valuesets.label(concept, "en") == "Report"
    assert valuesets.label(concept, "EN-gb") == "Report"


def test_value_sets_are_read_only_and_refuse_duplicates() -> None:
    concept = Concept("10", CLASSE_DOCUMENT, "Compte rendu", "Report")
    with pytest.raises(ValueError, match="duplicate"):
        ValueSet(id="X", oid="1.2", version="1", concepts=(concept, concept))
    value_set = ValueSet(id="X", oid="1.2", version="1", concepts=(concept,))
    with pytest.raises(AttributeError):
        value_set.version = "2"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": "other"}, "file name"),
        ({"completeness": "some"}, "completeness"),
        ({"concepts": []}, "concepts"),
        ({"concepts": [{"code": "A", "system": "1.2", "display": "a"}]}, "display_en"),
        ({"oid": ""}, "oid"),
    ],
)
def test_malformed_files_are_refused(change: dict[str, object], message: str) -> None:
    raw = _raw(valuesets.CLASS_CODES) | change
    with pytest.raises(ValueError, match=message):
        valuesets._parse(valuesets.CLASS_CODES, raw)


def test_the_loader_is_pure_standard_library() -> None:
    source = Path(valuesets.__file__).read_text(encoding="utf-8")
    imported: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}
