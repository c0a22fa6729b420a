"""Directives anticipées as stored: one series per patient, one row per signed version, scan,
or revocation (a revocation is itself a dated version of the series).

Each signed version or scan is filed in the record as a document (typeCode ``EXPPAT_3``);
``document_id`` names it. The structured answers of a version written with the guided form are
kept encrypted (``answers``) under a key derived from that document's own data key: key
rotation re-wraps them with the document, and crypto-shredding the document at the purge makes
them unreadable too. Nothing medical sits in clear in this table.
"""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import ForeignKey, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from dmp.records.items import RecordItem
from dmp.shared.db import Base, UTCDateTime


class EntryKind(enum.StrEnum):
    form = "form"  # written with the guided form (official model), signed here
    scan = "scan"  # a scan of directives signed on paper
    revocation = "revocation"  # the author withdrew their directives


class DirectivesRow(RecordItem, Base):
    """One version of a patient's directives (or their revocation)."""

    __tablename__ = "advance_directives"

    kind: Mapped[str] = mapped_column(String(12))  # an EntryKind value
    signed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # or revoked, for a revocation
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The filed document (no foreign key: the purge deletes documents before record items).
    document_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())
    answers: Mapped[str | None] = mapped_column(Text)  # encrypted JSON (form versions only)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def number(self) -> int:
        """The version number the author and the PDF show."""
        return self.series_number

    @property
    def is_revocation(self) -> bool:
        return self.kind == EntryKind.revocation


class DirectivesReminderRow(Base):
    """The last regular reminder sent to the author (R1111-19), so each one goes once."""

    __tablename__ = "advance_directives_reminders"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    reminded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
