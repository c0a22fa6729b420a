"""Writing and verifying the audit trail.

:func:`record` must be called with the session of the change it records, so the entry commits
or rolls back with it. Concurrent writers on one chain serialise on the chain head row
(``SELECT … FOR UPDATE`` on PostgreSQL; SQLite transactions already hold the write lock).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from dmp.audit.model import (
    GENESIS_HASH,
    AuditAction,
    AuditEntry,
    ChainBreak,
    Outcome,
    canonical_json,
    verify_chain,
)
from dmp.audit.orm import AuditChainHead, AuditEventRow
from dmp.shared.clock import Clock
from dmp.shared.context import RequestContext


def record(
    session: Session,
    clock: Clock,
    *,
    chain: str,
    action: AuditAction,
    context: RequestContext,
    outcome: Outcome = Outcome.success,
    actor_account_id: uuid.UUID | None = None,
    actor_label: str | None = None,
    patient_id: uuid.UUID | None = None,
    target: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> AuditEventRow:
    """Append one entry to ``chain`` in the caller's transaction and return it."""
    head = _lock_head(session, chain, clock)
    actor = actor_account_id or context.account_id
    entry = AuditEntry(
        chain=chain,
        seq=head.last_seq + 1,
        occurred_at=clock.now(),
        action=str(action),
        outcome=str(outcome),
        actor_account_id=str(actor) if actor else None,
        actor_label=actor_label,
        patient_id=str(patient_id) if patient_id else None,
        target=target,
        channel=context.channel,
        ip=context.ip,
        request_id=context.request_id,
        details=json.loads(canonical_json(dict(details or {}))),
        prev_hash=head.last_hash,
    )
    digest = entry.compute_hash()
    row = AuditEventRow(
        chain=chain,
        seq=entry.seq,
        occurred_at=entry.occurred_at,
        action=entry.action,
        outcome=entry.outcome,
        actor_account_id=actor,
        actor_label=actor_label,
        patient_id=patient_id,
        target=target,
        channel=entry.channel,
        ip=entry.ip,
        request_id=entry.request_id,
        details=canonical_json(entry.details),
        prev_hash=entry.prev_hash,
        hash=digest,
    )
    session.add(row)
    head.last_seq = entry.seq
    head.last_hash = digest
    head.updated_at = entry.occurred_at
    session.flush()
    return row


def _lock_head(session: Session, chain: str, clock: Clock) -> AuditChainHead:
    query = select(AuditChainHead).where(AuditChainHead.chain == chain).with_for_update()
    head = session.execute(query).scalar_one_or_none()
    if head is not None:
        return head
    try:
        with session.begin_nested():
            session.add(
                AuditChainHead(
                    chain=chain, last_seq=0, last_hash=GENESIS_HASH, updated_at=clock.now()
                )
            )
    except IntegrityError:
        pass  # another transaction created it first; lock theirs
    return session.execute(query.execution_options(populate_existing=True)).scalar_one()


def row_to_entry(row: AuditEventRow) -> AuditEntry:
    return AuditEntry(
        chain=row.chain,
        seq=row.seq,
        occurred_at=row.occurred_at,
        action=row.action,
        outcome=row.outcome,
        actor_account_id=str(row.actor_account_id) if row.actor_account_id else None,
        actor_label=row.actor_label,
        patient_id=str(row.patient_id) if row.patient_id else None,
        target=row.target,
        channel=row.channel,
        ip=row.ip,
        request_id=row.request_id,
        details=json.loads(row.details),
        prev_hash=row.prev_hash,
    )


@dataclass(frozen=True)
class VerifyReport:
    chains: int
    entries: int
    breaks: list[ChainBreak]

    @property
    def ok(self) -> bool:
        return not self.breaks


def verify_all(session: Session, *, batch_size: int = 1000) -> VerifyReport:
    """Check every chain, streaming entries; reports the first break of each broken chain."""
    heads = {
        chain: (seq, digest)
        for chain, seq, digest in session.execute(
            select(AuditChainHead.chain, AuditChainHead.last_seq, AuditChainHead.last_hash)
        )
    }
    chains_with_rows = set(session.scalars(select(AuditEventRow.chain).distinct()))
    breaks: list[ChainBreak] = []
    counted = 0
    for chain in sorted(chains_with_rows | set(heads)):
        counter = _Counter()
        broken = verify_chain(
            chain, counter.wrap(_stream(session, chain, batch_size)), heads.get(chain)
        )
        counted += counter.count
        if broken is not None:
            breaks.append(broken)
    return VerifyReport(chains=len(chains_with_rows | set(heads)), entries=counted, breaks=breaks)


class _Counter:
    def __init__(self) -> None:
        self.count = 0

    def wrap(
        self, items: Iterator[tuple[int, AuditEntry, str]]
    ) -> Iterator[tuple[int, AuditEntry, str]]:
        for item in items:
            self.count += 1
            yield item


def _stream(session: Session, chain: str, batch_size: int) -> Iterator[tuple[int, AuditEntry, str]]:
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEventRow)
            .where(AuditEventRow.chain == chain, AuditEventRow.seq > last_seq)
            .order_by(AuditEventRow.seq)
            .limit(batch_size)
        ).all()
        if not rows:
            return
        for row in rows:
            yield row.id, row_to_entry(row), row.hash
        last_seq = rows[-1].seq
        session.expunge_all()
