"""verification publishing and accounts

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=True),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at", ["at"], unique=False)

    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("client", sa.String(length=100), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_username_at", ["username", "at"], unique=False)

    op.create_table(
        "releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("code_version", sa.String(length=100), nullable=False),
        sa.Column(
            "manifest",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=False),
        sa.Column("directory", sa.String(length=1000), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_releases")),
        sa.UniqueConstraint("name", name=op.f("uq_releases_name")),
    )
    op.create_table(
        "status_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_decisions")),
    )
    with op.batch_alter_table("status_decisions", schema=None) as batch_op:
        batch_op.create_index("ix_status_decisions_person", ["person_id"], unique=False)

    op.create_table(
        "store_secrets",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_store_secrets")),
    )
    op.create_table(
        "store_settings",
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("set_by", sa.String(length=200), nullable=False),
        sa.Column("set_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_store_settings")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("language", sa.String(length=2), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_login_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "value_choices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=500), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("chosen_by", sa.String(length=200), nullable=False),
        sa.Column("chosen_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_value_choices")),
    )
    with op.batch_alter_table("value_choices", schema=None) as batch_op:
        batch_op.create_index("ix_value_choices_person", ["person_id"], unique=False)

    op.create_table(
        "api_tokens",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_api_tokens_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_tokens")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_api_tokens_token_sha256")),
    )
    op.create_table(
        "person_summaries",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("verification", sa.String(length=20), nullable=False),
        sa.Column("verification_rule", sa.String(length=200), nullable=False),
        sa.Column(
            "verification_records",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "verification_reasons",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("documented", sa.Boolean(), nullable=False),
        sa.Column(
            "documented_missing",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("records", sa.Integer(), nullable=False),
        sa.Column("sources", sa.Integer(), nullable=False),
        sa.Column("independent_sources", sa.Integer(), nullable=False),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("age_min", sa.Integer(), nullable=True),
        sa.Column("age_max", sa.Integer(), nullable=True),
        sa.Column("age_group", sa.String(length=10), nullable=False),
        sa.Column("date_of_death", sa.String(length=10), nullable=True),
        sa.Column("week", sa.String(length=10), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=True),
        sa.Column("governorate", sa.String(length=20), nullable=True),
        sa.Column("district", sa.String(length=500), nullable=True),
        sa.Column("civilian", sa.Boolean(), nullable=True),
        sa.Column("cause", sa.String(length=500), nullable=True),
        sa.Column("conflicting", sa.Boolean(), nullable=False),
        sa.Column(
            "conflicts",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "resolved_by",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["persons.id"], name=op.f("fk_person_summaries_person_id_persons")
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_person_summaries")),
    )
    with op.batch_alter_table("person_summaries", schema=None) as batch_op:
        batch_op.create_index("ix_person_summaries_governorate", ["governorate"], unique=False)
        batch_op.create_index("ix_person_summaries_verification", ["verification"], unique=False)

    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("raw_row_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("incident_ref", sa.String(length=200), nullable=False),
        sa.Column("date", sa.String(length=10), nullable=True),
        sa.Column("governorate", sa.String(length=20), nullable=True),
        sa.Column("place", sa.String(length=500), nullable=True),
        sa.Column("killed_min", sa.Integer(), nullable=False),
        sa.Column("killed_max", sa.Integer(), nullable=False),
        sa.Column("grade", sa.String(length=20), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_incidents_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["raw_row_id"], ["raw_rows.id"], name=op.f("fk_incidents_raw_row_id_raw_rows")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_incidents_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("raw_row_id", name=op.f("uq_incidents_raw_row_id")),
        sa.UniqueConstraint("source_id", "incident_ref", name=op.f("uq_incidents_source_id")),
    )
    op.create_table(
        "record_name_keys",
        sa.Column("key", sa.String(length=60), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_record_name_keys_record_id_records")
        ),
        sa.PrimaryKeyConstraint("key", "record_id", name=op.f("pk_record_name_keys")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("subject", sa.String(length=20), server_default="record", nullable=False)
        )
        batch_op.add_column(sa.Column("resolved_by_incident_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_quarantine_resolved_by_incident_id_incidents"),
            "incidents",
            ["resolved_by_incident_id"],
            ["id"],
        )

    _backfill_record_name_keys()


def _backfill_record_name_keys() -> None:
    """Records ingested before this revision get their name keys, as ingest now writes them."""
    from marsad.names import NameKeys

    bind = op.get_bind()
    records = sa.table(
        "records",
        sa.column("id", sa.Integer),
        sa.column("name", sa.String),
        sa.column("name_first", sa.String),
        sa.column("name_father", sa.String),
        sa.column("name_grandfather", sa.String),
        sa.column("name_family", sa.String),
    )
    keys_table = sa.table(
        "record_name_keys", sa.column("key", sa.String), sa.column("record_id", sa.Integer)
    )
    last = 0
    while True:
        rows = bind.execute(
            sa.select(records).where(records.c.id > last).order_by(records.c.id).limit(20_000)
        ).all()
        if not rows:
            return
        keys = [
            {"key": key, "record_id": r.id}
            for r in rows
            for key in NameKeys.of_record(
                r.name, r.name_first, r.name_father, r.name_grandfather, r.name_family
            ).present
        ]
        if keys:
            bind.execute(sa.insert(keys_table), keys)
        last = rows[-1].id


def downgrade() -> None:
    with op.batch_alter_table("quarantine", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_quarantine_resolved_by_incident_id_incidents"), type_="foreignkey"
        )
        batch_op.drop_column("resolved_by_incident_id")
        batch_op.drop_column("subject")

    op.drop_table("record_name_keys")
    op.drop_table("incidents")
    with op.batch_alter_table("person_summaries", schema=None) as batch_op:
        batch_op.drop_index("ix_person_summaries_verification")
        batch_op.drop_index("ix_person_summaries_governorate")

    op.drop_table("person_summaries")
    op.drop_table("api_tokens")
    with op.batch_alter_table("value_choices", schema=None) as batch_op:
        batch_op.drop_index("ix_value_choices_person")

    op.drop_table("value_choices")
    op.drop_table("users")
    op.drop_table("store_settings")
    op.drop_table("store_secrets")
    with op.batch_alter_table("status_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_status_decisions_person")

    op.drop_table("status_decisions")
    op.drop_table("releases")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_username_at")

    op.drop_table("login_attempts")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_at")

    op.drop_table("audit_log")
