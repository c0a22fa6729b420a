"""Messages queued by a service are sent only once its transaction has committed.

A code e-mailed before the commit could refer to a challenge that was rolled back; one e-mailed
after is always backed by the database. Each message remembers the (possibly nested)
transaction it was queued in, so rolling back a savepoint drops only the messages queued inside
it. (A durable outbox table and the worker come later.)
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction, sessionmaker

from dmp.notifications.adapters import Dispatcher
from dmp.notifications.ports import Message

_KEY = "dmp_outbox"


def queue(session: Session, message: Message) -> None:
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_KEY, []).append((transaction, message))


def _within(transaction: SessionTransaction | None, ended: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ended:
            return True
        transaction = transaction.parent
    return False


def install(factory: sessionmaker[Session], dispatcher: Dispatcher) -> None:
    @event.listens_for(factory, "after_commit")
    def _send(session: Session) -> None:
        for _transaction, message in session.info.pop(_KEY, []):
            dispatcher.dispatch(message)

    @event.listens_for(factory, "after_soft_rollback")
    def _drop(session: Session, previous_transaction: SessionTransaction) -> None:
        pending = session.info.get(_KEY)
        if pending:
            session.info[_KEY] = [
                item for item in pending if not _within(item[0], previous_transaction)
            ]
