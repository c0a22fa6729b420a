"""JSON logs with a request id, and national identifiers masked before any handler sees them."""

from __future__ import annotations

import contextvars
import datetime as dt
import json
import logging
import re
import sys
from typing import Any

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "dmp_request_id", default=None
)

# NIR/NIA: 13 characters (sex, year, month, department incl. 2A/2B, commune, order) plus an
# optional 2-digit key, with or without spaces. RPPS: 11 digits; IdNat_PS: 8 + RPPS.
_SEP = r"[\s.\-]?"
_NIR = re.compile(
    rf"(?<![0-9A-Za-z])[1-478]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[AaBb])"
    rf"{_SEP}\d{{3}}{_SEP}\d{{3}}(?:{_SEP}\d{{2}})?(?![0-9A-Za-z])"
)
_RPPS = re.compile(r"(?<!\d)8?\d{11}(?!\d)")


def mask_identifiers(text: str) -> str:
    text = _NIR.sub("[NIR]", text)
    return _RPPS.sub("[ID]", text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's message with national identifiers masked."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_identifiers(message)
        if masked != message or record.args:
            record.msg = masked
            record.args = None
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        for key in ("method", "path", "status", "duration_ms", "event"):
            value = record.__dict__.get(key)
            if value is not None:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = mask_identifiers(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        request_id = request_id_var.get()
        prefix = f"[{request_id[:8]}] " if request_id else ""
        text = f"{record.levelname:<7} {prefix}{record.getMessage()}"
        if record.exc_info:
            text += "\n" + mask_identifiers(self.formatException(record.exc_info))
        return text


def configure_logging(level: str = "INFO", *, json_output: bool = True) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if json_output else TextFormatter())
    handler.addFilter(MaskingFilter())
    root = logging.getLogger()
    for existing in list(root.handlers):
        if getattr(existing, "_dmp", False):
            root.removeHandler(existing)
    handler._dmp = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
    # Our own middleware logs each request once, with its request id.
    logging.getLogger("uvicorn.access").disabled = True
