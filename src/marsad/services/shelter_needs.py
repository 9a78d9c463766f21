"""Needs assessments per site: recorded one sector at a time, never overwritten, so that a
site's history (what it lacked, and when) stays whole; the latest per sector is its state."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, Engine, insert, select

from marsad.errors import InputError
from marsad.services.audit import record_event
from marsad.services.shelter_sites import get_site
from marsad.shelter.needs import Assessment, check_assessment
from marsad.store.shelter_tables import NeedsAssessment, ShelterSite


def add_assessment(engine: Engine, assessment: Assessment, user: str) -> int:
    """Record one assessment (audited); InputError for a sector, severity or date not allowed."""
    why = check_assessment(assessment.sector, assessment.severity)
    if why is None:
        try:
            dt.date.fromisoformat(assessment.assessed_on)
        except ValueError:
            why = f"not a date (YYYY-MM-DD): {assessment.assessed_on!r}"
    if why is not None:
        raise InputError(why)
    with engine.begin() as conn:
        site = get_site(conn, assessment.site_id)
        new = conn.execute(
            insert(NeedsAssessment)
            .values(
                site_id=site.id,
                assessed_on=assessment.assessed_on,
                sector=assessment.sector,
                severity=assessment.severity,
                note=assessment.note,
                informant=assessment.informant,
                recorded_by=user,
            )
            .returning(NeedsAssessment.id)
        ).scalar_one()
        record_event(conn, user, "shelter.needs", f"site:{assessment.site_id}", {"id": new})
    return int(new)


def site_needs(conn: Connection, site_id: str) -> list[Assessment]:
    """A site's assessments, newest first (then by sector)."""
    rows = conn.execute(
        select(NeedsAssessment, ShelterSite.site_ref)
        .join(ShelterSite, ShelterSite.id == NeedsAssessment.site_id)
        .where(ShelterSite.site_ref == site_id)
        .order_by(NeedsAssessment.assessed_on.desc(), NeedsAssessment.sector, NeedsAssessment.id)
    )
    return [
        Assessment(r.site_ref, r.assessed_on, r.sector, r.severity, r.note, r.informant)
        for r in rows
    ]
