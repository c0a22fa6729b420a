"""Benchmarks: each measures our cost against the raw cost of the same work, in the same run.

Run with ``make bench`` or ``python -m bench [options]`` (``--help`` lists them; each option
also reads ``DMP_BENCH_<OPTION>``, e.g. ``DMP_BENCH_DOCUMENTS=20000``). The document
benchmarks run on PostgreSQL when ``DMP_BENCH_POSTGRES_URL`` is set (in a fresh schema, dropped
at the end), else on SQLite. Results are printed as a table and written to
``bench/results/latest.json`` as ``{"benchmarks": [{"name", "value", "unit", "baseline",
"ratio"}], …}``; ``ratio`` is our cost divided by the baseline's (see bench/README.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import documents, health, micro
from bench.common import RESULTS, Result, console, print_table, progress, write_results
from bench.env import database

# National shape: 420 M documents a year (DOMAIN.md §8), peaks at ten times the average.
DOCUMENTS_PER_YEAR = 420_000_000
PEAK_FACTOR = 10
# 2.5 M monthly users, each logging in 4 times a month, half of it in 4 peak hours a day.
PEAK_LOGINS_PER_S = 2_500_000 * 4 / 30 / 2 / (4 * 3600)

DEFAULTS: dict[str, int] = {
    "patients": 2_000,
    "documents": 100_000,
    "target_documents": 200,
    "professionals": 200,
    "ingest": 300,
    "clients": 1,
    "list_requests": 500,
    "downloads": 500,
    "large": 5,
    "large_rounds": 4,
    "audit_entries": 2_000,
    "seed": 20_261_129,
}
HELP = {
    "patients": "synthetic patients with an open record",
    "documents": "rows in the documents table before the HTTP measures",
    "target_documents": "documents of the patient whose list is measured",
    "professionals": "synthetic professionals (document authors)",
    "ingest": "100 KB uploads through POST …/documents",
    "clients": "concurrent HTTP clients for the uploads",
    "list_requests": "measured GET …/documents requests",
    "downloads": "measured downloads of 100 KB documents",
    "large": "5 MB documents filed for the download measure (0: none)",
    "large_rounds": "times each 5 MB document is downloaded",
    "audit_entries": "entries of the audit-chain micro-benchmark",
    "seed": "seed of the synthetic population",
}


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="dmp benchmarks, each beside its raw baseline (see bench/README.md).",
    )
    for name, default in DEFAULTS.items():
        env = f"DMP_BENCH_{name.upper()}"
        parser.add_argument(
            "--" + name.replace("_", "-"),
            type=int,
            default=int(os.environ.get(env, default)),
            help=f"{HELP[name]} (default {default}, or ${env})",
        )
    parser.add_argument("--skip-documents", action="store_true", help="micro-benchmarks only")
    parser.add_argument("--skip-micro", action="store_true", help="document benchmarks only")
    parser.add_argument(
        "--output", type=Path, default=RESULTS / "latest.json", help="where to write the JSON"
    )
    args = parser.parse_args(argv)
    if args.documents < args.target_documents or args.patients < 10 or args.ingest < 1:
        parser.error("need documents ≥ target documents, patients ≥ 10 and ingest ≥ 1")
    return args


def extrapolate(results: list[Result], argon2_cpu_ms: float | None) -> dict[str, Any]:
    by_name = {r.name: r for r in results}
    average = DOCUMENTS_PER_YEAR / (365 * 24 * 3600)
    peak = average * PEAK_FACTOR
    out: dict[str, Any] = {
        "documents_per_s_average": round(average, 1),
        "documents_per_s_peak": round(peak, 1),
        "peak_logins_per_s": round(PEAK_LOGINS_PER_S, 1),
    }
    for name, result in by_name.items():
        if name.startswith("documents.ingest["):
            backend = name[name.index("[") + 1 : -1]
            out[f"ingest_{backend}"] = {
                "measured_documents_per_s": result.value,
                "app_processes_at_average": math.ceil(average / result.value),
                "app_processes_at_peak": math.ceil(peak / result.value),
            }
            cpu = by_name.get(f"documents.ingest_cpu[{backend}]")
            if cpu is not None:
                out[f"ingest_{backend}"]["app_cores_at_peak"] = round(peak * cpu.value / 1000, 1)
    if argon2_cpu_ms is not None:
        out["argon2_verify_cpu_ms"] = round(argon2_cpu_ms, 1)
        out["cores_for_password_hashing_at_peak"] = round(
            PEAK_LOGINS_PER_S * argon2_cpu_ms / 1000, 2
        )
    return out


def main(argv: list[str] | None = None) -> None:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    postgres = os.environ.get("DMP_BENCH_POSTGRES_URL") or None
    backend = "postgresql" if postgres else "sqlite"
    started = time.perf_counter()
    when = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    results: list[Result] = []
    details: dict[str, Any] = {}
    argon2_cpu_ms: float | None = None
    console.print(
        f"[bold]dmp benchmarks[/] — documents on {backend}, {args.documents:,} documents,"
        f" {args.patients:,} patients, {args.ingest} uploads"
    )
    with tempfile.TemporaryDirectory(prefix="dmp-bench-") as directory:
        scratch = Path(directory)
        if not args.skip_micro:
            console.print("micro-benchmarks: audit chain, argon2, NIR…")
            with database(scratch, None, "audit") as db:
                results.append(micro.bench_audit(db, args.audit_entries))
            if postgres:
                with database(scratch, postgres, "audit") as db:
                    results.append(micro.bench_audit(db, args.audit_entries))
            passwords, argon2_cpu_ms = micro.bench_passwords()
            results.append(passwords)
            results.append(micro.bench_nir())
            console.print("health space: vaccination plans, blood-group card…")
            results.append(health.bench_vaccination_plan())
            results.append(health.bench_blood_group_card())
        if not args.skip_documents:
            options = documents.Options(
                patients=args.patients,
                documents=args.documents,
                target_documents=args.target_documents,
                professionals=args.professionals,
                ingest=args.ingest,
                clients=args.clients,
                list_requests=args.list_requests,
                downloads=args.downloads,
                large=args.large,
                large_rounds=args.large_rounds,
                seed=args.seed,
            )
            with database(scratch, postgres, "documents") as db, progress() as bar:
                run = documents.run(db, scratch, options, bar)
            results.extend(run.results)
            details = run.details
    seconds = round(time.perf_counter() - started, 1)
    extrapolation = extrapolate(results, argon2_cpu_ms)
    meta = {
        "when": when,
        "seconds": seconds,
        "backend": backend,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
        },
        "parameters": {k: getattr(args, k) for k in DEFAULTS},
        "documents": details,
    }
    print_table(results, f"dmp benchmarks ({backend}, {seconds} s) — ratio = our cost / raw cost")
    console.print(extrapolation)
    write_results(args.output, results, meta=meta, extrapolation=extrapolation)
    console.print(f"written to {args.output}")


if __name__ == "__main__":
    main()
