"""The key-encryption key ring: wrapping, rotation, loading and refusals."""

from __future__ import annotations

import base64
import json
import os
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from dmp.config import Settings
from dmp.storage import keys
from dmp.storage.keys import KeyEncryptionKeys, KeyRingError

SECRET = "s" * 40


def ring(**extra: bytes) -> KeyEncryptionKeys:
    return KeyEncryptionKeys({"k1": os.urandom(32), **extra}, "k1", dev=False)


def test_wrap_unwrap_bound_to_the_context() -> None:
    kek = ring()
    data_key = os.urandom(32)
    wrapped = kek.wrap(data_key, aad=b"doc-1")
    assert wrapped.kek_id == "k1"
    assert kek.unwrap(wrapped, aad=b"doc-1") == data_key
    with pytest.raises(KeyRingError):
        kek.unwrap(wrapped, aad=b"doc-2")


def test_rotation_rewraps_the_same_data_key() -> None:
    old = ring()
    data_key = os.urandom(32)
    wrapped = old.wrap(data_key, aad=b"d")
    new = old.with_new_key()
    assert new.active == "k2"
    assert new.key_ids == ["k1", "k2"]
    moved = new.rewrap(wrapped, aad=b"d")
    assert moved.kek_id == "k2"
    assert new.unwrap(moved, aad=b"d") == data_key
    assert new.rewrap(moved, aad=b"d") is moved


def test_a_removed_key_is_reported() -> None:
    wrapped = ring().with_new_key().wrap(b"x" * 32, aad=b"d")
    only_first = KeyEncryptionKeys({"k1": os.urandom(32)}, "k1", dev=False)
    with pytest.raises(KeyRingError, match="no longer"):
        only_first.unwrap(wrapped, aad=b"d")


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        json.dumps({"active": "k1", "keys": {}}),
        json.dumps({"active": "k1", "keys": {"k1": base64.b64encode(b"short").decode()}}),
        json.dumps({"active": "k1", "keys": {"bad id!": base64.b64encode(b"x" * 32).decode()}}),
    ],
)
def test_malformed_rings_are_refused(text: str) -> None:
    with pytest.raises(KeyRingError):
        keys.parse(text)


def test_development_ring_is_created_private(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key=SecretStr(SECRET))
    loaded = keys.load(settings)
    path = tmp_path / "keys" / "keyring.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert loaded.dev
    assert keys.load(settings).key_ids == loaded.key_ids  # reused, not recreated


def test_production_refuses_a_development_ring_or_none(tmp_path: Path) -> None:
    dev_ring = KeyEncryptionKeys({"k1": os.urandom(32)}, "k1", dev=True).to_json()
    production = {
        "environment": "production",
        "secret_key": SecretStr(SECRET),
        "email_backend": "smtp",
        "sms_backend": "disabled",
        "dpo_contact_email": "dpo@sante.example.fr",
        "dpo_postal_address": "DPO, 10 rue de la République, 69001 Lyon",
        "data_dir": tmp_path,
    }
    with pytest.raises(KeyRingError, match="DMP_KEYRING"):
        keys.load(Settings(**production))  # type: ignore[arg-type]
    with pytest.raises(KeyRingError, match="development"):
        keys.load(Settings(**production, keyring=SecretStr(dev_ring)))  # type: ignore[arg-type]
    good = ring().to_json()
    assert keys.load(Settings(**production, keyring=SecretStr(good))).active == "k1"  # type: ignore[arg-type]


def test_missing_keyring_file_is_refused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, keyring_file=tmp_path / "absent.json")
    with pytest.raises(KeyRingError, match="does not exist"):
        keys.load(settings)
