"""The SMTP adapter delivers to a real SMTP server (aiosmtpd on loopback)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.policy import default

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message as MessageHandler

from dmp.notifications.adapters import Dispatcher, MemoryOutbox, SmtpSender
from dmp.notifications.ports import DeliveryError, Message


class Collect(MessageHandler):
    def __init__(self) -> None:
        super().__init__()
        self.received: list[bytes] = []

    def handle_message(self, message) -> None:  # type: ignore[no-untyped-def]
        self.received.append(bytes(message))

    def prepare_message(self, session, envelope):  # type: ignore[no-untyped-def]
        return envelope.original_content


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Collect, int]]:
    handler = Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


def test_message_is_delivered_with_utf8_subject_and_body(smtp_server: tuple[Collect, int]) -> None:
    handler, port = smtp_server
    sender = SmtpSender(host="127.0.0.1", port=port, sender="dmp <no-reply@dmp.test>")
    sender.send(
        Message(
            channel="email",
            to="camille@example.test",
            subject="Votre code de vérification",
            body="Code : 123456",
        )
    )
    [raw] = handler.received
    parsed = message_from_bytes(raw, policy=default)
    assert parsed["To"] == "camille@example.test"
    assert parsed["Subject"] == "Votre code de vérification"
    assert "123456" in parsed.get_content()


def test_refused_connection_is_a_delivery_error_and_is_not_raised_to_the_user() -> None:
    sender = SmtpSender(host="127.0.0.1", port=free_port(), sender="x@dmp.test", timeout=2)
    message = Message(channel="email", to="a@example.test", subject="s", body="b")
    with pytest.raises(DeliveryError):
        sender.send(message)
    assert Dispatcher(email=sender, sms=MemoryOutbox()).dispatch(message) is False
