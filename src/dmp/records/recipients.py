"""Who is told about a record's events — its holder, and for a child or a protected adult,
their legal representatives — and telling them."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.accounts.orm import AccountRow
from dmp.accounts.queries import sms_destination
from dmp.identity.orm import LegalRepresentativeRow, PatientRow
from dmp.linked.queries import in_force
from dmp.notifications.services import notify
from dmp.shared.i18n import DEFAULT_LANGUAGE, DISPLAY_TZ, normalise_language


def notice_recipients(
    session: Session,
    patient_id: uuid.UUID,
    *,
    representatives: bool = True,
    today: dt.date | None = None,
) -> list[AccountRow]:
    holder = session.scalars(
        select(AccountRow).where(AccountRow.patient_id == patient_id, AccountRow.status == "active")
    ).first()
    others: list[AccountRow] = []
    if representatives:
        others = list(
            session.scalars(
                select(AccountRow)
                .join(
                    LegalRepresentativeRow,
                    LegalRepresentativeRow.representative_id == AccountRow.patient_id,
                )
                .where(
                    LegalRepresentativeRow.patient_id == patient_id,
                    AccountRow.status == "active",
                    # Only links in force: not after majority, revocation or a delegation's end.
                    *in_force(today or dt.datetime.now(DISPLAY_TZ).date()),
                )
            )
        )
    return ([holder] if holder else []) + [r for r in others if r is not holder]


def tell(
    session: Session,
    patient_id: uuid.UUID,
    kind: str,
    now: dt.datetime,
    *,
    representatives: bool = True,
    holder_side: bool = True,
    extra: list[AccountRow] | None = None,
    default_language: str = DEFAULT_LANGUAGE,
) -> int:
    """Notify the record's holder side (and ``extra`` accounts) of an event; returns how many
    people were told. The notice names the patient and the date, nothing medical.

    ``representatives=False`` leaves out the legal representatives (a document invisible to
    them must not even be announced to them). The inbox notice is worded when read, in the
    reader's language; the e-mail is worded now, in the account's language, else in
    ``default_language`` (pass the configured ``settings.default_language``)."""
    patient = session.get(PatientRow, patient_id)
    recipients = (
        notice_recipients(
            session,
            patient_id,
            representatives=representatives,
            today=now.astimezone(DISPLAY_TZ).date(),
        )
        if holder_side
        else []
    )
    for account in extra or []:
        if account.status == "active" and account not in recipients:
            recipients.append(account)
    for account in recipients:
        notify(
            session,
            account_id=account.id,
            email=account.email,
            language=normalise_language(account.preferred_language) or default_language,
            kind=kind,
            now=now,
            patient_id=patient_id,
            params={"patient": patient.display_name if patient else ""},
            to_holder=account.patient_id == patient_id,
            sms=sms_destination(session, account),
        )
    return len(recipients)
