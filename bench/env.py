"""A throwaway database (SQLite file or a fresh PostgreSQL schema), the application's settings
for it, and a live server: uvicorn in a thread on 127.0.0.1, on a port the system chooses."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx2
import uvicorn
from pydantic import SecretStr
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from dmp.bootstrap import create_app
from dmp.config import EmailBackend, Environment, Settings, SmsBackend
from dmp.container import Container

BENCH_SECRET = "bench-secret-" + "b" * 40  # a throwaway key for a throwaway database


def psycopg_url(url: str) -> str:
    """psycopg 3 is the driver we ship; a plain postgresql:// URL would mean psycopg2."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def with_search_path(url: str, schema: str) -> str:
    parsed = make_url(psycopg_url(url))
    return parsed.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False
    )


@dataclass(frozen=True)
class Database:
    backend: str  # "sqlite" | "postgresql"
    url: str  # for the application (SQLAlchemy URL)


@contextmanager
def database(scratch: Path, postgres_url: str | None, name: str) -> Iterator[Database]:
    """An empty database for one benchmark: ``<scratch>/<name>.db``, or a new schema in the
    PostgreSQL database at ``postgres_url`` (dropped on the way out, whatever happens)."""
    if not postgres_url:
        yield Database("sqlite", f"sqlite:///{scratch / name}.db")
        return
    schema = f"dmp_bench_{name}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(psycopg_url(postgres_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
        try:
            yield Database("postgresql", with_search_path(postgres_url, schema))
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        admin.dispose()


def bench_settings(data_dir: Path, database_url: str) -> Settings:
    """Test environment, cheap argon2 (logins are not what is measured here), messages kept in
    memory, tokens valid long enough for a long run."""
    return Settings(
        environment=Environment.test,
        data_dir=data_dir,
        database_url=database_url,
        secret_key=SecretStr(BENCH_SECRET),
        argon2_time_cost=1,
        argon2_memory_kib=8,
        argon2_parallelism=1,
        email_backend=EmailBackend.memory,
        sms_backend=SmsBackend.memory,
        access_token_seconds=3600,
        log_json=False,
        log_level="WARNING",
    )


@contextmanager
def live_server(settings: Settings, container: Container) -> Iterator[str]:
    """The application served by uvicorn in a daemon thread; yields its base URL."""
    app = create_app(settings, container=container)
    config = uvicorn.Config(
        app, host="127.0.0.1", port=0, log_config=None, lifespan="off", access_log=False
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="bench-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the bench server did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


def client(base_url: str, token: str) -> httpx2.Client:
    """An HTTP/1.1 keep-alive client that ignores proxy settings of the environment."""
    return httpx2.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}", "Accept-Language": "fr"},
        timeout=120,
        trust_env=False,
    )
