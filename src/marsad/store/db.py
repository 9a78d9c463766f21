"""Where the store lives and how to open it: a SQLite file by default, PostgreSQL for teams."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, OperationalError

from marsad.errors import InputError, StoreUnreachable

DEFAULT_DB = "marsad.db"


def resolve_url(db: str | None = None) -> str:
    """`--db` wins, then `MARSAD_DB`, then `./marsad.db`; a bare path means a SQLite file."""
    value = db or os.environ.get("MARSAD_DB") or DEFAULT_DB
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def describe(url: str) -> str:
    """The URL without its password, for messages and reports."""
    return make_url(url).render_as_string(hide_password=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def make_engine(url: str) -> Engine:
    """An engine with the settings each backend needs (SQLite: WAL and foreign keys)."""
    sa_url = make_url(url)
    if sa_url.drivername == "postgresql":
        sa_url = sa_url.set(drivername="postgresql+psycopg")
    if sa_url.get_backend_name() == "sqlite":
        engine = create_engine(sa_url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(sa_url, pool_pre_ping=True)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", "marsad.store:migrations")
    return config


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration; safe to run on every start."""
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def open_store(db: str | None = None) -> Engine:
    """Open (and create or upgrade) the store named by `db`; StoreUnreachable when it cannot
    be connected to (a server that is down or refuses us, a folder that does not exist)."""
    url = resolve_url(db)
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError) as error:
        raise InputError(f"{db or url}: not a store (a SQLite file or a postgresql:// URL)") from (
            error
        )
    try:
        with engine.connect():
            pass
    except OperationalError as error:
        engine.dispose()
        reason = str(error.orig).strip().splitlines()[0] if error.orig else type(error).__name__
        raise StoreUnreachable(f"cannot reach the store at {describe(url)}: {reason}") from None
    migrate(engine)
    return engine


@contextmanager
def waiting_at_most(conn: Connection, milliseconds: int) -> Iterator[None]:
    """On SQLite, wait at most this long for a write lock another connection holds."""
    if conn.dialect.name != "sqlite":
        yield
        return
    timeout = int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one())
    conn.exec_driver_sql(f"PRAGMA busy_timeout={milliseconds}")
    try:
        yield
    finally:
        conn.exec_driver_sql(f"PRAGMA busy_timeout={timeout}")
