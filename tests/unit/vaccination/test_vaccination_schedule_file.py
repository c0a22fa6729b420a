"""The schedule data file: content, validation of broken copies, and data-driven changes."""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from vaccination_support import D, doses, entry, pick, shipped_raw

from dmp.vaccination import (
    Requirement,
    ScheduleError,
    Status,
    default_schedule,
    load_schedule,
    parse_schedule,
    plan,
)

Edit = Callable[[dict[str, Any]], None]


def test_shipped_schedule_is_loaded_once() -> None:
    assert default_schedule() is default_schedule()


def test_shipped_schedule_content() -> None:
    schedule = default_schedule()
    assert (schedule.id, schedule.version, schedule.valid_from) == (
        "calendrier-fr",
        "2025.2",
        D(2025, 12, 9),
    )
    assert set(schedule.codes()) >= {
        "HEXA", "PCV", "MENB", "MENACWY", "ROR", "ROTA", "DTCAP", "DTCAP_ADO", "HPV",
        "HEPB_CATCHUP", "DTP_ADULT", "FLU", "COVID", "ZONA", "PCV20", "RSV_SENIOR",
    }  # fmt: skip
    assert all(source.url.startswith("https://") for source in schedule.sources)
    assert schedule.unsourced, "the file says which points are not sourced"
    for vaccine in schedule.vaccines:
        assert vaccine.sources, vaccine.code
        assert (vaccine.label("fr-FR"), vaccine.label("en-GB")) == (
            vaccine.label_fr,
            vaccine.label_en,
        )
    menb = schedule.vaccine("MENB")
    assert menb.requirement_for(D(2025, 1, 1)) is Requirement.MANDATORY
    assert menb.requirement_for(D(2024, 12, 31)) is Requirement.RECOMMENDED
    with pytest.raises(KeyError):
        schedule.vaccine("NOPE")


def test_every_listed_source_is_cited_by_an_entry() -> None:
    raw = shipped_raw()
    cited = {source for vaccine in raw["vaccines"] for source in vaccine["sources"]}
    listed = {source["id"] for source in raw["sources"]}
    assert listed == cited


def test_a_copy_of_the_file_loads_from_disk(tmp_path: Path) -> None:
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(shipped_raw()), encoding="utf-8")
    loaded = load_schedule(path)
    assert loaded.codes() == default_schedule().codes()


def _set(path: str, value: object) -> Edit:
    """An edit setting a value at a dotted path; a vaccine is found by its code.

    ``_set("vaccines.HPV.variants.0.id", "x")``; the value ``_DELETE`` removes the key.
    """

    def step(node: Any, key: str) -> Any:
        if isinstance(node, list) and not key.isdigit():
            return next(item for item in node if item.get("code") == key)
        return node[int(key)] if isinstance(node, list) else node[key]

    def edit(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = raw
        for key in parents:
            node = step(node, key)
        if value is _DELETE:
            del node[last]
        elif isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return edit


_DELETE = object()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            _set("vaccines.PCV.doses.1.target_age", "4 mois"),
            r"vaccines\[1\] \(PCV\): doses\[1\]: 'target_age' must be an ISO 8601 period "
            r"such as 'P2M', got '4 mois'",
        ),
        (
            _set("vaccines.HEXA.doses.0.tagret_age", "P2M"),
            r"vaccines\[0\] \(HEXA\): doses\[0\]: unknown key\(s\) 'tagret_age'",
        ),
        (
            _set("vaccines.ZONA.sources", ["nowhere"]),
            r"\(ZONA\): unknown source id\(s\) nowhere",
        ),
        (_set("vaccines.ZONA.code", "PCV20"), r"duplicate vaccine code\(s\) PCV20"),
        (_set("vaccines.ROR.code", "ror"), r"\(ror\): 'code' must be upper-case"),
        (_set("vaccines.FLU.kind", "yearly"), r"\(FLU\): 'kind' must be 'series' or 'seasonal'"),
        (
            _set("vaccines.MENB.doses.0.earliest_age", "P4M"),
            r"\(MENB\): doses\[0\]: 'earliest_age' is after 'target_age'",
        ),
        (
            _set("vaccines.ROTA.variants.0.doses.1.latest_age", "P2M"),
            r"\(ROTA\): variants\[0\]: doses\[1\]: 'latest_age' must come after",
        ),
        (
            _set("vaccines.HPV.variants.1.doses.0.min_interval", "P1M"),
            r"\(HPV\): variants\[1\]: doses\[0\]: the first dose has no previous dose",
        ),
        (
            _set("vaccines.HPV.variants.1.doses.2", {"note": "no timing"}),
            r"\(HPV\): variants\[1\]: doses\[2\]: give 'target_age' or an interval",
        ),
        (
            _set("vaccines.HPV.variants.0.doses.1.target_interval", "P1M"),
            r"\(HPV\): variants\[0\]: doses\[1\]: 'min_interval' is longer than 'target_interval'",
        ),
        (_set("vaccines.HPV.variants.1.id", "2-doses"), r"\(HPV\): variant ids must be unique"),
        (
            _set("vaccines.FLU.seasons.0.start", "02-29"),
            r"\(FLU\): seasons\[0\]: start: '02-29' is not a day that exists every year",
        ),
        (
            _set("vaccines.COVID.seasons.1.ages.0.before", "P70Y"),
            r"\(COVID\): seasons\[1\]: ages\[0\]: 'before' must come after 'from'",
        ),
        (_set("vaccines.FLU.doses", []), r"\(FLU\): a seasonal vaccine has no 'doses'"),
        (_set("vaccines.ZONA.seasons", []), r"\(ZONA\): a series has no 'seasons'"),
        (_set("vaccines.ZONA.doses", _DELETE), r"\(ZONA\): give either 'doses' or 'variants'"),
        (_set("vaccines.ZONA.label.en", ""), r"\(ZONA\): label: 'en' must be a non-empty string"),
        (
            _set("vaccines.MENB.requirement_by_cohort.0.requirement", "compulsory"),
            r"\(MENB\): requirement_by_cohort\[0\]: must be 'mandatory' or 'recommended'",
        ),
        (
            _set("vaccines.ROR.cohort.born_from", "1980-13-01"),
            r"\(ROR\): cohort: born_from: must be a date 'YYYY-MM-DD', got '1980-13-01'",
        ),
        (
            _set("vaccines.DTP_ADULT.repeat.every", None),
            r"\(DTP_ADULT\): repeat: 'every' is required",
        ),
        (
            _set("vaccines.HEPB_CATCHUP.complete_if.min_doses", 0),
            r"\(HEPB_CATCHUP\): complete_if: 'min_doses' must be a positive integer",
        ),
        (_set("format", 2), r"'format' must be 1"),
        (_set("valid_from", "soon"), r"valid_from: must be a date"),
        (_set("sources.0.url", "http://example.org"), r"sources\[0\]: 'url' must be an https://"),
        (_set("vaccines", []), r"'vaccines' must be a non-empty list"),
        (_set("vaccines.3", "MENACWY"), r"vaccines\[3\]: must be a JSON object"),
    ],
)
def test_broken_copies_are_rejected_with_the_entry_named(
    tmp_path: Path, edit: Edit, message: str
) -> None:
    raw = shipped_raw()
    edit(raw)
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ScheduleError, match=r"^broken\.json: .*" + message):
        load_schedule(path)


