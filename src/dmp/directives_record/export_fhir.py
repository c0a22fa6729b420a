"""Directives anticipées as FHIR R4B ``Consent`` resources, for the GDPR export (pure).

Each signed version (guided form or signed scan) is one Consent: scope ``adr`` (consentscope,
"Advanced Care Directive"), category LOINC 75320-2 "Advance directive", dated when it was
signed; ``active`` for the version that prevails, ``inactive`` for one a newer version replaced
or one revoked (its ``provision.period`` then ends on the revocation). The directives
themselves are the filed EXPPAT_3 document, already in the export as a DocumentReference:
``sourceReference`` points at it when the requester's export holds it. A revocation is not a
Consent of its own: it shows as the end of the versions it revoked, and its notice is a
document of the export. The rule invoked (``policyRule``, ppc-1) is article L1111-11 of the
Code de la santé publique, by text: no code system names French law articles.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dmp.export import fhir
from dmp.shared.errors import N_

Gettext = Callable[..., str]

CONSENT_SCOPE = f"{fhir.HL7}/consentscope"
ADVANCE_DIRECTIVE = ("75320-2", "Advance directive")
LEGAL_BASIS = "Code de la santé publique, article L1111-11"
STATUS_LABELS = {
    "current": N_("En vigueur"),
    "superseded": N_("Version remplacée"),
    "revoked": N_("Révoquée"),
}
KIND_LABELS = {
    "form": N_("rédigées avec le formulaire et signées en ligne"),
    "scan": N_("document signé sur papier, déposé"),
}
VERSION_TEXT = N_("Directives anticipées, version %(number)s du %(date)s (%(kind)s) : %(status)s")


@dataclass(frozen=True)
class DirectivesVersion:
    id: str
    number: int
    kind: str  # form | scan
    signed_at: dt.datetime
    status: str  # current | superseded | revoked (dmp.directives.versions.VersionStatus)
    revoked_at: dt.datetime | None = None
    document_id: str | None = None  # the filed document, when the export holds it


def describe(version: DirectivesVersion, gettext: Gettext, day: str) -> str:
    """One sentence for a person: ``Directives anticipées, version 2 du 12/03/2026 (…) : …``."""
    _ = gettext
    return _(
        VERSION_TEXT,
        number=version.number,
        date=day,
        kind=_(KIND_LABELS.get(version.kind, KIND_LABELS["form"])),
        status=_(STATUS_LABELS[version.status]),
    )


def consent(
    version: DirectivesVersion, patient_url: str, gettext: Gettext, day: str
) -> dict[str, Any]:
    period = {"start": fhir.instant(version.signed_at)}
    if version.revoked_at is not None:
        period["end"] = fhir.instant(version.revoked_at)
    resource: dict[str, Any] = {
        "resourceType": "Consent",
        "id": version.id,
        "text": fhir.narrative(describe(version, gettext, day)),
        "status": "active" if version.status == "current" else "inactive",
        "scope": fhir.concept(CONSENT_SCOPE, "adr", "Advanced Care Directive"),
        "category": [fhir.concept(fhir.LOINC_URI, *ADVANCE_DIRECTIVE)],
        "patient": {"reference": patient_url},
        "dateTime": fhir.instant(version.signed_at),
        "policyRule": {"text": LEGAL_BASIS},
        "provision": {"period": period},
    }
    if version.document_id is not None:
        resource["sourceReference"] = {"reference": fhir.full_url(version.document_id)}
    return resource
