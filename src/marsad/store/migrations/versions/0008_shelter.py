"""shelter: sites, households, registrations, the movement log, needs, pairs for review

Revision ID: 0008_shelter
Revises: 0007_tracing
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008_shelter"
down_revision: str | None = "0007_tracing"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

JSON_DOC = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

APPEND_ONLY = "shelter_movements is append-only: a correction is a new movement that reverses one"
SQLITE_GUARDS = (
    f"""CREATE TRIGGER shelter_movements_no_update BEFORE UPDATE ON shelter_movements
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
    f"""CREATE TRIGGER shelter_movements_no_delete BEFORE DELETE ON shelter_movements
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""",
)
POSTGRES_GUARDS = (
    f"""CREATE TRIGGER shelter_movements_append_only BEFORE UPDATE OR DELETE ON shelter_movements
    FOR EACH ROW EXECUTE FUNCTION marsad_refuse('{APPEND_ONLY}')""",
)
"""The movement log is refused any change by the database itself, as the custody log is
(0006_evidence, whose marsad_refuse() the PostgreSQL trigger calls): occupancy on a past date
must read tomorrow as it reads today."""


def upgrade() -> None:
    op.create_table(
        "shelter_households",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("household_ref", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelter_households")),
        sa.UniqueConstraint("household_ref", name=op.f("uq_shelter_households_household_ref")),
    )
    op.create_table(
        "shelter_sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_ref", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_ar", sa.String(length=200), nullable=True),
        sa.Column("site_type", sa.String(length=40), nullable=False),
        sa.Column("pcode", sa.String(length=20), nullable=True),
        sa.Column("governorate", sa.String(length=4), nullable=True),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("managing_agency", sa.String(length=200), nullable=True),
        sa.Column("capacity_individuals", sa.Integer(), nullable=True),
        sa.Column("opened_on", sa.String(length=10), nullable=True),
        sa.Column("closed_on", sa.String(length=10), nullable=True),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelter_sites")),
        sa.UniqueConstraint("site_ref", name=op.f("uq_shelter_sites_site_ref")),
    )
    op.create_table(
        "shelter_needs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.String(length=10), nullable=False),
        sa.Column("sector", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("informant", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["site_id"], ["shelter_sites.id"], name=op.f("fk_shelter_needs_site_id_shelter_sites")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelter_needs")),
    )
    with op.batch_alter_table("shelter_needs", schema=None) as batch_op:
        batch_op.create_index("ix_shelter_needs_site_id", ["site_id"], unique=False)

    op.create_table(
        "shelter_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("raw_row_id", sa.Integer(), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("registration_ref", sa.String(length=200), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("registered_on", sa.String(length=10), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("name_first", sa.String(length=200), nullable=True),
        sa.Column("name_father", sa.String(length=200), nullable=True),
        sa.Column("name_grandfather", sa.String(length=200), nullable=True),
        sa.Column("name_family", sa.String(length=200), nullable=True),
        sa.Column("name_mother", sa.String(length=200), nullable=True),
        sa.Column("sex", sa.String(length=10), nullable=True),
        sa.Column("age_min", sa.Integer(), nullable=True),
        sa.Column("age_max", sa.Integer(), nullable=True),
        sa.Column("year_of_birth", sa.Integer(), nullable=True),
        sa.Column("child", sa.Boolean(), nullable=False),
        sa.Column("relationship_to_head", sa.String(length=40), nullable=True),
        sa.Column("origin_pcode", sa.String(length=20), nullable=True),
        sa.Column("origin_locality", sa.String(length=500), nullable=True),
        sa.Column("vulnerabilities", JSON_DOC, nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["shelter_households.id"],
            name=op.f("fk_shelter_members_household_id_shelter_households"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_shelter_members_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["raw_row_id"], ["raw_rows.id"], name=op.f("fk_shelter_members_raw_row_id_raw_rows")
        ),
        sa.ForeignKeyConstraint(
            ["site_id"], ["shelter_sites.id"], name=op.f("fk_shelter_members_site_id_shelter_sites")
        ),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_shelter_members_source_id_sources")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelter_members")),
        sa.UniqueConstraint("raw_row_id", name=op.f("uq_shelter_members_raw_row_id")),
        sa.UniqueConstraint(
            "source_id", "registration_ref", name=op.f("uq_shelter_members_source_id")
        ),
    )
    with op.batch_alter_table("shelter_members", schema=None) as batch_op:
        batch_op.create_index("ix_shelter_members_household_id", ["household_id"], unique=False)
        batch_op.create_index("ix_shelter_members_site_id", ["site_id"], unique=False)

    op.create_table(
        "shelter_movements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("movement_ref", sa.String(length=200), nullable=False),
        sa.Column("household_id", sa.Integer(), nullable=False),
        sa.Column("moved_on", sa.String(length=10), nullable=False),
        sa.Column("event", sa.String(length=20), nullable=False),
        sa.Column("from_site_id", sa.Integer(), nullable=True),
        sa.Column("to_site_id", sa.Integer(), nullable=True),
        sa.Column("destination_pcode", sa.String(length=20), nullable=True),
        sa.Column("individuals", sa.Integer(), nullable=False),
        sa.Column("reverses_id", sa.Integer(), nullable=True),
        sa.Column("raw_row_id", sa.Integer(), nullable=True),
        sa.Column("import_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["from_site_id"],
            ["shelter_sites.id"],
            name=op.f("fk_shelter_movements_from_site_id_shelter_sites"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["shelter_households.id"],
            name=op.f("fk_shelter_movements_household_id_shelter_households"),
        ),
        sa.ForeignKeyConstraint(
            ["import_id"], ["imports.id"], name=op.f("fk_shelter_movements_import_id_imports")
        ),
        sa.ForeignKeyConstraint(
            ["raw_row_id"], ["raw_rows.id"], name=op.f("fk_shelter_movements_raw_row_id_raw_rows")
        ),
        sa.ForeignKeyConstraint(
            ["reverses_id"],
            ["shelter_movements.id"],
            name=op.f("fk_shelter_movements_reverses_id_shelter_movements"),
        ),
        sa.ForeignKeyConstraint(
            ["to_site_id"],
            ["shelter_sites.id"],
            name=op.f("fk_shelter_movements_to_site_id_shelter_sites"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelter_movements")),
        sa.UniqueConstraint("movement_ref", name=op.f("uq_shelter_movements_movement_ref")),
        sa.UniqueConstraint("reverses_id", name=op.f("uq_shelter_movements_reverses_id")),
    )
    with op.batch_alter_table("shelter_movements", schema=None) as batch_op:
        batch_op.create_index("ix_shelter_movements_household_id", ["household_id"], unique=False)

    op.create_table(
        "shelter_pairs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("other_member_id", sa.Integer(), nullable=True),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("probability", sa.Float(), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=True),
        sa.Column("decided_by", sa.String(length=200), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["member_id"],
            ["shelter_members.id"],
            name=op.f("fk_shelter_pairs_member_id_shelter_members"),
        ),
        sa.ForeignKeyConstraint(
            ["other_member_id"],
            ["shelter_members.id"],
            name=op.f("fk_shelter_pairs_other_member_id_shelter_members"),
        ),
        sa.ForeignKeyConstraint(
            ["record_id"], ["records.id"], name=op.f("fk_shelter_pairs_record_id_records")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelter_pairs")),
        sa.UniqueConstraint(
            "member_id", "other_member_id", "record_id", name=op.f("uq_shelter_pairs_member_id")
        ),
    )
    with op.batch_alter_table("shelter_pairs", schema=None) as batch_op:
        batch_op.create_index("ix_shelter_pairs_record_id", ["record_id"], unique=False)
    _guard()


def _guard() -> None:
    bind = op.get_bind()
    for statement in POSTGRES_GUARDS if bind.dialect.name == "postgresql" else SQLITE_GUARDS:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER shelter_movements_append_only ON shelter_movements")
    with op.batch_alter_table("shelter_pairs", schema=None) as batch_op:
        batch_op.drop_index("ix_shelter_pairs_record_id")

    op.drop_table("shelter_pairs")
    with op.batch_alter_table("shelter_movements", schema=None) as batch_op:
        batch_op.drop_index("ix_shelter_movements_household_id")

    op.drop_table("shelter_movements")
    with op.batch_alter_table("shelter_members", schema=None) as batch_op:
        batch_op.drop_index("ix_shelter_members_site_id")
        batch_op.drop_index("ix_shelter_members_household_id")

    op.drop_table("shelter_members")
    with op.batch_alter_table("shelter_needs", schema=None) as batch_op:
        batch_op.drop_index("ix_shelter_needs_site_id")

    op.drop_table("shelter_needs")
    op.drop_table("shelter_sites")
    op.drop_table("shelter_households")
