"""The links in force on a day, as query conditions (used by the access facts, the notices
and the pages: an ended, not yet started or expired link gives nothing)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, or_

from dmp.identity.orm import LegalRepresentativeRow


def in_force(today: dt.date) -> list[ColumnElement[bool]]:
    link = LegalRepresentativeRow
    return [
        link.ended_at.is_(None),
        or_(link.starts_on.is_(None), link.starts_on <= today),
        or_(link.ends_on.is_(None), link.ends_on >= today),
    ]
