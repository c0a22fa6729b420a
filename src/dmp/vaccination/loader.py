"""Read and validate a schedule file; the shipped one is loaded once.

The file format (``"format": 1``) is described in ``data/README.md``. Validation is strict:
unknown keys, bad periods, unknown source ids, inconsistent ages all raise
:class:`ScheduleError` naming the file and the entry (``vaccines[3] (PCV): doses[1]``), so a
data update that would silently change recommendations fails at start-up instead.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from dmp.vaccination.ages import Period, add_period, parse_period
from dmp.vaccination.schedule import (
    AgeBand,
    Cohort,
    CohortRequirement,
    CompleteIf,
    DoseRule,
    MonthDay,
    Repeat,
    Requirement,
    Schedule,
    Season,
    Source,
    Vaccine,
    Variant,
)

FORMAT = 1
DEFAULT_FILE = "calendrier-fr-2025.json"

_PACKAGE = "dmp.vaccination"
_CODE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_ID = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_MONTH_DAY = re.compile(r"^(\d\d)-(\d\d)$")
# Ages are compared on this birth date: periods mixing months and days have no exact order, and
# a fixed reference keeps the check deterministic (the engine re-orders dates anyway).
_REFERENCE_BIRTH = dt.date(2001, 1, 1)

_TOP_KEYS = {"format", "id", "version", "valid_from", "title", "sources", "unsourced", "vaccines"}
_VACCINE_KEYS = {
    "code", "label", "kind", "requirement", "requirement_by_cohort", "cohort", "accepts",
    "counts_from_age", "counts_before_age", "tolerance", "doses", "variants", "repeat",
    "complete_if", "seasons", "sources", "unsourced", "note",
}  # fmt: skip
_DOSE_KEYS = {
    "target_age", "earliest_age", "latest_age", "min_interval", "target_interval", "tolerance",
    "note",
}  # fmt: skip
_VARIANT_KEYS = {"id", "products", "first_dose_before_age", "doses", "note"}
_SEASON_KEYS = {"id", "start", "end", "ages", "min_interval", "tolerance", "note"}


class ScheduleError(ValueError):
    """The schedule file is malformed; the message names the file and the faulty entry."""


def default_schedule() -> Schedule:
    """The schedule shipped with the package (parsed and validated once, then cached)."""
    return _shipped(DEFAULT_FILE)


@cache
def _shipped(name: str) -> Schedule:
    resource = resources.files(_PACKAGE).joinpath("data").joinpath(name)
    return parse_schedule(_decode(resource.read_text(encoding="utf-8"), name), origin=name)


def load_schedule(path: Path) -> Schedule:
    """Read and validate a schedule file (not cached: meant for tests and data updates)."""
    return parse_schedule(_decode(path.read_text(encoding="utf-8"), path.name), origin=path.name)


def _decode(text: str, origin: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ScheduleError(f"{origin}: not valid JSON ({error})") from error


def parse_schedule(raw: object, *, origin: str = "schedule") -> Schedule:
    """Build a :class:`Schedule` from decoded JSON, or raise :class:`ScheduleError`."""
    top = _object(raw, origin, _TOP_KEYS)
    if top.get("format") != FORMAT:
        raise ScheduleError(f"{origin}: 'format' must be {FORMAT}")
    sources = tuple(
        _source(item, f"{origin}: sources[{i}]") for i, item in _items(top, "sources", origin)
    )
    source_ids = [source.id for source in sources]
    if len(set(source_ids)) != len(source_ids):
        raise ScheduleError(f"{origin}: source ids must be unique")
    vaccines: list[Vaccine] = []
    for index, item in _items(top, "vaccines", origin):
        code = item.get("code") if isinstance(item, dict) else None
        where = f"{origin}: vaccines[{index}]" + (f" ({code})" if isinstance(code, str) else "")
        vaccines.append(_vaccine(item, where, frozenset(source_ids)))
    codes = [vaccine.code for vaccine in vaccines]
    duplicates = sorted({code for code in codes if codes.count(code) > 1})
    if duplicates:
        raise ScheduleError(f"{origin}: duplicate vaccine code(s) {', '.join(duplicates)}")
    return Schedule(
        id=_text(top, "id", origin),
        version=_text(top, "version", origin),
        valid_from=_date(top.get("valid_from"), f"{origin}: valid_from"),
        sources=sources,
        vaccines=tuple(vaccines),
        unsourced=_texts(top, "unsourced", origin),
    )


# --- entries ----------------------------------------------------------------------------------


def _source(raw: object, where: str) -> Source:
    item = _object(raw, where, {"id", "url", "note"})
    source_id = _text(item, "id", where)
    if not _ID.match(source_id):
        raise ScheduleError(f"{where}: 'id' must be lower-case letters, digits, '.', '_' or '-'")
    url = _text(item, "url", where)
    if not url.startswith("https://"):
        raise ScheduleError(f"{where}: 'url' must be an https:// address")
    return Source(source_id, url)


def _vaccine(raw: object, where: str, source_ids: frozenset[str]) -> Vaccine:
    item = _object(raw, where, _VACCINE_KEYS)
    code = _text(item, "code", where)
    if not _CODE.match(code):
        raise ScheduleError(f"{where}: 'code' must be upper-case letters, digits or '_'")
    label = _object(item.get("label"), f"{where}: label", {"fr", "en"})
    kind = item.get("kind")
    if kind not in ("series", "seasonal"):
        raise ScheduleError(f"{where}: 'kind' must be 'series' or 'seasonal'")
    sources = _texts(item, "sources", where)
    unknown = sorted(set(sources) - source_ids)
    if unknown:
        raise ScheduleError(f"{where}: unknown source id(s) {', '.join(unknown)}")
    if not sources:
        raise ScheduleError(f"{where}: 'sources' must name at least one source")
    accepts = _texts(item, "accepts", where) or (code,)
    common: dict[str, Any] = {
        "code": code,
        "label_fr": _text(label, "fr", f"{where}: label"),
        "label_en": _text(label, "en", f"{where}: label"),
        "requirement": _requirement(item.get("requirement"), f"{where}: requirement"),
        "requirement_by_cohort": tuple(
            CohortRequirement(
                _cohort(rule, f"{where}: requirement_by_cohort[{i}]", {"requirement"}),
                _requirement(rule.get("requirement"), f"{where}: requirement_by_cohort[{i}]"),
            )
            for i, rule in _items(item, "requirement_by_cohort", where, required=False)
        ),
        "cohort": _cohort(item["cohort"], f"{where}: cohort") if "cohort" in item else None,
        "accepts": frozenset(accepts),
        "counts_from_age": _period(item, "counts_from_age", where),
        "counts_before_age": _period(item, "counts_before_age", where),
        "tolerance": _period(item, "tolerance", where),
        "sources": sources,
        "unsourced": _texts(item, "unsourced", where),
    }
    if kind == "seasonal":
        for key in ("doses", "variants", "repeat", "complete_if"):
            if key in item:
                raise ScheduleError(f"{where}: a seasonal vaccine has no {key!r}")
        seasons = tuple(
            _season(season, f"{where}: seasons[{i}]")
            for i, season in _items(item, "seasons", where)
        )
        if len({season.id for season in seasons}) != len(seasons):
            raise ScheduleError(f"{where}: season ids must be unique")
        return Vaccine(kind="seasonal", seasons=seasons, **common)
    if "seasons" in item:
        raise ScheduleError(f"{where}: a series has no 'seasons'")
    if ("doses" in item) == ("variants" in item):
        raise ScheduleError(f"{where}: give either 'doses' or 'variants'")
    if "doses" in item:
        variants: tuple[Variant, ...] = (Variant(None, _doses(item, where)),)
    else:
        variants = tuple(
            _variant(variant, f"{where}: variants[{i}]")
            for i, variant in _items(item, "variants", where)
        )
        ids = [variant.id for variant in variants]
        if len(set(ids)) != len(ids):
            raise ScheduleError(f"{where}: variant ids must be unique")
    repeat = None
    if "repeat" in item:
        rule = _object(item["repeat"], f"{where}: repeat", {"every", "tolerance", "note"})
        every = _period(rule, "every", f"{where}: repeat", required=True)
        assert every is not None
        repeat = Repeat(every, _period(rule, "tolerance", f"{where}: repeat"))
    complete_if = None
    if "complete_if" in item:
        rule = _object(item["complete_if"], f"{where}: complete_if", {"codes", "min_doses", "note"})
        min_doses = rule.get("min_doses")
        if not isinstance(min_doses, int) or isinstance(min_doses, bool) or min_doses < 1:
            raise ScheduleError(f"{where}: complete_if: 'min_doses' must be a positive integer")
        codes = _texts(rule, "codes", f"{where}: complete_if")
        if not codes:
            raise ScheduleError(f"{where}: complete_if: 'codes' must not be empty")
        complete_if = CompleteIf(frozenset(codes), min_doses)
    return Vaccine(
        kind="series", variants=variants, repeat=repeat, complete_if=complete_if, **common
    )


def _variant(raw: object, where: str) -> Variant:
    item = _object(raw, where, _VARIANT_KEYS)
    variant_id = _text(item, "id", where)
    if not _ID.match(variant_id):
        raise ScheduleError(f"{where}: 'id' must be lower-case letters, digits, '.', '_' or '-'")
    return Variant(
        id=variant_id,
        doses=_doses(item, where),
        products=frozenset(_texts(item, "products", where)),
        first_dose_before_age=_period(item, "first_dose_before_age", where),
    )


def _doses(item: Mapping[str, object], where: str) -> tuple[DoseRule, ...]:
    doses: list[DoseRule] = []
    for index, raw in _items(item, "doses", where):
        here = f"{where}: doses[{index}]"
        dose = _object(raw, here, _DOSE_KEYS)
        rule = DoseRule(
            number=index + 1,
            target_age=_period(dose, "target_age", here),
            earliest_age=_period(dose, "earliest_age", here),
            latest_age=_period(dose, "latest_age", here),
            min_interval=_period(dose, "min_interval", here),
            target_interval=_period(dose, "target_interval", here),
            tolerance=_period(dose, "tolerance", here),
        )
        if index == 0 and rule.target_age is None and rule.earliest_age is None:
            raise ScheduleError(f"{here}: the first dose needs 'target_age' or 'earliest_age'")
        if index == 0 and (rule.min_interval or rule.target_interval):
            raise ScheduleError(f"{here}: the first dose has no previous dose to be spaced from")
        if index > 0 and not (rule.target_age or rule.min_interval or rule.target_interval):
            raise ScheduleError(f"{here}: give 'target_age' or an interval from the previous dose")
        _check_order(rule, here)
        doses.append(rule)
    return tuple(doses)


def _check_order(rule: DoseRule, where: str) -> None:
    def on(period: Period | None) -> dt.date | None:
        return add_period(_REFERENCE_BIRTH, period) if period is not None else None

    earliest, target, latest = on(rule.earliest_age), on(rule.target_age), on(rule.latest_age)
    if earliest and target and earliest > target:
        raise ScheduleError(f"{where}: 'earliest_age' is after 'target_age'")
    floor = target or earliest
    if latest and floor and latest <= floor:
        raise ScheduleError(f"{where}: 'latest_age' must come after the target and earliest ages")
    shortest, usual = on(rule.min_interval), on(rule.target_interval)
    if shortest and usual and shortest > usual:
        raise ScheduleError(f"{where}: 'min_interval' is longer than 'target_interval'")


def _season(raw: object, where: str) -> Season:
    item = _object(raw, where, _SEASON_KEYS)
    season_id = _text(item, "id", where)
    if not _ID.match(season_id):
        raise ScheduleError(f"{where}: 'id' must be lower-case letters, digits, '.', '_' or '-'")
    bands: list[AgeBand] = []
    for index, band in _items(item, "ages", where):
        here = f"{where}: ages[{index}]"
        ages = _object(band, here, {"from", "before", "note"})
        from_age = _period(ages, "from", here, required=True)
        assert from_age is not None
        before = _period(ages, "before", here)
        if before is not None and add_period(_REFERENCE_BIRTH, before) <= add_period(
            _REFERENCE_BIRTH, from_age
        ):
            raise ScheduleError(f"{here}: 'before' must come after 'from'")
        bands.append(AgeBand(from_age, before))
    return Season(
        id=season_id,
        start=_month_day(item.get("start"), f"{where}: start"),
        end=_month_day(item.get("end"), f"{where}: end"),
        ages=tuple(bands),
        min_interval=_period(item, "min_interval", where),
        tolerance=_period(item, "tolerance", where),
    )


def _cohort(raw: object, where: str, extra: set[str] | frozenset[str] = frozenset()) -> Cohort:
    item = _object(raw, where, {"born_from", "born_before", "note"} | set(extra))
    born_from = _date(item["born_from"], f"{where}: born_from") if "born_from" in item else None
    born_before = (
        _date(item["born_before"], f"{where}: born_before") if "born_before" in item else None
    )
    if born_from is None and born_before is None:
        raise ScheduleError(f"{where}: give 'born_from' and/or 'born_before'")
    if born_from is not None and born_before is not None and born_before <= born_from:
        raise ScheduleError(f"{where}: 'born_before' must be after 'born_from'")
    return Cohort(born_from, born_before)


def _requirement(raw: object, where: str) -> Requirement:
    try:
        return Requirement(str(raw))
    except ValueError:
        raise ScheduleError(f"{where}: must be 'mandatory' or 'recommended'") from None


# --- scalars ----------------------------------------------------------------------------------


def _object(raw: object, where: str, allowed: set[str] | frozenset[str]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise ScheduleError(f"{where}: must be a JSON object")
    unknown = sorted(set(raw) - set(allowed))
    if unknown:
        raise ScheduleError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}")
    return raw


def _items(
    item: Mapping[str, object], key: str, where: str, *, required: bool = True
) -> list[tuple[int, Any]]:
    value = item.get(key)
    if value is None and not required:
        return []
    if not isinstance(value, list) or (required and not value):
        raise ScheduleError(f"{where}: {key!r} must be a non-empty list")
    return list(enumerate(value))


def _text(item: Mapping[str, object], key: str, where: str) -> str:
    value = item.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ScheduleError(f"{where}: {key!r} must be a non-empty string")
    return value


def _texts(item: Mapping[str, object], key: str, where: str) -> tuple[str, ...]:
    value = item.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise ScheduleError(f"{where}: {key!r} must be a list of non-empty strings")
    return tuple(value)


def _period(
    item: Mapping[str, object], key: str, where: str, *, required: bool = False
) -> Period | None:
    value = item.get(key)
    if value is None:
        if required:
            raise ScheduleError(f"{where}: {key!r} is required")
        return None
    if not isinstance(value, str):
        raise ScheduleError(f"{where}: {key!r} must be an ISO 8601 period such as 'P2M'")
    try:
        return parse_period(value)
    except ValueError:
        raise ScheduleError(
            f"{where}: {key!r} must be an ISO 8601 period such as 'P2M', got {value!r}"
        ) from None


def _date(raw: object, where: str) -> dt.date:
    if not isinstance(raw, str):
        raise ScheduleError(f"{where}: must be a date 'YYYY-MM-DD'")
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise ScheduleError(f"{where}: must be a date 'YYYY-MM-DD', got {raw!r}") from None


def _month_day(raw: object, where: str) -> MonthDay:
    match = _MONTH_DAY.match(raw) if isinstance(raw, str) else None
    if match is None:
        raise ScheduleError(f"{where}: must be 'MM-DD'")
    month, day = int(match.group(1)), int(match.group(2))
    try:
        # 2001 is a common year: 29 February would not exist every year.
        dt.date(2001, month, day)
    except ValueError:
        raise ScheduleError(f"{where}: {raw!r} is not a day that exists every year") from None
    return MonthDay(month, day)
