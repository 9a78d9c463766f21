"""values not understood at ingest: per import, per record, and the upload job's import

Revision ID: 0004_ingest_unread
Revises: 0003
Create Date: 2026-11-27
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_ingest_unread"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unread", JSON_DOC, nullable=True))
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.add_column(sa.Column("unread", JSON_DOC, nullable=True))
    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("import_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_upload_jobs_import_id_imports"), "imports", ["import_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_upload_jobs_import_id_imports"), type_="foreignkey")
        batch_op.drop_column("import_id")
    with op.batch_alter_table("records", schema=None) as batch_op:
        batch_op.drop_column("unread")
    with op.batch_alter_table("imports", schema=None) as batch_op:
        batch_op.drop_column("unread")
