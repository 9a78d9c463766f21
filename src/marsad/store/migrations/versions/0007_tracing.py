"""tracing: missing persons' reports, their cases, the cases' steps and candidates

Revision ID: 0007_tracing
Revises: 0006_evidence
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_tracing"
down_revision: str | None = "0006_evidence"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "tracing_cases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=30), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracing_cases")),
    )
    with op.batch_alter_table("tracing_cases", schema=None) as batch_op:
        batch_op.create_index("ix_tracing_cases_state", ["state"], unique=False)

    op.create_table(
        "missing_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("raw_row_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("report_ref", sa.String(length=200), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("reported_on", sa.String(length=10), nullable=True),
        sa.Column("reporter_key_id", sa.Integer(), nullable=True),
        sa.Column("reporter_name", sa.LargeBinary(), nullable=True),
        sa.Column("reporter_contact", sa.LargeBinary(), nullable=True),
        sa.Column("reporter_relationship", sa.String(length=200), nullable=True),
        sa.Column("consent_scope", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("name_first", sa.String(length=200), nullable=True),
        sa.Column("name_father", sa.String(length=200), nullable=True),
        sa.Column("name_grandfather", sa.String(length=200), nullable=True),
        sa.Column("name_family", sa.String(length=200), nullable=True),
        sa.Column("name_mother", sa.String(length=200), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("age_min", sa.Integer(), nullable=True),
        sa.Column("age_max", sa.Integer(), nullable=True),
        sa.Column("birth_year_min", sa.Integer(), nullable=True),
        sa.Column("birth_year_max", sa.Integer(), nullable=True),
        sa.Column("last_seen_date", sa.String(length=10), nullable=True),
        sa.Column("last_seen_place", sa.String(length=500), nullable=True),
        sa.Column("governorate", sa.String(length=200), nullable=True),
        sa.Column("pcode", sa.String(length=20), nullable=True),
        sa.Column("pcode_adm1", sa.String(length=4), nullable=True),
        sa.Column("circumstances", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["tracing_cases.id"], name=op.f("fk_missing_reports_case_id_tracing_cases")
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_missing_reports_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["raw_row_id"], ["raw_rows.id"], name=op.f("fk_missing_reports_raw_row_id_raw_rows")
        ),
        sa.ForeignKeyConstraint(
            ["reporter_key_id"],
            ["witness_keys.id"],
            name=op.f("fk_missing_reports_reporter_key_id_witness_keys"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_missing_reports_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_missing_reports")),
        sa.UniqueConstraint("raw_row_id", name=op.f("uq_missing_reports_raw_row_id")),
        sa.UniqueConstraint("source_id", "report_ref", name=op.f("uq_missing_reports_source_id")),
    )
    with op.batch_alter_table("missing_reports", schema=None) as batch_op:
        batch_op.create_index("ix_missing_reports_case_id", ["case_id"], unique=False)

    op.create_table(
        "tracing_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("act", sa.String(length=30), nullable=False),
        sa.Column("state_from", sa.String(length=30), nullable=False),
        sa.Column("state_to", sa.String(length=30), nullable=False),
        sa.Column("detail", JSON_DOC, nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["tracing_cases.id"], name=op.f("fk_tracing_steps_case_id_tracing_cases")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracing_steps")),
    )
    with op.batch_alter_table("tracing_steps", schema=None) as batch_op:
        batch_op.create_index("ix_tracing_steps_case_id", ["case_id"], unique=False)

    op.create_table(
        "tracing_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("pool", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("records", JSON_DOC, nullable=False),
        sa.Column("why", JSON_DOC, nullable=False),
        sa.Column("matched_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["tracing_cases.id"],
            name=op.f("fk_tracing_candidates_case_id_tracing_cases"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tracing_candidates")),
    )
    with op.batch_alter_table("tracing_candidates", schema=None) as batch_op:
        batch_op.create_index("ix_tracing_candidates_case_id", ["case_id"], unique=False)


def downgrade() -> None:
    op.drop_table("tracing_candidates")
    op.drop_table("tracing_steps")
    op.drop_table("missing_reports")
    op.drop_table("tracing_cases")
