"""Trusted person (personne de confiance) designations and co-signature invitations

Revision ID: 7c5e9a1b2d30
Revises: 7b2a1c3d0e21
Create Date: 2026-11-30 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7c5e9a1b2d30"
down_revision: str | None = "7b2a1c3d0e21"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "trusted_persons",
        sa.Column("surname", sa.String(length=100), nullable=False),
        sa.Column("first_names", sa.String(length=100), nullable=False),
        sa.Column("relationship", sa.String(length=20), nullable=False),
        sa.Column("relationship_detail", sa.String(length=100), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("designation_status", sa.String(length=12), nullable=False),
        sa.Column("designated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("cosigned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cosigned_name", sa.String(length=200), nullable=True),
        sa.Column("declined_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
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
            name=op.f("fk_trusted_persons_author_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["author_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_trusted_persons_author_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["author_patient_id"],
            ["patients.id"],
            name=op.f("fk_trusted_persons_author_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["author_professional_id"],
            ["professionals.id"],
            name=op.f("fk_trusted_persons_author_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["ended_by"], ["accounts.id"], name=op.f("fk_trusted_persons_ended_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_trusted_persons_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["accounts.id"], name=op.f("fk_trusted_persons_revoked_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_persons")),
    )
    op.create_index(
        op.f("ix_trusted_persons_patient_id"), "trusted_persons", ["patient_id"], unique=False
    )
    op.create_index(
        op.f("ix_trusted_persons_series_id"), "trusted_persons", ["series_id"], unique=False
    )
    op.create_table(
        "trusted_person_invitations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("designation_id", sa.Uuid(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cancelled_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["accounts.id"],
            name=op.f("fk_trusted_person_invitations_created_by_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["designation_id"],
            ["trusted_persons.id"],
            name=op.f("fk_trusted_person_invitations_designation_id_trusted_persons"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_trusted_person_invitations_patient_id_patients"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trusted_person_invitations")),
        sa.UniqueConstraint("code_hash", name=op.f("uq_trusted_person_invitations_code_hash")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_trusted_person_invitations_token_hash")),
    )
    op.create_index(
        op.f("ix_trusted_person_invitations_designation_id"),
        "trusted_person_invitations",
        ["designation_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_trusted_person_invitations_patient_id"),
        "trusted_person_invitations",
        ["patient_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_trusted_person_invitations_patient_id"), table_name="trusted_person_invitations"
    )
    op.drop_index(
        op.f("ix_trusted_person_invitations_designation_id"),
        table_name="trusted_person_invitations",
    )
    op.drop_table("trusted_person_invitations")
    op.drop_index(op.f("ix_trusted_persons_series_id"), table_name="trusted_persons")
    op.drop_index(op.f("ix_trusted_persons_patient_id"), table_name="trusted_persons")
    op.drop_table("trusted_persons")
