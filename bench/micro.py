"""Small benchmarks: the audit chain, password hashing, NIR validation."""

from __future__ import annotations

import datetime as dt
import re
import time
import uuid

from sqlalchemy import text

from bench.common import Result, best_of, cost, rate
from bench.env import Database
from dmp.accounts.passwords import PasswordHasher
from dmp.audit import services as audit
from dmp.audit.model import AuditAction
from dmp.config import Settings
from dmp.db_migrate import upgrade
from dmp.identity.nir import control_key, parse_matricule
from dmp.shared.clock import SystemClock
from dmp.shared.context import RequestContext
from dmp.shared.db import create_db_engine, make_session_factory

CTX = RequestContext(ip="192.0.2.1", request_id="bench", channel="bench")
PASSWORD = "une phrase de passe assez longue"  # noqa: S105 (what is hashed, not a secret)
# OWASP's minimum for argon2id (19 MiB, t=2, p=1): the baseline our parameters are compared to.
OWASP_MINIMUM = {"time_cost": 2, "memory_kib": 19456, "parallelism": 1}
NIR_FORMAT = re.compile(r"[1-478]\d{4}(?:\d\d|2[AB])\d{8}")


def bench_audit(database: Database, count: int) -> Result:
    """Hash-chained audit appends (one transaction each, as in real requests) vs raw inserts
    of rows of the same shape, also one transaction each, on an empty database."""
    engine = create_db_engine(database.url)
    try:
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

        chained_s = best_of(chained, repeat=1)
        raw_s = best_of(raw, repeat=1)
    finally:
        engine.dispose()
    return rate(f"audit.append[{database.backend}]", "entries/s", count / chained_s, count / raw_s)


def bench_passwords() -> tuple[Result, float]:
    """argon2id verification with the production parameters (the deliberate cost of a login)
    against the OWASP minimum parameters. Also returns the CPU milliseconds of one of ours
    (argon2 runs its lanes in parallel threads, so CPU time can exceed wall time)."""
    settings = Settings()
    ours = PasswordHasher(
        time_cost=settings.argon2_time_cost,
        memory_kib=settings.argon2_memory_kib,
        parallelism=settings.argon2_parallelism,
    )
    minimum = PasswordHasher(**OWASP_MINIMUM)
    stored, stored_minimum = ours.hash(PASSWORD), minimum.hash(PASSWORD)
    seconds = best_of(lambda: ours.verify(stored, PASSWORD), repeat=5)
    baseline = best_of(lambda: minimum.verify(stored_minimum, PASSWORD), repeat=5)
    cpu = time.process_time()
    for _ in range(5):
        ours.verify(stored, PASSWORD)
    cpu_ms = (time.process_time() - cpu) / 5 * 1000
    return cost("passwords.argon2_verify", "ms", seconds * 1000, baseline * 1000), cpu_ms


def nir_samples(count: int) -> list[str]:
    bodies = [
        f"{1 + i % 2}{85 + i % 10:02d}{1 + i % 12:02d}75{i % 1000:03d}{1 + i % 999:03d}"
        for i in range(count)
    ]
    return [b + f"{control_key(b):02d}" for b in bodies]


def bench_nir(count: int = 100_000) -> Result:
    """Full NIR/NIA validation (separators, every part, control key, precise errors) against a
    bare format check with a regular expression."""
    values = nir_samples(count)
    seconds = best_of(lambda: [parse_matricule(v) for v in values])
    baseline = best_of(lambda: [NIR_FORMAT.fullmatch(v) for v in values])
    return rate("nir.parse", "NIR/s", count / seconds, count / baseline)
