"""Benchmarks: each measures our cost against the raw cost of the same work.

Run with ``make bench`` (optionally ``DMP_BENCH_POSTGRES_URL=postgresql://…`` to add
PostgreSQL). Results are printed and written to ``bench/results/latest.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from dmp.accounts.passwords import PasswordHasher
from dmp.audit import services as audit
from dmp.audit.model import AuditAction
from dmp.config import Settings
from dmp.db_migrate import upgrade
from dmp.identity.nir import control_key, parse_matricule
from dmp.shared.clock import SystemClock
from dmp.shared.context import RequestContext
from dmp.shared.db import create_db_engine, make_session_factory

RESULTS = Path(__file__).parent / "results"
CTX = RequestContext(ip="192.0.2.1", request_id="bench", channel="bench")


def timed(function: Callable[[], Any], repeat: int = 3) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - started)
    return best


def bench_audit(url: str, count: int) -> dict[str, float]:
    """Hash-chained audit appends (one transaction each, as in real requests) vs raw inserts
    of rows of the same shape, also one transaction each."""
    engine = create_db_engine(url)
    upgrade(engine)
    factory = make_session_factory(engine)
    clock = SystemClock()
    chain = f"patient:{uuid.uuid4()}"

    def chained() -> None:
        for index in range(count):
            with factory.begin() as session:
                audit.record(
                    session,
                    clock,
                    chain=chain,
                    action=AuditAction.AuthLoginSuccess,
                    context=CTX,
                    details={"n": index},
                )

    def raw() -> None:
        statement = text(
            "INSERT INTO audit_events (chain, seq, occurred_at, action, outcome, details,"
            " prev_hash, hash) VALUES (:c, :s, :t, 'bench', 'success', '{}', :h, :h)"
        )
        base = uuid.uuid4().hex
        for index in range(count):
            with engine.begin() as connection:
                connection.execute(
                    statement,
                    {"c": base, "s": index, "t": dt.datetime.now(dt.UTC), "h": "0" * 64},
                )

    chained_s = timed(chained, repeat=1)
    raw_s = timed(raw, repeat=1)
    engine.dispose()
    return {
        "entries": count,
        "chained_per_s": round(count / chained_s),
        "raw_insert_per_s": round(count / raw_s),
        "overhead_ratio": round(chained_s / raw_s, 2),
    }


def bench_passwords() -> dict[str, float]:
    settings = Settings()
    hasher = PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    stored = hasher.hash("une phrase de passe assez longue")
    seconds = timed(lambda: hasher.verify(stored, "une phrase de passe assez longue"), repeat=5)
    return {
        "argon2_verify_ms": round(seconds * 1000, 1),
        "password_checks_per_s_per_core": round(1 / seconds, 1),
    }


def bench_nir(count: int = 100_000) -> dict[str, float]:
    bodies = [
        f"{1 + i % 2}{85 + i % 10:02d}{1 + i % 12:02d}75{i % 1000:03d}{1 + i % 999:03d}"
        for i in range(count)
    ]
    values = [b + f"{control_key(b):02d}" for b in bodies]
    seconds = timed(lambda: [parse_matricule(v) for v in values])
    return {"nir_parsed_per_s": round(count / seconds)}


def main() -> None:
    results: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    with tempfile.TemporaryDirectory() as scratch:
        results["audit_sqlite"] = bench_audit(f"sqlite:///{scratch}/bench.db", 2000)
    postgres = os.environ.get("DMP_BENCH_POSTGRES_URL")
    if postgres:
        results["audit_postgres"] = bench_audit(
            Settings(database_url=postgres).resolved_database_url, 2000
        )
    results["passwords"] = bench_passwords()
    results["nir"] = bench_nir()

    # National shape (DOMAIN.md §8): 2.5 M monthly users; assume each logs in 4 times a month,
    # half of it in 4 peak hours a day. Password checks needed at peak, per second:
    peak_logins_per_s = 2_500_000 * 4 / 30 / 2 / (4 * 3600)
    per_core = results["passwords"]["password_checks_per_s_per_core"]
    results["extrapolation"] = {
        "peak_logins_per_s": round(peak_logins_per_s, 1),
        "cores_for_password_hashing_at_peak": round(peak_logins_per_s / per_core, 2),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2))
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
