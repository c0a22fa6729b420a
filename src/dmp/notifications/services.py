"""Telling people that something happened — never what a document says.

:func:`notify` writes an inbox notice and, when the person wants it, an outbox message, in the
caller's transaction: if the event rolls back, so does its notice. ``dmp worker`` delivers the
outbox with retries (:func:`deliver_due`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.notifications.adapters import Dispatcher
from dmp.notifications.orm import InboxRow, OutboxRow
from dmp.notifications.ports import Message
from dmp.shared.errors import N_
from dmp.shared.i18n import translate

log = logging.getLogger("dmp.notifications")

MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class NoticeKind:
    code: str
    title: str  # French msgid
    text: str  # French msgid with %(name)s placeholders from the notice's params


KINDS = {
    kind.code: kind
    for kind in (
        NoticeKind(
            "record-created",
            N_("Votre dossier médical partagé est ouvert"),
            N_("Votre dossier médical partagé a été ouvert le %(date)s."),
        ),
        NoticeKind(
            "record-closed",
            N_("Votre dossier médical partagé est fermé"),
            N_("Votre dossier a été fermé le %(date)s. Vous pouvez le rouvrir à tout moment."),
        ),
        NoticeKind(
            "record-purged",
            N_("Les données de votre dossier ont été supprimées"),
            N_("Les documents de votre dossier médical partagé ont été supprimés le %(date)s."),
        ),
        NoticeKind(
            "first-access",
            N_("Un nouveau professionnel a consulté votre dossier"),
            N_(
                "Un professionnel de santé qui ne l'avait encore jamais fait a consulté votre"
                " dossier le %(date)s. L'historique des accès indique qui."
            ),
        ),
        NoticeKind(
            "emergency-access",
            N_("Accès d'urgence à un dossier"),
            N_(
                "Un accès d'urgence (bris de glace) au dossier de %(patient)s a eu lieu le"
                " %(date)s. L'historique des accès en donne le motif."
            ),
        ),
        NoticeKind(
            "announcement-pending",
            N_("Votre dossier a été mis à jour"),
            N_(
                "Votre dossier a été mis à jour. Nous vous invitons à en parler avec un"
                " professionnel de santé, par exemple votre médecin traitant."
            ),
        ),
        NoticeKind(
            "new-document",
            N_("Un nouveau document est disponible"),
            N_(
                "Un nouveau document est disponible dans votre dossier. Connectez-vous pour le"
                " consulter."
            ),
        ),
    )
}


def notify(
    session: Session,
    *,
    account_id: uuid.UUID,
    email: str | None,
    language: str,
    kind: str,
    now: dt.datetime,
    patient_id: uuid.UUID | None = None,
    params: Mapping[str, Any] | None = None,
    by_email: bool = True,
) -> InboxRow:
    """An inbox notice, plus an e-mail when ``by_email`` and an address are given."""
    notice_kind = KINDS[kind]
    values = dict(params or {})
    row = InboxRow(
        account_id=account_id,
        patient_id=patient_id,
        kind=kind,
        params=json.dumps(values, ensure_ascii=False, sort_keys=True),
        created_at=now,
    )
    session.add(row)
    if by_email and email:
        body = (
            translate(language, notice_kind.text, values)
            + "\n\n"
            + translate(language, N_("Connectez-vous à votre espace dmp pour en savoir plus."))
        )
        session.add(
            OutboxRow(
                channel="email",
                recipient=email,
                subject=translate(language, notice_kind.title),
                body=body,
                created_at=now,
                next_attempt_at=now,
                attempts=0,
            )
        )
    return row


LEASE = dt.timedelta(minutes=5)


def claim_due(session: Session, now: dt.datetime, *, limit: int = 100) -> list[OutboxRow]:
    """Lock the messages due now and lease them for a few minutes, so another worker leaves
    them alone even after this transaction ends (the sending happens outside it)."""
    rows = list(
        session.scalars(
            select(OutboxRow)
            .where(
                OutboxRow.sent_at.is_(None),
                OutboxRow.failed_at.is_(None),
                OutboxRow.next_attempt_at <= now,
            )
            .order_by(OutboxRow.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for row in rows:
        row.next_attempt_at = now + LEASE
    return rows


def message_of(row: OutboxRow) -> Message:
    channel: Literal["email", "sms"] = "sms" if row.channel == "sms" else "email"
    return Message(channel=channel, to=row.recipient, subject=row.subject, body=row.body)


def settle(row: OutboxRow, delivered: bool, now: dt.datetime) -> None:
    """Record one attempt: sent, retried later with exponential backoff, or abandoned after
    ``MAX_ATTEMPTS``."""
    row.attempts += 1
    if delivered:
        row.sent_at = now
        return
    row.last_error = "delivery failed"
    if row.attempts >= MAX_ATTEMPTS:
        row.failed_at = now
        log.error("message abandoned after %s attempts", row.attempts)
    else:
        row.next_attempt_at = now + dt.timedelta(minutes=2**row.attempts)


def deliver_due(
    session: Session, dispatcher: Dispatcher, now: dt.datetime, *, limit: int = 100
) -> int:
    """Send what is due within one transaction (tests, small batches); the worker uses
    :func:`claim_due` and :func:`settle` around sending instead, so no lock is held while a
    mail server is slow. Returns the number sent."""
    sent = 0
    for row in claim_due(session, now, limit=limit):
        delivered = dispatcher.dispatch(message_of(row))
        settle(row, delivered, now)
        sent += delivered
    return sent


def notice_text(row: InboxRow, language: str) -> tuple[str, str]:
    kind = KINDS.get(row.kind)
    if kind is None:
        return row.kind, ""
    params = json.loads(row.params or "{}")
    return translate(language, kind.title), translate(language, kind.text, params)
