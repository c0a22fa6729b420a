"""Who the holder lets in or keeps out, and the emergency accesses declared on a record."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, text, true
from sqlalchemy.orm import Mapped, mapped_column

from dmp.shared.db import Base, UTCDateTime, new_id

_ACTIVE = text("revoked_at IS NULL")


class AuthorisationRow(Base):
    """A professional allowed to read the record (consent, care-team presumption, creation)."""

    __tablename__ = "record_authorisations"
    __table_args__ = (
        Index(
            "ux_record_authorisations_active",
            "patient_id",
            "professional_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    professional_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("professionals.id"))
    basis: Mapped[str] = mapped_column(String(20))  # consent | care-team | creation | holder
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    granted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))


class BlockRow(Base):
    """A professional the holder keeps out, whatever else they were granted."""

    __tablename__ = "record_blocks"
    __table_args__ = (
        Index(
            "ux_record_blocks_active",
            "patient_id",
            "professional_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    professional_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("professionals.id"))
    blocked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    blocked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))


class CareRoleRow(Base):
    """The médecin traitant, and professionals given the same rights by the holder."""

    __tablename__ = "record_care_roles"
    __table_args__ = (
        Index(
            "ux_record_care_roles_active",
            "patient_id",
            "professional_id",
            unique=True,
            sqlite_where=_ACTIVE,
            postgresql_where=_ACTIVE,
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    professional_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("professionals.id"))
    role: Mapped[str] = mapped_column(String(20))  # treating-doctor | extended-rights
    granted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    granted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))


class PreferencesRow(Base):
    """The holder's oppositions and notification choices."""

    __tablename__ = "record_preferences"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    emergency_opposed: Mapped[bool] = mapped_column(Boolean, default=False)
    regulation_opposed: Mapped[bool] = mapped_column(Boolean, default=False)
    notify_first_access: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_emergency: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_announcement: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_new_document: Mapped[bool] = mapped_column(Boolean, default=True)
    notify_vaccination: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    notify_directives: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class EmergencyAccessRow(Base):
    """A bris de glace or a regulation-centre access: who, why, until when."""

    __tablename__ = "record_emergency_accesses"
    __table_args__ = (Index("ix_record_emergency_accesses_live", "patient_id", "expires_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    professional_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("professionals.id"))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    kind: Mapped[str] = mapped_column(String(12))  # emergency | regulation
    reason: Mapped[str] = mapped_column(String(500))
    started_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
