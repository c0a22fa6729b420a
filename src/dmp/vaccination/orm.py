from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dmp.records.items import RecordItem
from dmp.shared.db import Base, UTCDateTime


class VaccinationRow(RecordItem, Base):
    """One version of one recorded dose. Entered by a professional it is verified; declared
    by the patient's side (from a paper booklet, say) it is shown as declared."""

    __tablename__ = "vaccinations"

    vaccine_code: Mapped[str] = mapped_column(String(20))  # a schedule code (calendrier file)
    product: Mapped[str | None] = mapped_column(String(120))
    dose_number: Mapped[int | None] = mapped_column(Integer)
    given_on: Mapped[dt.date] = mapped_column(Date)
    lot: Mapped[str | None] = mapped_column(String(40))
    administered_by: Mapped[str | None] = mapped_column(String(120))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def verified(self) -> bool:
        return self.author_professional_id is not None


class VaccinationReminderRow(Base):
    """A reminder already sent, so each due dose is announced once (the key names the
    vaccine, the dose or season, and the date it is due)."""

    __tablename__ = "vaccination_reminders"

    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
