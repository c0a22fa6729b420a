"""Searching the professionals known to dmp (by name or RPPS), to authorise or block one."""

from __future__ import annotations

from sqlalchemy import func, or_, select
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
            pattern = f"%{word}%"
            query = query.where(
                or_(
                    func.upper(ProfessionalRow.family_name).like(pattern),
                    func.upper(ProfessionalRow.given_name).like(pattern),
                )
            )
    return list(
        session.scalars(
            query.order_by(ProfessionalRow.family_name, ProfessionalRow.given_name).limit(limit)
        )
    )
