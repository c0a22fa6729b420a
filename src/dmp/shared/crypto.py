"""Keys and small cryptographic helpers.

One root secret (``DMP_SECRET_KEY``) is stretched with HKDF into one key per purpose, so a key
used to sign tokens is never also used to encrypt a field. Field encryption is AES-256-GCM with
the purpose and the owning row bound in as associated data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from dmp.config import DEV_SECRET_PREFIX, Environment, Settings

_FIELD_VERSION = "v1"


def load_root_secret(settings: Settings) -> bytes:
    """The root secret: from the environment, or (development/test) a key file made on demand.

    The development file is created with mode 0600 and its content starts with ``dev-`` so that
    production, which refuses such values, cannot be started with it by accident.
    """
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode()
    if settings.environment is Environment.production:  # also refused by Settings itself
        raise RuntimeError("DMP_SECRET_KEY must be set in production")
    path = settings.data_dir / "keys" / "secret.key"
    if not path.exists():
        _create_private_file(path, DEV_SECRET_PREFIX + secrets.token_urlsafe(48))
    return path.read_text().strip().encode()


def _create_private_file(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(content + "\n")


class KeyRing:
    """Purpose-bound keys derived from the root secret."""

    def __init__(self, root_secret: bytes) -> None:
        if len(root_secret) < 16:
            raise ValueError("root secret too short")
        self._root = root_secret

    def derive(self, purpose: str, length: int = 32) -> bytes:
        return HKDF(
            algorithm=hashes.SHA256(), length=length, salt=b"dmp-v1", info=purpose.encode()
        ).derive(self._root)

    def field_cipher(self, purpose: str) -> FieldCipher:
        return FieldCipher(self.derive(f"field:{purpose}"))


class FieldCipher:
    """AES-256-GCM for small secrets stored in a column (TOTP seeds, for instance)."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def encrypt(self, plaintext: bytes, *, context: str) -> str:
        nonce = os.urandom(12)
        sealed = self._aead.encrypt(nonce, plaintext, context.encode())
        return f"{_FIELD_VERSION}:{_b64(nonce)}:{_b64(sealed)}"

    def decrypt(self, token: str, *, context: str) -> bytes:
        try:
            version, nonce, sealed = token.split(":")
            if version != _FIELD_VERSION:
                raise ValueError(f"unknown field encryption version {version!r}")
            return self._aead.decrypt(_unb64(nonce), _unb64(sealed), context.encode())
        except (ValueError, InvalidTag) as exc:
            raise ValueError("encrypted field cannot be decrypted") from exc


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_digest(token: str) -> str:
    """Digest under which a high-entropy bearer secret (session id, refresh token) is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def keyed_digest(key: bytes, value: str) -> str:
    """HMAC-SHA256, for low-entropy secrets (one-time codes) that must not be brute-forced
    offline from a stolen database."""
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def constant_time_equals(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


def random_digits(count: int) -> str:
    return "".join(secrets.choice("0123456789") for _ in range(count))
