"""Writing and reading the consents registry.

Called from the record's own flows (creation, closure, authorisations, notice preferences) in
their transaction, so it needs only a session: no Access, no policy (the caller already
applied it). Research use goes through :func:`research_excluded_patients` /
:func:`research_allowed_for`, the SQL twin of :func:`dmp.rights.model.research_allowed`.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import Select, or_, select, union
from sqlalchemy.orm import Session

from dmp.records.orm import RecordRow
from dmp.rights.model import Channel, ConsentFact, Purpose, Stance, research_allowed
from dmp.rights.orm import ConsentRow
from dmp.rights.texts import current_version


def in_force(
    session: Session, patient_id: uuid.UUID, purpose: Purpose, scope: str | None = None
) -> list[ConsentRow]:
    query = select(ConsentRow).where(
        ConsentRow.patient_id == patient_id,
        ConsentRow.purpose == purpose.value,
        ConsentRow.withdrawn_at.is_(None),
    )
    if scope is not None:
        query = query.where(ConsentRow.scope == scope)
    return list(session.scalars(query.order_by(ConsentRow.given_at)))


def give(
    session: Session,
    patient_id: uuid.UUID,
    purpose: Purpose,
    *,
    now: dt.datetime,
    channel: Channel,
    recorded_by: uuid.UUID | None,
    stance: Stance = Stance.consent,
    scope: str | None = None,
) -> ConsentRow:
    """A new entry, under the purpose's current text; an entry already in force for the same
    purpose and scope is kept as it is (the choice did not change)."""
    for row in in_force(session, patient_id, purpose, scope):
        if row.stance == stance.value and row.scope == scope:
            return row
    row = ConsentRow(
        patient_id=patient_id,
        purpose=purpose.value,
        stance=stance.value,
        scope=scope,
        text_version=current_version(purpose),
        given_at=now,
        channel=channel.value,
        recorded_by=recorded_by,
    )
    session.add(row)
    session.flush()
    return row


def withdraw(
    session: Session,
    patient_id: uuid.UUID,
    purpose: Purpose,
    *,
    now: dt.datetime,
    by: uuid.UUID | None,
    scope: str | None = None,
    stance: Stance | None = None,
) -> int:
    """Withdraw the entries in force for the purpose (and scope); returns how many."""
    count = 0
    for row in in_force(session, patient_id, purpose, scope):
        if stance is not None and row.stance != stance.value:
            continue
        row.withdrawn_at = now
        row.withdrawn_by = by
        count += 1
    session.flush()
    return count


def notification_changes(
    session: Session,
    patient_id: uuid.UUID,
    changes: dict[str, tuple[bool, bool]],
    *,
    now: dt.datetime,
    by: uuid.UUID | None,
    channel: Channel,
) -> None:
    """Mirror a change of the notice preferences (name → (before, after)): notices are on by
    default, so turning one off is an opposition, turning it back on withdraws it. The
    preference itself stays in ``record_preferences``."""
    for name, (before, after) in changes.items():
        if not name.startswith("notify_") or before == after:
            continue
        if after:
            withdraw(
                session,
                patient_id,
                Purpose.notifications,
                now=now,
                by=by,
                scope=name,
                stance=Stance.opposition,
            )
        else:
            give(
                session,
                patient_id,
                Purpose.notifications,
                now=now,
                channel=channel,
                recorded_by=by,
                stance=Stance.opposition,
                scope=name,
            )


def entries(session: Session, patient_id: uuid.UUID) -> list[ConsentRow]:
    """Every entry of one patient, newest first."""
    return list(
        session.scalars(
            select(ConsentRow)
            .where(ConsentRow.patient_id == patient_id)
            .order_by(ConsentRow.given_at.desc(), ConsentRow.id)
        )
    )


def fact(row: ConsentRow) -> ConsentFact:
    return ConsentFact(
        purpose=Purpose(row.purpose),
        stance=Stance(row.stance),
        given_at=row.given_at,
        withdrawn_at=row.withdrawn_at,
        scope=row.scope,
    )


# --- Research: the one rule, in Python and in SQL ---------------------------------------------


def research_allowed_for(session: Session, patient_id: uuid.UUID, now: dt.datetime) -> bool:
    """May this patient's record be used for research now? (see ``model.research_allowed``)"""
    record = session.get(RecordRow, patient_id)
    record_open = record is not None and record.purged_at is None and record.status == "open"
    rows = session.scalars(
        select(ConsentRow).where(
            ConsentRow.patient_id == patient_id, ConsentRow.purpose == Purpose.research.value
        )
    )
    return research_allowed([fact(row) for row in rows], record_open=record_open, now=now)


def research_excluded_patients() -> Select[tuple[uuid.UUID]]:
    """The patients whose data no research use may touch: an opposition in force, or a
    record that is not open. Every research export or indicator filters with
    ``patient_id.not_in(research_excluded_patients())``."""
    opposed = select(ConsentRow.patient_id).where(
        ConsentRow.purpose == Purpose.research.value,
        ConsentRow.stance == Stance.opposition.value,
        ConsentRow.withdrawn_at.is_(None),
    )
    not_open = select(RecordRow.patient_id).where(
        or_(RecordRow.status != "open", RecordRow.purged_at.is_not(None))
    )
    combined = union(opposed, not_open).subquery()
    return select(combined.c.patient_id)
