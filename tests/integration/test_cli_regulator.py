"""Médecins régulateurs (SAMU): created by `dmp users create-professional --regulator`, and one
in the demo data."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from typer.testing import CliRunner

from dmp import demo
from dmp.access.policy import ActorKind
from dmp.access.services import actor_for
from dmp.accounts.queries import account_by_email
from dmp.cli import app
from dmp.config import Settings
from dmp.container import build_container
from dmp.identity import services as identity_services
from dmp.identity.orm import ProfessionalRow
from testenv import TEST_SECRET

STRONG = "un cheval agrafe la batterie correcte"


@pytest.fixture
def env(tmp_path: Path, database_url: str) -> dict[str, str]:
    return {
        "DMP_ENVIRONMENT": "test",
        "DMP_DATA_DIR": str(tmp_path),
        "DMP_DATABASE_URL": database_url,
        "DMP_SECRET_KEY": TEST_SECRET,
        "DMP_ARGON2_TIME_COST": "1",
        "DMP_ARGON2_MEMORY_KIB": "8",
        "DMP_ARGON2_PARALLELISM": "1",
        "DMP_EMAIL_BACKEND": "memory",
    }


def invoke(env: dict[str, str], *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, list(args), env=env, input=stdin, catch_exceptions=False)


def regulator_flags(env: dict[str, str], tmp_path: Path) -> dict[str, bool]:
    """RPPS → regulator flag of every professional."""
    container = build_container(
        Settings(
            environment="test",  # type: ignore[arg-type]
            data_dir=tmp_path,
            database_url=env["DMP_DATABASE_URL"],
            secret_key=SecretStr(TEST_SECRET),
        )
    )
    try:
        with container.sessions() as session:
            return {row.rpps: row.regulator for row in session.scalars(select(ProfessionalRow))}
    finally:
        container.dispose()


def create_professional(env: dict[str, str], email: str, rpps: str, *extra: str):  # type: ignore[no-untyped-def]
    return invoke(
        env,
        "users",
        "create-professional",
        email,
        "--rpps",
        rpps,
        "--family-name",
        "Lefèvre",
        "--given-name",
        "Hugo",
        "--organisation",
        "SAMU 69",
        "--password-stdin",
        *extra,
        stdin=STRONG + "\n",
    )


def test_create_professional_regulator_option(env: dict[str, str], tmp_path: Path) -> None:
    invoke(env, "migrate")
    regulator = create_professional(env, "dr.lefevre@samu.test", "10003461033", "--regulator")
    assert regulator.exit_code == 0, regulator.output
    assert "régulateur" in regulator.output
    plain = create_professional(env, "dr.autre@clinique.test", "10003461034")
    assert plain.exit_code == 0, plain.output
    assert "régulateur" not in plain.output
    assert regulator_flags(env, tmp_path) == {"10003461033": True, "10003461034": False}


def test_only_a_doctor_can_be_a_regulator(env: dict[str, str], tmp_path: Path) -> None:
    invoke(env, "migrate")
    nurse = create_professional(
        env, "ide@samu.test", "10003461035", "--profession", "60", "--regulator"
    )
    assert nurse.exit_code == 2
    assert "--regulator" in nurse.output
    assert regulator_flags(env, tmp_path) == {}


def test_the_demo_has_one_regulator(env: dict[str, str], tmp_path: Path) -> None:
    invoke(env, "migrate")
    seeded = invoke(env, "demo")
    assert seeded.exit_code == 0, seeded.output
    assert demo.LEFEVRE.email in seeded.output
    assert demo.LEFEVRE.totp_secret in seeded.output
    flags = regulator_flags(env, tmp_path)
    assert [rpps for rpps, regulator in flags.items() if regulator] == ["10000987654"]
    assert len(flags) == 3  # Bernard, Petit, Lefèvre

    again = invoke(env, "demo")
    assert "already present" in again.output
    assert regulator_flags(env, tmp_path) == flags

    container = build_container(
        Settings(
            environment="test",  # type: ignore[arg-type]
            data_dir=tmp_path,
            database_url=env["DMP_DATABASE_URL"],
            secret_key=SecretStr(TEST_SECRET),
        )
    )
    try:
        with container.sessions() as session:
            camille = identity_services.patient_by_matricule(session, demo.CAMILLE_NIR)
            assert camille is not None
            for account, regulator in ((demo.LEFEVRE, True), (demo.BERNARD, False)):
                row = account_by_email(session, account.email)
                assert row is not None
                actor = actor_for(session, row, camille.id)
                assert actor.kind is ActorKind.professional
                assert actor.is_regulator is regulator
    finally:
        container.dispose()
