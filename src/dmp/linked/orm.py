"""Invitations sent to a child's second legal representative."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from dmp.shared.db import Base, UTCDateTime, new_id


class RepresentativeInvitationRow(Base):
    """A representative invites the other one: the link exists only once the invitee, logged
    in with the invited address, enters the code sent there."""

    __tablename__ = "representative_invitations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    invited_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    email: Mapped[str] = mapped_column(String(254))
    birth_name: Mapped[str] = mapped_column(String(100))
    first_given_name: Mapped[str] = mapped_column(String(100))
    relationship: Mapped[str] = mapped_column(String(20))  # parent | guardian
    code_digest: Mapped[str] = mapped_column(String(128), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    accepted_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
