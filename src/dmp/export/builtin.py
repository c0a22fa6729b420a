"""The core sections of every export: identity, documents, medical profile, vaccinations and
the access history. Each reads what the requester may see of one person's record, through the
one access policy (a legal representative never gets what is hidden from representatives)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import select

from dmp.access.policy import Action, document_filter
from dmp.access.services import policy_settings
from dmp.export import fhir
from dmp.export.model import document_file_name
from dmp.export.sections import (
    ExportContext,
    ExportFile,
    SectionOutput,
    SummaryLine,
    SummaryPart,
    register,
)
from dmp.identity.model import IDENTITY_STATUS_LABELS, IdentityStatus
from dmp.linked.hidden import hidden_ids
from dmp.profile.model import CATEGORIES, choice_label
from dmp.profile.orm import ProfileEntryRow
from dmp.profile.presenters import describe, details_of
from dmp.records import documents, items, presenters
from dmp.records.history import ACTION_LABELS, MODE_LABELS, history
from dmp.records.orm import DocumentRow
from dmp.shared.errors import N_
from dmp.shared.i18n import format_date, format_datetime
from dmp.storage import envelope
from dmp.storage.keys import WrappedKey
from dmp.terminology import valuesets
from dmp.terminology.valuesets import ValueSet
from dmp.vaccination.orm import VaccinationRow
from dmp.vaccination.services import vaccine_label

SEXES = {"M": N_("Masculin"), "F": N_("Féminin"), "U": N_("Indéterminé")}
HISTORY_PAGE = 200


def _item(row: items.RecordItem, authors: presenters.Authors) -> fhir.Item:
    return fhir.Item(
        id=str(row.id),
        recorded_at=row.created_at,
        declared_by_patient=row.declared_by_patient,
        author=authors.of(row).name,
    )


@register
class IdentitySection:
    code = "identity"
    order = 0

    def collect(self, context: ExportContext) -> SectionOutput:
        patient, _, language = context.patient, context.gettext, context.language
        status = IdentityStatus(patient.identity_status)
        resource = fhir.patient(
            fhir.Identity(
                id=str(patient.id),
                birth_name=patient.birth_name,
                first_given_name=patient.first_given_name,
                birth_given_names=patient.birth_given_names,
                sex=patient.sex,
                birth_date=patient.birth_date,
                identity_status=patient.identity_status,
                used_name=patient.used_name,
                used_given_name=patient.used_given_name,
                birth_place_code=patient.birth_place_code,
                ins_matricule=patient.ins_matricule,
                ins_oid=patient.ins_oid,
            )
        )
        lines = [
            SummaryLine(_(N_("Nom de naissance")), patient.birth_name),
            SummaryLine(_(N_("Prénoms de naissance")), patient.birth_given_names),
            SummaryLine(_(N_("Date de naissance")), format_date(patient.birth_date, language)),
            SummaryLine(_(N_("Sexe")), _(SEXES.get(patient.sex, SEXES["U"]))),
            SummaryLine(_(N_("Statut de l'identité")), _(IDENTITY_STATUS_LABELS[status])),
        ]
        if patient.used_name or patient.used_given_name:
            used = f"{patient.used_given_name or ''} {patient.used_name or ''}".strip()
            lines.insert(2, SummaryLine(_(N_("Nom et prénom utilisés")), used))
        if status is IdentityStatus.QUAL and patient.ins_matricule:
            lines.append(SummaryLine(_(N_("Matricule INS")), patient.ins_matricule))
        return SectionOutput(resources=[resource], summary=[SummaryPart(_(N_("Identité")), lines)])


def _coded(valueset: ValueSet, code: str, fallback_system: str) -> fhir.Code:
    concept = valueset.get(code)
    if concept is None:
        return fhir.Code(fallback_system, code)
    return fhir.Code(concept.system, concept.code, concept.display)


def _content(
    storage: documents.Storage,
    patient_id: Any,
    document_id: Any,
    kek_id: str,
    wrapped_key: str,
    blob_key: str,
) -> Iterator[bytes]:
    """A document's decrypted bytes (AES-GCM authenticates every segment as it is read)."""
    associated = documents.aad(patient_id, document_id)
    data_key = storage.keks.unwrap(WrappedKey(kek_id, wrapped_key), aad=associated)
    yield from envelope.decrypt(data_key, storage.blobs.open(blob_key), aad=associated)


