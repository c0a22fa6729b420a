"""The record's structured content beside documents — medical profile entries, vaccination
doses, blood-group cards, advance directives — under the same rules as documents.

Each item is versioned like a document (a change is a new row in the same series, the old one
becomes ``deprecated``; a deletion is logical), has an author (a professional, or the holder's
side: then it is "declared by the patient"), may be masked from professionals by the holder,
and may be hidden from legal representatives (a minor's confidential care). Items are judged by
the one access policy through :class:`~dmp.access.policy.DocumentFacts`, and listed through the
same :class:`~dmp.access.policy.DocumentFilter` turned into SQL: there is no second set of rules.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, TypeVar

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    delete,
    false,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.orm.exc import StaleDataError

from dmp.access.policy import Action, DocumentFacts, DocumentStatus, Mode, document_filter
from dmp.access.services import Access, policy_settings
from dmp.audit.model import AuditAction
from dmp.identity.orm import ProfessionalOrganisationRow
from dmp.shared.db import UTCDateTime, new_id
from dmp.shared.errors import N_, Conflict, NotFound, PreconditionFailed

ITEM_NOT_FOUND = N_("Cette information n'existe pas ou vous n'y avez pas accès.")


class RecordItem:
    """Columns every item of a record carries (a declarative mixin)."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patient_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("patients.id"), index=True)
    series_id: Mapped[uuid.UUID] = mapped_column(index=True)
    series_number: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(12))  # approved | deprecated | deleted
    author_professional_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("professionals.id"))
    # The holder's side: the holder, or the legal representative who acted for them.
    author_patient_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patients.id"))
    author_account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"))
    author_organisation_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    masked: Mapped[bool] = mapped_column(Boolean, default=False)  # MASQUE_PS
    invisible_to_representatives: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    # When this version stopped being current (replaced or deleted), and by whom.
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    ended_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("accounts.id"))

    @property
    def declared_by_patient(self) -> bool:
        return self.author_patient_id is not None


Item = TypeVar("Item", bound=RecordItem)


def item_facts(row: RecordItem) -> DocumentFacts:
    return DocumentFacts(
        status=DocumentStatus(row.status),
        author_professional_id=row.author_professional_id,
        author_patient_id=row.author_patient_id,
        masked=row.masked,
        invisible_to_representatives=row.invisible_to_representatives,
    )


def visible(model: type[RecordItem], access: Access) -> list[ColumnElement[bool]]:
    """The items of ``model`` this caller may see, as SQL conditions (current versions only
    unless the caller adds its own status condition)."""
    rule = document_filter(access.actor, access.facts, policy_settings(access.settings))
    column: Any = model
    if not rule.allowed:
        return [false()]
    conditions: list[ColumnElement[bool]] = [column.patient_id == access.patient_id]
    if not rule.masked_visible:
        own = (
            column.author_professional_id == rule.author_professional_id
            if rule.author_professional_id is not None
            else false()
        )
        conditions.append(or_(column.masked.is_(False), own))
    if rule.hide_invisible_to_representatives:
        conditions.append(column.invisible_to_representatives.is_(False))
    return conditions


def current_items(access: Access, model: type[Item]) -> list[Item]:
    """The current version of every item of ``model`` the caller may see (oldest first)."""
    column: Any = model
    return list(
        access.session.scalars(
            select(model)
            .where(*visible(model, access), column.status == DocumentStatus.approved.value)
            .order_by(column.created_at, column.id)
        )
    )


def get_item(
    access: Access, model: type[Item], item_id: uuid.UUID, action: Action
) -> tuple[Item, Mode]:
    """One item the caller may act on, or NotFound (a hidden item and a missing one alike)."""
    row = access.session.get(model, item_id)
    if row is None or row.patient_id != access.patient_id:
        raise NotFound(ITEM_NOT_FOUND, code="item-not-found")
    decision = access.decide(action, item_facts(row))
    if not decision.allowed or decision.mode is None:
        access.refused(action, decision, target=f"{model.__name__}/{row.id}")
        raise NotFound(ITEM_NOT_FOUND, code="item-not-found")
    return row, decision.mode


def versions_of(access: Access, model: type[Item], row: RecordItem) -> list[Item]:
    """Every version of the item's series the caller may read, oldest first."""
    column: Any = model
    series = access.session.scalars(
        select(model)
        .where(column.series_id == row.series_id, column.patient_id == row.patient_id)
        .order_by(column.series_number)
    )
    return [
        version
        for version in series
        if DocumentStatus(version.status) is not DocumentStatus.deleted
        and access.decide(Action.document_read, item_facts(version)).allowed
    ]


def organisation_of(access: Access) -> uuid.UUID | None:
    """The organisation a professional writes from (their first one, for now)."""
    if access.actor.professional_id is None:
        return None
    return access.session.scalars(
        select(ProfessionalOrganisationRow.organisation_id).where(
            ProfessionalOrganisationRow.professional_id == access.actor.professional_id
        )
    ).first()


