"""Words and labels for documents, shared by the API and the web pages."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.accounts.orm import AccountRow
from dmp.identity.model import PROFESSIONS, SPECIALTIES
from dmp.identity.orm import OrganisationRow, ProfessionalRow
from dmp.shared.errors import N_
from dmp.terminology import valuesets


class Authored(Protocol):
    """A document or a record item: whoever wrote it, and from where."""

    @property
    def author_account_id(self) -> uuid.UUID | None: ...
    @property
    def author_professional_id(self) -> uuid.UUID | None: ...
    @property
    def author_organisation_id(self) -> uuid.UUID | None: ...


_Row = TypeVar("_Row", ProfessionalRow, OrganisationRow, AccountRow)

STATUS_LABELS = {
    "approved": N_("À jour"),
    "deprecated": N_("Version remplacée"),
    "archived": N_("Archivé"),
    "deleted": N_("Supprimé"),
}


def type_label(code: str, language: str) -> str:
    concept = valuesets.type_codes().get(code)
    return valuesets.label(concept, language) if concept else code


def class_label(code: str, language: str) -> str:
    concept = valuesets.class_codes().get(code) or valuesets.cisis_class_codes().get(code)
    return valuesets.label(concept, language) if concept else code


@dataclass(frozen=True)
class Author:
    name: str
    professional_id: uuid.UUID | None
    profession: str | None  # French msgid
    specialty: str | None  # French msgid
    organisation: str | None
    is_patient: bool


def professional_name(row: ProfessionalRow) -> str:
    """How a professional is named to patients: "Dr" for doctors (profession code 10)."""
    title = "Dr " if row.profession_code == "10" else ""
    return f"{title}{row.given_name} {row.family_name}"


class Authors:
    """Resolves document authors once per page, in three queries whatever the page's size."""

    def __init__(self, session: Session, rows: Iterable[Authored] = ()) -> None:
        self._session = session
        self._cache: dict[tuple[uuid.UUID | None, ...], Author] = {}
        self._professionals: dict[uuid.UUID, ProfessionalRow] = {}
        self._organisations: dict[uuid.UUID, OrganisationRow] = {}
        self._accounts: dict[uuid.UUID, AccountRow] = {}
        self._load(list(rows))

    def _load(self, rows: list[Authored]) -> None:
        self._fetch(ProfessionalRow, self._professionals, {r.author_professional_id for r in rows})
        self._fetch(OrganisationRow, self._organisations, {r.author_organisation_id for r in rows})
        self._fetch(AccountRow, self._accounts, {r.author_account_id for r in rows})

    def _fetch(
        self, model: type[_Row], found: dict[uuid.UUID, _Row], ids: set[uuid.UUID | None]
    ) -> None:
        wanted = [i for i in ids if i is not None]
        if wanted:
            for item in self._session.scalars(select(model).where(model.id.in_(wanted))):
                found[item.id] = item

    def _get(self, model: type[_Row], found: dict[uuid.UUID, _Row], key: uuid.UUID) -> _Row | None:
        if key not in found:
            item = self._session.get(model, key)
            if item is None:
                return None
            found[key] = item
        return found[key]

    def of(self, row: Authored) -> Author:
        key = (row.author_account_id, row.author_professional_id, row.author_organisation_id)
        if key not in self._cache:
            self._cache[key] = self._resolve(row)
        return self._cache[key]

    def _resolve(self, row: Authored) -> Author:
        organisation = (
            self._get(OrganisationRow, self._organisations, row.author_organisation_id)
            if row.author_organisation_id
            else None
        )
        if row.author_professional_id is not None:
            professional = self._get(
                ProfessionalRow, self._professionals, row.author_professional_id
            )
            if professional is not None:
                return Author(
                    name=professional_name(professional),
                    professional_id=professional.id,
                    profession=PROFESSIONS.get(professional.profession_code),
                    specialty=SPECIALTIES.get(professional.specialty_code or ""),
                    organisation=organisation.name if organisation else None,
                    is_patient=False,
                )
        account = (
            self._get(AccountRow, self._accounts, row.author_account_id)
            if row.author_account_id
            else None
        )
        return Author(
            name=account.display_name if account else "?",
            professional_id=None,
            profession=None,
            specialty=None,
            organisation=None,
            is_patient=True,
        )
