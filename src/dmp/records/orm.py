from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dmp.shared.db import Base, UTCDateTime, new_id


class RecordRow(Base):
    """A patient's DMP: one per patient, open or closed, and when it will be purged."""

    __tablename__ = "records"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    status: Mapped[str] = mapped_column(String(10))  # open | closed
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    created_how: Mapped[str] = mapped_column(String(20))  # professional | activation | holder
    # Consent to creation, when a professional created it: who collected it, when, how.
    consent_professional_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("professionals.id")
    )
    consent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    consent_method: Mapped[str | None] = mapped_column(String(20))  # oral | written
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    close_reason: Mapped[str | None] = mapped_column(String(500))
    purge_after: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    deletion_requested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    purged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class DocumentRow(Base):
    """One document version (an XDS DocumentEntry): metadata, visibility, encrypted content.

    A replacement is a new row in the same ``series_id`` pointing at the row it replaces, which
    becomes ``deprecated``; every version is kept.
    """

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_patient_submitted", "patient_id", "submitted_at"),
        Index("ix_documents_patient_status", "patient_id", "status"),
        Index("ux_documents_patient_unique_id", "patient_id", "unique_id", unique=True),
        Index("ix_documents_series", "series_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    series_id: Mapped[uuid.UUID] = mapped_column()
    replaces_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("documents.id"))
    series_number: Mapped[int] = mapped_column(Integer, default=1)
    unique_id: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(12))

    type_code: Mapped[str] = mapped_column(String(64))
    type_system: Mapped[str] = mapped_column(String(64))
    class_code: Mapped[str] = mapped_column(String(64))
    format_code: Mapped[str] = mapped_column(String(128))
    facility_type_code: Mapped[str] = mapped_column(String(64))
    practice_setting_code: Mapped[str | None] = mapped_column(String(64))
    confidentiality: Mapped[str] = mapped_column(String(1))  # N | R | V
    masked: Mapped[bool] = mapped_column(Boolean, default=False)  # MASQUE_PS
    invisible_to_patient: Mapped[bool] = mapped_column(Boolean, default=False)
    invisible_to_representatives: Mapped[bool] = mapped_column(Boolean, default=False)

    title: Mapped[str] = mapped_column(String(255))
    comments: Mapped[str | None] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(10), default="fr-FR")
    creation_time: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    service_start: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    service_stop: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    author_account_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    author_professional_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("professionals.id"))
    author_patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    author_organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    author_role: Mapped[str | None] = mapped_column(String(20))
    author_specialty: Mapped[str | None] = mapped_column(String(20))

    mime_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(200))
    kek_id: Mapped[str | None] = mapped_column(String(32))
    wrapped_key: Mapped[str | None] = mapped_column(String(200))  # NULL once crypto-shredded

    announced_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    announced_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("professionals.id"))
    update_notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    archived_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    deleted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