@register
class DocumentsSection:
    code = "documents"
    order = 10

    def collect(self, context: ExportContext) -> SectionOutput:
        access, _ = context.access, context.gettext
        part = SummaryPart(_(N_("Documents")), empty=_(N_("Aucun document.")))
        if not access.decide(Action.documents_list).allowed:
            return SectionOutput(summary=[part], counts={"documents": 0})
        rule = document_filter(access.actor, access.facts, policy_settings(access.settings))
        conditions = documents.visibility_conditions(
            rule, context.now, access.settings.invisible_to_patient_days
        )
        rows = [
            row
            for row in access.session.scalars(
                select(DocumentRow)
                .where(DocumentRow.patient_id == access.patient_id, *conditions)
                .order_by(DocumentRow.submitted_at, DocumentRow.series_number, DocumentRow.id)
            )
            if row.wrapped_key is not None and row.kek_id is not None
        ]
        exported = {row.id for row in rows}
        authors = presenters.Authors(access.session, rows)
        output = SectionOutput(summary=[part], counts={"documents": len(rows)})
        for position, row in enumerate(rows, start=1):
            name = document_file_name(
                position, row.title, row.series_number, row.mime_type, str(row.id)
            )
            path = f"documents/{context.folder}/{name}"
            flags = tuple(
                flag
                for flag, on in (
                    (valuesets.MASQUE_PS, row.masked),
                    (valuesets.INVISIBLE_REPRESENTANTS_LEGAUX, row.invisible_to_representatives),
                )
                if on
            )
            resource = fhir.document_reference(
                fhir.Document(
                    id=str(row.id),
                    unique_id=row.unique_id,
                    status=row.status,
                    title=row.title,
                    type=_coded(valuesets.type_codes(), row.type_code, row.type_system),
                    class_code=_coded(
                        valuesets.cisis_class_codes(), row.class_code, valuesets.CLASSE_DOCUMENT
                    ),
                    format=_coded(valuesets.format_codes(), row.format_code, "URN"),
                    facility_type=_coded(
                        valuesets.facility_types(),
                        row.facility_type_code,
                        valuesets.SECTEUR_ACTIVITE,
                    ),
                    practice_setting=(
                        _coded(
                            valuesets.practice_settings(),
                            row.practice_setting_code,
                            valuesets.CADRE_EXERCICE,
                        )
                        if row.practice_setting_code
                        else None
                    ),
                    confidentiality=fhir.Code(valuesets.HL7_CONFIDENTIALITY, row.confidentiality),
                    mime_type=row.mime_type,
                    submitted_at=row.submitted_at,
                    creation_time=row.creation_time,
                    service_start=row.service_start,
                    service_stop=row.service_stop,
                    size=row.size,
                    attachment_url=path,
                    comments=row.comments,
                    author=authors.of(row).name,
                    language=row.language,
                    replaces_id=str(row.replaces_id) if row.replaces_id in exported else None,
                    flags=flags,
                ),
                context.patient_url,
            )
            attachment = resource["content"][0]["attachment"]
            output.resources.append(resource)
            output.files.append(
                ExportFile(
                    path=path,
                    open=_bind(context.storage, row),
                    sha256=row.sha256,
                    size=row.size,
                    attachment=attachment,
                )
            )
            state = _(presenters.STATUS_LABELS.get(row.status, row.status))
            part.lines.append(
                SummaryLine(
                    f"{row.title} — {presenters.type_label(row.type_code, context.language)}",
                    f"{format_date(row.service_start.date(), context.language)} · "
                    f"{authors.of(row).name} · {state} · {name}",
                )
            )
        return output


def _bind(storage: documents.Storage, row: DocumentRow) -> Any:
    """The opener of one document's content, holding plain values (the row's session ends
    before the archive is written)."""
    values = (row.patient_id, row.id, row.kek_id, row.wrapped_key, row.blob_key)

    def open_content() -> Iterator[bytes]:
        patient_id, document_id, kek_id, wrapped_key, blob_key = values
        assert kek_id is not None and wrapped_key is not None
        return _content(storage, patient_id, document_id, kek_id, wrapped_key, blob_key)

    return open_content


@register
class ProfileSection:
    code = "profile"
    order = 20

    def collect(self, context: ExportContext) -> SectionOutput:
        access, _ = context.access, context.gettext
        if not access.decide(Action.documents_list).allowed:
            return SectionOutput(counts={"profile": 0})
        rows = items.current_items(access, ProfileEntryRow)
        authors = presenters.Authors(access.session, rows)
        output = SectionOutput(counts={"profile": len(rows)})
        today = context.now.date()
        for category in CATEGORIES.values():
            part = SummaryPart(_(category.label), empty=_(N_("Rien d'enregistré.")))
            for row in (r for r in rows if r.category == category.code):
                labels = {
                    spec.name: _(choice_label(row.category, spec.name, str(row.values[spec.name])))
                    for spec in category.fields
                    if spec.kind == "choice" and spec.name in row.values
                }
                output.resources.append(
                    fhir.profile_entry(
                        fhir.ProfileEntry(_item(row, authors), row.category, row.values, labels),
                        context.patient_url,
                        today,
                    )
                )
                source = (
                    _(N_("Déclaré par le patient"))
                    if row.declared_by_patient
                    else authors.of(row).name
                )
                details = [value for _label, value in details_of(row, _)][len(category.summary) :]
                part.lines.append(
                    SummaryLine(
                        describe(row, _),
                        " · ".join(
                            [*details, source, format_date(row.created_at.date(), context.language)]
                        ),
                    )
                )
            output.summary.append(part)
        return output


