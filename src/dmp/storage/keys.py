"""Key-encryption keys (KEKs): a versioned key ring that wraps each document's data key.

The ring comes from ``DMP_KEYRING`` (JSON) or ``DMP_KEYRING_FILE``; in development and tests it
is created in ``<data_dir>/keys/keyring.json`` (mode 0600) and marked ``"dev": true``, which
production refuses. Format::

    {"active": "k2", "keys": {"k1": "<base64 32 bytes>", "k2": "…"}, "dev": false}

``dmp keys generate`` writes a first ring (one key, not marked dev). Rotation adds a key and makes
it active; ``dmp keys rotate`` then re-wraps every data key under it without touching any content.
Old keys stay in the ring until nothing uses them.

A ring read from a file remembers it: asked to unwrap with a key id it does not hold (a rotation
ran in another process), it reads the file again once, then retries. A ring given inline in
``DMP_KEYRING`` cannot be reread: the processes must be restarted after a rotation.
"""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import os
import re
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from dmp.config import Environment, Settings

_KEY_ID = re.compile(r"^[A-Za-z0-9_\-]{1,32}$")
log = logging.getLogger("dmp.keys")


class KeyRingError(RuntimeError):
    """The key ring is missing, malformed, or unsuitable for this environment."""


@dataclass(frozen=True)
class WrappedKey:
    kek_id: str
    blob: str  # base64(nonce | AES-GCM(kek, data key))


@dataclass(frozen=True)
class _State:
    keys: dict[str, bytes]
    active: str


class KeyEncryptionKeys:
    """The ring. ``source`` is the file it was read from, if any: an unknown key id makes it
    reread that file once (thread-safe) before giving up."""

    def __init__(
        self, keys: dict[str, bytes], active: str, *, dev: bool, source: Path | None = None
    ) -> None:
        self._state = _checked(keys, active)
        self.dev = dev
        self.source = source
        self._reload_lock = threading.Lock()

    @property
    def active(self) -> str:
        return self._state.active

    @property
    def key_ids(self) -> list[str]:
        return sorted(self._state.keys)

    def wrap(self, data_key: bytes, *, aad: bytes) -> WrappedKey:
        state = self._state  # one read: a concurrent reload swaps keys and active together
        nonce = os.urandom(12)
        sealed = AESGCM(state.keys[state.active]).encrypt(nonce, data_key, b"dmp-dek:" + aad)
        return WrappedKey(state.active, base64.b64encode(nonce + sealed).decode())

    def unwrap(self, wrapped: WrappedKey, *, aad: bytes) -> bytes:
        key = self._state.keys.get(wrapped.kek_id)
        if key is None and self.source is not None:
            self._reload(wanted=wrapped.kek_id)
            key = self._state.keys.get(wrapped.kek_id)
        if key is None:
            raise KeyRingError(f"key {wrapped.kek_id!r} is no longer in the key ring")
        raw = base64.b64decode(wrapped.blob)
        try:
            return AESGCM(key).decrypt(raw[:12], raw[12:], b"dmp-dek:" + aad)
        except InvalidTag as exc:
            raise KeyRingError("a data key does not unwrap: wrong key ring or altered row") from exc

    def _reload(self, *, wanted: str) -> None:
        """Read the source file again (another process may have rotated the ring)."""
        assert self.source is not None
        with self._reload_lock:
            if wanted in self._state.keys:  # another thread reloaded meanwhile
                return
            try:
                text = self.source.read_text()
            except OSError as exc:
                raise KeyRingError(f"cannot reread the key ring file {self.source}") from exc
            fresh = parse(text)
            if fresh.dev and not self.dev:
                raise KeyRingError(f"{self.source} now holds a development key ring: refused")
            fresh.self_test()
            self._state = fresh._state
            log.info(
                "key ring reloaded from %s: keys %s, active %s",
                self.source,
                ", ".join(self.key_ids),
                self.active,
            )

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
        state = self._state
        return json.dumps(
            {
                "active": state.active,
                "keys": {k: base64.b64encode(v).decode() for k, v in sorted(state.keys.items())},
                "dev": self.dev,
            },
            indent=2,
        )

    def with_new_key(self) -> KeyEncryptionKeys:
        """A copy with one more key, made active (rotation's first step)."""
        keys = dict(self._state.keys)
        number = 1 + max((int(k[1:]) for k in keys if k[1:].isdigit()), default=0)
        keys[f"k{number}"] = os.urandom(32)
        return KeyEncryptionKeys(keys, f"k{number}", dev=self.dev, source=self.source)


def _checked(keys: dict[str, bytes], active: str) -> _State:
    if active not in keys:
        raise KeyRingError(f"active key {active!r} is not in the key ring")
    for key_id, key in keys.items():
        if not _KEY_ID.match(key_id):
            raise KeyRingError(f"invalid key id {key_id!r}")
        if len(key) != 32:
            raise KeyRingError(f"key {key_id!r} is not 256 bits")
    return _State(dict(keys), active)


def generate(*, dev: bool = False) -> KeyEncryptionKeys:
    """A fresh ring with one random key ``k1``, active (``dmp keys generate``)."""
    return KeyEncryptionKeys({"k1": os.urandom(32)}, "k1", dev=dev)


def parse(text: str, *, source: Path | None = None) -> KeyEncryptionKeys:
    try:
        document = json.loads(text)
        keys = {k: base64.b64decode(v, validate=True) for k, v in document["keys"].items()}
        return KeyEncryptionKeys(
            keys, document["active"], dev=bool(document.get("dev", False)), source=source
        )
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
            with contextlib.suppress(FileExistsError):  # another process made it first
                save(path, generate(dev=True), create=True)
        ring = parse(path.read_text(), source=path)
    if settings.environment is Environment.production and ring.dev:
        raise KeyRingError("refusing a development key ring in production")
    ring.self_test()
    return ring


def save(path: Path, ring: KeyEncryptionKeys, *, create: bool = False) -> None:
    """Write the ring atomically with mode 0600 (a new file next to it, then a rename).

    With ``create``, never replaces an existing file: raises :class:`FileExistsError` instead.
    """
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w") as handle:  # mkstemp: mode 0600, only we can open it
            handle.write(ring.to_json() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        if create:
            os.link(temporary, path)  # atomic, and fails if the path exists
        else:
            os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
