"""Accounts: who may sign in, with which role, and what each role may do.

The CLI (`marsad user …`) and the web app both call these functions, so an account is made,
changed or disabled in one way only. Passwords are hashed with Argon2; API tokens are random
and only their SHA-256 is stored. Failed logins are rows in the store (not memory), so the rate
limit holds across several server workers. Every change is an audit event (ids, never names of
the dead; usernames of the team are the actors).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Connection, Engine, delete, func, insert, select, update

from marsad.i18n import LANGUAGES
from marsad.services.audit import record_event
from marsad.store.models import ApiToken, LoginAttempt, User, utcnow

ROLES = ("admin", "reviewer", "data_entry", "analyst", "viewer")

PERMISSIONS: dict[str, frozenset[str]] = {
    "view_dashboard": frozenset(ROLES),
    "view_persons": frozenset(ROLES),
    "view_records": frozenset(ROLES),
    "view_estimates": frozenset(ROLES),
    "view_names": frozenset({"admin", "reviewer", "data_entry"}),
    "ingest": frozenset({"admin", "data_entry"}),
    "review": frozenset({"admin", "reviewer"}),
    "verify": frozenset({"admin", "reviewer"}),
    "estimate": frozenset({"admin", "analyst"}),
    "export": frozenset({"admin", "analyst"}),
    "export_names": frozenset({"admin"}),
    "publish": frozenset({"admin"}),
    "manage_users": frozenset({"admin"}),
    "view_audit": frozenset({"admin"}),
}
"""Permission → the roles that hold it; docs/permissions.md explains each one."""

MIN_PASSWORD_LENGTH = 10
MAX_FAILURES_PER_USER = 5
MAX_FAILURES_PER_CLIENT = 20
FAILURE_WINDOW = dt.timedelta(minutes=15)

_USERNAME = re.compile(r"[A-Za-z0-9_.@-]{1,100}")
_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class UserError(ValueError):
    """An account operation the store cannot accept (unknown user, bad role, short password)."""


class LoginRefused(Exception):
    """Wrong username or password, or a disabled account: the caller is told no more."""


class TooManyAttempts(LoginRefused):
    """Too many failed logins lately for this username or this client."""


@dataclass(frozen=True)
class UserInfo:
    id: int
    username: str
    role: str
    language: str
    disabled: bool
    created_at: dt.datetime
    last_login_at: dt.datetime | None

    def can(self, permission: str) -> bool:
        return not self.disabled and can(self.role, permission)


@dataclass(frozen=True)
class TokenInfo:
    id: int
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def can(role: str, permission: str) -> bool:
    """Whether `role` holds `permission`; an unknown permission is held by nobody."""
    return role in PERMISSIONS.get(permission, frozenset())


def _check_role(role: str) -> str:
    if role not in ROLES:
        raise UserError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    return role


def _check_language(lang: str) -> str:
    if lang not in LANGUAGES:
        raise UserError(f"unknown language {lang!r}; use one of {', '.join(LANGUAGES)}")
    return lang


USER_COLUMNS = (
    User.id,
    User.username,
    User.role,
    User.language,
    User.disabled,
    User.created_at,
    User.last_login_at,
)


def _find(conn: Connection, *where: ColumnElement[bool]) -> UserInfo | None:
    row = conn.execute(select(*USER_COLUMNS).where(*where)).first()
    return None if row is None else UserInfo(**row._asdict())


def _user_row(conn: Connection, username: str) -> UserInfo:
    user = _find(conn, User.username == username)
    if user is None:
        raise UserError(f"no user {username!r}")
    return user


def add_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    language: str = "ar",
    actor: str = "cli",
) -> UserInfo:
    """Create an account; the password is kept only as its Argon2 hash."""
    username = username.strip()
    if not _USERNAME.fullmatch(username):
        raise UserError("a username is 1–100 letters, digits or . _ @ -")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    _check_role(role)
    _check_language(language)
    with engine.begin() as conn:
        if conn.scalar(select(User.id).where(User.username == username)) is not None:
            raise UserError(f"user {username!r} already exists")
        user_id = conn.execute(
            insert(User)
            .values(
                username=username,
                password_hash=_hasher.hash(password),
                role=role,
                language=language,
                disabled=False,
            )
            .returning(User.id)
        ).scalar_one()
        record_event(conn, actor, "user.add", f"user:{user_id}", {"role": role})
        return _user_row(conn, username)


def get_user(engine: Engine, user_id: int) -> UserInfo | None:
    with engine.connect() as conn:
        return _find(conn, User.id == user_id)


def list_users(engine: Engine) -> list[UserInfo]:
    with engine.connect() as conn:
        rows = conn.execute(select(*USER_COLUMNS).order_by(User.username))
        return [UserInfo(**row._asdict()) for row in rows]


def set_role(engine: Engine, username: str, role: str, actor: str = "cli") -> UserInfo:
    _check_role(role)
    with engine.begin() as conn:
        user = _user_row(conn, username)
        if user.role != role:
            conn.execute(update(User).where(User.id == user.id).values(role=role))
            record_event(
                conn, actor, "user.role", f"user:{user.id}", {"from": user.role, "to": role}
            )
        return _user_row(conn, username)


def set_language(engine: Engine, user_id: int, lang: str) -> None:
    """Remember a user's interface language (a preference: not an audited change)."""
    _check_language(lang)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == user_id).values(language=lang))


