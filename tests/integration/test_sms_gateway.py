"""The HTTP SMS adapter posts to a gateway (a local HTTP server here)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from dmp.notifications.adapters import HttpSmsSender
from dmp.notifications.ports import DeliveryError, Message

RECEIVED: list[tuple[dict[str, str], str | None]] = []


class Gateway(BaseHTTPRequestHandler):
    status = 202

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        RECEIVED.append((json.loads(body), self.headers.get("Authorization")))
        self.send_response(self.status)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    RECEIVED.clear()
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/sms"
    server.shutdown()
    server.server_close()


def sms(text: str) -> Message:
    return Message(channel="sms", to="+33612345678", subject="", body=text)


def test_text_is_posted_with_the_bearer_token(gateway: str) -> None:
    HttpSmsSender(url=gateway, token="s3cret", sender_id="dmp").send(sms("Code 123456"))
    [(payload, authorization)] = RECEIVED
    assert payload == {"to": "+33612345678", "from": "dmp", "text": "Code 123456"}
    assert authorization == "Bearer s3cret"


def test_gateway_refusal_is_a_delivery_error(gateway: str) -> None:
    Gateway.status = 500
    try:
        with pytest.raises(DeliveryError):
            HttpSmsSender(url=gateway, token=None, sender_id="dmp").send(sms("x"))
    finally:
        Gateway.status = 202


def test_only_http_urls() -> None:
    with pytest.raises(ValueError, match="http"):
        HttpSmsSender(url="file:///etc/passwd", token=None, sender_id="dmp")
