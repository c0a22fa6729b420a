"""Directives anticipées in the GDPR export: one FHIR Consent per signed version the requester
may see, pointing at its filed document (the document itself is exported by the documents
section), and their list in the printed summary.

Versions are read as the holder's page reads them (record items under the one policy), and a
version whose filed document the requester may not see for its flags (hidden from legal
representatives, masked) is left out with it.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select

from dmp.access.policy import Action, DocumentFilter, DocumentStatus, document_filter
from dmp.access.services import policy_settings
from dmp.directives import versions
from dmp.directives_record.export_fhir import DirectivesVersion, consent, describe
from dmp.directives_record.orm import DirectivesRow
from dmp.export.sections import ExportContext, SectionOutput, SummaryLine, SummaryPart, register
from dmp.records import documents, items
from dmp.records.orm import DocumentRow
from dmp.shared.errors import N_
from dmp.shared.i18n import DISPLAY_TZ, format_date


def _hidden(rule: DocumentFilter, document: DocumentRow) -> bool:
    """Whether the document's flags hide it from this requester (its status aside: a version
    whose document was deleted or replaced stays in the history)."""
    if rule.hide_invisible_to_representatives and document.invisible_to_representatives:
        return True
    own = (
        rule.author_professional_id is not None
        and document.author_professional_id == rule.author_professional_id
    )
    return not rule.masked_visible and document.masked and not own


@register
class DirectivesSection:
    code = "advance-directives"
    order = 50

    def collect(self, context: ExportContext) -> SectionOutput:
        access, _ = context.access, context.gettext
        part = SummaryPart(
            _(N_("Directives anticipées")),
            empty=_(N_("Aucune directive anticipée enregistrée.")),
        )
        if not access.decide(Action.documents_list).allowed:
            return SectionOutput(summary=[part], counts={"directives": 0})
        rows = list(
            access.session.scalars(
                select(DirectivesRow)
                .where(
                    *items.visible(DirectivesRow, access),
                    DirectivesRow.status.in_(
                        [DocumentStatus.approved.value, DocumentStatus.deprecated.value]
                    ),
                )
                .order_by(DirectivesRow.series_number)
            )
        )
        wanted = [row.document_id for row in rows if row.document_id is not None]
        rule = document_filter(access.actor, access.facts, policy_settings(access.settings))
        filed: dict[uuid.UUID, DocumentRow] = {}
        exported: set[uuid.UUID] = set()
        if wanted:
            filed = {
                row.id: row
                for row in access.session.scalars(
                    select(DocumentRow).where(
                        DocumentRow.patient_id == access.patient_id, DocumentRow.id.in_(wanted)
                    )
                )
            }
            conditions = documents.visibility_conditions(
                rule, context.now, access.settings.invisible_to_patient_days
            )
            exported = set(
                access.session.scalars(
                    select(DocumentRow.id).where(
                        DocumentRow.patient_id == access.patient_id,
                        DocumentRow.id.in_(wanted),
                        *conditions,
                    )
                )
            )
        signed = [
            row
            for row in rows
            if not row.is_revocation
            and not (row.document_id in filed and _hidden(rule, filed[row.document_id]))
        ]

        def local_day(moment: dt.datetime) -> str:
            return format_date(moment.astimezone(DISPLAY_TZ).date(), context.language)

        output = SectionOutput(summary=[part], counts={"directives": len(signed)})
        for row in signed:
            version = DirectivesVersion(
                id=str(row.id),
                number=row.number,
                kind=row.kind,
                signed_at=row.signed_at,
                status=versions.status_of(row, signed).value,
                revoked_at=row.revoked_at,
                document_id=str(row.document_id) if row.document_id in exported else None,
            )
            day = local_day(row.signed_at)
            output.resources.append(consent(version, context.patient_url, _, day))
            detail = ""
            if row.revoked_at is not None:
                detail = _(
                    N_("Révoquées le %(date)s"),
                    date=local_day(row.revoked_at),
                )
            part.lines.append(SummaryLine(describe(version, _, day), detail))
        return output
