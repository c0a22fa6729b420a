"""Queued messages leave only after the commit, and only if their own work was kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from dmp.notifications import outbox
from dmp.notifications.adapters import Dispatcher, MemoryOutbox
from dmp.notifications.ports import Message
from dmp.shared.db import create_db_engine, make_session_factory


def message(to: str) -> Message:
    return Message(channel="email", to=to, subject="s", body="b")


@pytest.fixture
def setup(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = create_db_engine(f"sqlite:///{tmp_path / 'o.db'}")
    factory = make_session_factory(engine)
    sent = MemoryOutbox()
    outbox.install(factory, Dispatcher(email=sent, sms=MemoryOutbox()))
    yield factory, sent
    engine.dispose()


def test_sent_after_commit_not_before(setup) -> None:  # type: ignore[no-untyped-def]
    factory, sent = setup
    with factory() as session:
        session.begin()
        outbox.queue(session, message("a@x.test"))
        assert sent.messages() == []
        session.commit()
    assert [m.to for m in sent.messages()] == ["a@x.test"]


def test_dropped_on_rollback(setup) -> None:  # type: ignore[no-untyped-def]
    factory, sent = setup
    with factory() as session:
        session.begin()
        outbox.queue(session, message("a@x.test"))
        session.rollback()
        session.begin()
        session.commit()
    assert sent.messages() == []


def test_savepoint_rollback_drops_only_its_own_messages(setup) -> None:  # type: ignore[no-untyped-def]
    factory, sent = setup
    with factory() as session:
        session.begin()
        outbox.queue(session, message("before@x.test"))
        savepoint = session.begin_nested()
        outbox.queue(session, message("inside@x.test"))
        savepoint.rollback()
        kept = session.begin_nested()
        outbox.queue(session, message("released@x.test"))
        kept.commit()
        session.commit()
    assert [m.to for m in sent.messages()] == ["before@x.test", "released@x.test"]
