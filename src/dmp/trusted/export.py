"""The personne de confiance in the GDPR export: every designation the requester may see (the
current one and those it replaced, as the holder's page lists them), each as a FHIR
RelatedPerson, and their list in the printed summary."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from dmp.access.policy import Action, DocumentStatus
from dmp.export.sections import ExportContext, SectionOutput, SummaryLine, SummaryPart, register
from dmp.records import items
from dmp.shared.errors import N_
from dmp.shared.i18n import DISPLAY_TZ, format_date
from dmp.trusted.export_fhir import Designation, related_person, relationship_text, story
from dmp.trusted.model import DesignationStatus
from dmp.trusted.orm import TrustedPersonRow


def designation_of(row: TrustedPersonRow) -> Designation:
    ended = row.revoked_at
    if row.designation_status == DesignationStatus.superseded:
        ended = row.ended_at
    return Designation(
        id=str(row.id),
        surname=row.surname,
        first_names=row.first_names,
        relationship=row.relationship,
        status=row.designation_status,
        designated_at=row.designated_at,
        relationship_detail=row.relationship_detail,
        phone=row.phone,
        email=row.email,
        cosigned_at=row.cosigned_at,
        ended_at=ended,
    )


@register
class TrustedPersonSection:
    code = "trusted-person"
    order = 60

    def collect(self, context: ExportContext) -> SectionOutput:
        access, _ = context.access, context.gettext
        part = SummaryPart(
            _(N_("Personne de confiance")),
            empty=_(N_("Aucune personne de confiance désignée.")),
        )
        if not access.decide(Action.documents_list).allowed:
            return SectionOutput(summary=[part], counts={"trusted-person": 0})
        rows = list(
            access.session.scalars(
                select(TrustedPersonRow)
                .where(
                    *items.visible(TrustedPersonRow, access),
                    TrustedPersonRow.status.in_(
                        [DocumentStatus.approved.value, DocumentStatus.deprecated.value]
                    ),
                )
                .order_by(TrustedPersonRow.series_number)
            )
        )

        def date(moment: dt.datetime) -> str:
            return format_date(moment.astimezone(DISPLAY_TZ).date(), context.language)

        output = SectionOutput(summary=[part], counts={"trusted-person": len(rows)})
        for row in rows:
            designation = designation_of(row)
            output.resources.append(related_person(designation, context.patient_url, _, date))
            part.lines.append(
                SummaryLine(
                    f"{row.display_name} — {relationship_text(designation, _)}",
                    story(designation, _, date),
                )
            )
        return output
