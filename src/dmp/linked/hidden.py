"""What a legal representative (or a delegate) may not even learn exists: the documents and
items kept from them (a minor's confidential care, R1111-50). Used to leave them out of the
access history they read."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from dmp.access.policy import document_filter
from dmp.access.services import Access, policy_settings
from dmp.records import items
from dmp.records.orm import DocumentRow


def hidden_ids(access: Access) -> list[str]:
    """Ids (documents, and item series) whose history entries the caller may not see."""
    rule = document_filter(access.actor, access.facts, policy_settings(access.settings))
    if not rule.allowed or not rule.hide_invisible_to_representatives:
        return []
    found = {
        str(value)
        for value in access.session.scalars(
            select(DocumentRow.id).where(
                DocumentRow.patient_id == access.patient_id,
                DocumentRow.invisible_to_representatives.is_(True),
            )
        )
    }
    for model in items.item_models():
        column: Any = model
        found.update(
            str(value)
            for value in access.session.scalars(
                select(column.series_id).where(
                    column.patient_id == access.patient_id,
                    column.invisible_to_representatives.is_(True),
                )
            )
        )
    return sorted(found)
