"""Records (DMP lifecycle), documents, access grants, emergency accesses, inbox and outbox

Revision ID: 86103bfdc99e
Revises: 8483758148e8
Create Date: 2026-11-29 20:56:52.410552
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "86103bfdc99e"
down_revision: str | None = "8483758148e8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outbox_messages",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recipient", sa.String(length=254), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_messages")),
    )
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_outbox_messages_due", ["sent_at", "next_attempt_at"], unique=False
        )

    op.create_table(
        "record_preferences",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("emergency_opposed", sa.Boolean(), nullable=False),
        sa.Column("regulation_opposed", sa.Boolean(), nullable=False),
        sa.Column("notify_first_access", sa.Boolean(), nullable=False),
        sa.Column("notify_emergency", sa.Boolean(), nullable=False),
        sa.Column("notify_announcement", sa.Boolean(), nullable=False),
        sa.Column("notify_new_document", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_record_preferences_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_record_preferences")),
    )
    op.create_table(
        "documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("series_id", sa.Uuid(), nullable=False),
        sa.Column("replaces_id", sa.Uuid(), nullable=True),
        sa.Column("series_number", sa.Integer(), nullable=False),
        sa.Column("unique_id", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("type_code", sa.String(length=64), nullable=False),
        sa.Column("type_system", sa.String(length=64), nullable=False),
        sa.Column("class_code", sa.String(length=64), nullable=False),
        sa.Column("format_code", sa.String(length=128), nullable=False),
        sa.Column("facility_type_code", sa.String(length=64), nullable=False),
        sa.Column("practice_setting_code", sa.String(length=64), nullable=True),
        sa.Column("confidentiality", sa.String(length=1), nullable=False),
        sa.Column("masked", sa.Boolean(), nullable=False),
        sa.Column("invisible_to_patient", sa.Boolean(), nullable=False),
        sa.Column("invisible_to_representatives", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(length=255), nullable=False),
        sa.Column("comments", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("creation_time", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("service_stop", sa.DateTime(timezone=True), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("author_account_id", sa.Uuid(), nullable=True),
        sa.Column("author_professional_id", sa.Uuid(), nullable=True),
        sa.Column("author_patient_id", sa.Uuid(), nullable=True),
        sa.Column("author_organisation_id", sa.Uuid(), nullable=True),
        sa.Column("author_role", sa.String(length=20), nullable=True),
        sa.Column("author_specialty", sa.String(length=20), nullable=True),
        sa.Column("mime_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("blob_key", sa.String(length=200), nullable=False),
        sa.Column("kek_id", sa.String(length=32), nullable=True),
        sa.Column("wrapped_key", sa.String(length=200), nullable=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("announced_by", sa.Uuid(), nullable=True),
        sa.Column("update_notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deleted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["announced_by"],
            ["professionals.id"],
            name=op.f("fk_documents_announced_by_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["author_account_id"],
            ["accounts.id"],
            name=op.f("fk_documents_author_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["author_organisation_id"],
            ["organisations.id"],
            name=op.f("fk_documents_author_organisation_id_organisations"),
        ),
        sa.ForeignKeyConstraint(
            ["author_patient_id"],
            ["patients.id"],
            name=op.f("fk_documents_author_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["author_professional_id"],
            ["professionals.id"],
            name=op.f("fk_documents_author_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_documents_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"], ["documents.id"], name=op.f("fk_documents_replaces_id_documents")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.create_index("ix_documents_patient_status", ["patient_id", "status"], unique=False)
        batch_op.create_index(
            "ix_documents_patient_submitted", ["patient_id", "submitted_at"], unique=False
        )
        batch_op.create_index("ix_documents_series", ["series_id"], unique=False)
        batch_op.create_index(
            "ux_documents_patient_unique_id", ["patient_id", "unique_id"], unique=True
        )

    op.create_table(
        "inbox_notices",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=True),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("params", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_inbox_notices_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_inbox_notices_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbox_notices")),
    )
    with op.batch_alter_table("inbox_notices", schema=None) as batch_op:
        batch_op.create_index(
            "ix_inbox_notices_account_created", ["account_id", "created_at"], unique=False
        )

    op.create_table(
        "record_authorisations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("professional_id", sa.Uuid(), nullable=False),
        sa.Column("basis", sa.String(length=20), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["granted_by"],
            ["accounts.id"],
            name=op.f("fk_record_authorisations_granted_by_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_record_authorisations_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_record_authorisations_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"],
            ["accounts.id"],
            name=op.f("fk_record_authorisations_revoked_by_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_authorisations")),
    )
    with op.batch_alter_table("record_authorisations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_authorisations_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "ux_record_authorisations_active",
            ["patient_id", "professional_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "record_blocks",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("professional_id", sa.Uuid(), nullable=False),
        sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("blocked_by", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["blocked_by"], ["accounts.id"], name=op.f("fk_record_blocks_blocked_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_record_blocks_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_record_blocks_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["accounts.id"], name=op.f("fk_record_blocks_revoked_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_blocks")),
    )
    with op.batch_alter_table("record_blocks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_blocks_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "ux_record_blocks_active",
            ["patient_id", "professional_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "record_care_roles",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("professional_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("granted_by", sa.Uuid(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["granted_by"], ["accounts.id"], name=op.f("fk_record_care_roles_granted_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_record_care_roles_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_record_care_roles_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by"], ["accounts.id"], name=op.f("fk_record_care_roles_revoked_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_care_roles")),
    )
    with op.batch_alter_table("record_care_roles", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_record_care_roles_patient_id"), ["patient_id"], unique=False
        )
        batch_op.create_index(
            "ux_record_care_roles_active",
            ["patient_id", "professional_id"],
            unique=True,
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )

    op.create_table(
        "record_emergency_accesses",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("professional_id", sa.Uuid(), nullable=False),
        sa.Column("account_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("notified_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_record_emergency_accesses_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_record_emergency_accesses_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["professional_id"],
            ["professionals.id"],
            name=op.f("fk_record_emergency_accesses_professional_id_professionals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_emergency_accesses")),
    )
    with op.batch_alter_table("record_emergency_accesses", schema=None) as batch_op:
        batch_op.create_index(
            "ix_record_emergency_accesses_live", ["patient_id", "expires_at"], unique=False
        )

    op.create_table(
        "records",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=True),
        sa.Column("created_how", sa.String(length=20), nullable=False),
        sa.Column("consent_professional_id", sa.Uuid(), nullable=True),
        sa.Column("consent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consent_method", sa.String(length=20), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_reason", sa.String(length=500), nullable=True),
        sa.Column("purge_after", sa.DateTime(timezone=True), nullable=True),
        sa.Column("deletion_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("purged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["consent_professional_id"],
            ["professionals.id"],
            name=op.f("fk_records_consent_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["accounts.id"], name=op.f("fk_records_created_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_records_patient_id_patients")
        ),
        sa.PrimaryKeyConstraint("patient_id", name=op.f("pk_records")),
    )
    with op.batch_alter_table("professionals", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("regulator", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("professionals", schema=None) as batch_op:
        batch_op.drop_column("regulator")

    op.drop_table("records")
    with op.batch_alter_table("record_emergency_accesses", schema=None) as batch_op:
        batch_op.drop_index("ix_record_emergency_accesses_live")

    op.drop_table("record_emergency_accesses")
    with op.batch_alter_table("record_care_roles", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_record_care_roles_active",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_record_care_roles_patient_id"))

    op.drop_table("record_care_roles")
    with op.batch_alter_table("record_blocks", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_record_blocks_active",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_record_blocks_patient_id"))

    op.drop_table("record_blocks")
    with op.batch_alter_table("record_authorisations", schema=None) as batch_op:
        batch_op.drop_index(
            "ux_record_authorisations_active",
            sqlite_where=sa.text("revoked_at IS NULL"),
            postgresql_where=sa.text("revoked_at IS NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_record_authorisations_patient_id"))

    op.drop_table("record_authorisations")
    with op.batch_alter_table("inbox_notices", schema=None) as batch_op:
        batch_op.drop_index("ix_inbox_notices_account_created")

    op.drop_table("inbox_notices")
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_index("ux_documents_patient_unique_id")
        batch_op.drop_index("ix_documents_series")
        batch_op.drop_index("ix_documents_patient_submitted")
        batch_op.drop_index("ix_documents_patient_status")

    op.drop_table("documents")
    op.drop_table("record_preferences")
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_messages_due")

    op.drop_table("outbox_messages")
