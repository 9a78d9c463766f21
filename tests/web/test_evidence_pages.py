"""The evidence and testimony pages through HTTP, on SQLite and PostgreSQL, with the test TSA:
files stored from the upload form, an item's page, preview and download (each a custody
entry), testimonies recorded from their form, the witness opened only by the protection role,
consent withdrawal, and no witness identity on any page a role may open without that role."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from marsad.services.users import ROLES, can
from marsad.store import evidence_tables
from marsad.store.evidence_tables import CustodyEvent, EvidenceItem
from tests.integration.evidence_helpers import photo
from tests.tsa import TimestampAuthority
from tests.web.conftest import (
    WITNESS_CONTACT,
    WITNESS_IDENTITY,
    EvidenceSeeded,
    login,
    page_csrf,
)
from tests.web.test_app import guarded_routes


def custody(engine: Engine, action: str) -> list[CustodyEvent]:
    with engine.connect() as conn:
        return list(conn.execute(select(CustodyEvent).where(CustodyEvent.action == action)))


@pytest.fixture
def timestamped(tsa: TimestampAuthority, monkeypatch: pytest.MonkeyPatch) -> None:
    """The test TSA in the environment, as `marsad serve` is given it."""
    monkeypatch.setenv("MARSAD_TSA_URL", tsa.url)
    monkeypatch.setenv("MARSAD_TSA_CERTS", str(tsa.chain))


def test_upload_item_page_preview_and_download(
    client: TestClient,
    engine: Engine,
    team: dict[str, str],
    evidence_seeded: EvidenceSeeded,
    timestamped: None,
    tmp_path: Path,
) -> None:
    image = photo(tmp_path / "shelling.jpg", colour="blue").read_bytes()
    note = "شهادة مكتوبة عن القصف\n".encode()
    login(client, team["data_entry"])
    answer = client.post(
        "/evidence",
        data={
            "csrf_token": page_csrf(client, "/evidence"),
            "source": "Field team",
            "incident": str(evidence_seeded.incident_id),
            "collected_by": "Rami",
            "collected_on": "2025-03-08",
            "description": "sent by the family",
        },
        files=[
            ("files", ("shelling.jpg", image, "application/octet-stream")),
            ("files", ("note.txt", note, "image/png")),
        ],
    )
    assert answer.status_code == 200
    assert "2 file(s) stored and timestamped." in answer.text
    with engine.connect() as conn:
        stored = {r.sha256: r for r in conn.execute(select(EvidenceItem))}
    sha = hashlib.sha256(image).hexdigest()
    assert stored[sha].media_type == "image/jpeg"
    assert stored[hashlib.sha256(note).hexdigest()].media_type.startswith("text/plain")
    assert stored[sha].timestamp_token is not None

    listed = client.get(f"/evidence?incident={evidence_seeded.incident_id}")
    assert listed.text.count('data-item="') == 3  # and the seeded testimony's recording
    page = client.get(f"/evidence/{stored[sha].id}")
    assert page.status_code == 200
    assert sha in page.text and "shelling.jpg" in page.text and "sent by the family" in page.text
    assert f'src="/evidence/{stored[sha].id}/preview"' in page.text
    assert "2025-03-07T10:30:15" in page.text  # the EXIF date the photo carries
    assert re.search(r'data-action="add"', page.text) and 'data-action="timestamp"' in page.text

    preview = client.get(f"/evidence/{stored[sha].id}/preview")
    assert preview.content == image and preview.headers["content-type"] == "image/jpeg"
    download = client.get(f"/evidence/{stored[sha].id}/download")
    assert hashlib.sha256(download.content).hexdigest() == sha
    assert "attachment" in download.headers["content-disposition"]
    text_id = stored[hashlib.sha256(note).hexdigest()].id
    assert client.get(f"/evidence/{text_id}/preview").status_code == 404  # images only

    views = [e for e in custody(engine, "view") if e.item_id == stored[sha].id]
    assert [(e.actor, e.reason) for e in views] == [
        ("data_entry-user", "item page"),
        ("data_entry-user", "item page: preview"),
    ]
    [downloaded] = [e for e in custody(engine, "download") if e.item_id == stored[sha].id]
    assert downloaded.actor == "data_entry-user"

    handed = client.post(
        f"/evidence/{stored[sha].id}/transfer",
        data={
            "csrf_token": page_csrf(client, "/evidence"),
            "to": "IIIM",
            "reason": "copy on a USB drive",
        },
    )
    assert "The handover to IIIM is in the custody log." in handed.text
    [transfer] = custody(engine, "transfer")
    assert (transfer.item_id, transfer.detail, transfer.reason) == (
        stored[sha].id,
        {"to": "IIIM"},
        "copy on a USB drive",
    )

    arabic = client.get(f"/evidence/{stored[sha].id}?lang=ar")
    assert 'dir="rtl"' in arabic.text and "سجل الحيازة" in arabic.text


def test_upload_refused_with_the_reason_and_nothing_stored(
    client: TestClient,
    engine: Engine,
    team: dict[str, str],
    evidence_seeded: EvidenceSeeded,
    tmp_path: Path,
) -> None:
    login(client, team["admin"])
    csrf = page_csrf(client, "/evidence")
    files = [("files", ("a.jpg", photo(tmp_path / "a.jpg", colour="green").read_bytes()))]
    for field, value, reason in (
        ("incident", "999", "no incident report 999"),
        ("collected_on", "08/03/2025", "is not a date"),
        ("incident", "twelve", "is not an id"),
    ):
        answer = client.post(
            "/evidence",
            data={"csrf_token": csrf, "source": "Field team", field: value},
            files=files,
        )
        assert answer.status_code == 400 and reason in answer.text, field
        assert 'id="upload-error"' in answer.text
    with engine.connect() as conn:
        assert len(conn.execute(select(EvidenceItem.id)).all()) == 2  # the seeded ones


def test_testimony_form_witness_protection_and_withdrawal(
    client: TestClient,
    engine: Engine,
    team: dict[str, str],
    evidence_seeded: EvidenceSeeded,
    tmp_path: Path,
) -> None:
    login(client, team["protection"])
    added = client.post(
        "/witnesses",
        data={
            "csrf_token": page_csrf(client, "/testimonies"),
            "pseudonym": "W-2",
            "identity": "Hasan Mahmoud Second",
            "contact": "+963 944 000 222",
        },
    )
    assert "Witness W-2 added." in added.text
    assert "Hasan Mahmoud" not in added.text

    client.cookies.clear()
    login(client, team["data_entry"])
    answer = client.post(
        "/testimonies",
        data={
            "csrf_token": page_csrf(client, "/testimonies"),
            "witness": "W-2",
            "interviewer": "Rami",
            "taken_on": "2025-03-10",
            "language": "ar+en",
            "consent_scope": "public",
            "consent_on": "2025-03-10",
            "consent_taken_by": "Rami",
            "source": "Field team",
            "place": "Baniyas",
            "statement_ar": "سمعت الانفجار قرب السوق",
            "statement_en": "I heard the blast near the market",
            "incident": str(evidence_seeded.incident_id),
        },
        files=[("recordings", ("interview-2.m4a", b"\x00\x00\x00\x18ftypM4A " + bytes(300)))],
    )
    assert answer.status_code == 200 and "recorded." in answer.text
    with engine.connect() as conn:
        testimonies = evidence_tables.Testimony
        testimony_id = conn.scalar(select(testimonies.id).order_by(testimonies.id.desc()).limit(1))
    assert f"/testimonies/{testimony_id}" in str(answer.url)
    assert "سمعت الانفجار قرب السوق" in answer.text and "W-2" in answer.text
    assert 'id="reveal-form"' not in answer.text and "Hasan Mahmoud" not in answer.text
    assert 'data-action="testimony"' in answer.text and 'data-action="view"' in answer.text
    recording = re.search(r'href="/evidence/(\d+)"', answer.text)
    assert recording is not None
    item = client.get(f"/evidence/{recording.group(1)}")
    assert "interview-2.m4a" not in item.text  # a testimony's recording keeps no file name

    missing = client.post(
        "/testimonies",
        data={
            "csrf_token": page_csrf(client, "/testimonies"),
            "witness": "W-9", "interviewer": "Rami", "taken_on": "2025-03-10",
            "language": "ar", "consent_scope": "internal", "consent_on": "2025-03-10",
            "consent_taken_by": "Rami", "source": "Field team", "statement_ar": "نص",
        },
    )  # fmt: skip
    assert missing.status_code == 400 and "no witness &#39;W-9&#39;" in missing.text

    client.cookies.clear()
    login(client, team["protection"])
    revealed = client.post(
        f"/testimonies/{testimony_id}/witness",
        data={"csrf_token": page_csrf(client, "/testimonies"), "reason": "safety check"},
    )
    assert "Hasan Mahmoud Second" in revealed.text and "+963 944 000 222" in revealed.text
    [opened] = custody(engine, "witness_decrypt")
    assert (opened.actor, opened.reason, opened.detail) == (
        "protection-user",
        "safety check",
        {"witness": "W-2"},
    )
    assert "Hasan Mahmoud" not in client.get(f"/testimonies/{testimony_id}").text

    withdrawn = client.post(
        f"/testimonies/{testimony_id}/withdraw",
        data={"csrf_token": page_csrf(client, "/testimonies"), "reason": "the witness asked"},
    )
    assert f"Testimony {testimony_id} withdrawn" in withdrawn.text
    assert f'data-testimony="{testimony_id}"' not in withdrawn.text
    assert client.get(f"/testimonies/{testimony_id}").status_code == 404
    assert client.get(f"/evidence/{recording.group(1)}").status_code == 404
    assert f'data-item="{recording.group(1)}"' not in client.get("/evidence").text
    [entry] = custody(engine, "consent_withdrawn")
    assert entry.testimony_id == testimony_id and entry.reason == "the witness asked"


def test_no_page_shows_a_witness_identity_without_the_protection_role(
    client: TestClient, team: dict[str, str], evidence_seeded: EvidenceSeeded
) -> None:
    """Every page a role may open, in both languages; only the protection role's reveal form
    (a POST, logged) answers with the identity."""
    routes = [(p, perm) for m, p, perm, is_api in guarded_routes() if m == "GET"]
    for role in ROLES:
        client.cookies.clear()
        login(client, team[role])
        for path, permission in routes:
            if permission is not None and not can(role, permission):
                continue
            for lang in ("en", "ar"):
                joiner = "&" if "?" in path else "?"
                text = client.get(f"{path}{joiner}lang={lang}").text
                for secret in (WITNESS_IDENTITY, WITNESS_CONTACT):
                    assert secret not in text, (role, path, lang)
    revealed = client.post(
        f"/testimonies/{evidence_seeded.testimony_id}/witness",
        data={"csrf_token": page_csrf(client, "/testimonies"), "reason": "case review"},
    )
    assert WITNESS_IDENTITY in revealed.text  # the last role is protection: it may
    assert ROLES[-1] == "protection"
