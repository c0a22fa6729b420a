"""Test settings and database URLs, shared by every conftest (import from here, not conftest)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy.engine import make_url

from dmp.config import EmailBackend, Environment, Settings, SmsBackend

POSTGRES_URL = os.environ.get("DMP_TEST_POSTGRES_URL")
START = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)
TEST_SECRET = "test-secret-" + "k" * 40


def psycopg_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def with_search_path(url: str, schema: str) -> str:
    parsed = make_url(psycopg_url(url))
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


def make_settings(tmp_path: Path, database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": Environment.test,
        "data_dir": tmp_path,
        "database_url": database_url,
        "secret_key": SecretStr(TEST_SECRET),
        "argon2_time_cost": 1,
        "argon2_memory_kib": 8,
        "argon2_parallelism": 1,
        "email_backend": EmailBackend.memory,
        "sms_backend": SmsBackend.memory,
        "log_json": False,
        "log_level": "WARNING",
        "docs_dir": Path(__file__).resolve().parents[1] / "docs",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]
