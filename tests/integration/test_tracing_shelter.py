"""Tracing searches the shelters: a sought person registered alive at a site is a candidate
with status `sheltered` (issues 18 and 19), and an unrelated report finds no one there."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select

from marsad.services.tracing_ingest import ingest_reports
from marsad.services.tracing_match import match_cases
from marsad.store.shelter_tables import ShelterMember
from marsad.tracing.reports import REPORT_COLUMNS
from tests.integration.helpers import write_csv
from tests.integration.shelter_helpers import shelter_store

REPORTS = [
    {"report_id": "R-1", "name": "Mohammad Ali Hasan", "sex": "male", "year_of_birth": "1985",
     "last_seen_date": "2025-03-06", "consent_scope": "internal",
     "reporter_relationship": "sister"},
    {"report_id": "R-2", "name": "Yousef Karim Haddad", "sex": "male", "year_of_birth": "1960",
     "consent_scope": "internal", "reporter_relationship": "son"},
]  # fmt: skip


def test_a_sought_person_registered_at_a_shelter_is_a_sheltered_candidate(
    engine: Engine, tmp_path: Path
) -> None:
    shelter_store(engine, tmp_path)
    ingest_reports(engine, write_csv(tmp_path / "r.csv", REPORTS, REPORT_COLUMNS), "Desk", "t")
    by_case = {m.report_ids[0]: m for m in match_cases(engine, "t")}
    with engine.connect() as conn:
        member = conn.execute(
            select(ShelterMember.id, ShelterMember.registration_ref).where(
                ShelterMember.registration_ref == "R1"
            )
        ).one()
    [best, *_] = by_case["R-1"].candidates
    assert (best.pool, best.status, best.person_id) == ("sheltered", "sheltered", member.id)
    assert best.probability > 0.5
    assert [record for _, record in best.records] == ["R1"]
    assert all(c.probability < 0.5 for c in by_case["R-2"].candidates)
