"""The blood-group card as FHIR R4B Observations, for the GDPR export (pure: values in, dicts
out; the section that reads the card is :mod:`dmp.bloodgroup.export`).

* The group: one Observation coded LOINC 882-1 "ABO and Rh group [Type] in Blood", its value
  the written group (``A RhD+ (RH1+)``), with the ABO (883-9) and Rh (10331-7) parts as
  components, and the RH-KEL1 antigens as components too. No LOINC code is sure enough for each
  antigen, so those components carry a text code only (``C (RH2)``…, no invented system) and a
  boolean value (antigen present or absent); the ISBT notation goes in a note.
* The irregular-antibody screen (RAI), when the card has one: its own Observation, LOINC 890-4
  "Blood group antibody screen [Presence] in Serum or Plasma", dated the day it was done.
* Who vouches for it. A card entered by a professional (from a laboratory result) is ``final``
  with the laboratory and the biologist as performers (text only). A card the patient's side
  declared is ``final`` too — it is the finished statement of what the patient said, and
  ``preliminary`` would tell software a laboratory result is still to come, which is false —
  with the patient as performer and a note saying it was declared by the patient and not
  verified. FHIR R4 Observation has no verification status, so performer + note is the plain,
  valid way to say it, readable by people and software alike.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any

from dmp.bloodgroup.display import describe_screen, format_group, format_rh_kel, format_rhd
from dmp.bloodgroup.model import BloodGroupCard
from dmp.export import fhir
from dmp.shared.errors import N_

Gettext = Callable[..., str]

OBSERVATION_CATEGORY = f"{fhir.HL7}/observation-category"
ABO_RH = ("882-1", "ABO and Rh group [Type] in Blood")
ABO = ("883-9", "ABO group [Type] in Blood")
RH = ("10331-7", "Rh [Type] in Blood")
ANTIBODY_SCREEN = ("890-4", "Blood group antibody screen [Presence] in Serum or Plasma")
# Antigen → its text code (the same in every language: antigen name and ISBT number).
ANTIGENS = (
    ("big_c", "C (RH2)"),
    ("little_c", "c (RH4)"),
    ("big_e", "E (RH3)"),
    ("little_e", "e (RH5)"),
    ("kell", "K (KEL1)"),
)

GROUP_TEXT = N_("Groupe sanguin ABO et RhD")
SCREEN_TEXT = N_("RAI (recherche d'anticorps irréguliers)")
DECLARED_NOTE = N_(
    "Déclaré par le patient : ce résultat n'a pas été vérifié par un professionnel de santé."
)
RARE_NOTE = N_("Phénotype rare.")
PHENOTYPE_NOTE = N_("Phénotype RH-KEL1 : %(phenotype)s")
SECOND_NOTE = N_("Seconde détermination le %(date)s.")


def screen_id(card_id: str) -> str:
    """The antibody screen's resource id, stable for one card version."""
    return str(uuid.uuid5(uuid.UUID(card_id), "antibody-screen"))


def _loinc(code: tuple[str, str], text: str | None = None) -> dict[str, Any]:
    concept = fhir.concept(fhir.LOINC_URI, code[0], code[1])
    if text:
        concept["text"] = text
    return concept


def _performers(card: BloodGroupCard, patient_url: str) -> list[dict[str, Any]]:
    if not card.verified:
        return [{"reference": patient_url}]
    return [{"display": name} for name in (card.laboratory, card.biologist) if name]


def _base(
    card: BloodGroupCard, resource_id: str, patient_url: str, recorded_at: dt.datetime
) -> dict[str, Any]:
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": resource_id,
        "status": "final",
        "category": [fhir.concept(OBSERVATION_CATEGORY, "laboratory", "Laboratory")],
        "subject": {"reference": patient_url},
    }
    if card.verified:
        resource["issued"] = fhir.instant(recorded_at)
    performers = _performers(card, patient_url)
    if performers:
        resource["performer"] = performers
    return resource


def observations(
    card: BloodGroupCard,
    *,
    card_id: str,
    recorded_at: dt.datetime,
    patient_url: str,
    gettext: Gettext,
) -> list[dict[str, Any]]:
    """The group's Observation, then the antibody screen's when the card has one."""
    _ = gettext
    declared = None if card.verified else _(DECLARED_NOTE)
    group = _base(card, card_id, patient_url, recorded_at)
    group["code"] = _loinc(ABO_RH, _(GROUP_TEXT))
    if card.first_determination is not None:
        group["effectiveDateTime"] = card.first_determination.isoformat()
    group["valueCodeableConcept"] = {"text": format_group(card.abo, card.rhd)}
    components: list[dict[str, Any]] = [
        {"code": _loinc(ABO), "valueCodeableConcept": {"text": card.abo.value}},
        {"code": _loinc(RH), "valueCodeableConcept": {"text": format_rhd(card.rhd)}},
    ]
    phenotype_note = None
    if card.phenotype is not None:
        components += [
            {"code": {"text": text}, "valueBoolean": bool(getattr(card.phenotype, name))}
            for name, text in ANTIGENS
        ]
        phenotype_note = _(PHENOTYPE_NOTE, phenotype=format_rh_kel(card.rhd, card.phenotype))
    group["component"] = components
    second = card.second_determination
    notes = fhir.notes(
        declared,
        phenotype_note,
        _(RARE_NOTE) if card.rare_phenotype else None,
        _(SECOND_NOTE, date=second.isoformat()) if second else None,
    )
    if notes:
        group["note"] = notes
    resources = [group]
    screen = card.antibody_screen
    if screen is not None:
        observation = _base(card, screen_id(card_id), patient_url, recorded_at)
        observation["code"] = _loinc(ANTIBODY_SCREEN, _(SCREEN_TEXT))
        observation["effectiveDateTime"] = screen.performed_on.isoformat()
        observation["valueCodeableConcept"] = {"text": describe_screen(screen, _)}
        if declared:
            observation["note"] = fhir.notes(declared)
        resources.append(observation)
    return resources
