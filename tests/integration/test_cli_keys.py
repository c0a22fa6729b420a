"""The key ring from the operator's side: `keys generate`, `keys rotate`, `serve` without a ring,
and running processes that pick up a rotation made by another one."""

from __future__ import annotations

import json
import logging
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr
from sqlalchemy import select
from typer.testing import CliRunner

from dmp.cli import app
from dmp.config import Settings
from dmp.container import build_container
from dmp.records.documents import aad
from dmp.records.orm import DocumentRow
from dmp.storage import envelope, keys
from dmp.storage.keys import KeyEncryptionKeys, KeyRingError, WrappedKey
from testenv import TEST_SECRET

PRODUCTION_SECRET = "p" * 48


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, env: dict[str, str | None], *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args), env=env, catch_exceptions=False)


def production_env(tmp_path: Path, **extra: str) -> dict[str, str | None]:
    """A production configuration that passes every check but the key ring's (``None``: unset,
    whatever the environment of the test run holds)."""
    return {
        "DMP_ENVIRONMENT": "production",
        "DMP_DATA_DIR": str(tmp_path),
        "DMP_DATABASE_URL": f"sqlite:///{tmp_path / 'prod.db'}",
        "DMP_SECRET_KEY": PRODUCTION_SECRET,
        "DMP_EMAIL_BACKEND": "smtp",
        "DMP_SMS_BACKEND": "disabled",
        "DMP_DPO_CONTACT_EMAIL": "dpo@sante.example.fr",
        "DMP_DPO_POSTAL_ADDRESS": "DPO, 10 rue de la République, 69001 Lyon",
        "DMP_KEYRING": None,
        "DMP_KEYRING_FILE": None,
        **extra,
    }


