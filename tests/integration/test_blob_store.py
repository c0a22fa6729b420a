"""Both blob stores honour the same contract; the local one writes atomically."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from dmp.storage.blobs import BlobNotFound, BlobStore, LocalBlobStore, MemoryBlobStore


@pytest.fixture(params=["local", "memory"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    return LocalBlobStore(tmp_path / "blobs") if request.param == "local" else MemoryBlobStore()


def test_put_open_delete(store: BlobStore) -> None:
    assert store.put("p1/d1/1", [b"abc", b"def"]) == 6
    assert b"".join(store.open("p1/d1/1")) == b"abcdef"
    assert list(store.keys()) == ["p1/d1/1"]
    store.delete("p1/d1/1")
    store.delete("p1/d1/1")
    with pytest.raises(BlobNotFound):
        b"".join(store.open("p1/d1/1"))


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "A/b", "a/b/../c", ""])
def test_keys_cannot_escape(store: BlobStore, key: str) -> None:
    with pytest.raises(ValueError, match="invalid blob key"):
        store.put(key, [b"x"])


def test_interrupted_write_leaves_nothing(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")

    def failing() -> Iterator[bytes]:
        yield b"first part"
        raise ConnectionError("client went away")

    with pytest.raises(ConnectionError):
        store.put("p1/d1/1", failing())
    assert list(store.keys()) == []
    assert [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()] == []


def test_replacing_keeps_the_old_content_until_the_new_is_complete(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    store.put("p1/d1/1", [b"old"])

    def failing() -> Iterator[bytes]:
        yield b"new"
        raise ConnectionError

    with pytest.raises(ConnectionError):
        store.put("p1/d1/1", failing())
    assert b"".join(store.open("p1/d1/1")) == b"old"
