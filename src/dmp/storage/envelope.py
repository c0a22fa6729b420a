"""Envelope encryption of document content, streamed in segments.

Each document version has its own 256-bit data key. Content is encrypted with AES-256-GCM in
fixed-size segments (the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár): every
segment's nonce is a random prefix, the segment number and a final-segment flag, and every
segment authenticates the header and the caller's associated data (patient, document,
version). Reordering, truncating, extending or splicing segments from another document all fail
authentication, and content can be decrypted and verified as it is read, never whole in memory.

Format::

    header  = b"DMPE" | version (1 byte) | segment size (4 bytes, big endian) | nonce prefix (7)
    segment = AES-256-GCM(key, prefix | counter (4 bytes) | last (1 byte), chunk, header | aad)
"""

from __future__ import annotations

import os
import struct
from collections.abc import Iterable, Iterator

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

MAGIC = b"DMPE"
VERSION = 1
SEGMENT_SIZE = 64 * 1024
TAG_SIZE = 16
HEADER_SIZE = 4 + 1 + 4 + 7
DATA_KEY_SIZE = 32


class DecryptionError(ValueError):
    """The content was altered, truncated, or does not belong to this key and context."""


def new_data_key() -> bytes:
    return os.urandom(DATA_KEY_SIZE)


def _nonce(prefix: bytes, counter: int, last: bool) -> bytes:
    if counter >= 2**32:
        raise ValueError("content too large for one envelope")
    return prefix + struct.pack(">IB", counter, 1 if last else 0)


def _rechunk(chunks: Iterable[bytes], size: int) -> Iterator[bytes]:
    buffer = bytearray()
    for chunk in chunks:
        buffer.extend(chunk)
        while len(buffer) >= size:
            yield bytes(buffer[:size])
            del buffer[:size]
    yield bytes(buffer)


def encrypt(
    key: bytes, chunks: Iterable[bytes], *, aad: bytes, segment_size: int = SEGMENT_SIZE
) -> Iterator[bytes]:
    """Encrypt a stream of plaintext chunks; yields the header, then one ciphertext segment
    per ``segment_size`` bytes of plaintext (the last one possibly shorter, even empty)."""
    aead = AESGCM(key)
    prefix = os.urandom(7)
    header = MAGIC + struct.pack(">BI", VERSION, segment_size) + prefix
    yield header
    associated = header + aad
    pending: bytes | None = None
    counter = 0
    for segment in _rechunk(chunks, segment_size):
        if pending is not None:
            yield aead.encrypt(_nonce(prefix, counter, False), pending, associated)
            counter += 1
        pending = segment
    # _rechunk always yields at least one (possibly empty) final segment.
    assert pending is not None
    yield aead.encrypt(_nonce(prefix, counter, True), pending, associated)


def decrypt(key: bytes, chunks: Iterable[bytes], *, aad: bytes) -> Iterator[bytes]:
    """Decrypt and authenticate a stream produced by :func:`encrypt`, segment by segment.

    Raises :class:`DecryptionError` at the first segment that does not authenticate, or at the
    end if the stream stops before its final segment.
    """
    aead = AESGCM(key)
    stream = _Reader(chunks)
    header = stream.read(HEADER_SIZE)
    if len(header) != HEADER_SIZE or header[:4] != MAGIC:
        raise DecryptionError("not an encrypted document")
    version, segment_size = struct.unpack(">BI", header[4:9])
    if version != VERSION or not 0 < segment_size <= 16 * 1024 * 1024:
        raise DecryptionError("unsupported envelope")
    prefix = header[9:]
    associated = header + aad
    counter = 0
    current = stream.read(segment_size + TAG_SIZE)
    while True:
        following = stream.read(segment_size + TAG_SIZE)
        last = not following
        try:
            yield aead.decrypt(_nonce(prefix, counter, last), current, associated)
        except InvalidTag as exc:
            raise DecryptionError(f"segment {counter} does not authenticate") from exc
        if last:
            return
        current = following
        counter += 1


class _Reader:
    """Reads exact amounts from an iterator of byte chunks of any size."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = bytearray()

    def read(self, size: int) -> bytes:
        while len(self._buffer) < size:
            chunk = next(self._chunks, None)
            if chunk is None:
                break
            self._buffer.extend(chunk)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data


def encrypted_size(plain_size: int, segment_size: int = SEGMENT_SIZE) -> int:
    segments = plain_size // segment_size + 1
    return HEADER_SIZE + plain_size + segments * TAG_SIZE
