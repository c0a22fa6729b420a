"""Medical profile entries: the first kind of record item (versioned, authored, maskable)

Revision ID: c7ce0898ecbf
Revises: 9d2e4b7c1a05
Create Date: 2026-11-29 22:44:19.417518
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "c7ce0898ecbf"
down_revision: str | None = "9d2e4b7c1a05"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "profile_entries",
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("values_json", sa.Text(), nullable=False),
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
            name=op.f("fk_profile_entries_author_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["author_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_profile_entries_author_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["author_patient_id"],
            ["patients.id"],
            name=op.f("fk_profile_entries_author_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["author_professional_id"],
            ["professionals.id"],
            name=op.f("fk_profile_entries_author_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["accounts.id"], name=op.f("fk_profile_entries_ended_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_profile_entries_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_profile_entries")),
    )
    with op.batch_alter_table("profile_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_profile_entries_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_profile_entries_series_id"), ["series_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("profile_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_profile_entries_series_id"))
        batch_op.drop_index(batch_op.f("ix_profile_entries_patient_id"))

    op.drop_table("profile_entries")
