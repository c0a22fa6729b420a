"""Recorded doses and the plan, through the record's one access policy."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from dmp.access.policy import Action
from dmp.access.services import Access, patient_of
from dmp.audit.model import AuditAction
from dmp.records import items
from dmp.shared.errors import N_, FieldError, InvalidInput
from dmp.vaccination.engine import plan
from dmp.vaccination.loader import default_schedule
from dmp.vaccination.model import DoseGiven, PlanItem
from dmp.vaccination.orm import VaccinationRow

# Codes a dose may carry beyond the schedule's own vaccines (what a vaccine "accepts").
EXTRA_CODES = {"HEPB": N_("Hépatite B (vaccin seul)")}


def dose_codes(language: str, gettext: Any = None) -> list[tuple[str, str]]:
    """The vaccines a dose can be recorded as, with their names, in schedule order."""
    schedule = default_schedule()
    found = [(v.code, v.label(language)) for v in schedule.vaccines]
    known = {code for code, _label in found}
    for code, label in EXTRA_CODES.items():
        if code not in known:
            found.append((code, gettext(label) if gettext else label))
    return found


def vaccine_label(code: str, language: str, gettext: Any = None) -> str:
    return dict(dose_codes(language, gettext)).get(code, code)


@dataclass(frozen=True)
class DoseInput:
    vaccine_code: str
    given_on: dt.date | None
    product: str | None = None
    dose_number: int | None = None
    lot: str | None = None
    administered_by: str | None = None


def _clean(data: DoseInput, today: dt.date, birth_date: dt.date) -> DoseInput:
    errors: list[FieldError] = []
    if data.vaccine_code not in dict(dose_codes("fr")):
        errors.append(
            FieldError("vaccine_code", "unknown-vaccine", N_("Choisissez un vaccin de la liste."))
        )
    if data.given_on is None:
        errors.append(
            FieldError("given_on", "required", N_("Saisissez la date de la vaccination."))
        )
    elif data.given_on > today:
        errors.append(
            FieldError("given_on", "future", N_("Cette date ne peut pas être dans le futur."))
        )
    elif data.given_on < birth_date:
        errors.append(
            FieldError("given_on", "before-birth", N_("Cette date est antérieure à la naissance."))
        )
    if data.dose_number is not None and not 1 <= data.dose_number <= 20:
        errors.append(
            FieldError("dose_number", "out-of-range", N_("Le numéro de dose va de 1 à 20."))
        )
    for name, limit in (("product", 120), ("lot", 40), ("administered_by", 120)):
        value = getattr(data, name)
        if value is not None and len(value) > limit:
            errors.append(
                FieldError(name, "too-long", N_("%(max)s caractères au plus."), {"max": limit})
            )
    if errors:
        raise InvalidInput(errors=errors)

    def tidy(value: str | None) -> str | None:
        return " ".join(value.split()) or None if value else None

    return DoseInput(
        data.vaccine_code,
        data.given_on,
        tidy(data.product),
        data.dose_number,
        tidy(data.lot),
        tidy(data.administered_by),
    )


RESOURCE = "Immunization"


def _target(row: VaccinationRow) -> str:
    return items.target(row, RESOURCE)


def doses(access: Access) -> list[VaccinationRow]:
    """The recorded doses the caller may see, oldest first; an audited read."""
    mode = access.require(Action.documents_list)
    rows = sorted(
        items.current_items(access, VaccinationRow), key=lambda r: (r.given_on, r.created_at)
    )
    access.audit(AuditAction.RecordVaccinationRead, mode, details={"count": str(len(rows))})
    return rows


def plan_for(access: Access, rows: list[VaccinationRow]) -> list[PlanItem]:
    """What is done, due, overdue, upcoming or not applicable, from the doses the caller sees
    (a professional who may not see a masked dose gets a plan without it)."""
    patient = patient_of(access.session, access.patient_id)
    return plan(
        patient.birth_date,
        access.clock.now().date(),
        [DoseGiven(r.vaccine_code, r.given_on, r.product) for r in rows],
    )


def _fill(row: VaccinationRow, data: DoseInput) -> VaccinationRow:
    assert data.given_on is not None
    row.vaccine_code = data.vaccine_code
    row.given_on = data.given_on
    row.product = data.product
    row.dose_number = data.dose_number
    row.lot = data.lot
    row.administered_by = data.administered_by
    return row


def add(
    access: Access, data: DoseInput, *, invisible_to_representatives: bool = False
) -> VaccinationRow:
    mode = access.require(Action.document_create)
    if invisible_to_representatives and access.actor.professional_id is None:
        raise InvalidInput.single(
            "invisible_to_representatives",
            "holder-flags",
            N_("Seul un professionnel peut cacher une information aux représentants légaux."),
        )
    patient = patient_of(access.session, access.patient_id)
    clean = _clean(data, access.clock.now().date(), patient.birth_date)
    row = _fill(VaccinationRow(invisible_to_representatives=invisible_to_representatives), clean)
    items.start(row, access)
    items.flush(access)
    access.audit(
        AuditAction.RecordVaccinationCreate,
        mode,
        target=_target(row),
        details={"vaccine": row.vaccine_code},
    )
    return row


def get(
    access: Access, dose_id: uuid.UUID, action: Action = Action.document_read
) -> VaccinationRow:
    row, _mode = items.get_item(access, VaccinationRow, dose_id, action)
    return row


def correct(
    access: Access, dose_id: uuid.UUID, data: DoseInput, *, expected_version: int | None = None
) -> VaccinationRow:
    """A correction by the dose's author: a new version; the old one stays in the history."""
    old, mode = items.get_item(access, VaccinationRow, dose_id, Action.document_manage)
    items.expect_version(old, expected_version)
    patient = patient_of(access.session, access.patient_id)
    clean = _clean(data, access.clock.now().date(), patient.birth_date)
    new = items.succeed(old, _fill(VaccinationRow(), clean), access)
    items.flush(access)
    access.audit(
        AuditAction.RecordVaccinationUpdate,
        mode,
        target=_target(new),
        details={"vaccine": new.vaccine_code, "version": str(new.series_number)},
    )
    return new


def delete(access: Access, dose_id: uuid.UUID, *, expected_version: int | None = None) -> None:
    row = get(access, dose_id, Action.document_manage)
    items.remove(
        access,
        VaccinationRow,
        dose_id,
        expected_version=expected_version,
        audit_action=AuditAction.RecordVaccinationDelete,
        resource=RESOURCE,
        details={"vaccine": row.vaccine_code},
    )


def set_masked(access: Access, dose_id: uuid.UUID, masked: bool) -> VaccinationRow:
    return items.mask(
        access,
        VaccinationRow,
        dose_id,
        masked,
        audit_action=AuditAction.RecordVaccinationMask,
        resource=RESOURCE,
    )


def versions(access: Access, dose_id: uuid.UUID) -> list[VaccinationRow]:
    return items.history(access, VaccinationRow, dose_id)
