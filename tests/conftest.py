"""Fixtures shared by every test tier.

Databases: SQLite always; PostgreSQL too when ``DMP_TEST_POSTGRES_URL`` is set. Each test gets
an empty, migrated database: a copy of a migrated SQLite file, or a truncated PostgreSQL schema
private to the pytest-xdist worker.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from dmp.bootstrap import create_app
from dmp.config import Settings
from dmp.container import Container, build_container
from dmp.db_migrate import upgrade
from dmp.models import Base
from dmp.notifications.adapters import MemoryOutbox
from dmp.shared.clock import FrozenClock
from dmp.shared.db import create_db_engine
from testenv import (  # re-exported for older imports
    POSTGRES_URL,
    START,
    TEST_SECRET,
    make_settings,
    psycopg_url,
    with_search_path,
)

__all__ = [
    "POSTGRES_URL",
    "START",
    "TEST_SECRET",
    "make_settings",
    "psycopg_url",
    "with_search_path",
]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "dmp.db"
    engine = create_db_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the file
    return path


@pytest.fixture(scope="session")
def postgres_schema(worker_id: str) -> Iterator[str]:
    if not POSTGRES_URL:
        pytest.skip("DMP_TEST_POSTGRES_URL is not set")
    schema = f"dmp_test_{worker_id}"
    admin = create_engine(psycopg_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = with_search_path(POSTGRES_URL, schema)
    engine = create_db_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def truncate_all(url: str) -> None:
    engine = create_db_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        template: Path = request.getfixturevalue("sqlite_template")
        target = tmp_path / "dmp.db"
        shutil.copyfile(template, target)
        return f"sqlite:///{target}"
    url: str = request.getfixturevalue("postgres_schema")
    truncate_all(url)
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path, database_url)


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(START)


@pytest.fixture
def container(settings: Settings, clock: FrozenClock) -> Iterator[Container]:
    built = build_container(settings, clock=clock, email=MemoryOutbox(), sms=MemoryOutbox())
    yield built
    built.dispose()


@pytest.fixture
def app(settings: Settings, container: Container) -> FastAPI:
    return create_app(settings, container=container)


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as test_client:
        yield test_client


@pytest.fixture
def outbox(container: Container) -> MemoryOutbox:
    assert isinstance(container.email, MemoryOutbox)
    return container.email