def author_fields(access: Access) -> dict[str, Any]:
    """Who is writing this item: a professional, or the holder's side."""
    holder_side = access.actor.professional_id is None
    return {
        "author_professional_id": access.actor.professional_id,
        "author_patient_id": access.actor.patient_id if holder_side else None,
        "author_account_id": access.account.id,
        "author_organisation_id": organisation_of(access),
    }


def start(row: Item, access: Access, *, patient_id: uuid.UUID | None = None) -> Item:
    """Fill a new item's series, status and author, and add it to the session."""
    now = access.clock.now()
    row.id = new_id()
    row.patient_id = patient_id or access.patient_id
    row.series_id = row.id
    row.series_number = 1
    row.status = DocumentStatus.approved.value
    for name, value in author_fields(access).items():
        setattr(row, name, value)
    row.created_at = now
    access.session.add(row)
    return row


def succeed(old: Item, new: Item, access: Access) -> Item:
    """``new`` replaces ``old``: same series, next number; ``old`` is kept, deprecated."""
    if DocumentStatus(old.status) is not DocumentStatus.approved:
        raise Conflict(
            N_("Cette information a déjà été modifiée : rechargez la page."), code="not-current"
        )
    now = access.clock.now()
    old.status = DocumentStatus.deprecated.value
    old.ended_at, old.ended_by = now, access.account.id
    start(new, access, patient_id=old.patient_id)
    new.series_id = old.series_id
    new.series_number = old.series_number + 1
    new.masked = old.masked
    new.invisible_to_representatives = old.invisible_to_representatives
    return new


def flush(access: Access) -> None:
    """Write now, so that two people changing the same item at once get a clear conflict."""
    try:
        access.session.flush()
    except StaleDataError as exc:
        raise Conflict(
            N_("Cette information vient d'être modifiée par quelqu'un d'autre."),
            code="concurrent-change",
        ) from exc


def end(row: RecordItem, access: Access) -> None:
    """Logical deletion: the row stays, for the history and the audit."""
    if DocumentStatus(row.status) is not DocumentStatus.approved:
        raise Conflict(
            N_("Cette information a déjà été modifiée : rechargez la page."), code="not-current"
        )
    row.status = DocumentStatus.deleted.value
    row.ended_at, row.ended_by = access.clock.now(), access.account.id


def expect_version(row: Any, expected_version: int | None) -> None:
    """``If-Match``: refuse a change made from an out-of-date reading."""
    if expected_version is not None and expected_version != row.version:
        raise PreconditionFailed(
            N_("Cette information a changé depuis que vous l'avez ouverte : rechargez-la."),
            code="version-mismatch",
        )


def target(row: RecordItem, resource: str) -> str:
    """How the audit trail names an item: its FHIR-like resource and its series."""
    return f"{resource}/{row.series_id}"


def mask(
    access: Access,
    model: type[Item],
    item_id: uuid.UUID,
    masked: bool,
    *,
    audit_action: AuditAction,
    resource: str,
) -> Item:
    """The holder's side hides an item from professionals (except its author and the
    médecin traitant), or shows it again."""
    row, mode = get_item(access, model, item_id, Action.document_mask)
    row.masked = masked
    flush(access)
    access.audit(
        audit_action, mode, target=target(row, resource), details={"masked": str(masked).lower()}
    )
    return row


def remove(
    access: Access,
    model: type[Item],
    item_id: uuid.UUID,
    *,
    expected_version: int | None,
    audit_action: AuditAction,
    resource: str,
    details: dict[str, str],
) -> Item:
    """Logical deletion by the item's author, audited."""
    row, mode = get_item(access, model, item_id, Action.document_manage)
    expect_version(row, expected_version)
    end(row, access)
    flush(access)
    access.audit(audit_action, mode, target=target(row, resource), details=details)
    return row


def history(access: Access, model: type[Item], item_id: uuid.UUID) -> list[Item]:
    """An item's versions as far as the caller may read them."""
    row, _mode = get_item(access, model, item_id, Action.document_read)
    return versions_of(access, model, row)


def item_models() -> list[type[RecordItem]]:
    """Every mapped kind of record item (profile entries, vaccinations…), for the purge."""
    from dmp.shared.db import Base

    return sorted(
        (m.class_ for m in Base.registry.mappers if issubclass(m.class_, RecordItem)),
        key=lambda model: model.__name__,
    )


def purge(session: Session, patient_id: uuid.UUID) -> int:
    """Delete every item of a purged record; returns how many rows went."""
    removed = 0
    for model in item_models():
        column: Any = model
        result = session.execute(delete(model).where(column.patient_id == patient_id))
        removed += result.rowcount or 0  # type: ignore[attr-defined]
    return removed
