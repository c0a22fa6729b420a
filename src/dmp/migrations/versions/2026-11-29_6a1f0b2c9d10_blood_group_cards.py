"""Blood-group cards (a record item) and their verification tokens

Revision ID: 6a1f0b2c9d10
Revises: 5b8e2f1c3d47
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "6a1f0b2c9d10"
down_revision: str | None = "5b8e2f1c3d47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "blood_group_cards",
        sa.Column("abo", sa.String(length=2), nullable=False),
        sa.Column("rhd", sa.String(length=8), nullable=False),
        sa.Column("big_c", sa.Boolean(), nullable=True),
        sa.Column("little_c", sa.Boolean(), nullable=True),
        sa.Column("big_e", sa.Boolean(), nullable=True),
        sa.Column("little_e", sa.Boolean(), nullable=True),
        sa.Column("kell", sa.Boolean(), nullable=True),
        sa.Column("rare_phenotype", sa.Boolean(), nullable=False),
        sa.Column("rai_date", sa.Date(), nullable=True),
        sa.Column("rai_result", sa.String(length=8), nullable=True),
        sa.Column("rai_specificity", sa.String(length=80), nullable=True),
        sa.Column("laboratory", sa.String(length=120), nullable=True),
        sa.Column("biologist", sa.String(length=80), nullable=True),
        sa.Column("first_determination", sa.Date(), nullable=True),
        sa.Column("second_determination", sa.Date(), nullable=True),
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
            name=op.f("fk_blood_group_cards_author_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["author_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_blood_group_cards_author_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["author_patient_id"],
            ["patients.id"],
            name=op.f("fk_blood_group_cards_author_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["author_professional_id"],
            ["professionals.id"],
            name=op.f("fk_blood_group_cards_author_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["accounts.id"], name=op.f("fk_blood_group_cards_ended_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_blood_group_cards_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blood_group_cards")),
    )
    with op.batch_alter_table("blood_group_cards", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_blood_group_cards_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_blood_group_cards_series_id"), ["series_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("blood_group_cards", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_blood_group_cards_series_id"))
        batch_op.drop_index(batch_op.f("ix_blood_group_cards_patient_id"))

    op.drop_table("blood_group_cards")
