"""web operations: jobs of every kind, records' versions, documents attached to records and persons

Revision ID: 0009_web_operations
Revises: 0008_shelter
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009_web_operations"
down_revision: str | None = "0008_shelter"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    op.create_table(
        "operation_jobs",
        sa.Column("id", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("params", JSON_DOC, nullable=False),
        sa.Column("started_by", sa.String(200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(200), nullable=True),
        sa.Column("result", JSON_DOC, nullable=True),
        sa.Column("file_name", sa.String(300), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operation_jobs")),
    )
    op.create_index("ix_operation_jobs_started_at", "operation_jobs", ["started_at"])
    op.create_table(
        "record_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("fields", JSON_DOC, nullable=False),
        sa.Column("edited_by", sa.String(200), nullable=False),
        sa.Column("edited_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_record_versions_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_record_versions")),
        sa.UniqueConstraint("record_id", "version", name=op.f("uq_record_versions_record_id")),
    )
    op.create_index(op.f("ix_record_versions_record_id"), "record_versions", ["record_id"])
    op.create_table(
        "attached_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("attached_by", sa.String(200), nullable=False),
        sa.Column("attached_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_attached_documents_record_id_records")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_attached_documents_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attached_documents")),
    )
    for column in ("sha256", "record_id", "person_id"):
        op.create_index(op.f(f"ix_attached_documents_{column}"), "attached_documents", [column])


def downgrade() -> None:
    op.drop_table("attached_documents")
    op.drop_table("record_versions")
    op.drop_index("ix_operation_jobs_started_at", table_name="operation_jobs")
    op.drop_table("operation_jobs")
