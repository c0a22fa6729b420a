"""Where encrypted content lives: a port with a local-files adapter and an in-memory one.

Keys are built by the application (patient, document, version), never taken from a user; they
are checked anyway so a bug cannot escape the store's directory.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import threading
import uuid
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

_KEY = re.compile(r"^[a-z0-9][a-z0-9\-]*(/[a-z0-9][a-z0-9\-]*){0,4}$")
READ_CHUNK = 64 * 1024


class BlobNotFound(LookupError):
    pass


def check_key(key: str) -> str:
    if not _KEY.match(key):
        raise ValueError(f"invalid blob key {key!r}")
    return key


class BlobStore(Protocol):
    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        """Store the chunks under ``key`` atomically (all or nothing); returns the size.
        An existing blob with that key is replaced."""
        ...

    def open(self, key: str) -> Iterator[bytes]:
        """The stored bytes, in chunks. Raises :class:`BlobNotFound`."""
        ...

    def delete(self, key: str) -> None:
        """Remove the blob; removing a missing blob is not an error."""
        ...

    def keys(self) -> Iterator[str]:
        """Every stored key (for the orphan sweep)."""
        ...

    def modified_at(self, key: str) -> dt.datetime | None:
        """When the blob was written (None if it does not exist)."""
        ...


class LocalBlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.parent / f".{path.name}.{uuid.uuid4().hex}.part"
        size = 0
        try:
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
                    size += len(chunk)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
        return size

    def open(self, key: str) -> Iterator[bytes]:
        path = self._path(key)
        try:
            handle = path.open("rb")
        except FileNotFoundError as exc:
            raise BlobNotFound(key) from exc
        return _read_all(handle)

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def keys(self) -> Iterator[str]:
        for path in self.root.rglob("*"):
            if path.is_file() and not path.name.startswith("."):
                yield path.relative_to(self.root).as_posix()

    def modified_at(self, key: str) -> dt.datetime | None:
        try:
            return dt.datetime.fromtimestamp(self._path(key).stat().st_mtime, dt.UTC)
        except FileNotFoundError:
            return None


def _read_all(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(READ_CHUNK):
            yield chunk


class MemoryBlobStore:
    """For tests: same contract, nothing on disk."""

    def __init__(self) -> None:
        self._blobs: dict[str, bytes] = {}
        self._written: dict[str, dt.datetime] = {}
        self._lock = threading.Lock()

    def put(self, key: str, chunks: Iterable[bytes]) -> int:
        data = b"".join(chunks)
        with self._lock:
            self._blobs[check_key(key)] = data
            self._written[key] = dt.datetime.now(dt.UTC)
        return len(data)

    def modified_at(self, key: str) -> dt.datetime | None:
        with self._lock:
            return self._written.get(key)

    def open(self, key: str) -> Iterator[bytes]:
        with self._lock:
            data = self._blobs.get(check_key(key))
        if data is None:
            raise BlobNotFound(key)
        return iter([data[i : i + READ_CHUNK] for i in range(0, len(data), READ_CHUNK)] or [b""])

    def delete(self, key: str) -> None:
        with self._lock:
            self._blobs.pop(check_key(key), None)
            self._written.pop(key, None)

    def keys(self) -> Iterator[str]:
        with self._lock:
            return iter(sorted(self._blobs))
