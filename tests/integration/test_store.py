"""The schema comes from the migrations, identically on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from marsad.store.db import make_engine, migrate, resolve_url
from marsad.store.tables import metadata


def test_migrations_create_every_table(engine: Engine) -> None:
    tables = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= tables
    assert "alembic_version" in tables


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []


def test_migrate_twice_is_harmless(db_url: str) -> None:
    engine = make_engine(db_url)
    migrate(engine)
    migrate(engine)
    assert "records" in inspect(engine).get_table_names()
    engine.dispose()


def test_database_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("MARSAD_DB", raising=False)
    assert resolve_url(None) == "sqlite:///marsad.db"
    monkeypatch.setenv("MARSAD_DB", str(tmp_path / "x.db"))
    assert resolve_url(None) == f"sqlite:///{tmp_path / 'x.db'}"
    assert resolve_url("postgresql://u@h/db") == "postgresql://u@h/db"


def test_upgrading_a_store_gives_its_old_records_their_name_keys(tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from marsad.store.db import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config()
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0001")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO sources (id, name, kind, created_at)"
                " VALUES (1, 'A', 'media', '2025-01-01')"
            )
        )
        conn.execute(
            text(
                "INSERT INTO imports (id, source_id, file_name, sha256, imported_at, imported_by,"
                " file_format, profile, columns, warnings, rows_total, rows_recorded,"
                " rows_quarantined, rows_already_present) VALUES (1, 1, 'a.csv', 'x',"
                " '2025-01-01', 't', 'csv', '{}', '[]', '[]', 1, 1, 0, 0)"
            )
        )
        conn.execute(
            text("INSERT INTO raw_rows (id, import_id, row_number, data) VALUES (1, 1, 2, '{}')")
        )
        conn.execute(
            text(
                "INSERT INTO records (id, raw_row_id, content_sha256, import_id, source_id,"
                " record_id, name, status) VALUES (1, 1, 'h', 1, 1, 'r1', 'محمد أحمد الأسعد',"
                " 'killed')"
            )
        )
    migrate(engine)
    with engine.connect() as conn:
        keys = set(conn.scalars(text("SELECT key FROM record_name_keys WHERE record_id = 1")))
    from marsad.names import NameKeys

    assert keys == NameKeys.from_full_name("Mohammad Ahmad al-Asaad").present
    assert len(keys) == 3
    engine.dispose()
