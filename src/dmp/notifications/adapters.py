from __future__ import annotations

import json
import logging
import smtplib
import threading
import urllib.error
import urllib.request
from collections import deque
from email.message import EmailMessage

from dmp.notifications.ports import DeliveryError, Message, Sender

log = logging.getLogger("dmp.notifications")


class MemoryOutbox:
    """Keeps the last messages in memory: the test double, and the development mailbox page."""

    def __init__(self, keep: int = 200) -> None:
        self._messages: deque[Message] = deque(maxlen=keep)
        self._lock = threading.Lock()

    def send(self, message: Message) -> None:
        with self._lock:
            self._messages.append(message)

    def messages(self, to: str | None = None) -> list[Message]:
        with self._lock:
            return [m for m in self._messages if to is None or m.to == to]

    def last(self, to: str) -> Message:
        found = self.messages(to)
        if not found:
            raise LookupError(f"no message sent to {to}")
        return found[-1]

    def clear(self) -> None:
        with self._lock:
            self._messages.clear()


class ConsoleSender(MemoryOutbox):
    """Development: prints each message on the server's console and keeps it for /dev/outbox."""

    def send(self, message: Message) -> None:
        super().send(message)
        banner = f"── {message.channel} to {message.to} ──"
        print(f"\n{banner}\n{message.subject}\n\n{message.body}\n{'─' * len(banner)}", flush=True)


class SmtpSender:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        self._host, self._port, self._sender = host, port, sender
        self._username, self._password = username, password
        self._starttls, self._timeout = starttls, timeout

    def send(self, message: Message) -> None:
        email = EmailMessage()
        email["From"] = self._sender
        email["To"] = message.to
        email["Subject"] = message.subject
        email.set_content(message.body)
        try:
            with smtplib.SMTP(self._host, self._port, timeout=self._timeout) as smtp:
                if self._starttls:
                    smtp.starttls()
                if self._username and self._password:
                    smtp.login(self._username, self._password)
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"SMTP delivery failed: {exc.__class__.__name__}") from exc


class HttpSmsSender:
    """Posts ``{"to", "from", "text"}`` as JSON with a bearer token to an SMS gateway.

    Most gateways (or a small relay in front of them) accept this shape; the token and URL come
    from the settings. Any non-2xx answer or network failure is a :class:`DeliveryError`.
    """

    def __init__(
        self, *, url: str, token: str | None, sender_id: str, timeout: float = 10.0
    ) -> None:
        if not url.startswith(("https://", "http://")):
            raise ValueError("SMS gateway URL must be http(s)")
        self._url, self._token, self._sender_id, self._timeout = url, token, sender_id, timeout

    def send(self, message: Message) -> None:
        payload = json.dumps({"to": message.to, "from": self._sender_id, "text": message.body})
        request = urllib.request.Request(  # noqa: S310 — scheme checked in __init__
            self._url,
            data=payload.encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json"},
        )
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:  # noqa: S310
                if not 200 <= response.status < 300:
                    raise DeliveryError(f"SMS gateway answered {response.status}")
        except (OSError, urllib.error.URLError) as exc:
            raise DeliveryError(f"SMS gateway unreachable: {exc.__class__.__name__}") from exc


class Dispatcher:
    """Routes messages by channel; failures are logged, never raised to the user's request
    (the person can ask for another code)."""

    def __init__(self, *, email: Sender, sms: Sender) -> None:
        self._senders: dict[str, Sender] = {"email": email, "sms": sms}

    def dispatch(self, message: Message) -> bool:
        sender = self._senders[message.channel]
        try:
            sender.send(message)
        except DeliveryError:
            log.warning("delivery failed", extra={"event": f"{message.channel}.failed"})
            return False
        return True
