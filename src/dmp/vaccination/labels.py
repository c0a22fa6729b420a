"""French labels (gettext msgids) for plan statuses, reasons and requirements.

Vaccine names come from the schedule file itself (``Vaccine.label``), which carries both
languages, so a data update does not need a catalogue update.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from dmp.shared.errors import N_
from dmp.vaccination.model import Reason, Status
from dmp.vaccination.schedule import Requirement

STATUS_LABELS: Mapping[Status, str] = MappingProxyType(
    {
        Status.DONE: N_("Fait"),
        Status.DUE: N_("À faire"),
        Status.OVERDUE: N_("En retard"),
        Status.UPCOMING: N_("À venir"),
        Status.NOT_APPLICABLE: N_("Non concerné"),
    }
)

REASON_LABELS: Mapping[Reason, str] = MappingProxyType(
    {
        Reason.AGE_LIMIT_PASSED: N_("Limite d'âge dépassée"),
        Reason.CANNOT_COMPLETE: N_("Le schéma ne peut plus être terminé avant la limite d'âge"),
        Reason.COHORT_NOT_CONCERNED: N_("Non concerné du fait de l'année de naissance"),
        Reason.SERIES_COMPLETE: N_("Schéma vaccinal complet"),
        Reason.TOO_EARLY: N_("Dose faite avant l'âge minimal : elle ne compte pas"),
        Reason.INTERVAL_TOO_SHORT: N_("Dose trop rapprochée de la précédente : elle ne compte pas"),
        Reason.AFTER_AGE_LIMIT: N_("Dose faite après la limite d'âge : elle ne compte pas"),
        Reason.BEFORE_BIRTH: N_("Date de vaccination antérieure à la naissance"),
    }
)

REQUIREMENT_LABELS: Mapping[Requirement, str] = MappingProxyType(
    {
        Requirement.MANDATORY: N_("Obligatoire"),
        Requirement.RECOMMENDED: N_("Recommandé"),
    }
)
