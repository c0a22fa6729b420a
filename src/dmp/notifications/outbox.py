"""Messages queued by a service are sent only once its transaction has committed.

A code e-mailed before the commit could refer to a challenge that was rolled back; one e-mailed
after is always backed by the database. (A durable outbox table and the worker come later.)
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from dmp.notifications.adapters import Dispatcher
from dmp.notifications.ports import Message

_KEY = "dmp_outbox"


def queue(session: Session, message: Message) -> None:
    session.info.setdefault(_KEY, []).append(message)


def install(factory: sessionmaker[Session], dispatcher: Dispatcher) -> None:
    @event.listens_for(factory, "after_commit")
    def _send(session: Session) -> None:
        for message in session.info.pop(_KEY, []):
            dispatcher.dispatch(message)

    @event.listens_for(factory, "after_rollback")
    def _drop(session: Session, *_: Any) -> None:
        session.info.pop(_KEY, None)
