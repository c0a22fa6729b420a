"""Segmented AES-256-GCM envelopes: round trips, and every way of tampering fails."""

from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dmp.storage import envelope
from dmp.storage.envelope import DecryptionError, decrypt, encrypt, encrypted_size

KEY = bytes(range(32))
AAD = b"patient:p1:document:d1:version:1"


def seal(data: bytes, segment: int = 16, aad: bytes = AAD) -> bytes:
    return b"".join(encrypt(KEY, [data], aad=aad, segment_size=segment))


def opened(sealed: bytes, aad: bytes = AAD, key: bytes = KEY, chunk: int = 7) -> bytes:
    pieces = [sealed[i : i + chunk] for i in range(0, len(sealed), chunk)]
    return b"".join(decrypt(key, pieces, aad=aad))


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=200), segment=st.integers(1, 40), chunk=st.integers(1, 50))
def test_round_trip_any_size_any_chunking(data: bytes, segment: int, chunk: int) -> None:
    sealed = seal(data, segment)
    assert len(sealed) == encrypted_size(len(data), segment)
    assert opened(sealed, chunk=chunk) == data


def test_exact_multiple_of_the_segment_size() -> None:
    assert opened(seal(b"x" * 64, 16)) == b"x" * 64


def test_empty_content() -> None:
    assert opened(seal(b"")) == b""


def test_same_content_encrypts_differently() -> None:
    assert seal(b"same") != seal(b"same")


def test_wrong_context_or_key_fails() -> None:
    sealed = seal(b"compte rendu")
    with pytest.raises(DecryptionError):
        opened(sealed, aad=b"patient:p2:document:d1:version:1")
    with pytest.raises(DecryptionError):
        opened(sealed, key=os.urandom(32))


@pytest.mark.parametrize("position", [0, 5, 20, -1])
def test_flipped_bit_fails(position: int) -> None:
    sealed = bytearray(seal(b"a" * 50))
    sealed[position] ^= 0x01
    with pytest.raises(DecryptionError):
        opened(bytes(sealed))


def test_truncation_at_a_segment_boundary_fails() -> None:
    data = b"b" * 64
    sealed = seal(data, 16)
    segment = 16 + envelope.TAG_SIZE
    without_last = sealed[: envelope.HEADER_SIZE + 4 * segment]
    with pytest.raises(DecryptionError):
        opened(without_last)


def test_reordered_segments_fail() -> None:
    sealed = seal(b"0123456789abcdef" * 3, 16)
    segment = 16 + envelope.TAG_SIZE
    header, body = sealed[: envelope.HEADER_SIZE], sealed[envelope.HEADER_SIZE :]
    parts = [body[i : i + segment] for i in range(0, len(body), segment)]
    swapped = header + parts[1] + parts[0] + b"".join(parts[2:])
    with pytest.raises(DecryptionError):
        opened(swapped)


def test_segments_spliced_from_another_envelope_fail() -> None:
    one, other = seal(b"c" * 40, 16), seal(b"c" * 40, 16)
    spliced = one[: envelope.HEADER_SIZE + 32] + other[envelope.HEADER_SIZE + 32 :]
    with pytest.raises(DecryptionError):
        opened(spliced)


def test_not_an_envelope() -> None:
    with pytest.raises(DecryptionError):
        opened(b"%PDF-1.7 plain text")
