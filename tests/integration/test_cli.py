"""The operator's command line, run as an operator would (environment variables, exit codes)."""

from __future__ import annotations

from pathlib import Path

import pyotp
import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from dmp import demo
from dmp.accounts import tokens
from dmp.audit.orm import AuditEventRow
from dmp.cli import app
from dmp.config import ConfigurationError, Settings
from dmp.container import build_container
from dmp.shared.db import create_db_engine
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


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, env: dict[str, str], *args: str, stdin: str | None = None):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env=env, input=stdin, catch_exceptions=False)


def audit_actions(env: dict[str, str]) -> list[str]:
    engine = create_db_engine(env["DMP_DATABASE_URL"])
    with engine.connect() as connection:
        actions = list(connection.scalars(select(AuditEventRow.action).order_by(AuditEventRow.id)))
    engine.dispose()
    return actions


def test_migrate_then_demo_is_idempotent(runner: CliRunner, env: dict[str, str]) -> None:
    assert invoke(runner, env, "migrate").exit_code == 0
    first = invoke(runner, env, "demo")
    assert first.exit_code == 0, first.output
    assert "camille.martin@demo.test" in first.output
    assert demo.DEMO_PASSWORD in first.output
    assert "created" in first.output
    before = len(audit_actions(env))
    second = invoke(runner, env, "demo")
    assert second.exit_code == 0
    assert "already present" in second.output
    assert len(audit_actions(env)) == before


def test_demo_code_prints_the_current_totp(runner: CliRunner, env: dict[str, str]) -> None:
    result = invoke(runner, env, "demo", "code", demo.CAMILLE.email)
    assert result.exit_code == 0
    assert pyotp.TOTP(demo.CAMILLE.totp_secret).verify(result.output.strip(), valid_window=1)
    assert invoke(runner, env, "demo", "code", "someone@else.test").exit_code == 1


def test_demo_is_refused_in_production(runner: CliRunner, env: dict[str, str]) -> None:
    production = {
        **env,
        "DMP_ENVIRONMENT": "production",
        "DMP_SECRET_KEY": "s" * 48,
        "DMP_EMAIL_BACKEND": "smtp",
        "DMP_SMS_BACKEND": "disabled",
        "DMP_ARGON2_TIME_COST": "2",
        "DMP_ARGON2_MEMORY_KIB": "19456",
        "DMP_DPO_CONTACT_EMAIL": "dpo@sante.example.fr",
        "DMP_DPO_POSTAL_ADDRESS": "DPO, 10 rue de la République, 69001 Lyon",
    }
    result = invoke(runner, production, "demo")
    assert result.exit_code == 2
    # Refused by the demo command itself, not by settings validation.
    assert "demo" in result.output.lower()
    assert "DMP_SECRET_KEY" not in result.output


def test_production_refuses_development_secrets() -> None:
    with pytest.raises(ConfigurationError, match="DMP_SECRET_KEY"):
        Settings(environment="production", secret_key="dev-" + "x" * 40, email_backend="smtp")  # type: ignore[arg-type]


