"""Rectification requests and the consents registry

Revision ID: ae5d4f6b3c54
Revises: 9d4c3e5f2a43
Create Date: 2026-11-30 00:00:00

The registry is back-filled from what the records already hold: each record's creation
(consent collected by a professional, or the holder's own opening), the authorisations the
holder gave or a professional recorded, and the notices the holder turned off.
"""

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "ae5d4f6b3c54"
down_revision: str | None = "9d4c3e5f2a43"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "rectification_requests",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("target_kind", sa.String(length=10), nullable=False),
        sa.Column("target_trait", sa.String(length=40), nullable=True),
        sa.Column("target_id", sa.Uuid(), nullable=True),
        sa.Column("target_series_id", sa.Uuid(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("route", sa.String(length=10), nullable=False),
        sa.Column("author_professional_id", sa.Uuid(), nullable=True),
        sa.Column("invisible_to_representatives", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("requested_at", TS, nullable=False),
        sa.Column("requested_by", sa.Uuid(), nullable=False),
        sa.Column("answered_at", TS, nullable=True),
        sa.Column("answered_by", sa.Uuid(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("corrected_value", sa.String(length=300), nullable=True),
        sa.Column("correction_id", sa.Uuid(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answered_by"],
            ["accounts.id"],
            name=op.f("fk_rectification_requests_answered_by_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["author_professional_id"],
            ["professionals.id"],
            name=op.f("fk_rectification_requests_author_professional_id_professionals"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_rectification_requests_patient_id_patients"),
        ),
        sa.ForeignKeyConstraint(
            ["requested_by"],
            ["accounts.id"],
            name=op.f("fk_rectification_requests_requested_by_accounts"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rectification_requests")),
    )
    op.create_index(
        "ix_rectification_requests_author",
        "rectification_requests",
        ["author_professional_id", "status"],
    )
    op.create_index(
        "ix_rectification_requests_patient",
        "rectification_requests",
        ["patient_id", "requested_at"],
    )
    op.create_index(
        "ix_rectification_requests_route", "rectification_requests", ["route", "status"]
    )
    op.create_table(
        "consents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("stance", sa.String(length=12), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=True),
        sa.Column("text_version", sa.String(length=40), nullable=False),
        sa.Column("given_at", TS, nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("recorded_by", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", TS, nullable=True),
        sa.Column("withdrawn_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_consents_patient_id_patients")
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["accounts.id"], name=op.f("fk_consents_recorded_by_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by"], ["accounts.id"], name=op.f("fk_consents_withdrawn_by_accounts")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consents")),
    )
    op.create_index("ix_consents_patient_purpose", "consents", ["patient_id", "purpose"])
    _backfill(_consents())


def _consents() -> sa.TableClause:
    return sa.table(
        "consents",
        sa.column("id", sa.Uuid()),
        sa.column("patient_id", sa.Uuid()),
        sa.column("purpose", sa.String()),
        sa.column("stance", sa.String()),
        sa.column("scope", sa.String()),
        sa.column("text_version", sa.String()),
        sa.column("given_at", TS),
        sa.column("channel", sa.String()),
        sa.column("recorded_by", sa.Uuid()),
        sa.column("withdrawn_at", TS),
        sa.column("withdrawn_by", sa.Uuid()),
    )


def _backfill(consents: sa.TableClause) -> None:
    bind = op.get_bind()
    records = sa.table(
        "records",
        sa.column("patient_id", sa.Uuid()),
        sa.column("status", sa.String()),
        sa.column("created_at", TS),
        sa.column("created_by", sa.Uuid()),
        sa.column("created_how", sa.String()),
        sa.column("consent_at", TS),
        sa.column("consent_method", sa.String()),
        sa.column("closed_at", TS),
        sa.column("purged_at", TS),
    )
    rows: list[dict[str, object]] = []
    for record in bind.execute(sa.select(records).where(records.c.purged_at.is_(None))):
        by_professional = record.created_how == "professional"
        rows.append(
            {
                "id": uuid.uuid4(),
                "patient_id": record.patient_id,
                "purpose": "dmp-creation",
                "stance": "consent",
                "scope": None,
                "text_version": "dmp-creation/2026-01",
                "given_at": record.consent_at or record.created_at,
                "channel": (record.consent_method or "oral") if by_professional else "web",
                "recorded_by": record.created_by,
                "withdrawn_at": record.closed_at if record.status == "closed" else None,
                "withdrawn_by": None,
            }
        )
    grants = sa.table(
        "record_authorisations",
        sa.column("patient_id", sa.Uuid()),
        sa.column("professional_id", sa.Uuid()),
        sa.column("basis", sa.String()),
        sa.column("granted_at", TS),
        sa.column("granted_by", sa.Uuid()),
        sa.column("revoked_at", TS),
        sa.column("revoked_by", sa.Uuid()),
    )
    for grant in bind.execute(sa.select(grants).where(grants.c.basis.in_(["consent", "holder"]))):
        rows.append(
            {
                "id": uuid.uuid4(),
                "patient_id": grant.patient_id,
                "purpose": "data-sharing",
                "stance": "consent",
                "scope": str(grant.professional_id),
                "text_version": "data-sharing/2026-01",
                "given_at": grant.granted_at,
                "channel": "oral" if grant.basis == "consent" else "web",
                "recorded_by": grant.granted_by,
                "withdrawn_at": grant.revoked_at,
                "withdrawn_by": grant.revoked_by,
            }
        )
    names = [
        column["name"]
        for column in sa.inspect(bind).get_columns("record_preferences")
        if column["name"].startswith("notify_")
    ]
    preferences = sa.table(
        "record_preferences",
        sa.column("patient_id", sa.Uuid()),
        sa.column("updated_at", TS),
        *(sa.column(name, sa.Boolean()) for name in names),
    )
    for prefs in bind.execute(sa.select(preferences)):
        for name in names:
            if getattr(prefs, name) is False:  # notices are on unless turned off: an opposition
                rows.append(
                    {
                        "id": uuid.uuid4(),
                        "patient_id": prefs.patient_id,
                        "purpose": "notifications",
                        "stance": "opposition",
                        "scope": name,
                        "text_version": "notifications/2026-01",
                        "given_at": prefs.updated_at,
                        "channel": "web",
                        "recorded_by": None,
                        "withdrawn_at": None,
                        "withdrawn_by": None,
                    }
                )
    if rows:
        op.bulk_insert(consents, rows)


def downgrade() -> None:
    op.drop_index("ix_consents_patient_purpose", table_name="consents")
    op.drop_table("consents")
    op.drop_index("ix_rectification_requests_route", table_name="rectification_requests")
    op.drop_index("ix_rectification_requests_patient", table_name="rectification_requests")
    op.drop_index("ix_rectification_requests_author", table_name="rectification_requests")
    op.drop_table("rectification_requests")
