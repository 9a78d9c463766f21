"""search by record: record name keys indexed by record, so a search checks each record's other
name parts by lookup (models.RecordNameKey)

Revision ID: 0011_search_by_record
Revises: 0010_web_pages
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011_search_by_record"
down_revision: str | None = "0010_web_pages"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_record_name_keys_record_id_key", "record_name_keys", ["record_id", "key"])


def downgrade() -> None:
    op.drop_index("ix_record_name_keys_record_id_key", table_name="record_name_keys")
