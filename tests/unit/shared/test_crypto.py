"""Key derivation, field encryption and the development root secret."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from dmp.config import Environment, Settings
from dmp.shared.crypto import (
    FieldCipher,
    KeyRing,
    constant_time_equals,
    keyed_digest,
    load_root_secret,
    new_token,
    random_digits,
    token_digest,
)

ROOT = b"0123456789abcdef0123456789abcdef"


@pytest.fixture(autouse=True)
def _no_dmp_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("DMP_"):
            monkeypatch.delenv(name)


# --- KeyRing ----------------------------------------------------------------------------------


def test_derive_is_deterministic() -> None:
    assert KeyRing(ROOT).derive("tokens") == KeyRing(ROOT).derive("tokens")


def test_derive_differs_per_purpose() -> None:
    ring = KeyRing(ROOT)
    keys = {ring.derive(p) for p in ("tokens", "field:totp", "otp", "csrf", "")}
    assert len(keys) == 5


def test_derive_differs_per_root() -> None:
    assert KeyRing(ROOT).derive("tokens") != KeyRing(ROOT + b"x").derive("tokens")


def test_derive_length() -> None:
    ring = KeyRing(ROOT)
    assert len(ring.derive("tokens")) == 32
    assert len(ring.derive("tokens", 64)) == 64
    assert ring.derive("tokens", 64) != ring.derive("tokens") + ring.derive("tokens")


def test_derived_key_is_not_the_root() -> None:
    assert KeyRing(ROOT).derive("tokens") != ROOT[:32]


def test_root_secret_too_short() -> None:
    with pytest.raises(ValueError, match="too short"):
        KeyRing(b"x" * 15)
    KeyRing(b"x" * 16)


# --- FieldCipher ------------------------------------------------------------------------------


@pytest.fixture
def cipher() -> FieldCipher:
    return KeyRing(ROOT).field_cipher("totp")


@pytest.mark.parametrize(
    "plaintext", [b"", b"JBSWY3DPEHPK3PXP", "é€🐘".encode(), bytes(range(256))]
)
def test_round_trip(cipher: FieldCipher, plaintext: bytes) -> None:
    token = cipher.encrypt(plaintext, context="account:1")
    assert token.startswith("v1:")
    assert len(token.split(":")) == 3
    assert cipher.decrypt(token, context="account:1") == plaintext


def test_encryption_is_randomised(cipher: FieldCipher) -> None:
    a = cipher.encrypt(b"seed", context="account:1")
    b = cipher.encrypt(b"seed", context="account:1")
    assert a != b
    assert "seed" not in a


def test_same_key_from_a_new_ring(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"seed", context="account:1")
    assert KeyRing(ROOT).field_cipher("totp").decrypt(token, context="account:1") == b"seed"


def test_wrong_context_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"seed", context="account:1")
    with pytest.raises(ValueError, match="cannot be decrypted"):
        cipher.decrypt(token, context="account:2")


def test_other_purpose_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"seed", context="account:1")
    with pytest.raises(ValueError, match="cannot be decrypted"):
        KeyRing(ROOT).field_cipher("other").decrypt(token, context="account:1")


def test_other_root_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"seed", context="account:1")
    with pytest.raises(ValueError, match="cannot be decrypted"):
        KeyRing(b"another root secret!").field_cipher("totp").decrypt(token, context="account:1")


def _flip(text: str, index: int) -> str:
    replacement = "A" if text[index] != "A" else "B"
    return text[:index] + replacement + text[index + 1 :]


@pytest.mark.parametrize("part", [1, 2])
def test_tampered_token_fails(cipher: FieldCipher, part: int) -> None:
    token = cipher.encrypt(b"seed value", context="account:1")
    pieces = token.split(":")
    pieces[part] = _flip(pieces[part], 0)
    with pytest.raises(ValueError, match="cannot be decrypted"):
        cipher.decrypt(":".join(pieces), context="account:1")


def test_truncated_token_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"seed value", context="account:1")
    with pytest.raises(ValueError, match="cannot be decrypted"):
        cipher.decrypt(token[:-4], context="account:1")


@pytest.mark.parametrize("token", ["", "v1", "v1:abc", "v1:a:b:c", "v2:AAAA:AAAA", "v1:!!:??"])
def test_malformed_token_fails(cipher: FieldCipher, token: str) -> None:
    with pytest.raises(ValueError, match="cannot be decrypted"):
        cipher.decrypt(token, context="account:1")


def test_unknown_version_fails(cipher: FieldCipher) -> None:
    token = cipher.encrypt(b"seed", context="account:1")
    with pytest.raises(ValueError, match="cannot be decrypted"):
        cipher.decrypt("v2" + token[2:], context="account:1")


# --- root secret ------------------------------------------------------------------------------


def test_development_secret_file_is_created(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    secret = load_root_secret(settings)
    path = tmp_path / "keys" / "secret.key"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) & 0o077 == 0
    assert secret.startswith(b"dev-")
    assert len(secret) > 40
    assert path.read_text().strip().encode() == secret


def test_development_secret_is_stable(tmp_path: Path) -> None:
    first = load_root_secret(Settings(data_dir=tmp_path))
    second = load_root_secret(Settings(data_dir=tmp_path))
    assert first == second
    KeyRing(first)  # long enough


def test_development_secrets_differ_per_data_dir(tmp_path: Path) -> None:
    a = load_root_secret(Settings(data_dir=tmp_path / "a"))
    b = load_root_secret(Settings(data_dir=tmp_path / "b"))
    assert a != b


def test_existing_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "secret.key"
    path.parent.mkdir()
    path.write_text("dev-mon-secret-de-developpement\n")
    assert load_root_secret(Settings(data_dir=tmp_path)) == b"dev-mon-secret-de-developpement"


def test_configured_secret_is_used(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, secret_key="un secret configuré assez long")
    assert load_root_secret(settings) == "un secret configuré assez long".encode()
    assert not (tmp_path / "keys").exists()


def test_secret_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DMP_SECRET_KEY", "secret-venant-de-l-environnement")
    settings = Settings(data_dir=tmp_path)
    assert load_root_secret(settings) == b"secret-venant-de-l-environnement"
    assert not (tmp_path / "keys").exists()


def test_test_environment_also_gets_a_dev_secret(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, environment=Environment.test)
    assert load_root_secret(settings).startswith(b"dev-")


# --- small helpers ----------------------------------------------------------------------------


def test_token_helpers() -> None:
    token = new_token()
    assert len(token) >= 43
    assert token != new_token()
    assert token_digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    assert keyed_digest(b"k", "123456") != keyed_digest(b"l", "123456")
    assert keyed_digest(b"k", "123456") == keyed_digest(b"k", "123456")
    assert constant_time_equals("abc", "abc")
    assert not constant_time_equals("abc", "abd")
    digits = random_digits(8)
    assert len(digits) == 8
    assert digits.isdigit()
