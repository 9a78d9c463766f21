"""Logging in: the password check, throttled by account and by client, and lock-outs.

Failed attempts are rows in the store (not memory), so the limits hold across several server
workers and restarts. Three limits apply within FAILURE_WINDOW:

- one client (the address `marsad serve` trusts, see docs/permissions.md) may fail
  MAX_FAILURES_PER_CLIENT times, whatever the usernames: one machine cannot guess widely;
- one username from one client MAX_FAILURES_PER_ACCOUNT_AND_CLIENT times: a guesser is stopped
  on that account without locking its owner out from their own machine;
- one username from all clients together MAX_FAILURES_PER_ACCOUNT times: many machines
  guessing one account lock it (a lock-out), until the window passes or an admin lifts it.

Every attempt is first committed and then counted, so parallel guesses on several workers
are bounded too; a refused attempt tells how long to wait and is not counted itself. Each
failure is an audit event ("login.failed"), and filling a limit another ("login.locked").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    and_,
    delete,
    func,
    insert,
    select,
    update,
)

from marsad.services.audit import record_event
from marsad.services.users import (
    LoginRefused,
    UserError,
    UserInfo,
    find_user,
    hasher,
    password_matches,
    user_row,
)
from marsad.store.models import LoginAttempt, User, utcnow

MAX_FAILURES_PER_CLIENT = 20
MAX_FAILURES_PER_ACCOUNT_AND_CLIENT = 5
MAX_FAILURES_PER_ACCOUNT = 50
FAILURE_WINDOW = dt.timedelta(minutes=15)

_DUMMY_HASH = hasher().hash("not a password of anyone")


class TooManyAttempts(LoginRefused):
    """Too many failed logins lately; `retry_after` is how long until the next try counts."""

    def __init__(self, scope: str, retry_after: dt.timedelta) -> None:
        super().__init__(f"too many failed logins; try again in {_minutes(retry_after)} minutes")
        self.scope = scope
        self.retry_after = retry_after


def _minutes(wait: dt.timedelta) -> int:
    return max(1, -(-int(wait.total_seconds()) // 60))


@dataclass(frozen=True)
class Limit:
    """One throttle: which attempts it counts, how many it allows, and what it is called."""

    scope: str
    where: ColumnElement[bool]
    allowed: int


def _limits(username: str, client: str) -> list[Limit]:
    return [
        Limit("client", LoginAttempt.client == client, MAX_FAILURES_PER_CLIENT),
        Limit(
            "account_client",
            and_(LoginAttempt.username == username, LoginAttempt.client == client),
            MAX_FAILURES_PER_ACCOUNT_AND_CLIENT,
        ),
        Limit("account", LoginAttempt.username == username, MAX_FAILURES_PER_ACCOUNT),
    ]


def _free_at(
    conn: Connection, limit: Limit, since: dt.datetime, other_than: int
) -> dt.datetime | None:
    """When the failures `limit` counts (other than attempt `other_than`) fall below what it
    allows; None when they are below it already. Reads only the newest `allowed` of them."""
    newest = list(
        conn.scalars(
            select(LoginAttempt.at)
            .where(limit.where, LoginAttempt.at >= since, LoginAttempt.id != other_than)
            .order_by(LoginAttempt.at.desc())
            .limit(limit.allowed)
        )
    )
    return newest[-1] + FAILURE_WINDOW if len(newest) == limit.allowed else None


def authenticate(engine: Engine, username: str, password: str, client: str) -> UserInfo:
    """The user whose password this is, or LoginRefused / TooManyAttempts (see the module).

    The attempt is committed first, so that parallel attempts count each other; one refused
    by a limit is then deleted, without checking the password: only checked failures count,
    so a client refused for guessing widely adds nothing to an account's count, and one
    client can bring an account at most MAX_FAILURES_PER_ACCOUNT_AND_CLIENT closer to a
    lock-out.
    """
    username = username.strip()[:100]
    client = client[:100]
    now = utcnow()
    since = now - FAILURE_WINDOW
    with engine.begin() as conn:
        conn.execute(delete(LoginAttempt).where(LoginAttempt.at < since))
        attempt = conn.execute(
            insert(LoginAttempt)
            .values(username=username, client=client, at=now)
            .returning(LoginAttempt.id)
        ).scalar_one()
    limits = _limits(username, client)
    with engine.connect() as conn:
        for limit in limits:
            free_at = _free_at(conn, limit, since, attempt)
            if free_at is not None:
                conn.execute(delete(LoginAttempt).where(LoginAttempt.id == attempt))
                conn.commit()
                _failed(engine, username, client, None, {"refused_by": limit.scope})
                raise TooManyAttempts(limit.scope, free_at - now)
        row = conn.execute(
            select(User.id, User.password_hash, User.disabled).where(User.username == username)
        ).first()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    if not password_matches(stored, password) or row is None or row.disabled:
        user_id = row.id if row is not None else None
        _failed(engine, username, client, user_id, {})
        _lock_started(engine, username, client, user_id, limits, since)
        raise LoginRefused("wrong username or password")
    values: dict[str, object] = {"last_login_at": now}
    if hasher().check_needs_rehash(stored):
        values["password_hash"] = hasher().hash(password)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == row.id).values(**values))
        conn.execute(
            delete(LoginAttempt).where(
                LoginAttempt.username == username, LoginAttempt.client == client
            )
        )
        record_event(conn, username, "user.login", f"user:{row.id}", {"client": client})
        return user_row(conn, username)


def _failed(
    engine: Engine, username: str, client: str, user_id: int | None, detail: dict[str, object]
) -> None:
    target = f"user:{user_id}" if user_id is not None else None
    with engine.begin() as conn:
        record_event(conn, username or "-", "login.failed", target, {"client": client, **detail})


def _lock_started(
    engine: Engine,
    username: str,
    client: str,
    user_id: int | None,
    limits: list[Limit],
    since: dt.datetime,
) -> None:
    """Audit the limits this failure filled ("login.locked"): from now on they refuse."""
    target = f"user:{user_id}" if user_id is not None else None
    with engine.begin() as conn:
        for limit in limits:
            count = conn.scalar(
                select(func.count())
                .select_from(LoginAttempt)
                .where(limit.where, LoginAttempt.at >= since)
            )
            if count == limit.allowed:
                until = _free_at(conn, limit, since, 0)
                detail = {
                    "client": client,
                    "scope": limit.scope,
                    "until": until.isoformat("T", "seconds") if until else None,
                }
                record_event(conn, username or "-", "login.locked", target, detail)


def locked_accounts(engine: Engine) -> dict[str, dt.datetime]:
    """Usernames refused now from some client or from all (username → when it ends)."""
    now = utcnow()
    since = now - FAILURE_WINDOW
    locked: dict[str, dt.datetime] = {}
    with engine.connect() as conn:
        rows = conn.execute(
            select(LoginAttempt.username, LoginAttempt.client, LoginAttempt.at)
            .join(User, User.username == LoginAttempt.username)
            .where(LoginAttempt.at >= since)
            .order_by(LoginAttempt.at.desc())
        )
        seen: dict[tuple[str, str | None], list[dt.datetime]] = {}
        for row in rows:
            seen.setdefault((row.username, row.client), []).append(row.at)
            seen.setdefault((row.username, None), []).append(row.at)
    for (username, client), times in seen.items():
        allowed = (
            MAX_FAILURES_PER_ACCOUNT if client is None else MAX_FAILURES_PER_ACCOUNT_AND_CLIENT
        )
        if len(times) >= allowed:
            until = times[allowed - 1] + FAILURE_WINDOW
            locked[username] = max(until, locked.get(username, until))
    return locked


def unlock_user(engine: Engine, username: str, actor: str = "cli") -> int:
    """Lift a lock-out: forget the username's failed attempts from every client. Returns how
    many were forgotten; audited ("user.unlock")."""
    with engine.begin() as conn:
        user = find_user(conn, User.username == username)
        if user is None:
            raise UserError(f"no user {username!r}")
        forgotten = conn.execute(
            delete(LoginAttempt).where(LoginAttempt.username == username)
        ).rowcount
        record_event(conn, actor, "user.unlock", f"user:{user.id}", {"attempts": forgotten})
        return int(forgotten or 0)
