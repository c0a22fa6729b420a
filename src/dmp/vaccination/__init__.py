"""The French vaccination schedule as data, and the pure engine that turns it into a plan.

The schedule ships as a versioned JSON file (``data/calendrier-fr-2025.json``, format in
``data/README.md``); :func:`plan` compares it with the doses a person received and says, dose by
dose, what is done, due, overdue, upcoming or not applicable. No web or database code here.
"""

from dmp.vaccination.ages import Period, add_period, age_in_months, age_in_years, parse_period
from dmp.vaccination.engine import due_within, plan
from dmp.vaccination.loader import ScheduleError, default_schedule, load_schedule, parse_schedule
from dmp.vaccination.model import DoseGiven, DoseIssue, PlanItem, Reason, Status
from dmp.vaccination.schedule import Requirement, Schedule, Vaccine

__all__ = [
    "DoseGiven",
    "DoseIssue",
    "Period",
    "PlanItem",
    "Reason",
    "Requirement",
    "Schedule",
    "ScheduleError",
    "Status",
    "Vaccine",
    "add_period",
    "age_in_months",
    "age_in_years",
    "default_schedule",
    "due_within",
    "load_schedule",
    "parse_period",
    "parse_schedule",
    "plan",
]
