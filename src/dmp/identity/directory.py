"""Searching the professionals known to dmp (by name or RPPS), to authorise or block one."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.identity.model import fold
from dmp.identity.orm import ProfessionalRow


def search_professionals(session: Session, text: str, *, limit: int = 20) -> list[ProfessionalRow]:
    words = [w for w in fold(text).split() if w]
    if not words:
        return []
    query = select(ProfessionalRow)
    for word in words[:4]:
        if word.isdigit():
            query = query.where(ProfessionalRow.rpps.startswith(word))
        else:
            query = query.where(ProfessionalRow.search_name.contains(word, autoescape=True))
    return list(
        session.scalars(
            query.order_by(ProfessionalRow.family_name, ProfessionalRow.given_name).limit(limit)
        )
    )
