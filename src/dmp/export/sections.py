"""What an export is made of: one *section* per kind of data, each giving FHIR resources,
files for the archive and a part of the readable summary.

The core sections (identity, documents, medical profile, vaccinations, access history) are in
:mod:`dmp.export.builtin`. Another feature (blood group, advance directives, trusted person,
consents…) adds its data to every export without touching the export's code: it writes a
class with a ``code``, an ``order`` and a ``collect(context)`` method, and registers it in its
own module::

    from dmp.export.sections import register

    @register
    class BloodGroupSection:
        code = "blood-group"
        order = 50

        def collect(self, context: ExportContext) -> SectionOutput: ...

and names that module in :data:`PLUGIN_MODULES` (imported when the first export is built, so no
import cycle reaches the export from the feature). ``collect`` runs in the worker with the
requester's :class:`~dmp.access.services.Access` for one person: it must read through the
policy (``items.current_items``, ``access.decide``) exactly as the feature's own pages do, and
return an empty output when the requester may see nothing.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from dmp.access.services import Access
from dmp.identity.orm import PatientRow
from dmp.records.documents import Storage

Gettext = Callable[..., str]

#: Modules of other features that register sections (imported once, before the first export).
PLUGIN_MODULES: tuple[str, ...] = (
    "dmp.bloodgroup.export",
    "dmp.directives_record.export",
    "dmp.trusted.export",
    "dmp.rights.export",
)


@dataclass
class ExportContext:
    """One person's part of an export, as the worker builds it."""

    access: Access  # the requester's access to this person's record
    patient: PatientRow
    folder: str  # the person's folder inside the archive
    patient_url: str  # fullUrl of the person's Patient resource in the bundle
    storage: Storage
    language: str
    gettext: Gettext
    now: dt.datetime


@dataclass
class ExportFile:
    """A file to put in the archive. ``open`` is called when the file is written (after the
    database transaction that collected the sections has ended); when ``sha256`` is given, the
    bytes are checked against it as they are written, and the export fails on a mismatch.
    ``attachment`` is a FHIR Attachment to complete with the file's SHA-1 and size."""

    path: str
    open: Callable[[], Iterable[bytes]]
    sha256: str | None = None
    size: int | None = None
    attachment: dict[str, Any] | None = None


@dataclass(frozen=True)
class SummaryLine:
    text: str
    detail: str = ""


@dataclass
class SummaryPart:
    """A heading of the printed summary and its lines (already in the export's language)."""

    title: str
    lines: list[SummaryLine] = field(default_factory=list)
    empty: str = ""  # what to print when there are no lines


@dataclass
class SectionOutput:
    resources: list[dict[str, Any]] = field(default_factory=list)
    files: list[ExportFile] = field(default_factory=list)
    summary: list[SummaryPart] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)  # for the audit trail


class Section(Protocol):
    code: str
    order: int

    def collect(self, context: ExportContext) -> SectionOutput: ...


_REGISTRY: dict[str, Section] = {}
_loaded = False
S = TypeVar("S")


def register(section_class: type[S]) -> type[S]:
    """Class decorator: adds one instance of the section to every export."""
    section: Any = section_class()
    if not isinstance(getattr(section, "code", None), str) or not callable(
        getattr(section, "collect", None)
    ):
        raise TypeError(f"{section_class!r} is not an export section")
    _REGISTRY[section.code] = section
    return section_class


def sections() -> list[Section]:
    """Every registered section, in order (the core ones and the plug-ins)."""
    global _loaded
    if not _loaded:
        importlib.import_module("dmp.export.builtin")
        for name in PLUGIN_MODULES:
            importlib.import_module(name)
        _loaded = True
    return sorted(_REGISTRY.values(), key=lambda section: (section.order, section.code))
