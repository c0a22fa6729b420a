"""The stored blood-group card: a record item series, one current card per patient.

Every version is a row of the same series (a correction or a newer result deprecates the
previous row; a deletion is logical), so the history stays and a printed card can be told
apart from the current one: its verification token names the row and its ``version``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from dmp.bloodgroup.model import (
    BIOLOGIST_MAX,
    LABORATORY_MAX,
    SPECIFICITY_MAX,
    Abo,
    AntibodyScreen,
    BloodGroupCard,
    BloodGroupInput,
    Phenotype,
    RhD,
    ScreenResult,
    Source,
)
from dmp.records.items import RecordItem
from dmp.shared.db import Base


class BloodGroupRow(RecordItem, Base):
    """One version of a patient's blood-group card. Entered by a professional it is verified
    (from a laboratory result); entered by the holder's side it is declared, not verified."""

    __tablename__ = "blood_group_cards"

    abo: Mapped[str] = mapped_column(String(2))  # Abo
    rhd: Mapped[str] = mapped_column(String(8))  # RhD
    # RH-KEL1 phenotype: all five known, or none (a declaration may omit it).
    big_c: Mapped[bool | None] = mapped_column(Boolean)
    little_c: Mapped[bool | None] = mapped_column(Boolean)
    big_e: Mapped[bool | None] = mapped_column(Boolean)
    little_e: Mapped[bool | None] = mapped_column(Boolean)
    kell: Mapped[bool | None] = mapped_column(Boolean)
    rare_phenotype: Mapped[bool] = mapped_column(Boolean, default=False)
    # Irregular-antibody screen (RAI): a positive result without specificity is "unidentified".
    rai_date: Mapped[dt.date | None] = mapped_column(Date)
    rai_result: Mapped[str | None] = mapped_column(String(8))  # ScreenResult
    rai_specificity: Mapped[str | None] = mapped_column(String(SPECIFICITY_MAX))
    laboratory: Mapped[str | None] = mapped_column(String(LABORATORY_MAX))
    biologist: Mapped[str | None] = mapped_column(String(BIOLOGIST_MAX))
    first_determination: Mapped[dt.date | None] = mapped_column(Date)
    second_determination: Mapped[dt.date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012

    @property
    def verified(self) -> bool:
        return self.author_professional_id is not None

    @property
    def etag(self) -> str:
        """Names this exact state: another row (a newer card) or a change (masking) differs."""
        return f"{self.id.hex}.{self.version}"

    def card(self) -> BloodGroupCard:
        """The stored values as the pure model's card (validated when they were written)."""
        phenotype = None
        if None not in (self.big_c, self.little_c, self.big_e, self.little_e, self.kell):
            phenotype = Phenotype(
                big_c=bool(self.big_c),
                little_c=bool(self.little_c),
                big_e=bool(self.big_e),
                little_e=bool(self.little_e),
                kell=bool(self.kell),
            )
        screen = None
        if self.rai_date is not None and self.rai_result is not None:
            screen = AntibodyScreen(
                self.rai_date, ScreenResult(self.rai_result), self.rai_specificity
            )
        return BloodGroupCard(
            abo=Abo(self.abo),
            rhd=RhD(self.rhd),
            source=Source.professional if self.verified else Source.patient,
            phenotype=phenotype,
            rare_phenotype=self.rare_phenotype,
            antibody_screen=screen,
            laboratory=self.laboratory,
            biologist=self.biologist,
            first_determination=self.first_determination,
            second_determination=self.second_determination,
        )

    def as_input(self) -> BloodGroupInput:
        """The values as a form or a client would send them back (to correct them)."""
        card = self.card()
        screen = card.antibody_screen
        return BloodGroupInput(
            abo=self.abo,
            rhd=self.rhd,
            source=card.source.value,
            big_c=self.big_c,
            little_c=self.little_c,
            big_e=self.big_e,
            little_e=self.little_e,
            kell=self.kell,
            rare_phenotype=self.rare_phenotype,
            rai_date=self.rai_date,
            rai_result=self.rai_result,
            rai_specificity=self.rai_specificity,
            rai_unidentified=screen is not None and screen.unidentified,
            laboratory=self.laboratory,
            biologist=self.biologist,
            first_determination=self.first_determination,
            second_determination=self.second_determination,
        )

    def fill(self, card: BloodGroupCard) -> BloodGroupRow:
        self.abo = card.abo.value
        self.rhd = card.rhd.value
        phenotype = card.phenotype
        self.big_c = phenotype.big_c if phenotype else None
        self.little_c = phenotype.little_c if phenotype else None
        self.big_e = phenotype.big_e if phenotype else None
        self.little_e = phenotype.little_e if phenotype else None
        self.kell = phenotype.kell if phenotype else None
        self.rare_phenotype = card.rare_phenotype
        screen = card.antibody_screen
        self.rai_date = screen.performed_on if screen else None
        self.rai_result = screen.result.value if screen else None
        self.rai_specificity = screen.specificity if screen else None
        self.laboratory = card.laboratory
        self.biologist = card.biologist
        self.first_determination = card.first_determination
        self.second_determination = card.second_determination
        return self
