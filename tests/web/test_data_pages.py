"""Sources, quarantine and data entry through HTTP, on SQLite and PostgreSQL: an upload becomes
an import, a corrected quarantined row a record, a typed report a record or a list of errors;
and every role without `ingest` is refused each of these pages and the upload status call."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from marsad.services.exports import quarantine_items
from marsad.services.ingest import ingest_file
from marsad.services.users import ROLES, can, create_token
from marsad.store.models import AuditEvent, Import, QuarantineEntry, Record, Source
from tests.web.conftest import login, page_csrf
from tests.web.linked_store import BAD_ROW, FIXED_DATE, GOOD_ROWS, write_upload

ARABIC_PROFILE_CSV = (
    "الرقم,الاسم الكامل,تاريخ الوفاة,الحالة\nar-1,Synthetic Arabic One,07/03/2025,شهيد\n"
)


def wait_for_jobs(client: TestClient) -> list[dict[str, Any]]:
    """The upload jobs once none is running (the ingest runs in a worker thread)."""
    deadline = time.monotonic() + 60
    while True:
        jobs: list[dict[str, Any]] = client.get("/sources/jobs").json()["jobs"]
        if all(job["state"] != "running" for job in jobs):
            return jobs
        assert time.monotonic() < deadline, "the upload never finished"
        time.sleep(0.05)


def upload(client: TestClient, path: Path, source: str, **fields: str) -> tuple[int, str]:
    csrf = page_csrf(client, "/sources")
    with path.open("rb") as handle:
        response = client.post(
            "/sources",
            data={"csrf_token": csrf, "source": source, **fields},
            files={"file": (path.name, handle, "text/csv")},
            follow_redirects=False,
        )
    return response.status_code, response.headers.get("location", response.text)


def record_ids(engine: Engine, source: str) -> set[str]:
    with engine.connect() as conn:
        return set(
            conn.scalars(
                select(Record.record_id)
                .join(Source, Source.id == Record.source_id)
                .where(Source.name == source)
            )
        )


def correction_form(page: str, raw_row_id: int) -> dict[str, str]:
    """The hidden headers and current cells of one quarantined row's form, as a browser posts."""
    section = page.split(f'id="row-{raw_row_id}"', 1)[1].split("</section>", 1)[0]
    fields = dict(re.findall(r'name="(header-\d+)" value="([^"]*)"', section))
    fields |= dict(re.findall(r'name="(cell-\d+)" value="([^"]*)"', section))
    return fields


