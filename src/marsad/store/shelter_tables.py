"""The tables of displaced families and shelter sites (docs/data-model.md, "Shelter").

Registrations and movements point back to their raw rows, as records do. The movement log is
append-only: the database refuses to change or delete a movement (migration 0008_shelter), and
a correction is a new movement that `reverses` an old one.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from marsad.store.models import Base, JsonDoc, PersonColumns, utcnow


class ShelterSite(Base):
    """A place where displaced families stay; `site_ref` is the site_id of the sites file."""

    __tablename__ = "shelter_sites"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_ref: Mapped[str] = mapped_column(String(200), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_ar: Mapped[str | None] = mapped_column(String(200))
    site_type: Mapped[str] = mapped_column(String(40))
    pcode: Mapped[str | None] = mapped_column(String(20))
    governorate: Mapped[str | None] = mapped_column(String(4))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    managing_agency: Mapped[str | None] = mapped_column(String(200))
    capacity_individuals: Mapped[int | None] = mapped_column(Integer)
    opened_on: Mapped[str | None] = mapped_column(String(10))
    closed_on: Mapped[str | None] = mapped_column(String(10))
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ShelterHousehold(Base):
    """A displaced household, by the household_id the registering teams give it."""

    __tablename__ = "shelter_households"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    household_ref: Mapped[str] = mapped_column(String(200), unique=True)


class ShelterMember(PersonColumns, Base):
    """One registration of one member of a household at a site, from one raw row."""

    __tablename__ = "shelter_members"
    __table_args__ = (
        UniqueConstraint("source_id", "registration_ref"),
        Index("ix_shelter_members_household_id", "household_id"),
        Index("ix_shelter_members_site_id", "site_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    raw_row_id: Mapped[int] = mapped_column(ForeignKey("raw_rows.id"), unique=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("imports.id"))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id"))
    registration_ref: Mapped[str] = mapped_column(String(200))
    household_id: Mapped[int] = mapped_column(ForeignKey("shelter_households.id"))
    site_id: Mapped[int] = mapped_column(ForeignKey("shelter_sites.id"))
    registered_on: Mapped[str] = mapped_column(String(10))
    year_of_birth: Mapped[int | None] = mapped_column(Integer)
    child: Mapped[bool] = mapped_column(default=False)
    relationship_to_head: Mapped[str | None] = mapped_column(String(40))
    origin_pcode: Mapped[str | None] = mapped_column(String(20))
    origin_locality: Mapped[str | None] = mapped_column(String(500))
    vulnerabilities: Mapped[list[str]] = mapped_column(JsonDoc)
    notes: Mapped[str | None] = mapped_column(Text)


class ShelterMovement(Base):
    """One entry of the movement log; never changed nor deleted (see the module)."""

    __tablename__ = "shelter_movements"
    __table_args__ = (Index("ix_shelter_movements_household_id", "household_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    movement_ref: Mapped[str] = mapped_column(String(200), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("shelter_households.id"))
    moved_on: Mapped[str] = mapped_column(String(10))
    event: Mapped[str] = mapped_column(String(20))
    from_site_id: Mapped[int | None] = mapped_column(ForeignKey("shelter_sites.id"))
    to_site_id: Mapped[int | None] = mapped_column(ForeignKey("shelter_sites.id"))
    destination_pcode: Mapped[str | None] = mapped_column(String(20))
    individuals: Mapped[int] = mapped_column(Integer)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("shelter_movements.id"), unique=True)
    raw_row_id: Mapped[int | None] = mapped_column(ForeignKey("raw_rows.id"))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class NeedsAssessment(Base):
    """One sector's needs at one site on one day, by a key informant; later assessments are
    new rows, so a site's history is kept whole."""

    __tablename__ = "shelter_needs"
    __table_args__ = (Index("ix_shelter_needs_site_id", "site_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("shelter_sites.id"))
    assessed_on: Mapped[str] = mapped_column(String(10))
    sector: Mapped[str] = mapped_column(String(20))
    severity: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    informant: Mapped[str | None] = mapped_column(String(200))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class ShelterPair(Base):
    """A registration that may be the same human being as another registration
    (`other_member_id`) or as a casualty record (`record_id`): the linker's probability, and the
    reviewer's decision ("same" / "different") with who and when."""

    __tablename__ = "shelter_pairs"
    __table_args__ = (
        UniqueConstraint("member_id", "other_member_id", "record_id"),
        Index("ix_shelter_pairs_record_id", "record_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("shelter_members.id"))
    other_member_id: Mapped[int | None] = mapped_column(ForeignKey("shelter_members.id"))
    record_id: Mapped[int | None] = mapped_column(ForeignKey("records.id"))
    probability: Mapped[float] = mapped_column(Float)
    decision: Mapped[str | None] = mapped_column(String(20))
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime | None] = mapped_column()
    note: Mapped[str | None] = mapped_column(Text)
