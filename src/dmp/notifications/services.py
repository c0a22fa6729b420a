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
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.notifications.adapters import Dispatcher
from dmp.notifications.orm import InboxRow, OutboxRow
from dmp.notifications.ports import Message
from dmp.shared.errors import N_
from dmp.shared.i18n import DISPLAY_TZ, format_date, format_datetime, translate

log = logging.getLogger("dmp.notifications")

MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class NoticeKind:
    """What a notice says. ``title``/``text`` are read by the record's holder ("votre
    dossier"); anyone else told about the record (a legal representative, the médecin
    traitant) reads ``other_title``/``other_text``, which name the patient instead. All are
    French msgids with ``%(name)s`` placeholders from the notice's params."""

    code: str
    title: str
    text: str
    other_title: str | None = None  # None: the holder's words already suit anyone
    other_text: str | None = None
    # "record": about a record, read by its holder or by others told about it; "holder": only
    # ever sent to the holder; "addressee": asks its reader to act and names no patient (it may
    # go by plain e-mail).
    audience: Literal["record", "holder", "addressee"] = "record"

    def wording(self, to_holder: bool) -> tuple[str, str]:
        if to_holder:
            return self.title, self.text
        return self.other_title or self.title, self.other_text or self.text


KINDS = {
    kind.code: kind
    for kind in (
        NoticeKind(  # to the author, or to the operators: which item and what is wrong is on
            # the page, never in the message
            "rectification-request",
            N_("Une demande de rectification vous est adressée"),
            N_(
                "Un patient signale une erreur dans une information dont vous êtes responsable."
                " Connectez-vous pour lire sa demande et y répondre."
            ),
            audience="addressee",
        ),
        NoticeKind(
            "rectification-answered",
            N_("Votre demande de rectification a reçu une réponse"),
            N_(
                "Votre demande de rectification a reçu une réponse le %(date)s. Connectez-vous"
                " pour la lire."
            ),
            N_("La demande de rectification pour %(patient)s a reçu une réponse"),
            N_(
                "La demande de rectification pour le dossier de %(patient)s a reçu une réponse"
                " le %(date)s. Connectez-vous pour la lire."
            ),
        ),
        NoticeKind(
            "export-ready",
            N_("La copie de vos données est prête"),
            N_(
                "La copie de vos données que vous avez demandée est prête. Vous pouvez la"
                " télécharger jusqu'au %(until)s : « Mes droits », puis « Télécharger mes"
                " données »."
            ),
            audience="holder",  # the requester's own request
        ),
        NoticeKind(  # the designee's answer; who they are is on the page, not in the message
            "trusted-person-accepted",
            N_("Votre personne de confiance a accepté"),
            N_(
                "La personne que vous avez désignée comme personne de confiance a co-signé sa"
                " désignation le %(date)s. Connectez-vous pour la voir."
            ),
            N_("La personne de confiance de %(patient)s a accepté"),
            N_(
                "La personne désignée comme personne de confiance de %(patient)s a co-signé sa"
                " désignation le %(date)s."
            ),
        ),
        NoticeKind(
            "trusted-person-declined",
            N_("Votre personne de confiance a refusé"),
            N_(
                "La personne que vous avez désignée comme personne de confiance a refusé sa"
                " désignation le %(date)s. Vous pouvez désigner quelqu'un d'autre."
            ),
            N_("La personne de confiance de %(patient)s a refusé"),
            N_(
                "La personne désignée comme personne de confiance de %(patient)s a refusé sa"
                " désignation le %(date)s."
            ),
        ),
        NoticeKind(
            "record-created",
            N_("Votre dossier médical partagé est ouvert"),
            N_("Votre dossier médical partagé a été ouvert le %(date)s."),
            N_("Le dossier médical partagé de %(patient)s est ouvert"),
            N_("Le dossier médical partagé de %(patient)s a été ouvert le %(date)s."),
        ),
        NoticeKind(
            "record-closed",
            N_("Votre dossier médical partagé est fermé"),
            N_("Votre dossier a été fermé le %(date)s. Vous pouvez le rouvrir à tout moment."),
            N_("Le dossier médical partagé de %(patient)s est fermé"),
            N_(
                "Le dossier de %(patient)s a été fermé le %(date)s. Il peut être rouvert à tout"
                " moment."
            ),
        ),
        NoticeKind(
            "record-purged",
            N_("Les données de votre dossier ont été supprimées"),
            N_("Les documents de votre dossier médical partagé ont été supprimés le %(date)s."),
            N_("Les données du dossier de %(patient)s ont été supprimées"),
            N_(
                "Les documents du dossier médical partagé de %(patient)s ont été supprimés le"
                " %(date)s."
            ),
        ),
        NoticeKind(
            "first-access",
            N_("Un nouveau professionnel a consulté votre dossier"),
            N_(
                "Un professionnel de santé qui ne l'avait encore jamais fait a consulté votre"
                " dossier le %(date)s. L'historique des accès indique qui."
            ),
            N_("Un nouveau professionnel a consulté le dossier de %(patient)s"),
            N_(
                "Un professionnel de santé qui ne l'avait encore jamais fait a consulté le"
                " dossier de %(patient)s le %(date)s. L'historique des accès indique qui."
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
        NoticeKind(  # L1111-17 I al.2: the médecin régulateur of a centre 15, not a bris de glace
            "regulation-access",
            N_("Accès d'un centre de régulation (SAMU) à un dossier"),
            N_(
                "Un médecin régulateur du SAMU (centre 15) a consulté le dossier de %(patient)s"
                " le %(date)s. L'historique des accès en donne le motif."
            ),
        ),
        NoticeKind(
            "announcement-pending",
            N_("Votre dossier a été mis à jour"),
            N_(
                "Votre dossier a été mis à jour. Nous vous invitons à en parler avec un"
                " professionnel de santé, par exemple votre médecin traitant."
            ),
            N_("Le dossier de %(patient)s a été mis à jour"),
            N_(
                "Le dossier de %(patient)s a été mis à jour. Nous vous invitons à en parler avec"
                " un professionnel de santé, par exemple son médecin traitant."
            ),
        ),
        NoticeKind(
            "new-document",
            N_("Un nouveau document est disponible"),
            N_(
                "Un nouveau document est disponible dans votre dossier. Connectez-vous pour le"
                " consulter."
            ),
            N_("Un nouveau document est disponible dans le dossier de %(patient)s"),
            N_(
                "Un nouveau document est disponible dans le dossier de %(patient)s. Connectez-vous"
                " pour le consulter."
            ),
        ),
        NoticeKind(  # linked profiles: the representatives' access ends at majority
            "majority",
            N_("Vous gérez désormais seul votre dossier"),
            N_(
                "Depuis le %(date)s, vous êtes majeur : vos représentants légaux n'accèdent plus"
                " à votre dossier médical partagé, qui reste complet."
            ),
            N_("%(patient)s est majeur : fin de l'accès à son dossier"),
            N_(
                "Depuis le %(date)s, %(patient)s est majeur : vous n'accédez plus à son dossier"
                " médical partagé. Rien n'a été supprimé ; %(patient)s est invité à activer son"
                " propre espace."
            ),
        ),
        NoticeKind(
            "linked-invitation",
            N_("Invitation à gérer le profil de %(patient)s"),
            N_(
                "Vous êtes invité à devenir représentant légal de %(patient)s. Saisissez le code"
                " reçu par e-mail dans la page « Profils rattachés »."
            ),
        ),
        NoticeKind(
            "delegate-added",
            N_("Une personne a été désignée pour vous accompagner"),
            N_(
                "Le %(date)s, une personne a été désignée pour accéder à votre dossier en votre"
                " nom. La page « Profils rattachés » indique qui, jusqu'à quand, et permet de"
                " mettre fin à cette délégation."
            ),
            N_("Un délégué a été désigné pour le dossier de %(patient)s"),
            N_(
                "Le %(date)s, une personne a été désignée pour accéder au dossier de %(patient)s."
                " La page « Profils rattachés » indique qui et jusqu'à quand."
            ),
        ),
        NoticeKind(  # which vaccine is health data: the page says, the message does not
            "vaccination-due",
            N_("Une vaccination est à prévoir"),
            N_(
                "Une vaccination recommandée par le calendrier des vaccinations est à prévoir."
                " Connectez-vous pour voir laquelle et en parler avec un professionnel de santé."
            ),
            N_("Une vaccination de %(patient)s est à prévoir"),
            N_(
                "Une vaccination recommandée pour %(patient)s par le calendrier des vaccinations"
                " est à prévoir. Connectez-vous pour voir laquelle."
            ),
        ),
        NoticeKind(  # R1111-19: the author is reminded that their directives exist
            "directives-reminder",
            N_("Vos directives anticipées"),
            N_(
                "Vos directives anticipées sont enregistrées dans votre dossier. Vous pouvez les"
                " relire, les modifier ou les révoquer à tout moment. Connectez-vous pour les"
                " consulter."
            ),
            audience="holder",  # never to representatives: directives are the adult's own act
        ),
    )
}

# Params holding a moment, stored as ISO 8601 UTC and written out in the reader's language
# when the notice is shown or the e-mail composed. Older notices stored them already written
# out (in the language of the day): those are shown as they are.
MOMENTS: dict[str, Callable[[dt.datetime, str], str]] = {
    "date": lambda moment, language: format_date(moment.astimezone(DISPLAY_TZ).date(), language),
    "when": format_datetime,
    "until": format_datetime,
}
TO_HOLDER = "to_holder"  # param: is the reader the record's holder? (absent on older notices)


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def render(kind: NoticeKind, params: Mapping[str, Any], language: str) -> tuple[str, str]:
    """A notice's title and text in ``language``, its moments written out for that language."""
    values = dict(params)
    for name, write in MOMENTS.items():
        moment = _moment(values.get(name))
        if moment is not None:
            values[name] = write(moment, language)
    title, text = kind.wording(bool(values.get(TO_HOLDER, True)))
    return translate(language, title, values), translate(language, text, values)


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
    to_holder: bool = True,
    by_email: bool = True,
    sms: str | None = None,
) -> InboxRow:
    """An inbox notice, plus an e-mail when ``by_email`` and an address are given, plus an
    SMS (the subject line only: a text message is read on a lock screen) to ``sms``.

    The notice keeps its params raw (moments in ISO 8601, ``date`` and ``when`` defaulting to
    ``now``): it is worded when shown, in the reader's language of the day. The e-mail is
    worded now, in ``language``. ``to_holder`` is false for anyone told about someone else's
    record (a legal representative, the médecin traitant): their words name the patient."""
    notice_kind = KINDS[kind]
    values = dict(params or {})
    moment = now.astimezone(dt.UTC).isoformat()
    for name in MOMENTS:
        values.setdefault(name, moment)
    values[TO_HOLDER] = to_holder
    row = InboxRow(
        account_id=account_id,
        patient_id=patient_id,
        kind=kind,
        params=json.dumps(values, ensure_ascii=False, sort_keys=True),
        created_at=now,
    )
    session.add(row)
    subject, text = render(notice_kind, values, language)
    more = translate(language, N_("Connectez-vous à votre espace dmp pour en savoir plus."))
    messages = []
    if by_email and email:
        messages.append(("email", email, subject, text + "\n\n" + more))
    if sms:
        messages.append(("sms", sms, subject, f"{subject}. {more}"))
    for channel, recipient, title, body in messages:
        session.add(
            OutboxRow(
                channel=channel,
                recipient=recipient,
                subject=title,
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
    """An inbox notice's title and text, worded for its reader now."""
    kind = KINDS.get(row.kind)
    if kind is None:
        return row.kind, ""
    params = json.loads(row.params or "{}")
    return render(kind, params if isinstance(params, dict) else {}, language)
