"""Designations (record items) and the invitations sent to the designee to co-sign."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dmp.records.items import RecordItem
from dmp.shared.db import Base, UTCDateTime, new_id


class TrustedPersonRow(RecordItem, Base):
    """One designation of a personne de confiance. All of a patient's designations form one
    series: a new designation is the next version and the previous one is kept (deprecated).
    Its lifecycle (co-signature, refusal, revocation) changes the row in place, each change
    audited, the ``version`` guarding against two changes at once."""

    __tablename__ = "trusted_persons"

    surname: Mapped[str] = mapped_column(String(100))
    first_names: Mapped[str] = mapped_column(String(100))
    relationship: Mapped[str] = mapped_column(String(20))  # a Relationship value
    relationship_detail: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(254))
    designation_status: Mapped[str] = mapped_column(String(12))  # a DesignationStatus value
    designated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    cosigned_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cosigned_name: Mapped[str | None] = mapped_column(String(200))  # as the designee typed it
    declined_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def display_name(self) -> str:
        first = " ".join(self.first_names.split())
        return " ".join(p for p in (first, " ".join(self.surname.split()).upper()) if p)


class TrustedPersonInvitationRow(Base):
    """An invitation to co-sign one designation: a short code the patient passes on and a link
    (a long token). Only keyed digests of both are stored; each works once, until it expires
    or a newer invitation (or the end of the designation) cancels it."""

    __tablename__ = "trusted_person_invitations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    designation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("trusted_persons.id"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
