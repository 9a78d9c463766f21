"""upload jobs and incident events

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "upload_jobs",
        sa.Column("id", sa.String(length=40), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("started_by", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("rows_read", sa.Integer(), nullable=False),
        sa.Column("rows_recorded", sa.Integer(), nullable=True),
        sa.Column("rows_quarantined", sa.Integer(), nullable=True),
        sa.Column("rows_already_present", sa.Integer(), nullable=True),
        sa.Column("already_imported", sa.Boolean(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_upload_jobs")),
    )
    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.create_index("ix_upload_jobs_started_at", ["started_at"], unique=False)

    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.add_column(sa.Column("event_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("event_note", sa.Text(), nullable=True))
        batch_op.create_index("ix_incidents_event_id", ["event_id"], unique=False)

    op.create_table(
        "incident_event_rejections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("incident_a_id", sa.Integer(), nullable=False),
        sa.Column("incident_b_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_a_id"],
            ["incidents.id"],
            name=op.f("fk_incident_event_rejections_incident_a_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_b_id"],
            ["incidents.id"],
            name=op.f("fk_incident_event_rejections_incident_b_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_event_rejections")),
        sa.UniqueConstraint(
            "incident_a_id",
            "incident_b_id",
            name=op.f("uq_incident_event_rejections_incident_a_id"),
        ),
    )


def downgrade() -> None:
    op.drop_table("incident_event_rejections")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_event_id")
        batch_op.drop_column("event_note")
        batch_op.drop_column("event_id")

    with op.batch_alter_table("upload_jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_upload_jobs_started_at")

    op.drop_table("upload_jobs")
