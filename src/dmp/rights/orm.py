"""Rectification requests and the consents registry."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dmp.shared.db import Base, UTCDateTime, new_id


class RectificationRow(Base):
    """The holder's side reports an error in an identity trait, a profile entry or a
    document; the item's author (or, for identity, the operators) answers. Items are named
    by id, not by foreign key: the request outlives a replaced version, and goes with the
    record's data when it is purged."""

    __tablename__ = "rectification_requests"
    __table_args__ = (
        Index("ix_rectification_requests_patient", "patient_id", "requested_at"),
        Index("ix_rectification_requests_author", "author_professional_id", "status"),
        Index("ix_rectification_requests_route", "route", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    target_kind: Mapped[str] = mapped_column(String(10))  # identity | profile | document
    target_trait: Mapped[str | None] = mapped_column(String(40))  # identity: the trait
    target_id: Mapped[uuid.UUID | None] = mapped_column()  # the version the patient saw
    target_series_id: Mapped[uuid.UUID | None] = mapped_column()
    description: Mapped[str] = mapped_column(Text)
    route: Mapped[str] = mapped_column(String(10))  # author | operators
    author_professional_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("professionals.id"))
    invisible_to_representatives: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10))  # open | corrected | refused
    requested_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    requested_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    answered_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    answer: Mapped[str | None] = mapped_column(Text)
    corrected_value: Mapped[str | None] = mapped_column(String(300))
    correction_id: Mapped[uuid.UUID | None] = mapped_column()  # the correcting version, if any
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ConsentRow(Base):
    """One consent (or opposition) given for one purpose, under one version of its text, and
    its withdrawal. Entries are never rewritten beyond their withdrawal: a new choice is a
    new entry."""

    __tablename__ = "consents"
    __table_args__ = (Index("ix_consents_patient_purpose", "patient_id", "purpose"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"))
    purpose: Mapped[str] = mapped_column(String(20))  # Purpose
    stance: Mapped[str] = mapped_column(String(12))  # consent | opposition
    scope: Mapped[str | None] = mapped_column(String(64))  # a professional id, a notice kind
    text_version: Mapped[str] = mapped_column(String(40))
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    channel: Mapped[str] = mapped_column(String(10))  # web | oral | written | api
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
