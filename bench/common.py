"""What every benchmark shares: the result row, timing helpers, the table and the JSON file.

Every result compares our cost with the raw cost of the same work measured in the same run.
``ratio`` is always a *cost* ratio: our time per unit of work divided by the baseline's (so
2.0 means "twice as costly as the raw work", whatever the unit of ``value``).
"""

from __future__ import annotations

import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

RESULTS = Path(__file__).parent / "results"
# Piped output (``make bench | tee``) gets a table wide enough for the benchmark names.
console = Console(width=None if sys.stdout.isatty() else 120)


@dataclass(frozen=True)
class Result:
    name: str
    value: float
    unit: str
    baseline: float | None
    ratio: float | None  # our cost / baseline cost (time per unit of work)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "baseline": self.baseline,
            "ratio": self.ratio,
        }


def _round(value: float) -> float:
    """Three significant digits at least, no noise."""
    if value == 0 or not math.isfinite(value):
        return value
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    return round(value, digits)


def rate(name: str, unit: str, ours: float, baseline: float | None) -> Result:
    """A throughput (more is better): the cost ratio is baseline / ours."""
    ratio = baseline / ours if baseline and ours else None
    return Result(
        name,
        _round(ours),
        unit,
        _round(baseline) if baseline else None,
        round(ratio, 2) if ratio else None,
    )


def cost(name: str, unit: str, ours: float, baseline: float | None) -> Result:
    """A time or a latency (less is better): the cost ratio is ours / baseline."""
    ratio = ours / baseline if baseline else None
    return Result(
        name,
        _round(ours),
        unit,
        _round(baseline) if baseline else None,
        round(ratio, 2) if ratio else None,
    )


def best_of(function: Callable[[], Any], repeat: int = 3) -> float:
    """The fastest of ``repeat`` runs, in seconds (for CPU-bound micro-benchmarks)."""
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def percentile(samples: Sequence[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default), ``q`` in [0, 100]."""
    if not samples:
        raise ValueError("no samples")
    ordered = sorted(samples)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _format(value: float | None) -> str:
    if value is None:
        return "—"
    if abs(value) >= 100:
        return f"{value:,.0f}".replace(",", " ")
    return f"{value:g}"


def print_table(results: Sequence[Result], title: str) -> None:
    table = Table(title=escape(title), title_justify="left")
    table.add_column("benchmark")
    table.add_column("value", justify="right")
    table.add_column("unit")
    table.add_column("raw baseline", justify="right")
    table.add_column("cost ratio", justify="right")
    for result in results:
        ratio = "—" if result.ratio is None else f"{result.ratio:g}×"
        table.add_row(
            escape(result.name),
            _format(result.value),
            escape(result.unit),
            _format(result.baseline),
            ratio,
        )
    console.print(table)


def write_results(path: Path, results: Sequence[Result], **extra: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {"benchmarks": [r.as_json() for r in results], **extra}
    path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