def disable_user(engine: Engine, username: str, actor: str = "cli") -> UserInfo:
    """Refuse every login, session and token of the user from now on (the row is kept)."""
    with engine.begin() as conn:
        user = _user_row(conn, username)
        if not user.disabled:
            conn.execute(update(User).where(User.id == user.id).values(disabled=True))
            conn.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
            record_event(conn, actor, "user.disable", f"user:{user.id}")
        return _user_row(conn, username)


def _recent_failures(conn: Connection, where: ColumnElement[bool], since: dt.datetime) -> int:
    count = conn.scalar(
        select(func.count()).select_from(LoginAttempt).where(where, LoginAttempt.at >= since)
    )
    return int(count or 0)


def authenticate(engine: Engine, username: str, password: str, client: str) -> UserInfo:
    """The user whose password this is, or LoginRefused / TooManyAttempts.

    Every attempt is first committed as a LoginAttempt row, then counted: past
    MAX_FAILURES_PER_USER attempts for a username (or MAX_FAILURES_PER_CLIENT for a client
    address) within FAILURE_WINDOW, even the right password is refused, so parallel guesses on
    several workers are bounded too. A success deletes the username's attempts.
    """
    username = username.strip()[:100]
    client = client[:100]
    now = utcnow()
    since = now - FAILURE_WINDOW
    with engine.begin() as conn:
        conn.execute(insert(LoginAttempt).values(username=username, client=client, at=now))
    with engine.connect() as conn:
        if (
            _recent_failures(conn, LoginAttempt.username == username, since) > MAX_FAILURES_PER_USER
            or _recent_failures(conn, LoginAttempt.client == client, since)
            > MAX_FAILURES_PER_CLIENT
        ):
            raise TooManyAttempts("too many failed logins; wait and try again")
        row = conn.execute(
            select(User.id, User.password_hash, User.disabled).where(User.username == username)
        ).first()
    stored = row.password_hash if row is not None else _DUMMY_HASH
    if not _password_matches(stored, password) or row is None or row.disabled:
        raise LoginRefused("wrong username or password")
    values: dict[str, object] = {"last_login_at": now}
    if _hasher.check_needs_rehash(stored):
        values["password_hash"] = _hasher.hash(password)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == row.id).values(**values))
        conn.execute(delete(LoginAttempt).where(LoginAttempt.username == username))
        record_event(conn, username, "user.login", f"user:{row.id}", {"client": client})
        return _user_row(conn, username)


def _password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, username: str, name: str, actor: str = "cli") -> str:
    """A new API token for `username`; the token itself is returned once and never stored."""
    name = name.strip() or "script"
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        user = _user_row(conn, username)
        if user.disabled:
            raise UserError(f"user {username!r} is disabled")
        token_id = conn.execute(
            insert(ApiToken)
            .values(user_id=user.id, name=name[:100], token_sha256=_digest(token))
            .returning(ApiToken.id)
        ).scalar_one()
        record_event(conn, actor, "token.create", f"token:{token_id}", {"user": user.id})
    return token


def user_for_token(engine: Engine, token: str) -> UserInfo | None:
    """The enabled user holding this unrevoked token, else None."""
    with engine.connect() as conn:
        row = conn.execute(
            select(*USER_COLUMNS)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(
                ApiToken.token_sha256 == _digest(token),
                ApiToken.revoked_at.is_(None),
                User.disabled.is_(False),
            )
        ).first()
        return None if row is None else UserInfo(**row._asdict())


def list_tokens(engine: Engine, username: str) -> list[TokenInfo]:
    with engine.connect() as conn:
        user = _user_row(conn, username)
        rows = conn.execute(
            select(ApiToken.id, ApiToken.name, ApiToken.created_at, ApiToken.revoked_at)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.id)
        )
        return [TokenInfo(r.id, r.name, r.created_at, r.revoked_at) for r in rows]


def revoke_token(engine: Engine, token_id: int, actor: str = "cli") -> None:
    with engine.begin() as conn:
        revoked = conn.execute(
            update(ApiToken)
            .where(ApiToken.id == token_id, ApiToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        ).rowcount
        if not revoked:
            raise UserError(f"no active token with id {token_id}")
        record_event(conn, actor, "token.revoke", f"token:{token_id}")
