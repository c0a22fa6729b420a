"""The health space's pure costs: the vaccination plan (computed on every vaccinations page and
for every reminder) and printing a blood-group card (WeasyPrint)."""

from __future__ import annotations

import datetime as dt
import random
import uuid

from bench.common import Result, best_of, cost, rate
from dmp.bloodgroup import verification
from dmp.bloodgroup.card import CardHolder, render_pdf
from dmp.bloodgroup.model import BloodGroupInput, validate
from dmp.shared import pdf
from dmp.vaccination.engine import plan
from dmp.vaccination.loader import default_schedule
from dmp.vaccination.model import DoseGiven

TODAY = dt.date(2026, 11, 29)
# A trivial page: what any PDF costs WeasyPrint, whatever it says.
MINIMAL_PAGE = "<!doctype html><html lang='fr'><title>x</title><p>Carte</p></html>"


def people(count: int, seed: int = 4) -> list[tuple[dt.date, list[DoseGiven]]]:
    """Birth dates from 0 to 90 years old, each with a few doses of the schedule's vaccines."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data)
    codes = [vaccine.code for vaccine in default_schedule().vaccines]
    found = []
    for _ in range(count):
        birth = TODAY - dt.timedelta(days=rng.randrange(0, 90 * 365))
        span = (TODAY - birth).days
        doses = [
            DoseGiven(rng.choice(codes), birth + dt.timedelta(days=rng.randrange(0, span + 1)))
            for _ in range(rng.randrange(0, 12))
        ]
        found.append((birth, doses))
    return found


def bench_vaccination_plan(count: int = 2_000) -> Result:
    """Whole plans (every vaccine of the shipped schedule, doses matched, statuses) against
    only sorting each person's doses by date, the least any plan must do."""
    population = people(count)
    schedule = default_schedule()
    seconds = best_of(lambda: [plan(b, TODAY, d, schedule) for b, d in population], repeat=3)
    baseline = best_of(
        lambda: [sorted(d, key=lambda dose: dose.given_on) for _b, d in population], repeat=3
    )
    return rate("vaccination.plan", "plans/s", count / seconds, count / baseline)


def bench_blood_group_card() -> Result:
    """The wallet card (two pages, QR code, tagged PDF/UA) against a one-line page."""
    card = validate(
        BloodGroupInput(
            abo="A",
            rhd="positive",
            source="professional",
            big_c=True,
            little_c=True,
            big_e=False,
            little_e=True,
            kell=False,
            laboratory="Laboratoire de démonstration",
            biologist="Dr Jeanne Dupont",
            first_determination=dt.date(2025, 3, 12),
        ),
        today=TODAY,
    )
    token = verification.sign(uuid.uuid4(), 1, b"k" * 32)
    url = verification.verification_url("https://dmp.example.fr/verify/blood-group", token)
    holder = CardHolder("Camille MARTIN", dt.date(1985, 3, 27))
    pdf.render_pdf(MINIMAL_PAGE)  # fonts loaded once, as in a running server
    seconds = best_of(
        lambda: render_pdf(card, holder=holder, verification_url=url, issued_on=TODAY), repeat=3
    )
    baseline = best_of(lambda: pdf.render_pdf(MINIMAL_PAGE), repeat=3)
    return cost("bloodgroup.card_pdf", "ms", seconds * 1000, baseline * 1000)
