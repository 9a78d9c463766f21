"""Fixtures shared by the suite: a store on SQLite and on a real PostgreSQL server; and the
marks that say which tests need a server, so `make check` can leave them out."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings
from sqlalchemy import Engine, text

from marsad.store.db import make_engine, migrate
from tests.pg import PostgresServer
from tests.tsa import TimestampAuthority

settings.register_profile("marsad", deadline=None)
settings.load_profile("marsad")
# Hypothesis fails an example slower than 200 ms by default: a timed test, which fails on a
# loaded machine. Speed is measured in benchmarks/, never in the suite.

_database_numbers = itertools.count(1)

NEEDS: dict[str, tuple[str, ...]] = {
    "browser": (
        "web/test_browser.py",
        "web/test_browser_data.py",
        "web/test_browser_operations.py",
        "web/test_browser_pages.py",
        "web/test_browser_tracing.py",
        "render/",
    ),
    "java": ("integration/test_spark.py",),
    "server": ("web/test_serve.py",),
}
"""What a test file needs besides Python and SQLite, by mark: headless Chromium, Java (Apache
Spark), a real `marsad serve` in a subprocess. PostgreSQL is marked by the store a test runs on."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    tests = Path(__file__).parent
    for item in items:
        where = item.path.relative_to(tests).as_posix()
        for mark, files in NEEDS.items():
            if where.startswith(files):
                item.add_marker(mark)
        callspec = getattr(item, "callspec", None)
        on_postgres = callspec is not None and callspec.params.get("db_url") == "postgresql"
        if on_postgres or "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker("postgres")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_template(postgres: PostgresServer) -> str:
    """A migrated database that each test copies (CREATE DATABASE … TEMPLATE is fast)."""
    admin = make_engine(postgres.admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE marsad_template"))
    admin.dispose()
    engine = make_engine(postgres.url("marsad_template"))
    migrate(engine)
    engine.dispose()
    return "marsad_template"


def new_postgres_database(server: PostgresServer, template: str) -> str:
    name = f"marsad_test_{next(_database_numbers)}"
    admin = make_engine(server.admin_url).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE {template}"))
    admin.dispose()
    return server.url(name)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated store, once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'marsad.db'}"
        engine = make_engine(url)
        migrate(engine)
        engine.dispose()
        return url
    server: PostgresServer = request.getfixturevalue("postgres")
    template: str = request.getfixturevalue("postgres_template")
    return new_postgres_database(server, template)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def tsa() -> Iterator[TimestampAuthority]:
    """A time-stamping authority made with OpenSSL on loopback (tests/tsa.py)."""
    authority = TimestampAuthority.start()
    try:
        yield authority
    finally:
        authority.stop()
