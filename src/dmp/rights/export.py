"""The consents registry in the GDPR export: every entry of the person (as the holder's side
reads them on « Mes consentements »), each a FHIR Consent, and a readable list in the printed
summary, newest first."""

from __future__ import annotations

import datetime as dt
import uuid

from dmp.access.policy import Action
from dmp.export.sections import ExportContext, SectionOutput, SummaryLine, SummaryPart, register
from dmp.identity.orm import ProfessionalRow
from dmp.records.presenters import professional_name
from dmp.rights import registry
from dmp.rights.export_fhir import ConsentEntry, consent, describe, title
from dmp.rights.model import NOTIFICATION_SCOPES, Purpose
from dmp.rights.orm import ConsentRow
from dmp.rights.texts import text_of
from dmp.shared.errors import N_
from dmp.shared.i18n import DISPLAY_TZ, format_date


def _scope_label(context: ExportContext, row: ConsentRow) -> str | None:
    """What the entry is about, in words: a professional's name, a kind of notice."""
    if row.scope is None:
        return None
    if row.purpose == Purpose.notifications:
        label = NOTIFICATION_SCOPES.get(row.scope)
        return context.gettext(label) if label else row.scope
    if row.purpose == Purpose.data_sharing:
        try:
            professional = context.access.session.get(ProfessionalRow, uuid.UUID(row.scope))
        except ValueError:
            professional = None
        return professional_name(professional) if professional else None
    return row.scope


@register
class ConsentsSection:
    code = "consents"
    order = 70

    def collect(self, context: ExportContext) -> SectionOutput:
        access, _ = context.access, context.gettext
        part = SummaryPart(
            _(N_("Consentements et oppositions")), empty=_(N_("Aucun consentement enregistré."))
        )
        # The registry is the holder's side's to read (the holder or a legal representative).
        if not access.decide(Action.record_close).allowed:
            return SectionOutput(summary=[part], counts={"consents": 0})
        rows = registry.entries(access.session, access.patient_id)

        def date(moment: dt.datetime) -> str:
            return format_date(moment.astimezone(DISPLAY_TZ).date(), context.language)

        output = SectionOutput(summary=[part], counts={"consents": len(rows)})
        for row in rows:
            text = text_of(row.text_version)
            entry = ConsentEntry(
                id=str(row.id),
                purpose=row.purpose,
                stance=row.stance,
                text_version=row.text_version,
                given_at=row.given_at,
                channel=row.channel,
                withdrawn_at=row.withdrawn_at,
                scope_label=_scope_label(context, row),
                text=_(text) if text else None,
                language=context.language,
            )
            output.resources.append(consent(entry, context.patient_url, _, date))
            part.lines.append(SummaryLine(title(entry, _), describe(entry, _, date)))
        return output
