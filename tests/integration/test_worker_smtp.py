"""The worker delivers record notices to a real SMTP server (aiosmtpd on loopback), and
retries when the server is down."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from helpers_records import CAMILLE, create_record, seed_people

from dmp.container import build_container
from dmp.jobs import tasks
from dmp.notifications.adapters import MemoryOutbox, SmtpSender
from dmp.notifications.orm import OutboxRow
from dmp.shared.clock import FrozenClock
from dmp.shared.db import transaction
from testenv import make_settings


class Collect:
    def __init__(self) -> None:
        self.received: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.received.append(envelope.original_content)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp() -> Iterator[tuple[Collect, int]]:
    handler = Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_notices_reach_the_mail_server_and_failures_are_retried(
    tmp_path: Path, database_url: str, clock: FrozenClock, smtp: tuple[Collect, int]
) -> None:
    handler, port = smtp
    settings = make_settings(tmp_path, database_url)
    down = SmtpSender(host="127.0.0.1", port=free_port(), sender="dmp@dmp.test", timeout=2)
    container = build_container(settings, clock=clock, email=down, sms=MemoryOutbox())
    try:
        people = seed_people(container)
        create_record(container, people.camille)  # the holder is told: one notice, one e-mail
        # The server is unreachable: nothing sent, the message waits for a retry.
        assert tasks.deliver_outbox(container.sessions, container.dispatcher, clock) == 0
        with transaction(container.sessions) as session:
            [row] = [r for r in session.query(OutboxRow).all() if r.recipient == CAMILLE]
            assert (row.attempts, row.sent_at) == (1, None)
        # Later, with the real server up, the retry goes through.
        up = SmtpSender(host="127.0.0.1", port=port, sender="dmp <no-reply@dmp.test>")
        container.dispatcher = type(container.dispatcher)(email=up, sms=container.sms)
        assert tasks.deliver_outbox(container.sessions, container.dispatcher, clock) == 0  # not due
        clock.advance(minutes=3)
        assert tasks.deliver_outbox(container.sessions, container.dispatcher, clock) == 1
    finally:
        container.dispose()
    [raw] = handler.received
    mail = message_from_bytes(raw, policy=default)
    assert mail["To"] == CAMILLE
    assert mail["Subject"] == "Votre dossier médical partagé est ouvert"
    body = mail.get_content()
    assert "Connectez-vous" in body
    assert "%PDF" not in body
