"""Migrations run from an empty database and produce exactly the models' schema."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

from dmp.db_migrate import alembic_config, current_revision, head_revision, upgrade
from dmp.models import Base
from dmp.shared.db import create_db_engine
from testenv import POSTGRES_URL, psycopg_url, with_search_path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        engine = create_db_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    if not POSTGRES_URL:
        pytest.skip("DMP_TEST_POSTGRES_URL is not set")
    schema = f"dmp_migrations_{os.getpid()}"
    admin = create_engine(psycopg_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine = create_db_engine(with_search_path(POSTGRES_URL, schema))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    admin.dispose()


def test_upgrade_from_empty_reaches_head_and_matches_models(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    with empty_engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    tables = set(inspect(empty_engine).get_table_names())
    assert {t.name for t in Base.metadata.sorted_tables} <= tables


def test_downgrade_to_base_then_upgrade_again(empty_engine: Engine) -> None:
    from alembic import command

    upgrade(empty_engine)
    config = alembic_config()
    with empty_engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    remaining = set(inspect(empty_engine).get_table_names()) - {"alembic_version"}
    assert remaining == set()
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()


def test_upgrade_is_idempotent(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()


def test_existing_professionals_become_searchable_without_accents(empty_engine: Engine) -> None:
    """The search-name migration fills the column for professionals created before it."""
    import datetime as dt
    import uuid

    upgrade(empty_engine, "86103bfdc99e")
    with empty_engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO professionals (id, rpps, family_name, given_name, profession_code,"
                " regulator, created_at) VALUES (:id, '10000987654', 'Lefèvre', 'Hélène', '10',"
                " :no, :now)"
            ),
            {"id": uuid.uuid4().hex, "no": False, "now": dt.datetime.now(dt.UTC)},
        )
    upgrade(empty_engine)
    with empty_engine.connect() as connection:
        names = connection.execute(text("SELECT search_name FROM professionals")).scalars().all()
    assert names == ["LEFEVRE HELENE"]
