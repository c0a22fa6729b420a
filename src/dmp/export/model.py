"""The export's rules, without I/O: its states, how long it is kept, names inside the archive."""

from __future__ import annotations

import datetime as dt
import enum
import re
import unicodedata

from dmp.shared.errors import N_

KEPT_FOR = dt.timedelta(days=7)  # downloadable for 7 days once ready
STALLED_AFTER = dt.timedelta(hours=2)  # a build running longer died with its worker


class ExportStatus(enum.StrEnum):
    queued = "queued"
    running = "running"
    ready = "ready"
    failed = "failed"
    expired = "expired"

    @property
    def pending(self) -> bool:
        return self in (ExportStatus.queued, ExportStatus.running)


STATUS_LABELS = {
    ExportStatus.queued: N_("En attente"),
    ExportStatus.running: N_("En préparation"),
    ExportStatus.ready: N_("Prêt"),
    ExportStatus.failed: N_("Échec"),
    ExportStatus.expired: N_("Expiré"),
}


def expires_at(ready_at: dt.datetime) -> dt.datetime:
    return ready_at + KEPT_FOR


def downloadable(status: ExportStatus, expiry: dt.datetime | None, now: dt.datetime) -> bool:
    return status is ExportStatus.ready and expiry is not None and now < expiry


_UNSAFE = re.compile(r"[^a-z0-9]+")


def slug(text: str, *, limit: int = 60) -> str:
    """Lower-case ASCII words joined by hyphens: a file or folder name any system accepts."""
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    cleaned = _UNSAFE.sub("-", ascii_text).strip("-")
    return cleaned[:limit].strip("-") or "sans-titre"


def patient_folder(display_name: str, patient_id: str) -> str:
    """One folder per person in the archive ("camille-martin-1a2b3c4d")."""
    return f"{slug(display_name, limit=40)}-{patient_id.replace('-', '')[:8]}"


EXTENSIONS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "text/plain": "txt",
    "text/xml": "xml",
}


def document_file_name(
    position: int, title: str, series_number: int, mime_type: str, document_id: str
) -> str:
    """``003-compte-rendu-de-consultation-v2-1a2b3c4d.pdf``: ordered, readable, unique."""
    extension = EXTENSIONS.get(mime_type, "bin")
    short = document_id.replace("-", "")[:8]
    return f"{position:03d}-{slug(title)}-v{series_number}-{short}.{extension}"
