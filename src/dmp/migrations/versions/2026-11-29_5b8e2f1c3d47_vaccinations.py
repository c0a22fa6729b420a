"""Vaccinations: recorded doses (a record item), reminders sent, the reminder preference

Revision ID: 5b8e2f1c3d47
Revises: c7ce0898ecbf
Create Date: 2026-11-29 23:01:31.697767
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b8e2f1c3d47"
down_revision: str | None = "c7ce0898ecbf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "vaccination_reminders",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_vaccination_reminders_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("patient_id", "key", name=op.f("pk_vaccination_reminders")),
    )
    op.create_table(
        "vaccinations",
        sa.Column("vaccine_code", sa.String(length=20), nullable=False),
        sa.Column("product", sa.String(length=120), nullable=True),
        sa.Column("dose_number", sa.Integer(), nullable=True),
        sa.Column("given_on", sa.Date(), nullable=False),
        sa.Column("lot", sa.String(length=40), nullable=True),
        sa.Column("administered_by", sa.String(length=120), nullable=True),
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
            name=op.f("fk_vaccinations_author_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["author_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_vaccinations_author_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["author_patient_id"],
            ["patients.id"],
            name=op.f("fk_vaccinations_author_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["author_professional_id"],
            ["professionals.id"],
            name=op.f("fk_vaccinations_author_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["accounts.id"], name=op.f("fk_vaccinations_ended_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_vaccinations_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vaccinations")),
    )
    with op.batch_alter_table("vaccinations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_vaccinations_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_vaccinations_series_id"), ["series_id"], unique=False)

    with op.batch_alter_table("record_preferences", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("notify_vaccination", sa.Boolean(), server_default=sa.true(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("record_preferences", schema=None) as batch_op:
        batch_op.drop_column("notify_vaccination")

    with op.batch_alter_table("vaccinations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_vaccinations_series_id"))
        batch_op.drop_index(batch_op.f("ix_vaccinations_patient_id"))

    op.drop_table("vaccinations")
    op.drop_table("vaccination_reminders")
