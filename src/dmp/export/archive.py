"""Writing the export's ZIP as a stream: nothing is ever held whole in memory or on disk.

``zipfile`` writes to a sink that cannot seek, so every entry carries a data descriptor; the
bytes it writes are handed on chunk by chunk (to the encryption, then the blob store). Each
file's SHA-256 is checked against what the record says as it is written, and its SHA-1 and size
are handed back for the FHIR attachment that points at it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from dmp.export.sections import ExportFile
from dmp.shared.i18n import DISPLAY_TZ

LARGE = 1 << 30  # entries that may reach ZIP64 sizes must say so before they are written


class IntegrityError(RuntimeError):
    """A file's bytes do not match the SHA-256 recorded when it was filed."""


@dataclass(frozen=True)
class Written:
    path: str
    size: int
    sha1: bytes
    sha256: str


class _Sink(io.RawIOBase):
    def __init__(self) -> None:
        super().__init__()
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._buffer.extend(data)
        return len(data)

    def drain(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


def _date_time(moment: dt.datetime) -> tuple[int, int, int, int, int, int]:
    local = moment.astimezone(DISPLAY_TZ)
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def zip_stream(
    files: Iterable[ExportFile],
    *,
    moment: dt.datetime,
    on_written: Callable[[ExportFile, Written], None] = lambda _file, _written: None,
) -> Iterator[bytes]:
    """The ZIP of ``files`` (taken lazily, in order), as chunks of bytes."""
    sink = _Sink()
    stamp = _date_time(moment)
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for item in files:
            info = zipfile.ZipInfo(item.path, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            sha1, sha256, size = hashlib.sha1(usedforsecurity=False), hashlib.sha256(), 0
            large = item.size is None or item.size >= LARGE
            with archive.open(info, "w", force_zip64=large) as handle:
                for chunk in item.open():
                    if not chunk:
                        continue
                    handle.write(chunk)
                    sha1.update(chunk)
                    sha256.update(chunk)
                    size += len(chunk)
                    if data := sink.drain():
                        yield data
            if item.sha256 is not None and sha256.hexdigest() != item.sha256:
                raise IntegrityError(f"{item.path}: content does not match its SHA-256")
            if item.size is not None and size != item.size:
                raise IntegrityError(f"{item.path}: {size} bytes where {item.size} were filed")
            on_written(item, Written(item.path, size, sha1.digest(), sha256.hexdigest()))
            if data := sink.drain():
                yield data
    if data := sink.drain():
        yield data