@register
class VaccinationsSection:
    code = "vaccinations"
    order = 30

    def collect(self, context: ExportContext) -> SectionOutput:
        access, _ = context.access, context.gettext
        part = SummaryPart(_(N_("Vaccinations")), empty=_(N_("Aucune vaccination enregistrée.")))
        if not access.decide(Action.documents_list).allowed:
            return SectionOutput(summary=[part], counts={"vaccinations": 0})
        rows = sorted(
            items.current_items(access, VaccinationRow), key=lambda r: (r.given_on, r.created_at)
        )
        authors = presenters.Authors(access.session, rows)
        output = SectionOutput(summary=[part], counts={"vaccinations": len(rows)})
        for row in rows:
            label = vaccine_label(row.vaccine_code, context.language, _)
            output.resources.append(
                fhir.immunization(
                    fhir.Dose(
                        item=_item(row, authors),
                        vaccine_code=row.vaccine_code,
                        vaccine=label,
                        given_on=row.given_on,
                        product=row.product,
                        dose_number=row.dose_number,
                        lot=row.lot,
                        administered_by=row.administered_by,
                    ),
                    context.patient_url,
                )
            )
            source = _(N_("Déclaré par le patient")) if row.verified is False else _(N_("Vérifié"))
            detail = [format_date(row.given_on, context.language)]
            detail += [value for value in (row.product, row.lot, row.administered_by) if value]
            part.lines.append(SummaryLine(label, " · ".join([*detail, source])))
        return output


HISTORY_COLUMNS = ("occurred_at", "action", "who", "mode", "profession", "organisation", "target")


@register
class AccessHistorySection:
    """The "Historique des accès" as CSV and JSON files, and its last entries in the summary
    (as readable tables rather than FHIR AuditEvents, which few people could read)."""

    code = "access-history"
    order = 90
    SHOWN = 20

    def collect(self, context: ExportContext) -> SectionOutput:
        access, _ = context.access, context.gettext
        part = SummaryPart(_(N_("Historique des accès")), empty=_(N_("Aucun accès à signaler.")))
        if not access.decide(Action.history_read).allowed:
            return SectionOutput(summary=[part], counts={"history": 0})
        entries = []
        offset = 0
        hidden = hidden_ids(access)  # what a representative may not learn exists, as on the page
        while True:
            page, total = history(
                access.session,
                access.patient_id,
                limit=HISTORY_PAGE,
                offset=offset,
                hidden_ids=hidden,
            )
            entries.extend(page)
            offset += len(page)
            if not page or offset >= total:
                break
        rows = [
            {
                "occurred_at": entry.occurred_at.isoformat(),
                "action": _(ACTION_LABELS.get(entry.action, entry.action)),
                "who": entry.who,
                "mode": _(MODE_LABELS[entry.mode]) if entry.mode in MODE_LABELS else entry.mode,
                "profession": _(entry.profession) if entry.profession else "",
                "organisation": entry.organisation or "",
                "target": entry.target or "",
            }
            for entry in entries
        ]
        text = io.StringIO()
        writer = csv.DictWriter(text, fieldnames=HISTORY_COLUMNS, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)
        csv_bytes = ("\ufeff" + text.getvalue()).encode("utf-8")  # a BOM: spreadsheets read UTF-8
        json_bytes = json.dumps(rows, ensure_ascii=False, indent=2).encode("utf-8")
        folder = f"history/{context.folder}"
        output = SectionOutput(
            files=[
                ExportFile(f"{folder}/access-history.csv", lambda: [csv_bytes]),
                ExportFile(f"{folder}/access-history.json", lambda: [json_bytes]),
            ],
            summary=[part],
            counts={"history": len(rows)},
        )
        for entry in entries[: self.SHOWN]:
            who = entry.who + (f" ({_(entry.profession)})" if entry.profession else "")
            part.lines.append(
                SummaryLine(
                    f"{format_datetime(entry.occurred_at, context.language)} — {who}",
                    _(ACTION_LABELS.get(entry.action, entry.action)),
                )
            )
        if len(entries) > self.SHOWN:
            part.lines.append(
                SummaryLine(
                    _(
                        N_("… et %(count)s autres entrées, dans %(file)s."),
                        count=len(entries) - self.SHOWN,
                        file=f"{folder}/access-history.csv",
                    )
                )
            )
        return output
