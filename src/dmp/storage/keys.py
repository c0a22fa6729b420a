"""Key-encryption keys (KEKs): a versioned key ring that wraps each document's data key.

The ring comes from ``DMP_KEYRING`` (JSON) or ``DMP_KEYRING_FILE``; in development and tests it
is created in ``<data_dir>/keys/keyring.json`` (mode 0600) and marked ``"dev": true``, which
production refuses. Format::

    {"active": "k2", "keys": {"k1": "<base64 32 bytes>", "k2": "…"}, "dev": false}

Rotation adds a key and makes it active; ``dmp keys rotate`` then re-wraps every data key under
it without touching any content. Old keys stay in the ring until nothing uses them.
"""

from __future__ import annotations

import base64
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dmp.config import Environment, Settings

_KEY_ID = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")


class KeyRingError(RuntimeError):
    """The key ring is missing, malformed, or unsuitable for this environment."""


@dataclass(frozen=True)
class WrappedKey:
    kek_id: str
    blob: str  # base64(nonce | AES-GCM(kek, data key))


class KeyEncryptionKeys:
    def __init__(self, keys: dict[str, bytes], active: str, *, dev: bool) -> None:
        if active not in keys:
            raise KeyRingError(f"active key {active!r} is not in the key ring")
        for key_id, key in keys.items():
            if not _KEY_ID.match(key_id):
                raise KeyRingError(f"invalid key id {key_id!r}")
            if len(key) != 32:
                raise KeyRingError(f"key {key_id!r} is not 256 bits")
        self._keys = dict(keys)
        self.active = active
        self.dev = dev

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._keys)

    def wrap(self, data_key: bytes, *, aad: bytes) -> WrappedKey:
        nonce = os.urandom(12)
        sealed = AESGCM(self._keys[self.active]).encrypt(nonce, data_key, b"dmp-dek:" + aad)
        return WrappedKey(self.active, base64.b64encode(nonce + sealed).decode())

    def unwrap(self, wrapped: WrappedKey, *, aad: bytes) -> bytes:
        key = self._keys.get(wrapped.kek_id)
        if key is None:
            raise KeyRingError(f"key {wrapped.kek_id!r} is no longer in the key ring")
        raw = base64.b64decode(wrapped.blob)
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], b"dmp-dek:" + aad)
        except InvalidTag as exc:
            raise KeyRingError("a data key does not unwrap: wrong key ring or altered row") from exc

    def rewrap(self, wrapped: WrappedKey, *, aad: bytes) -> WrappedKey:
        """The same data key under the active KEK (content untouched)."""
        if wrapped.kek_id == self.active:
            return wrapped
        return self.wrap(self.unwrap(wrapped, aad=aad), aad=aad)

    def self_test(self) -> None:
        probe = os.urandom(32)
        if self.unwrap(self.wrap(probe, aad=b"self-test"), aad=b"self-test") != probe:
            raise KeyRingError("key ring self-test failed")

    def to_json(self) -> str:
        return json.dumps(
            {
                "active": self.active,
                "keys": {k: base64.b64encode(v).decode() for k, v in sorted(self._keys.items())},
                "dev": self.dev,
            },
            indent=2,
        )

    def with_new_key(self) -> KeyEncryptionKeys:
        """A copy with one more key, made active (rotation's first step)."""
        number = 1 + max((int(k[1:]) for k in self._keys if k[1:].isdigit()), default=0)
        keys = dict(self._keys)
        keys[f"k{number}"] = os.urandom(32)
        return KeyEncryptionKeys(keys, f"k{number}", dev=self.dev)


def parse(text: str) -> KeyEncryptionKeys:
    try:
        document = json.loads(text)
        keys = {k: base64.b64decode(v, validate=True) for k, v in document["keys"].items()}
        return KeyEncryptionKeys(keys, document["active"], dev=bool(document.get("dev", False)))
    except KeyRingError:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise KeyRingError("the key ring is not valid JSON of the documented shape") from exc


def dev_keyring_path(settings: Settings) -> Path:
    return settings.data_dir / "keys" / "keyring.json"


def keyring_file(settings: Settings) -> Path | None:
    """The file holding the ring, when it lives in one (so rotation can add a key to it)."""
    if settings.keyring is not None:
        return None
    if settings.keyring_file is not None:
        return settings.keyring_file
    if settings.environment is Environment.production:
        return None
    return dev_keyring_path(settings)


def load(settings: Settings) -> KeyEncryptionKeys:
    """The key ring for these settings; creates the development ring on first use.

    Raises :class:`KeyRingError` when it is missing, unreadable, fails its self-test, or is a
    development ring in production: the app must not start without a usable ring.
    """
    if settings.keyring is not None:
        ring = parse(settings.keyring.get_secret_value())
    else:
        path = keyring_file(settings)
        if path is None:
            raise KeyRingError("set DMP_KEYRING or DMP_KEYRING_FILE (production has no default)")
        if not path.exists():
            if settings.keyring_file is not None:
                raise KeyRingError(f"DMP_KEYRING_FILE {path} does not exist")
            save(path, KeyEncryptionKeys({"k1": os.urandom(32)}, "k1", dev=True), create=True)
        ring = parse(path.read_text())
    if settings.environment is Environment.production and ring.dev:
        raise KeyRingError("refusing a development key ring in production")
    ring.self_test()
    return ring


def save(path: Path, ring: KeyEncryptionKeys, *, create: bool = False) -> None:
    """Write the ring atomically with mode 0600 (a new file next to it, then a rename)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    temporary = path.with_suffix(".tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    fd = os.open(temporary, flags, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(ring.to_json() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    if create and path.exists():
        temporary.unlink()
        raise KeyRingError(f"{path} appeared while creating it")
    os.replace(temporary, path)
