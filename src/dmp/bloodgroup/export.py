"""The blood-group card in the GDPR export: the current card the requester may see (a masked
card stays the holder's side's to see; one hidden from legal representatives is left out for
them), as FHIR Observations and a line of the printed summary."""

from __future__ import annotations

from dmp.access.policy import Action
from dmp.bloodgroup.display import (
    describe_screen,
    describe_source,
    format_group,
    format_phenotype,
)
from dmp.bloodgroup.export_fhir import observations
from dmp.bloodgroup.orm import BloodGroupRow
from dmp.export.sections import ExportContext, SectionOutput, SummaryLine, SummaryPart, register
from dmp.records import items
from dmp.shared.errors import N_
from dmp.shared.i18n import format_date


@register
class BloodGroupSection:
    code = "blood-group"
    order = 40

    def collect(self, context: ExportContext) -> SectionOutput:
        access, _ = context.access, context.gettext
        part = SummaryPart(
            _(N_("Groupe sanguin")), empty=_(N_("Aucune carte de groupe sanguin enregistrée."))
        )
        if not access.decide(Action.documents_list).allowed:
            return SectionOutput(summary=[part], counts={"blood-group": 0})
        rows = items.current_items(access, BloodGroupRow)
        if not rows:
            return SectionOutput(summary=[part], counts={"blood-group": 0})
        row = rows[-1]
        card = row.card()
        resources = observations(
            card,
            card_id=str(row.id),
            recorded_at=row.created_at,
            patient_url=context.patient_url,
            gettext=_,
        )
        detail = []
        if card.phenotype is not None:
            detail.append(format_phenotype(card.phenotype))
        screen = card.antibody_screen
        if screen is not None:
            detail.append(
                _(
                    N_("RAI du %(date)s : %(result)s"),
                    date=format_date(screen.performed_on, context.language),
                    result=describe_screen(screen, _),
                )
            )
        if card.laboratory:
            detail.append(card.laboratory)
        detail.append(describe_source(card.source, _))
        part.lines.append(SummaryLine(format_group(card.abo, card.rhd), " · ".join(detail)))
        return SectionOutput(resources=resources, summary=[part], counts={"blood-group": 1})
