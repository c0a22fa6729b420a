"""Key rotation: every data key re-wrapped under the active key-encryption key, in batches.

Content is never read or rewritten: only the few bytes of each wrapped key change.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from dmp.records.documents import aad
from dmp.records.orm import DocumentRow
from dmp.shared.db import transaction
from dmp.storage.keys import KeyEncryptionKeys, WrappedKey


def rewrap_all(factory: sessionmaker[Session], keks: KeyEncryptionKeys, batch: int = 500) -> int:
    done = 0
    while True:
        with transaction(factory) as session:
            rows = session.scalars(
                select(DocumentRow)
                .where(
                    DocumentRow.wrapped_key.is_not(None),
                    DocumentRow.kek_id != keks.active,
                )
                .limit(batch)
                .with_for_update(skip_locked=True)
            ).all()
            for row in rows:
                assert row.wrapped_key is not None and row.kek_id is not None
                moved = keks.rewrap(
                    WrappedKey(row.kek_id, row.wrapped_key), aad=aad(row.patient_id, row.id)
                )
                # A direct UPDATE, not the ORM's flush: rotation is not an edit of the document,
                # so its version (the ETag clients hold) must not change.
                session.execute(
                    update(DocumentRow)
                    .where(DocumentRow.id == row.id)
                    .values(kek_id=moved.kek_id, wrapped_key=moved.blob)
                    .execution_options(synchronize_session=False)
                )
        done += len(rows)
        if len(rows) < batch:
            return done


def keys_in_use(factory: sessionmaker[Session]) -> dict[str, int]:
    with transaction(factory) as session:
        counts: dict[str, int] = {}
        for kek_id in session.scalars(
            select(DocumentRow.kek_id).where(DocumentRow.kek_id.is_not(None))
        ):
            assert kek_id is not None
            counts[kek_id] = counts.get(kek_id, 0) + 1
        return counts
