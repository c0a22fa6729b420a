"""Linked profiles: representatives' lifecycle, majority, delegates for protected adults

Revision ID: 8c3b2d4e1f32
Revises: 7c5e9a1b2d30
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c3b2d4e1f32"
down_revision: str | None = "7c5e9a1b2d30"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("legal_representatives") as batch:
        batch.add_column(sa.Column("scope", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("starts_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("ends_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("created_by", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("basis", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("ward_email", sa.String(length=254), nullable=True))
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ended_reason", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("ended_by", sa.Uuid(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_legal_representatives_created_by_accounts"),
            "accounts",
            ["created_by"],
            ["id"],
        )
        batch.create_foreign_key(
            op.f("fk_legal_representatives_ended_by_accounts"), "accounts", ["ended_by"], ["id"]
        )
    op.create_table(
        "representative_invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("invited_by", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("birth_name", sa.String(length=100), nullable=False),
        sa.Column("first_given_name", sa.String(length=100), nullable=False),
        sa.Column("relationship", sa.String(length=20), nullable=False),
        sa.Column("code_digest", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted_by", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["accepted_by"],
            ["accounts.id"],
            name=op.f("fk_representative_invitations_accepted_by_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["invited_by"],
            ["accounts.id"],
            name=op.f("fk_representative_invitations_invited_by_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_representative_invitations_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_representative_invitations")),
        sa.UniqueConstraint("code_digest", name=op.f("uq_representative_invitations_code_digest")),
    )
    op.create_index(
        op.f("ix_representative_invitations_patient_id"),
        "representative_invitations",
        ["patient_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_representative_invitations_patient_id"), table_name="representative_invitations"
    )
    op.drop_table("representative_invitations")
    with op.batch_alter_table("legal_representatives") as batch:
        batch.drop_constraint(
            op.f("fk_legal_representatives_ended_by_accounts"), type_="foreignkey"
        )
        batch.drop_constraint(
            op.f("fk_legal_representatives_created_by_accounts"), type_="foreignkey"
        )
        for column in (
            "ended_by",
            "ended_reason",
            "ended_at",
            "ward_email",
            "basis",
            "created_by",
            "ends_on",
            "starts_on",
            "scope",
        ):
            batch.drop_column(column)