def test_upload_imports_and_a_corrected_row_resolves_its_quarantine(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    assert login(client, team["data_entry"]) == 303
    status, location = upload(
        client, write_upload(tmp_path / "list.csv"), "Field list", kind="field_team"
    )
    assert status == 303 and location.startswith("/sources?job=")
    [job] = wait_for_jobs(client)
    assert (job["state"], job["rows"], job["recorded"], job["quarantined"]) == ("done", 3, 2, 1)
    assert record_ids(engine, "Field list") == {GOOD_ROWS[0][0], GOOD_ROWS[1][0]}
    with engine.connect() as conn:
        imported = conn.execute(select(Import.file_name, Import.imported_by)).one()
    assert tuple(imported) == ("list.csv", team["data_entry"])
    sources_page = client.get(location)
    assert "list.csv" in sources_page.text and 'data-state="done"' in sources_page.text
    state = sources_page.text.split('<span data-field="state"')[1].split("</span>")[0]
    assert 'data-check="1"' in state and "with problems" in state, "a quarantined row is no done"
    assert job["needs_check"] and job["user"] == team["data_entry"]
    row = sources_page.text.split('data-job="')[1].split("</tr>")[0]
    assert team["data_entry"] in row and "UTC" in row
    page_order = sources_page.text
    assert page_order.index('id="upload"') < page_order.index('id="jobs"')

    page = client.get("/quarantine").text
    [item] = list(quarantine_items(engine))
    assert item.record_id == BAD_ROW[0]
    assert "Date of death" in page and "spreadsheet formula" in page
    form = correction_form(page, item.raw_row_id)
    date_cell = next(k for k, v in form.items() if v == "date_of_death").replace("header", "cell")
    assert form[date_cell] == BAD_ROW[3]
    csrf = page_csrf(client, "/quarantine")

    still_bad = client.post(
        f"/quarantine/{item.raw_row_id}",
        data={**form, date_cell: "2025-13-45", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert still_bad.status_code == 400 and "2025-13-45" in still_bad.text
    assert len(list(quarantine_items(engine))) == 1

    fixed = client.post(
        f"/quarantine/{item.raw_row_id}",
        data={**form, date_cell: FIXED_DATE, "csrf_token": csrf},
        follow_redirects=False,
    )
    assert fixed.status_code == 303
    assert list(quarantine_items(engine)) == []
    assert BAD_ROW[0] in record_ids(engine, "Field list")
    with engine.connect() as conn:
        resolved_by = conn.scalar(
            select(QuarantineEntry.resolved_by_record_id).where(
                QuarantineEntry.raw_row_id == item.raw_row_id
            )
        )
        record = conn.execute(
            select(Record.id, Record.date_of_death).where(Record.record_id == BAD_ROW[0])
        ).one()
        actions = list(conn.scalars(select(AuditEvent.action)))
    assert resolved_by == record.id and record.date_of_death == FIXED_DATE
    assert "quarantine.correct" in actions
    assert "No quarantined row is waiting." in client.get("/quarantine").text


def test_upload_with_a_packaged_profile_and_refused_profiles(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    assert login(client, team["admin"]) == 303
    arabic = tmp_path / "arabic.csv"
    arabic.write_text(ARABIC_PROFILE_CSV, encoding="utf-8")
    status, _ = upload(client, arabic, "Lattakia group", profile="arabic-headers")
    assert status == 303
    [job] = wait_for_jobs(client)
    assert job["recorded"] == 1
    with engine.connect() as conn:
        row = conn.execute(select(Record.governorate, Record.status)).one()
        profile = conn.scalar(select(Import.profile))
    assert tuple(row) == ("Lattakia", "killed"), "the profile's defaults and values applied"
    assert profile is not None and profile["name"] == "arabic-headers"

    broken = tmp_path / "broken.yaml"
    broken.write_text("columns:\n  no_such_field: x\n", encoding="utf-8")
    csrf = page_csrf(client, "/sources")
    with arabic.open("rb") as data, broken.open("rb") as yaml_file:
        refused = client.post(
            "/sources",
            data={"csrf_token": csrf, "source": "Other", "profile": "upload"},
            files={
                "file": ("again.csv", data, "text/csv"),
                "profile_file": ("broken.yaml", yaml_file, "application/yaml"),
            },
        )
    assert refused.status_code == 400
    assert "no_such_field" in refused.text and str(tmp_path) not in refused.text
    wrong_type, message = upload(client, broken, "Other")
    assert wrong_type == 400 and "broken.yaml" in message
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Import)) == 1


FRENCH_CSV = (
    "id,nom,prénom,sexe,âge,date de décès,lieu\n"
    "fr-1,Chaaban,Mohamed,H,30 ans,3 mars 2025,\n"
    "fr-2,Chahine,Fatma,F,~40,mars 2025,\n"
    "fr-3,Haddad,Rami,Homme?,trente ans,hier,\n"
    "fr-4,Issa,Samir,Homme?,,,\n"
)


def test_upload_report_lists_the_values_not_understood(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    assert login(client, team["data_entry"]) == 303
    listing = tmp_path / "liste.csv"
    listing.write_text(FRENCH_CSV, encoding="utf-8")
    status, location = upload(client, listing, "Liste FR")
    assert status == 303
    [job] = wait_for_jobs(client)
    assert (job["recorded"], job["quarantined"]) == (4, 0), "no record lost to an unread value"
    assert job["unread"]["sex"] == {"count": 2, "values": [["Homme?", 2]], "other": 0}
    assert set(job["unread"]) == {"sex", "age", "date_of_death"}
    assert any("locality" in w and "'lieu'" in w and "empty" in w for w in job["warnings"])
    with engine.connect() as conn:
        sexes = {r.record_id: r.sex for r in conn.execute(select(Record.record_id, Record.sex))}
    assert sexes == {"fr-1": "male", "fr-2": "female", "fr-3": None, "fr-4": None}

    for lang, label, two in (("en", "Sex", "2"), ("ar", "الجنس", "٢")):
        page = client.get(f"{location}&lang={lang}").text
        report = page.split('data-report="', 1)[1].split("</tr>", 1)[0]
        assert label in report
        assert f'<bdi class="value">Homme?</bdi> × {two}' in report
        assert "hier" in report and "trente ans" in report
        assert "is empty in every row" in report


def entry_fields(client: TestClient, **values: str) -> dict[str, str]:
    csrf = page_csrf(client, "/entry")
    return {"csrf_token": csrf, "source": "Relatives", "kind": "relative", **values}


def test_entry_errors_in_both_languages_and_a_valid_entry_becomes_a_record(
    client: TestClient, team: dict[str, str], engine: Engine
) -> None:
    assert login(client, team["data_entry"]) == 303
    bad = {"record_id": "rel-1", "date_of_death": "yesterday", "age": "old", "sex": "male"}
    english = client.post("/entry", data=entry_fields(client, **bad))
    assert english.status_code == 400
    for label in ("Full name", "Date of death", "Age"):
        assert label in english.text
    assert "required but empty" in english.text and "not a recognised date" in english.text
    assert 'value="yesterday"' in english.text, "what was typed is kept"

    arabic = client.post("/entry?lang=ar", data=entry_fields(client, **bad))
    assert arabic.status_code == 400 and '<html lang="ar" dir="rtl">' in arabic.text
    for label in ("الاسم الكامل", "تاريخ الوفاة", "العمر", "حقل مطلوب لكنه فارغ"):
        assert label in arabic.text
    assert "not a recognised date" not in arabic.text and "تاريخ غير مفهوم" in arabic.text
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(Import)) == 0, "nothing stored"

    good = {
        "record_id": "rel-1",
        "name_first": "Synthetic",
        "name_family": "Relative",
        "sex": "female",
        "age": "34",
        "date_of_death": "2025-03",
        "governorate": "Tartous",
        "status": "killed",
        "civilian": "yes",
    }
    assert 'lang="en"' in client.get("/entry?lang=en").text
    saved = client.post("/entry", data=entry_fields(client, **good), follow_redirects=False)
    assert saved.status_code == 303
    with engine.connect() as conn:
        record = conn.execute(
            select(Record.name, Record.age_min, Record.date_of_death, Record.civilian, Source.kind)
            .join(Source, Source.id == Record.source_id)
            .where(Record.record_id == "rel-1")
        ).one()
        audit = conn.execute(select(AuditEvent.action, AuditEvent.actor)).all()
    assert tuple(record) == ("Synthetic Relative", 34, "2025-03", True, "relative")
    assert ("entry.add", team["data_entry"]) in [tuple(a) for a in audit]
    page = client.get("/entry").text
    assert "rel-1" in page, "the saved report is acknowledged"
    again = client.post("/entry", data=entry_fields(client, **good))
    assert again.status_code == 200 and "already recorded" in again.text
    assert record_ids(engine, "Relatives") == {"rel-1"}


def test_roles_without_ingest_are_refused_by_url_and_api(
    client: TestClient, team: dict[str, str], engine: Engine, tmp_path: Path
) -> None:
    ingest_file(engine, write_upload(tmp_path / "seed.csv"), "Seed list")
    [item] = list(quarantine_items(engine))
    posts = ("/sources", "/entry", f"/quarantine/{item.raw_row_id}")
    for role in ROLES:
        client.cookies.clear()
        assert login(client, team[role]) == 303
        csrf = page_csrf(client, "/")
        allowed = can(role, "ingest")
        for path in ("/sources", "/quarantine", "/entry", "/sources/jobs"):
            assert client.get(path).status_code == (200 if allowed else 403), (role, path)
        token = create_token(engine, team[role], "script")
        by_token = client.get("/sources/jobs", headers={"Authorization": f"Bearer {token}"})
        assert by_token.status_code == (200 if allowed else 403), role
        if allowed:
            continue
        for path in posts:
            data = {"csrf_token": csrf, "source": "X", "record_id": "x", "name": "x"}
            response = client.post(path, data=data, follow_redirects=False)
            assert response.status_code == 403, (role, path)
        nav = client.get("/").text
        assert 'href="/sources"' not in nav and 'href="/entry"' not in nav
    client.cookies.clear()
    assert client.get("/sources/jobs").status_code == 401
    assert client.get("/quarantine", follow_redirects=False).status_code == 303
    assert len(list(quarantine_items(engine))) == 1
    assert record_ids(engine, "X") == set()
