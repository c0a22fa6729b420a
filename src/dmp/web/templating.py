"""Jinja2 environment for the server-rendered pages."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

import jinja2

STATIC_DIR = Path(__file__).resolve().parent / "static"
TEMPLATE_DIR = Path(__file__).resolve().parent / "templates"


@cache
def static_version(relative: str) -> str:
    """Content hash appended to static URLs, so they can be cached for a long time."""
    data = (STATIC_DIR / relative).read_bytes()
    return hashlib.sha256(data).hexdigest()[:12]


def static_url(relative: str) -> str:
    return f"/static/{relative}?v={static_version(relative)}"


def build_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_url"] = static_url
    env.filters["isodate"] = dt.date.fromisoformat
    env.filters["translate_choices"] = _translate_choices
    return env


def _translate_choices(
    choices: Iterable[tuple[str, str]], gettext: Callable[[str], str]
) -> list[tuple[str, str]]:
    """(code, French label) pairs with their labels in the page's language."""
    return [(code, gettext(label)) for code, label in choices]
