"""The audit trail in a real database: chains, tamper detection, append-only, concurrency."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from dmp.audit import services as audit
from dmp.audit.model import AuditAction, Outcome
from dmp.audit.orm import AuditChainHead, AuditEventRow
from dmp.shared.clock import SystemClock
from dmp.shared.context import RequestContext
from dmp.shared.db import create_db_engine, make_session_factory, transaction

CTX = RequestContext(ip="192.0.2.10", request_id="req-1", channel="test")
CLOCK = SystemClock()


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    built = create_db_engine(database_url)
    yield built
    built.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


def write(factory: sessionmaker[Session], chain: str, count: int, **details: str) -> None:
    for index in range(count):
        with transaction(factory) as session:
            audit.record(
                session,
                CLOCK,
                chain=chain,
                action=AuditAction.AuthLoginFailure,
                context=CTX,
                outcome=Outcome.failure,
                details={"n": str(index), "note": "é ü 💊", **details},
            )


def tamper(engine: Engine, *statements: str, **params: object) -> None:
    """What an attacker with database rights does: bypass the append-only triggers.

    PostgreSQL: disable triggers for this transaction only (the schema is shared by the
    worker's tests); SQLite: drop them (each test has its own database file).
    """
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_update"))
            connection.execute(text("DROP TRIGGER IF EXISTS audit_events_no_delete"))
        for statement in statements:
            connection.execute(text(statement), params)


def verify(factory: sessionmaker[Session]) -> audit.VerifyReport:
    with factory() as session:
        return audit.verify_all(session, batch_size=3)


def test_intact_chains_verify(factory: sessionmaker[Session]) -> None:
    write(factory, "patient:a", 7)
    write(factory, "account:b", 2)
    report = verify(factory)
    assert report.ok
    assert (report.chains, report.entries) == (2, 9)


def test_entry_is_rolled_back_with_its_transaction(factory: sessionmaker[Session]) -> None:
    def failing_change() -> None:
        with transaction(factory) as session:
            audit.record(session, CLOCK, chain="c", action=AuditAction.AuthLogout, context=CTX)
            raise RuntimeError("the change failed")

    with pytest.raises(RuntimeError):
        failing_change()
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(AuditEventRow)) == 0
    assert verify(factory).ok


def test_database_refuses_update_and_delete(factory: sessionmaker[Session]) -> None:
    write(factory, "c", 1)
    for statement in ("UPDATE audit_events SET outcome = 'success'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), transaction(factory) as session:
            session.execute(text(statement))
    assert verify(factory).ok


def test_altered_entry_is_named(engine: Engine, factory: sessionmaker[Session]) -> None:
    write(factory, "c", 5)
    with factory() as session:
        third = session.scalars(select(AuditEventRow).where(AuditEventRow.seq == 3)).one()
        target_id = third.id
    tamper(engine, "UPDATE audit_events SET outcome = 'success' WHERE id = :id", id=target_id)
    report = verify(factory)
    assert not report.ok
    [broken] = report.breaks
    assert broken.chain == "c"
    assert broken.seq == 3
    assert broken.entry_id == target_id
    assert "hash" in broken.reason


def test_removed_entries_are_detected(engine: Engine, factory: sessionmaker[Session]) -> None:
    write(factory, "middle", 4)
    write(factory, "tail", 4)
    tamper(
        engine,
        "DELETE FROM audit_events WHERE chain = 'middle' AND seq = 2",
        "DELETE FROM audit_events WHERE chain = 'tail' AND seq = 4",
    )
    breaks = {b.chain: b for b in verify(factory).breaks}
    assert breaks["middle"].seq == 2
    assert "missing" in breaks["middle"].reason
    assert breaks["tail"].seq == 4
    assert "head" in breaks["tail"].reason


def test_rewritten_chain_is_detected_by_its_head(
    engine: Engine, factory: sessionmaker[Session]
) -> None:
    write(factory, "c", 3)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_chain_heads"))
    [broken] = verify(factory).breaks
    assert "head is missing" in broken.reason


def test_concurrent_writers_on_one_chain(factory: sessionmaker[Session]) -> None:
    threads, per_thread = 4, 15
    errors: list[BaseException] = []
    barrier = threading.Barrier(threads)

    def worker(name: str) -> None:
        try:
            barrier.wait()
            write(factory, "patient:shared", per_thread, writer=name)
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    with factory() as session:
        seqs = session.scalars(
            select(AuditEventRow.seq)
            .where(AuditEventRow.chain == "patient:shared")
            .order_by(AuditEventRow.seq)
        ).all()
        head = session.get(AuditChainHead, "patient:shared")
    assert list(seqs) == list(range(1, threads * per_thread + 1))
    assert head is not None
    assert head.last_seq == threads * per_thread
    assert verify(factory).ok


def test_concurrent_first_entries_on_new_chains(factory: sessionmaker[Session]) -> None:
    chain = f"patient:{uuid.uuid4()}"
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            write(factory, chain, 1)
        except BaseException as exc:
            errors.append(exc)

    pool = [threading.Thread(target=worker) for _ in range(3)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    assert errors == []
    report = verify(factory)
    assert report.ok
    assert report.entries == 3
