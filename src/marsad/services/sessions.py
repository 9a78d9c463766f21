"""Browser sessions kept in the store, so that they can be ended.

The session cookie carries a random token; the store keeps only its SHA-256 with the user, the
client, when it started, when it was last used and when it expires. A session counts while it
is not revoked, not past its lifetime and used within the idle timeout: logout revokes it, and
a change of password or role, disabling the account or "log out everywhere" revokes every
session of the user (`users.revoke_sessions`), on every server worker at once.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from sqlalchemy import Engine, delete, insert, or_, select, update
from sqlalchemy.exc import OperationalError

from marsad.services.audit import record_event
from marsad.services.users import USER_COLUMNS, UserInfo, revoke_sessions, user_row
from marsad.store.db import waiting_at_most
from marsad.store.models import User, WebSession, utcnow

KEEP_ENDED = dt.timedelta(days=1)
"""Sessions that ended longer ago than this are deleted when the next one starts."""
TOUCH_EVERY = dt.timedelta(minutes=1)
"""`last_seen_at` is written at most this often per session: not one write per click."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def start_session(engine: Engine, user_id: int, client: str, lifetime: dt.timedelta) -> str:
    """A new session for the user; returns the token for the cookie (never stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        conn.execute(
            delete(WebSession).where(
                or_(
                    WebSession.expires_at < now - KEEP_ENDED,
                    WebSession.revoked_at < now - KEEP_ENDED,
                )
            )
        )
        conn.execute(
            insert(WebSession).values(
                user_id=user_id,
                token_sha256=_digest(token),
                client=client[:100],
                created_at=now,
                last_seen_at=now,
                expires_at=now + lifetime,
            )
        )
    return token


def session_user(engine: Engine, token: str, idle: dt.timedelta) -> UserInfo | None:
    """The enabled user of a live session, else None (revoked, expired, idle or disabled)."""
    now = utcnow()
    digest = _digest(token)
    with engine.connect() as conn:
        row = conn.execute(
            select(
                WebSession.id.label("session_id"),
                WebSession.last_seen_at.label("seen"),
                *USER_COLUMNS,
            )
            .join(User, User.id == WebSession.user_id)
            .where(
                WebSession.token_sha256 == digest,
                WebSession.revoked_at.is_(None),
                WebSession.expires_at > now,
                WebSession.last_seen_at > now - idle,
                User.disabled.is_(False),
            )
        ).first()
    if row is None:
        return None
    if now - row.seen >= TOUCH_EVERY:
        _touch(engine, row.session_id, now)
    values = row._asdict()
    return UserInfo(**{c.key: values[c.key] for c in USER_COLUMNS})


def _touch(engine: Engine, session_id: int, now: dt.datetime) -> None:
    """Note that the session was used, unless the store is busy writing (SQLite's one writer
    during an import): a click never waits for that, and the next one tries again."""
    with engine.connect() as conn, waiting_at_most(conn, 0):
        try:
            conn.execute(
                update(WebSession).where(WebSession.id == session_id).values(last_seen_at=now)
            )
            conn.commit()
        except OperationalError:
            conn.rollback()


def end_session(engine: Engine, token: str) -> None:
    """Logout: this session stops counting at once."""
    with engine.begin() as conn:
        conn.execute(
            update(WebSession)
            .where(WebSession.token_sha256 == _digest(token), WebSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def end_all_sessions(engine: Engine, user: UserInfo, actor: str) -> int:
    """ "Log out everywhere": every session of the user ends; audited ("user.logout_all")."""
    with engine.begin() as conn:
        ended = revoke_sessions(conn, user.id)
        record_event(conn, actor, "user.logout_all", f"user:{user.id}", {"sessions": ended})
    return ended


def log_out_user(engine: Engine, username: str, actor: str) -> int:
    """ "Log out everywhere" for a user named by an admin; UserError when there is none."""
    with engine.connect() as conn:
        user = user_row(conn, username)
    return end_all_sessions(engine, user, actor)