def process_env(env: dict[str, str | None]) -> dict[str, str]:
    """For a subprocess: no DMP_* leaking from the test run, ``None`` left out."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("DMP_")}
    return {**base, **{k: v for k, v in env.items() if v is not None}}


# --- serve ------------------------------------------------------------------------------------


def test_serve_without_a_key_ring_in_production_stops_with_a_message(tmp_path: Path) -> None:
    """Like the other commands: one line on stderr, exit code 2, no traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "dmp", "serve", "--port", "18999"],
        env=process_env(production_env(tmp_path)),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Key ring:" in done.stderr
    assert "DMP_KEYRING" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_serve_refuses_a_development_ring_in_production(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("uvicorn must not start without a usable key ring")

    monkeypatch.setattr(uvicorn, "run", never)
    dev_ring = tmp_path / "dev-ring.json"
    keys.save(dev_ring, keys.generate(dev=True), create=True)
    for env in (
        production_env(tmp_path),
        production_env(tmp_path, DMP_KEYRING_FILE=str(dev_ring)),
        production_env(tmp_path, DMP_KEYRING_FILE=str(tmp_path / "absent.json")),
    ):
        result = invoke(runner, env, "serve")
        assert result.exit_code == 2, result.output
        assert "Key ring:" in result.output


def test_serve_starts_with_a_usable_ring(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn

    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(kwargs))
    ring_file = tmp_path / "ring.json"
    keys.save(ring_file, keys.generate(), create=True)
    result = invoke(runner, production_env(tmp_path, DMP_KEYRING_FILE=str(ring_file)), "serve")
    assert result.exit_code == 0, result.output
    assert len(started) == 1


# --- keys generate ----------------------------------------------------------------------------


def test_keys_generate_prints_a_production_ring(runner: CliRunner) -> None:
    result = runner.invoke(app, ["keys", "generate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    ring = keys.parse(result.stdout)
    assert ring.key_ids == ["k1"]
    assert ring.active == "k1"
    assert not ring.dev
    assert json.loads(result.stdout)["dev"] is False
    other = runner.invoke(app, ["keys", "generate"], catch_exceptions=False)
    assert json.loads(other.stdout)["keys"]["k1"] != json.loads(result.stdout)["keys"]["k1"]


def test_keys_generate_writes_a_private_file_once(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "etc" / "keyring.json"
    result = runner.invoke(
        app, ["keys", "generate", "--output", str(target)], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    written = json.loads(target.read_text())
    assert written["active"] == "k1"
    assert written["dev"] is False
    assert written["keys"]["k1"] not in result.output  # the key itself is never printed
    assert str(target) in result.output
    before = target.read_text()
    again = runner.invoke(
        app, ["keys", "generate", "--output", str(target)], catch_exceptions=False
    )
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert target.read_text() == before
    assert sorted(p.name for p in target.parent.iterdir()) == ["keyring.json"]  # no leftovers


def test_a_generated_ring_is_accepted_in_production(runner: CliRunner, tmp_path: Path) -> None:
    ring_file = tmp_path / "keyring.json"
    invoke(runner, {}, "keys", "generate", "--output", str(ring_file))
    env = production_env(tmp_path, DMP_KEYRING_FILE=str(ring_file))
    migrated = invoke(runner, env, "migrate")
    assert migrated.exit_code == 0, migrated.output
    rotated = invoke(runner, env, "keys", "rotate", "--generate")
    assert rotated.exit_code == 0, rotated.output
    assert "Key k2 added" in rotated.output
    assert keys.parse(ring_file.read_text()).key_ids == ["k1", "k2"]
    assert stat.S_IMODE(ring_file.stat().st_mode) == 0o600


# --- keys rotate --generate without a file ----------------------------------------------------


def test_rotate_generate_in_production_without_any_ring_says_so(
    runner: CliRunner, tmp_path: Path
) -> None:
    result = invoke(runner, production_env(tmp_path), "keys", "rotate", "--generate")
    assert result.exit_code == 2
    assert "comes from DMP_KEYRING" not in result.output
    assert "dmp keys generate" in result.output
    assert "DMP_KEYRING_FILE" in result.output


def test_rotate_generate_with_an_inline_ring_points_to_the_variable(
    runner: CliRunner, tmp_path: Path
) -> None:
    env = production_env(tmp_path, DMP_KEYRING=keys.generate().to_json())
    result = invoke(runner, env, "keys", "rotate", "--generate")
    assert result.exit_code == 2
    assert "comes from DMP_KEYRING" in result.output


# --- running processes pick up a rotation -----------------------------------------------------


def test_a_ring_read_from_a_file_rereads_it_for_an_unknown_key(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    keys.save(path, keys.generate(), create=True)
    settings = Settings(
        environment="production",  # type: ignore[arg-type]
        secret_key=SecretStr(PRODUCTION_SECRET),
        email_backend="smtp",  # type: ignore[arg-type]
        sms_backend="disabled",  # type: ignore[arg-type]
        dpo_contact_email="dpo@sante.example.fr",
        dpo_postal_address="DPO, 10 rue de la République, 69001 Lyon",
        data_dir=tmp_path,
        keyring_file=path,
    )
    serving = keys.load(settings)  # e.g. `dmp serve`, started before the rotation
    rotating = keys.load(settings)  # `dmp keys rotate --generate`
    old = serving.wrap(b"d" * 32, aad=b"doc-1")

    rotated = rotating.with_new_key()
    keys.save(path, rotated)
    moved = rotated.rewrap(old, aad=b"doc-1")
    fresh = rotated.wrap(b"n" * 32, aad=b"doc-2")
    assert moved.kek_id == fresh.kek_id == "k2"

    assert serving.active == "k1"
    assert serving.unwrap(moved, aad=b"doc-1") == b"d" * 32
    assert serving.unwrap(fresh, aad=b"doc-2") == b"n" * 32
    assert serving.active == "k2"  # new data keys now go under the new key
    assert serving.key_ids == ["k1", "k2"]
    assert serving.wrap(b"x" * 32, aad=b"doc-3").kek_id == "k2"

    unknown = WrappedKey("k9", moved.blob)
    with pytest.raises(KeyRingError, match="no longer"):
        serving.unwrap(unknown, aad=b"doc-1")


def test_concurrent_readers_reload_once(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "keyring.json"
    keys.save(path, keys.generate(), create=True)
    serving = keys.parse(path.read_text(), source=path)
    rotated = keys.parse(path.read_text(), source=path).with_new_key()
    keys.save(path, rotated)
    wrapped = [rotated.wrap(bytes([i]) * 32, aad=b"doc-%d" % i) for i in range(16)]
    results: dict[int, bytes] = {}
    failures: list[BaseException] = []
    barrier = threading.Barrier(len(wrapped))

    def read(i: int) -> None:
        barrier.wait()
        try:
            results[i] = serving.unwrap(wrapped[i], aad=b"doc-%d" % i)
        except BaseException as exc:  # pragma: no cover - reported below
            failures.append(exc)

    with caplog.at_level(logging.INFO, logger="dmp.keys"):
        threads = [threading.Thread(target=read, args=(i,)) for i in range(len(wrapped))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert not failures
    assert results == {i: bytes([i]) * 32 for i in range(len(wrapped))}
    reloads = [r for r in caplog.records if "reloaded" in r.getMessage()]
    assert len(reloads) == 1
    message = reloads[0].getMessage()
    assert "k2" in message
    assert not any(key in message for key in json.loads(path.read_text())["keys"].values())


def test_an_inline_ring_is_not_reread(tmp_path: Path) -> None:
    inline = keys.generate()
    settings = Settings(
        environment="test",  # type: ignore[arg-type]
        secret_key=SecretStr(TEST_SECRET),
        data_dir=tmp_path,
        keyring=SecretStr(inline.to_json()),
    )
    serving = keys.load(settings)
    assert serving.source is None
    elsewhere = inline.with_new_key()
    with pytest.raises(KeyRingError, match="no longer"):
        serving.unwrap(elsewhere.wrap(b"k" * 32, aad=b"d"), aad=b"d")


def test_a_reread_file_must_not_turn_into_a_development_ring(tmp_path: Path) -> None:
    path = tmp_path / "keyring.json"
    keys.save(path, keys.generate(), create=True)
    serving = keys.parse(path.read_text(), source=path)
    replaced = KeyEncryptionKeys({"k7": os.urandom(32)}, "k7", dev=True)
    keys.save(path, replaced)
    with pytest.raises(KeyRingError, match="development"):
        serving.unwrap(replaced.wrap(b"k" * 32, aad=b"d"), aad=b"d")
    assert serving.key_ids == ["k1"]


def test_a_running_container_reads_documents_after_a_cli_rotation(
    runner: CliRunner, tmp_path: Path, database_url: str
) -> None:
    """`serve` (a container built before) keeps reading after `dmp keys rotate --generate`."""
    ring_file = tmp_path / "keyring.json"
    assert invoke(runner, {}, "keys", "generate", "--output", str(ring_file)).exit_code == 0
    env: dict[str, str | None] = {
        "DMP_ENVIRONMENT": "test",
        "DMP_DATA_DIR": str(tmp_path),
        "DMP_DATABASE_URL": database_url,
        "DMP_SECRET_KEY": TEST_SECRET,
        "DMP_ARGON2_TIME_COST": "1",
        "DMP_ARGON2_MEMORY_KIB": "8",
        "DMP_ARGON2_PARALLELISM": "1",
        "DMP_EMAIL_BACKEND": "memory",
        "DMP_KEYRING": None,
        "DMP_KEYRING_FILE": str(ring_file),
    }
    assert invoke(runner, env, "migrate").exit_code == 0
    seeded = invoke(runner, env, "demo")
    assert seeded.exit_code == 0, seeded.output

    settings = Settings(
        environment="test",  # type: ignore[arg-type]
        data_dir=tmp_path,
        database_url=database_url,
        secret_key=SecretStr(TEST_SECRET),
        keyring_file=ring_file,
    )
    running = build_container(settings)
    try:
        assert running.keks.active == "k1"
        rotated = invoke(runner, env, "keys", "rotate", "--generate")
        assert rotated.exit_code == 0, rotated.output
        assert "re-wrapped under k2" in rotated.output

        with running.sessions() as session:
            rows = list(session.scalars(select(DocumentRow)))
        assert rows
        assert {row.kek_id for row in rows} == {"k2"}
        for row in rows:
            assert row.wrapped_key is not None
            assert row.kek_id is not None
            data_key = running.keks.unwrap(
                WrappedKey(row.kek_id, row.wrapped_key), aad=aad(row.patient_id, row.id)
            )
            content = b"".join(
                envelope.decrypt(
                    data_key, running.blobs.open(row.blob_key), aad=aad(row.patient_id, row.id)
                )
            )
            assert content
        assert running.keks.active == "k2"
    finally:
        running.dispose()
