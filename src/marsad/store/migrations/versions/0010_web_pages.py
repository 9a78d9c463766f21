"""web pages: the audit log indexed by who and by action (store/web_indexes.py)

Revision ID: 0010_web_pages
Revises: 0009_web_operations
Create Date: 2026-12-07
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010_web_pages"
down_revision: str | None = "0009_web_operations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_log_actor_at", "audit_log", ["actor", "at"])
    op.create_index("ix_audit_log_action_at", "audit_log", ["action", "at"])


def downgrade() -> None:
    op.drop_index("ix_audit_log_action_at", table_name="audit_log")
    op.drop_index("ix_audit_log_actor_at", table_name="audit_log")
