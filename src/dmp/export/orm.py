from __future__ import annotations

import datetime as dt
import json
import uuid

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dmp.shared.db import Base, UTCDateTime, new_id


class ExportRow(Base):
    """One export asked by an account: its progress, then its encrypted ZIP for 7 days.

    The archive is encrypted like a document (its own data key, wrapped by the key ring);
    ``sha256`` and ``size`` are those of the plain ZIP the person downloads.
    """

    __tablename__ = "exports"
    __table_args__ = (Index("ix_exports_status", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    # The requester's own patient id, then the linked profiles they manage (JSON list).
    patient_ids_json: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(5))
    status: Mapped[str] = mapped_column(String(10))  # dmp.export.model.ExportStatus
    progress: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ready_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    storage_key: Mapped[str | None] = mapped_column(String(200))
    kek_id: Mapped[str | None] = mapped_column(String(32))
    wrapped_key: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(String(500))

    @property
    def patient_ids(self) -> list[uuid.UUID]:
        return [uuid.UUID(value) for value in json.loads(self.patient_ids_json)]
