"""Log lines are JSON, carry the request id, and never a national identifier."""

from __future__ import annotations

import json
import logging

from dmp.shared.logging import JsonFormatter, MaskingFilter, request_id_var


def record(message: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("NIR 2 85 03 75 056 123 06 refused")
        except ValueError:
            import sys

            exc_info = sys.exc_info()
    made = logging.LogRecord("dmp.test", logging.WARNING, __file__, 1, message, args, exc_info)
    MaskingFilter().filter(made)
    return made


def test_line_is_json_with_the_request_id() -> None:
    token = request_id_var.set("req-42")
    try:
        line = JsonFormatter().format(record("patient %s registered", "285037505612306"))
    finally:
        request_id_var.reset(token)
    entry = json.loads(line)
    assert entry["request_id"] == "req-42"
    assert entry["level"] == "WARNING"
    assert entry["message"] == "patient [NIR] registered"
    assert "285037505612306" not in line


def test_tracebacks_are_masked_too() -> None:
    line = JsonFormatter().format(record("failed", exc=True))
    entry = json.loads(line)
    assert "[NIR]" in entry["exception"]
    assert "056 123" not in line


def test_no_request_id_outside_a_request() -> None:
    assert "request_id" not in json.loads(JsonFormatter().format(record("boot")))
