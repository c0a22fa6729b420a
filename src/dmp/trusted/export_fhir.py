"""A designation of a personne de confiance as a FHIR R4B ``RelatedPerson`` (pure).

* ``relationship``: two concepts. The designee's tie to the patient, with the v3-RoleCode
  ``FAMMEMB`` (family member) only for "a member of my family", the one mapping that is
  certain ("a close person" and "my regular doctor" have no exact code: text only), the
  patient's own words (« mon frère ») added to the text. Then the role itself, « personne de
  confiance » (L1111-6), as text: no code system names it.
* ``active``: true only while the designation is co-signed and in force; a designation still
  waiting for the co-signature, declined, revoked or replaced is ``active: false``.
* ``period``: from the co-signature to the revocation or replacement, when it was co-signed.
* ``text``: the designation's story in one sentence (designated, co-signed, declined…), since
  RelatedPerson has no status of its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dmp.directives.trusted_person import RELATIONSHIP_LABELS, Relationship
from dmp.export import fhir
from dmp.shared.errors import N_
from dmp.trusted.model import STATUS_LABELS, DesignationStatus

Gettext = Callable[..., str]

ROLE_CODES = "http://terminology.hl7.org/CodeSystem/v3-RoleCode"
CERTAIN_CODES = {Relationship.relative: ("FAMMEMB", "family member")}
ROLE_TEXT = N_("Personne de confiance")
DESIGNATED = N_("Désignée le %(date)s")
COSIGNED = N_("co-signée le %(date)s")


@dataclass(frozen=True)
class Designation:
    id: str
    surname: str
    first_names: str
    relationship: str  # a Relationship value
    status: str  # a DesignationStatus value
    designated_at: dt.datetime
    relationship_detail: str | None = None
    phone: str | None = None
    email: str | None = None
    cosigned_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None  # revoked, or replaced by a newer designation


def relationship_text(designation: Designation, gettext: Gettext) -> str:
    label = RELATIONSHIP_LABELS.get(Relationship(designation.relationship))
    text = gettext(label) if label else designation.relationship
    if designation.relationship_detail:
        text = f"{text} ({designation.relationship_detail})"
    return text


def story(designation: Designation, gettext: Gettext, date: Callable[[dt.datetime], str]) -> str:
    """``Désignée le 02/03/2026, co-signée le 04/03/2026 — Désignation co-signée, en vigueur``."""
    _ = gettext
    parts = [_(DESIGNATED, date=date(designation.designated_at))]
    if designation.cosigned_at is not None:
        parts.append(_(COSIGNED, date=date(designation.cosigned_at)))
    status = _(STATUS_LABELS[DesignationStatus(designation.status)])
    return f"{', '.join(parts)} — {status}"


def related_person(
    designation: Designation,
    patient_url: str,
    gettext: Gettext,
    date: Callable[[dt.datetime], str],
) -> dict[str, Any]:
    tie: dict[str, Any] = {"text": relationship_text(designation, gettext)}
    code = CERTAIN_CODES.get(Relationship(designation.relationship))
    if code is not None:
        tie["coding"] = [fhir.coding(ROLE_CODES, *code)]
    resource: dict[str, Any] = {
        "resourceType": "RelatedPerson",
        "id": designation.id,
        "text": fhir.narrative(story(designation, gettext, date)),
        "active": designation.status == DesignationStatus.active,
        "patient": {"reference": patient_url},
        "relationship": [tie, {"text": gettext(ROLE_TEXT)}],
        "name": [
            {
                "family": designation.surname,
                "given": designation.first_names.split(),
                "text": f"{' '.join(designation.first_names.split())} {designation.surname}",
            }
        ],
    }
    telecom = []
    if designation.phone:
        telecom.append({"system": "phone", "value": designation.phone})
    if designation.email:
        telecom.append({"system": "email", "value": designation.email})
    if telecom:
        resource["telecom"] = telecom
    if designation.cosigned_at is not None:
        period = {"start": fhir.instant(designation.cosigned_at)}
        if designation.ended_at is not None and designation.status in (
            DesignationStatus.revoked,
            DesignationStatus.superseded,
        ):
            period["end"] = fhir.instant(designation.ended_at)
        resource["period"] = period
    return resource
