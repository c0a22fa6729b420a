"""The consents registry as FHIR R4B ``Consent`` resources, for the GDPR export (pure).

One Consent per registry entry, never merged: an entry given then withdrawn stays one
resource, ``inactive``, its ``provision.period`` ending on the withdrawal.

* ``scope``: ``research`` (consentscope) for the research opposition, ``patient-privacy`` for
  every other entry (creating the record, sharing it with a professional, notices).
* ``category``: LOINC 59284-0 "Patient Consent", then the entry's purpose in words.
* ``provision.type``: ``deny`` for an opposition, ``permit`` for a consent; a sharing consent
  names its professional as the information recipient (v3-ParticipationType ``IRCP``).
* ``policyRule`` (ppc-1): the id of the text version the choice was made under, as text —
  those ids are dmp's own, and no code system of ours is published to name them.
* ``sourceAttachment``: that text itself (in the export's language), titled with how the
  choice was collected (online, orally with a professional…).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dmp.export import fhir
from dmp.rights.model import CHANNEL_LABELS, PURPOSE_LABELS, Purpose, Stance
from dmp.shared.errors import N_

Gettext = Callable[..., str]

CONSENT_SCOPE = f"{fhir.HL7}/consentscope"
PARTICIPATION = f"{fhir.HL7}/v3-ParticipationType"
PATIENT_CONSENT = ("59284-0", "Patient Consent")
STANCE_LABELS = {Stance.consent: N_("Accord"), Stance.opposition: N_("Opposition")}
COLLECTED = N_("Choix exprimé %(channel)s")
GIVEN = N_("%(stance)s du %(date)s, %(channel)s")
WITHDRAWN = N_("retrait le %(date)s")
IN_FORCE = N_("En vigueur")
TEXT_VERSION = N_("texte %(version)s")


@dataclass(frozen=True)
class ConsentEntry:
    id: str
    purpose: str  # a Purpose value
    stance: str  # a Stance value
    text_version: str
    given_at: dt.datetime
    channel: str  # a Channel value
    withdrawn_at: dt.datetime | None = None
    scope_label: str | None = None  # the professional's name, the kind of notice (translated)
    text: str | None = None  # the text agreed to or opposed, in the export's language
    language: str = "fr"


def title(entry: ConsentEntry, gettext: Gettext) -> str:
    """``Partage avec un professionnel de santé — Dr Claire Bernard``."""
    label = PURPOSE_LABELS.get(entry.purpose)
    text = gettext(label) if label else entry.purpose
    return f"{text} — {entry.scope_label}" if entry.scope_label else text


def describe(entry: ConsentEntry, gettext: Gettext, date: Callable[[dt.datetime], str]) -> str:
    """``Opposition du 02/03/2026, en ligne · retrait le 04/03/2026 · texte research/2026-01``."""
    _ = gettext
    channel = CHANNEL_LABELS.get(entry.channel)
    parts = [
        _(
            GIVEN,
            stance=_(STANCE_LABELS[Stance(entry.stance)]),
            date=date(entry.given_at),
            channel=_(channel) if channel else entry.channel,
        ),
        _(WITHDRAWN, date=date(entry.withdrawn_at)) if entry.withdrawn_at else _(IN_FORCE),
        _(TEXT_VERSION, version=entry.text_version),
    ]
    return " · ".join(parts)


def consent(
    entry: ConsentEntry,
    patient_url: str,
    gettext: Gettext,
    date: Callable[[dt.datetime], str],
) -> dict[str, Any]:
    _ = gettext
    research = entry.purpose == Purpose.research
    opposition = entry.stance == Stance.opposition
    period = {"start": fhir.instant(entry.given_at)}
    if entry.withdrawn_at is not None:
        period["end"] = fhir.instant(entry.withdrawn_at)
    provision: dict[str, Any] = {"type": "deny" if opposition else "permit", "period": period}
    if entry.purpose == Purpose.data_sharing and entry.scope_label:
        provision["actor"] = [
            {
                "role": fhir.concept(PARTICIPATION, "IRCP", "information recipient"),
                "reference": {"display": entry.scope_label},
            }
        ]
    channel = CHANNEL_LABELS.get(entry.channel)
    attachment: dict[str, Any] = {
        "title": _(COLLECTED, channel=_(channel) if channel else entry.channel)
    }
    if entry.text:
        attachment.update(
            {
                "contentType": "text/plain; charset=utf-8",
                "language": entry.language,
                "data": base64.b64encode(entry.text.encode("utf-8")).decode("ascii"),
            }
        )
    return {
        "resourceType": "Consent",
        "id": entry.id,
        "text": fhir.narrative(f"{title(entry, _)} · {describe(entry, _, date)}"),
        "status": "inactive" if entry.withdrawn_at is not None else "active",
        "scope": (
            fhir.concept(CONSENT_SCOPE, "research", "Research")
            if research
            else fhir.concept(CONSENT_SCOPE, "patient-privacy", "Privacy Consent")
        ),
        "category": [fhir.concept(fhir.LOINC_URI, *PATIENT_CONSENT), {"text": title(entry, _)}],
        "patient": {"reference": patient_url},
        "dateTime": fhir.instant(entry.given_at),
        "sourceAttachment": attachment,
        "policyRule": {"text": entry.text_version},
        "provision": provision,
    }
