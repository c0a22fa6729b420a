"""Professionals get an accent-free search name, so that "Lefevre" finds "Lefèvre"

Revision ID: 3c1f0e9a7b21
Revises: 86103bfdc99e
Create Date: 2026-11-29 22:30:00
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "3c1f0e9a7b21"
down_revision: str | None = "86103bfdc99e"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _fold(value: str) -> str:
    # A copy of dmp.identity.model.fold as it is today: a migration must not change meaning
    # when the application code moves on.
    decomposed = unicodedata.normalize("NFKD", " ".join(value.split()))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).upper()


def upgrade() -> None:
    with op.batch_alter_table("professionals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("search_name", sa.String(length=201), server_default="", nullable=False)
        )
    professionals = sa.table(
        "professionals",
        sa.column("id", sa.Uuid()),
        sa.column("family_name", sa.String()),
        sa.column("given_name", sa.String()),
        sa.column("search_name", sa.String()),
    )
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(professionals.c.id, professionals.c.family_name, professionals.c.given_name)
    ).all()
    for row in rows:
        connection.execute(
            professionals.update()
            .where(professionals.c.id == row.id)
            .values(search_name=_fold(f"{row.family_name} {row.given_name}"))
        )


def downgrade() -> None:
    with op.batch_alter_table("professionals", schema=None) as batch_op:
        batch_op.drop_column("search_name")
