from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from dmp.identity.model import fold
from dmp.shared.db import Base, UTCDateTime, new_id


class PatientRow(Base):
    """A person whose record we hold. Strict INS traits; the matricule is unique when known."""

    __tablename__ = "patients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    ins_matricule: Mapped[str | None] = mapped_column(String(15), unique=True)
    ins_oid: Mapped[str | None] = mapped_column(String(40))
    birth_name: Mapped[str] = mapped_column(String(100))
    first_given_name: Mapped[str] = mapped_column(String(100))
    birth_given_names: Mapped[str] = mapped_column(String(300))
    used_name: Mapped[str | None] = mapped_column(String(100))
    used_given_name: Mapped[str | None] = mapped_column(String(100))
    sex: Mapped[str] = mapped_column(String(1))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    birth_place_code: Mapped[str | None] = mapped_column(String(5))
    identity_status: Mapped[str] = mapped_column(String(5))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 (SQLAlchemy reads a plain dict)

    @property
    def display_name(self) -> str:
        return (
            f"{self.used_given_name or self.first_given_name} {self.used_name or self.birth_name}"
        )


class LegalRepresentativeRow(Base):
    """A patient acting for another (parent of a minor, guardian): the basis of linked profiles."""

    __tablename__ = "legal_representatives"
    __table_args__ = (
        UniqueConstraint("patient_id", "representative_id", name="uq_legal_representatives_pair"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    representative_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    relationship: Mapped[str] = mapped_column(String(20))  # parent | guardian | delegate
    since: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # Delegates of a protected adult: read | manage, within [starts_on, ends_on] (inclusive).
    # Legal representatives have no scope (they act fully) and no window.
    scope: Mapped[str | None] = mapped_column(String(10))
    starts_on: Mapped[dt.date | None] = mapped_column(Date)
    ends_on: Mapped[dt.date | None] = mapped_column(Date)
    # Who registered the link (the representative, the holder, a professional or an operator)
    # and on what basis (e.g. the reference of a judge's decision).
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))
    basis: Mapped[str | None] = mapped_column(String(200))
    # The child's own e-mail, if a representative gave it: where the activation code goes at
    # majority.
    ward_email: Mapped[str | None] = mapped_column(String(254))
    # An ended link gives no access any more (majority, revocation); the row stays.
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ended_reason: Mapped[str | None] = mapped_column(String(20))  # majority | revoked
    ended_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))


class OrganisationRow(Base):
    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    finess: Mapped[str | None] = mapped_column(String(9), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    facility_type_code: Mapped[str | None] = mapped_column(String(20))  # TRE_R02 (SA07 cabinet…)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())


class ProfessionalRow(Base):
    __tablename__ = "professionals"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    rpps: Mapped[str] = mapped_column(String(11), unique=True)
    family_name: Mapped[str] = mapped_column(String(100))
    given_name: Mapped[str] = mapped_column(String(100))
    profession_code: Mapped[str] = mapped_column(String(10))
    specialty_code: Mapped[str | None] = mapped_column(String(10))
    # Médecin régulateur of a centre 15 (SAMU): may use the regulation-centre access mode.
    regulator: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # "FAMILY GIVEN" upper-case without accents, kept by an ORM hook: searching "Lefevre"
    # finds "Lefèvre" on every database (SQLite's upper() ignores non-ASCII letters).
    search_name: Mapped[str] = mapped_column(String(201), default="", server_default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())

    @property
    def idnat_ps(self) -> str:
        return "8" + self.rpps


def professional_search_name(family_name: str, given_name: str) -> str:
    return fold(f"{family_name} {given_name}")


@event.listens_for(ProfessionalRow, "before_insert")
@event.listens_for(ProfessionalRow, "before_update")
def _keep_search_name(_mapper: Any, _connection: Any, target: ProfessionalRow) -> None:
    target.search_name = professional_search_name(target.family_name, target.given_name)


class ProfessionalOrganisationRow(Base):
    __tablename__ = "professional_organisations"

    professional_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("professionals.id"), primary_key=True
    )
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id"), primary_key=True
    )
