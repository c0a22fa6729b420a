"""What every page about one patient's record needs: the request's Access, whose record it
is, and whether an emergency access is running (shown in a banner for its whole duration)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from dmp.access import services as access_services
from dmp.access.orm import EmergencyAccessRow
from dmp.access.policy import Action, Mode
from dmp.access.services import Access
from dmp.identity.orm import PatientRow
from dmp.linked.model import is_minor
from dmp.records import documents
from dmp.shared.errors import N_, NotFound
from dmp.web.context import Web

ADULT_ONLY = ("/directives", "/trusted-person")


@dataclass
class RecordPage:
    access: Access
    patient: PatientRow
    emergency: EmergencyAccessRow | None

    @property
    def patient_id(self) -> uuid.UUID:
        return self.patient.id

    @property
    def is_holder_side(self) -> bool:
        return self.access.actor.professional_id is None

    @property
    def acting_for(self) -> bool:
        """A representative looking at a child's (or protected adult's) record."""
        return self.access.actor.kind.value == "representative"

    @property
    def acting_as_delegate(self) -> bool:
        """Acting for a protected adult by delegation, not as a legal representative."""
        return self.acting_for and self.access.decide(Action.documents_list).mode is Mode.delegate

    def links(self) -> list[tuple[str, str]]:
        """The record's pages this caller may open: shown above a record that is not the
        caller's own (a child's, a patient's), whose pages the main menu does not list."""
        base = f"/records/{self.patient_id}"
        found: list[tuple[str, str]] = []
        if not self.is_holder_side:
            found.append((f"/pro/patients/{self.patient_id}", N_("Fiche du patient")))
        pages = (
            (Action.documents_list, "/documents", N_("Documents")),
            (Action.documents_list, "/profile", N_("Profil médical")),
            (Action.documents_list, "/vaccinations", N_("Vaccinations")),
            (Action.documents_list, "/blood-group", N_("Groupe sanguin")),
            (Action.documents_list, "/directives", N_("Directives anticipées")),
            (Action.documents_list, "/trusted-person", N_("Personne de confiance")),
            (Action.sharing_manage, "/sharing", N_("Accès et confidentialité")),
            (Action.history_read, "/history", N_("Historique des accès")),
            (Action.sharing_manage, "/rights", N_("Droits")),
        )
        # Directives and a trusted person are acts of an adult (L1111-6, L1111-11): a child's
        # record has no such page to show.
        minor = is_minor(
            self.patient.birth_date,
            self.access.clock.now().date(),
            self.access.settings.age_of_majority,
        )
        for action, path, label in pages:
            if minor and path in ADULT_ONLY:
                continue
            if self.access.decide(action).allowed:
                found.append((base + path, label))
        return found

    def context(self) -> dict[str, Any]:
        return {
            "record": self,
            "record_patient": self.patient,
            "record_links": self.links(),
            "emergency_banner": self.emergency,
        }


def parse_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError as exc:
        raise NotFound(access_services.NOT_FOUND, code="record-not-found") from exc


def record_page(web: Web, patient_id: str) -> RecordPage:
    account = web.require_account()
    pid = parse_id(patient_id)
    patient = access_services.patient_of(web.db, pid)
    access = Access(web.db, web.container.settings, web.container.clock, web.ctx, account, pid)
    return RecordPage(access, patient, access_services.live_emergency(access))


def storage(web: Web) -> documents.Storage:
    return documents.Storage(
        blobs=web.container.blobs,
        keks=web.container.keks,
        max_bytes=web.container.settings.max_document_mb * 1024 * 1024,
    )


def minutes_left(row: EmergencyAccessRow, now: dt.datetime) -> int:
    return max(0, int((row.expires_at - now).total_seconds() // 60))
