"""evidence: stored files, trusted timestamps, the custody log, witnesses and testimonies

Revision ID: 0006_evidence
Revises: 0005_web_hardening
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_evidence"
down_revision: str | None = "0005_web_hardening"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

APPEND_ONLY = "custody_events is append-only: an entry is never changed or deleted"
IMMUTABLE = "the hashes and size of an evidence item never change; an item is never deleted"
SQLITE_GUARDS = (
    f"""CREATE TRIGGER custody_events_no_update BEFORE UPDATE ON custody_events
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER custody_events_no_delete BEFORE DELETE ON custody_events
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER evidence_items_immutable BEFORE UPDATE OF sha256, sha512, size
    ON evidence_items BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
    f"""CREATE TRIGGER evidence_items_no_delete BEFORE DELETE ON evidence_items
    BEGIN SELECT RAISE(ABORT, '{IMMUTABLE}'); END""",
)
POSTGRES_GUARDS = (
    """CREATE FUNCTION marsad_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION '%', TG_ARGV[0]; END $$""",
    f"""CREATE TRIGGER custody_events_append_only BEFORE UPDATE OR DELETE ON custody_events
    FOR EACH ROW EXECUTE FUNCTION marsad_refuse('{APPEND_ONLY}')""",
    f"""CREATE TRIGGER evidence_items_immutable
    BEFORE UPDATE OF sha256, sha512, size OR DELETE ON evidence_items
    FOR EACH ROW EXECUTE FUNCTION marsad_refuse('{IMMUTABLE}')""",
)
"""The custody log and the items' hashes are refused any change by the database itself, so
no code path (nor a mistaken query) can rewrite them; whoever drops these triggers can, and
`marsad evidence verify` is what catches that (docs/evidence.md, threat model)."""


def upgrade() -> None:
    op.create_table(
        "custody_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("testimony_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("detail", JSON_DOC, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_events")),
        sa.UniqueConstraint("entry_hash", name=op.f("uq_custody_events_entry_hash")),
        sa.UniqueConstraint("prev_hash", name=op.f("uq_custody_events_prev_hash")),
        sa.UniqueConstraint("seq", name=op.f("uq_custody_events_seq")),
    )
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.create_index("ix_custody_events_item_id", ["item_id"], unique=False)

    op.create_table(
        "evidence_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("sha512", sa.String(length=128), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("capture", JSON_DOC, nullable=False),
        sa.Column("derived_from_id", sa.Integer(), nullable=True),
        sa.Column("derivation", sa.String(length=20), nullable=True),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.Column("timestamp_token", sa.LargeBinary(), nullable=True),
        sa.Column("timestamped_at", sa.DateTime(), nullable=True),
        sa.Column("timestamp_serial", sa.String(length=100), nullable=True),
        sa.Column("timestamp_tsa", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["derived_from_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_items_derived_from_id_evidence_items"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_items")),
        sa.UniqueConstraint("sha256", name=op.f("uq_evidence_items_sha256")),
    )
    op.create_table(
        "witness_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wrapped", sa.LargeBinary(), nullable=False),
        sa.Column("kek_id", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("rewrapped_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witness_keys")),
    )
    op.create_table(
        "witnesses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pseudonym", sa.String(length=100), nullable=False),
        sa.Column("key_id", sa.Integer(), nullable=False),
        sa.Column("identity", sa.LargeBinary(), nullable=False),
        sa.Column("contact", sa.LargeBinary(), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_id"], ["witness_keys.id"], name=op.f("fk_witnesses_key_id_witness_keys")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_witnesses")),
        sa.UniqueConstraint("pseudonym", name=op.f("uq_witnesses_pseudonym")),
    )
    op.create_table(
        "testimonies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("witness_id", sa.Integer(), nullable=False),
        sa.Column("interviewer", sa.String(length=200), nullable=False),
        sa.Column("taken_on", sa.String(length=10), nullable=False),
        sa.Column("place", sa.String(length=500), nullable=True),
        sa.Column("language", sa.String(length=20), nullable=False),
        sa.Column("statement_ar", sa.Text(), nullable=True),
        sa.Column("statement_en", sa.Text(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("consent_scope", sa.String(length=20), nullable=False),
        sa.Column("consent_on", sa.String(length=10), nullable=False),
        sa.Column("consent_taken_by", sa.String(length=200), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdrawn_by", sa.String(length=200), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"], ["incidents.id"], name=op.f("fk_testimonies_incident_id_incidents")
        ),
        sa.ForeignKeyConstraint(
            ["witness_id"], ["witnesses.id"], name=op.f("fk_testimonies_witness_id_witnesses")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_testimonies")),
    )
    with op.batch_alter_table("testimonies", schema=None) as batch_op:
        batch_op.create_index("ix_testimonies_incident_id", ["incident_id"], unique=False)

    op.create_table(
        "evidence_provenances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=True),
        sa.Column("collected_by", sa.String(length=200), nullable=True),
        sa.Column("collected_on", sa.String(length=10), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("incident_id", sa.Integer(), nullable=True),
        sa.Column("testimony_id", sa.Integer(), nullable=True),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_evidence_provenances_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"],
            ["evidence_items.id"],
            name=op.f("fk_evidence_provenances_item_id_evidence_items"),
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_evidence_provenances_source_id_sources")
        ),
        sa.ForeignKeyConstraint(
            ["testimony_id"],
            ["testimonies.id"],
            name=op.f("fk_evidence_provenances_testimony_id_testimonies"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_provenances")),
    )
    with op.batch_alter_table("evidence_provenances", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_provenances_incident_id", ["incident_id"], unique=False)
        batch_op.create_index("ix_evidence_provenances_item_id", ["item_id"], unique=False)
    _guard()


def _guard() -> None:
    bind = op.get_bind()
    for statement in POSTGRES_GUARDS if bind.dialect.name == "postgresql" else SQLITE_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER custody_events_append_only ON custody_events")
        op.execute("DROP TRIGGER evidence_items_immutable ON evidence_items")
        op.execute("DROP FUNCTION marsad_refuse()")
    with op.batch_alter_table("evidence_provenances", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_provenances_item_id")
        batch_op.drop_index("ix_evidence_provenances_incident_id")

    op.drop_table("evidence_provenances")
    with op.batch_alter_table("testimonies", schema=None) as batch_op:
        batch_op.drop_index("ix_testimonies_incident_id")

    op.drop_table("testimonies")
    op.drop_table("witnesses")
    op.drop_table("witness_keys")
    op.drop_table("evidence_items")
    with op.batch_alter_table("custody_events", schema=None) as batch_op:
        batch_op.drop_index("ix_custody_events_item_id")

    op.drop_table("custody_events")
