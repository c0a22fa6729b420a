"""Outbound messages (e-mail, SMS). They never carry medical content."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal, Protocol


@dataclass(frozen=True)
class Message:
    channel: Literal["email", "sms"]
    to: str
    subject: str
    body: str
    created_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


class Sender(Protocol):
    def send(self, message: Message) -> None:
        """Deliver one message; raise ``DeliveryError`` when the provider refuses it."""
        ...


class DeliveryError(RuntimeError):
    pass
