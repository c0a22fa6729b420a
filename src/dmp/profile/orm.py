from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dmp.records.items import RecordItem
from dmp.shared.db import Base


class ProfileEntryRow(RecordItem, Base):
    """One version of one medical-profile entry (an allergy, a treatment, a measurement…)."""

    __tablename__ = "profile_entries"

    category: Mapped[str] = mapped_column(String(20))
    values_json: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def values(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads(self.values_json)
        return loaded