def test_create_admin_prints_totp_and_recovery_codes(
    runner: CliRunner, env: dict[str, str]
) -> None:
    invoke(runner, env, "migrate")
    result = invoke(
        runner,
        env,
        "users",
        "create-admin",
        "ops@hopital.test",
        "--name",
        "Équipe ops",
        "--password-stdin",
        stdin=STRONG + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "otpauth://totp/" in result.output
    assert result.output.count("-") >= 30  # ten recovery codes XXXX-XXXX-XXXX-XXXX
    assert "account:account:create" in audit_actions(env)
    again = invoke(
        runner,
        env,
        "users",
        "create-admin",
        "ops@hopital.test",
        "--password-stdin",
        stdin=STRONG + "\n",
    )
    assert again.exit_code == 1
    assert "already" in again.output


def test_create_admin_refuses_a_weak_password(runner: CliRunner, env: dict[str, str]) -> None:
    invoke(runner, env, "migrate")
    result = invoke(
        runner,
        env,
        "users",
        "create-admin",
        "ops@hopital.test",
        "--password-stdin",
        stdin="azerty123\n",
    )
    assert result.exit_code == 1
    assert "at least 12" in result.output or "12" in result.output
    assert "account:account:create" not in audit_actions(env)


def test_create_professional_with_rpps(runner: CliRunner, env: dict[str, str]) -> None:
    invoke(runner, env, "migrate")
    args = [
        "users",
        "create-professional",
        "dr.durand@clinique.test",
        "--rpps",
        "10003461033",
        "--family-name",
        "Durand",
        "--given-name",
        "Alice",
        "--specialty",
        "SM54",
        "--organisation",
        "Clinique du Lac",
        "--finess",
        "690000017",
        "--password-stdin",
    ]
    result = invoke(runner, env, *args, stdin=STRONG + "\n")
    assert result.exit_code == 0, result.output
    bad = invoke(
        runner, env, *[a if a != "10003461033" else "1234" for a in args], stdin=STRONG + "\n"
    )
    assert bad.exit_code == 1
    assert "11" in bad.output


def test_token_is_usable_and_audited(
    runner: CliRunner, env: dict[str, str], tmp_path: Path
) -> None:
    invoke(runner, env, "migrate")
    invoke(runner, env, "demo")
    result = invoke(runner, env, "token", demo.BERNARD.email, "--operator", demo.ADMIN.email)
    assert result.exit_code == 0, result.output
    access = result.stdout.strip().splitlines()[-1]
    settings = Settings(
        environment="test",
        data_dir=tmp_path,
        database_url=env["DMP_DATABASE_URL"],
        secret_key=TEST_SECRET,  # type: ignore[arg-type]
    )
    container = build_container(settings)
    with container.sessions() as session:
        claims = tokens.verify_access(session, container.security, access)
        assert "professional" in claims.roles
    container.dispose()
    assert "auth:token:issue-by-operator" in audit_actions(env)
    assert invoke(runner, env, "token", "nobody@nowhere.test").exit_code == 1


def test_audit_verify_reports_tampering(runner: CliRunner, env: dict[str, str]) -> None:
    invoke(runner, env, "migrate")
    invoke(runner, env, "demo")
    ok = invoke(runner, env, "audit", "verify")
    assert ok.exit_code == 0
    assert "intact" in ok.output
    engine = create_db_engine(env["DMP_DATABASE_URL"])
    with engine.begin() as connection:
        target = connection.scalar(select(AuditEventRow.id).order_by(AuditEventRow.id).limit(1))
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(
            text("UPDATE audit_events SET ip = '203.0.113.66' WHERE id = :id"), {"id": target}
        )
    engine.dispose()
    broken = invoke(runner, env, "audit", "verify")
    assert broken.exit_code == 1
    assert f"entry id {target}" in broken.output


def test_commands_in_a_fresh_process(env: dict[str, str]) -> None:
    """As an operator runs them: each command in its own interpreter, importing only what it
    imports itself (a missing model import once broke `audit verify` and `token` there)."""
    import os
    import subprocess
    import sys

    full_env = {**os.environ, **env}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "dmp", *args],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    for command in (("migrate",), ("demo",)):
        done = run(*command)
        assert done.returncode == 0, done.stderr
    verified = run("audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "intact" in verified.stdout
    issued = run("token", demo.CAMILLE.email)
    assert issued.returncode == 0, issued.stderr
    assert issued.stdout.count(".") == 2  # a compact JWT


def test_create_support_account(runner: CliRunner, env: dict[str, str]) -> None:
    invoke(runner, env, "migrate")
    result = invoke(
        runner,
        env,
        "users",
        "create-support",
        "help@dmp.test",
        "--password-stdin",
        stdin=STRONG + "\n",
    )
    assert result.exit_code == 0, result.output
    engine = create_db_engine(env["DMP_DATABASE_URL"])
    with engine.connect() as connection:
        roles = connection.execute(text("SELECT role FROM account_roles")).scalars().all()
    engine.dispose()
    assert roles == ["support"]


def test_bad_settings_stop_with_exit_code_2_naming_the_variable(
    runner: CliRunner, env: dict[str, str]
) -> None:
    result = invoke(runner, {**env, "DMP_PORT": "abc"}, "migrate")
    assert result.exit_code == 2
    assert "DMP_PORT" in result.output


def test_token_operator_must_be_an_operator(runner: CliRunner, env: dict[str, str]) -> None:
    invoke(runner, env, "migrate")
    invoke(runner, env, "demo")
    for who in ("nobody@nowhere.test", demo.BERNARD.email):
        result = invoke(runner, env, "token", demo.CAMILLE.email, "--operator", who)
        assert result.exit_code == 1
        assert "not an active operator" in result.output


def test_a_quiet_worker_round_prints_only_when_it_did_something(
    runner: CliRunner, env: dict[str, str]
) -> None:
    assert invoke(runner, env, "migrate").exit_code == 0
    idle = invoke(runner, env, "worker", "--once", "--quiet")
    assert idle.exit_code == 0, idle.output
    assert idle.output == ""
    loud = invoke(runner, env, "worker", "--once")
    assert "exports: 0" in loud.output