def test_a_file_that_is_not_json_is_rejected(tmp_path: Path) -> None:
    path = tmp_path / "truncated.json"
    path.write_text(json.dumps(shipped_raw())[:500], encoding="utf-8")
    with pytest.raises(ScheduleError, match=r"^truncated\.json: not valid JSON"):
        load_schedule(path)


def test_parse_schedule_names_its_origin() -> None:
    with pytest.raises(ScheduleError, match=r"^update: must be a JSON object"):
        parse_schedule([], origin="update")


# --- a data change changes the plan, with no code change ---------------------------------------


def _modified(edit: Edit) -> Any:
    raw = copy.deepcopy(shipped_raw())
    edit(raw)
    return parse_schedule(raw, origin="modified")


def test_lowering_an_age_in_the_data_changes_the_plan() -> None:
    born, today = D(1963, 1, 1), D(2025, 6, 1)  # 62 years old
    assert pick(plan(born, today, []), "PCV20", 1).status is Status.UPCOMING

    def from_60(raw: dict[str, Any]) -> None:
        entry(raw, "PCV20")["doses"][0].update(target_age="P60Y", earliest_age="P60Y")

    changed = pick(plan(born, today, [], _modified(from_60)), "PCV20", 1)
    assert (changed.status, changed.due_date) == (Status.OVERDUE, D(2023, 1, 1))


def test_new_season_dates_and_ages_in_the_data_change_the_plan() -> None:
    born, today = D(1963, 1, 1), D(2025, 9, 20)
    assert pick(plan(born, today, []), "FLU", season="autumn-winter").status is Status.UPCOMING

    def earlier_and_younger(raw: dict[str, Any]) -> None:
        season = entry(raw, "FLU")["seasons"][0]
        season.update(start="09-15", end="12-31")
        season["ages"][1]["from"] = "P60Y"

    flu = pick(plan(born, today, [], _modified(earlier_and_younger)), "FLU", season="autumn-winter")
    assert (flu.status, flu.due_date, flu.latest_date) == (
        Status.DUE,
        D(2025, 9, 15),
        D(2025, 12, 31),
    )


def test_a_new_mandatory_cohort_and_a_new_vaccine_in_the_data() -> None:
    born, today = D(2024, 6, 1), D(2024, 9, 1)
    assert not pick(plan(born, today, []), "MENB", 1).mandatory

    def widen(raw: dict[str, Any]) -> None:
        entry(raw, "MENB")["requirement_by_cohort"][0]["born_from"] = "2024-01-01"
        raw["vaccines"].append(
            {
                "code": "BCG",
                "label": {"fr": "Tuberculose (BCG)", "en": "Tuberculosis (BCG)"},
                "kind": "series",
                "requirement": "recommended",
                "sources": ["santenexia"],
                "doses": [{"target_age": "P1M", "latest_age": "P15Y"}],
            }
        )

    items = plan(born, today, doses("BCG", D(2024, 7, 15)), _modified(widen))
    assert pick(items, "MENB", 1).mandatory
    bcg = pick(items, "BCG", 1)
    assert (bcg.status, bcg.given_on) == (Status.DONE, D(2024, 7, 15))


def test_a_changed_interval_in_the_data_changes_which_doses_count() -> None:
    given = doses("ZONA", D(2025, 9, 1), D(2025, 10, 15))
    born, today = D(1955, 11, 20), D(2025, 10, 20)
    assert pick(plan(born, today, given), "ZONA", 2).status is Status.UPCOMING

    def one_month(raw: dict[str, Any]) -> None:
        entry(raw, "ZONA")["doses"][1].update(min_interval="P1M", target_interval="P1M")

    assert pick(plan(born, today, given, _modified(one_month)), "ZONA", 2).status is Status.DONE


def test_shipped_schedule_is_not_changed_by_edits_to_a_copy() -> None:
    before = [vaccine.code for vaccine in default_schedule().vaccines]
    _modified(lambda raw: raw["vaccines"].pop())
    assert [vaccine.code for vaccine in default_schedule().vaccines] == before
    assert default_schedule().valid_from == dt.date(2025, 12, 9)
