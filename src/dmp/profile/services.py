"""Reading and writing the medical profile, through the record's one access policy."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from dmp.access.policy import Action
from dmp.access.services import Access
from dmp.audit.model import AuditAction
from dmp.profile.model import CATEGORIES, clean
from dmp.profile.orm import ProfileEntryRow
from dmp.records import items
from dmp.shared.errors import N_, InvalidInput

RESOURCE = "ProfileEntry"


def _target(row: ProfileEntryRow) -> str:
    return items.target(row, RESOURCE)


def entries(access: Access, category: str | None = None) -> list[ProfileEntryRow]:
    """The current entries the caller may see; reading the profile is an audited access."""
    mode = access.require(Action.documents_list)
    if category is not None and category not in CATEGORIES:
        raise InvalidInput.single("category", "unknown-category", N_("Catégorie inconnue."))
    rows = [
        row
        for row in items.current_items(access, ProfileEntryRow)
        if category is None or row.category == category
    ]
    access.audit(AuditAction.RecordProfileRead, mode, details={"count": str(len(rows))})
    return rows


def add(
    access: Access,
    category: str,
    raw: Mapping[str, Any],
    *,
    invisible_to_representatives: bool = False,
) -> ProfileEntryRow:
    """A new entry, by the holder's side (declared) or by a professional who may feed the
    record (then marked with its author)."""
    mode = access.require(Action.document_create)
    values = clean(category, raw, access.clock.now().date())
    if invisible_to_representatives and access.actor.professional_id is None:
        raise InvalidInput.single(
            "invisible_to_representatives",
            "holder-flags",
            N_("Seul un professionnel peut cacher une information aux représentants légaux."),
        )
    row = ProfileEntryRow(
        category=category,
        values_json=json.dumps(values, ensure_ascii=False, sort_keys=True),
        invisible_to_representatives=invisible_to_representatives,
    )
    items.start(row, access)
    access.session.flush()
    access.audit(
        AuditAction.RecordProfileCreate, mode, target=_target(row), details={"category": category}
    )
    return row


def get(
    access: Access, entry_id: uuid.UUID, action: Action = Action.document_read
) -> ProfileEntryRow:
    row, _mode = items.get_item(access, ProfileEntryRow, entry_id, action)
    return row


def update(
    access: Access,
    entry_id: uuid.UUID,
    raw: Mapping[str, Any],
    *,
    expected_version: int | None = None,
) -> ProfileEntryRow:
    """A correction: a new version of the entry; the previous one stays in its history."""
    old, mode = items.get_item(access, ProfileEntryRow, entry_id, Action.document_manage)
    items.expect_version(old, expected_version)
    values = clean(old.category, raw, access.clock.now().date())
    new = ProfileEntryRow(
        category=old.category, values_json=json.dumps(values, ensure_ascii=False, sort_keys=True)
    )
    items.succeed(old, new, access)
    items.flush(access)
    access.audit(
        AuditAction.RecordProfileUpdate,
        mode,
        target=_target(new),
        details={"category": old.category, "version": str(new.series_number)},
    )
    return new


def delete(access: Access, entry_id: uuid.UUID, *, expected_version: int | None = None) -> None:
    row = get(access, entry_id, Action.document_manage)
    items.remove(
        access,
        ProfileEntryRow,
        entry_id,
        expected_version=expected_version,
        audit_action=AuditAction.RecordProfileDelete,
        resource=RESOURCE,
        details={"category": row.category},
    )


def set_masked(access: Access, entry_id: uuid.UUID, masked: bool) -> ProfileEntryRow:
    return items.mask(
        access,
        ProfileEntryRow,
        entry_id,
        masked,
        audit_action=AuditAction.RecordProfileMask,
        resource=RESOURCE,
    )


def versions(access: Access, entry_id: uuid.UUID) -> list[ProfileEntryRow]:
    """The entry's history, as far as the caller may read it."""
    return items.history(access, ProfileEntryRow, entry_id)
