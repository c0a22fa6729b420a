"""Advance directives (versions, signatures, witnesses, reminders)

Revision ID: 7b2a1c3d0e21
Revises: 6a1f0b2c9d10
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7b2a1c3d0e21"
down_revision: str | None = "6a1f0b2c9d10"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "advance_directives_reminders",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("reminded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_advance_directives_reminders_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_advance_directives_reminders")),
    )
    op.create_table(
        "advance_directives",
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("document_id", sa.Uuid(), nullable=True),
        sa.Column("answers", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("series_id", sa.Uuid(), nullable=False),
        sa.Column("series_number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("author_professional_id", sa.Uuid(), nullable=True),
        sa.Column("author_patient_id", sa.Uuid(), nullable=True),
        sa.Column("author_account_id", sa.Uuid(), nullable=False),
        sa.Column("author_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("masked", sa.Boolean(), nullable=False),
        sa.Column("invisible_to_representatives", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["author_account_id"],
            ["accounts.id"],
            name=op.f("fk_advance_directives_author_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["author_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_advance_directives_author_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["author_patient_id"],
            ["patients.id"],
            name=op.f("fk_advance_directives_author_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["author_professional_id"],
            ["professionals.id"],
            name=op.f("fk_advance_directives_author_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["accounts.id"], name=op.f("fk_advance_directives_ended_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_advance_directives_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advance_directives")),
    )
    with op.batch_alter_table("advance_directives", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_advance_directives_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_advance_directives_series_id"), ["series_id"], unique=False
        )

    with op.batch_alter_table("record_preferences", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notify_directives", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("record_preferences", schema=None) as batch_op:
        batch_op.drop_column("notify_directives")

    with op.batch_alter_table("advance_directives", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_advance_directives_series_id"))
        batch_op.drop_index(batch_op.f("ix_advance_directives_patient_id"))

    op.drop_table("advance_directives")
    op.drop_table("advance_directives_reminders")
