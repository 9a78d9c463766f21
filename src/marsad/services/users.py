"""Accounts: who may sign in, with which role, and what each role may do.

The CLI (`marsad user …`) and the web app both call these functions, so an account is made,
changed or disabled in one way only. Passwords must pass a policy (length and zxcvbn's
guessability) and are hashed with Argon2; API tokens and one-time reset links are random and
only their SHA-256 is stored. A change of role or password, or disabling, ends every session of
the user. Logging in and its limits are in `services.logins`, browser sessions in
`services.sessions`. Every change is an audit event (ids, never names of the dead; usernames
of the team are the actors).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ColumnElement, Connection, Engine, func, insert, select, update
from zxcvbn import zxcvbn

from marsad.errors import InputError, PermissionDenied
from marsad.i18n import LANGUAGES
from marsad.services.audit import record_event
from marsad.store.models import ApiToken, PasswordReset, User, WebSession, utcnow

ROLES = ("admin", "reviewer", "data_entry", "analyst", "viewer", "tracing", "protection")

PERMISSIONS: dict[str, frozenset[str]] = {
    "view_dashboard": frozenset(ROLES),
    "view_persons": frozenset(ROLES),
    "view_records": frozenset(ROLES),
    "view_estimates": frozenset(ROLES),
    "view_names": frozenset({"admin", "reviewer", "data_entry"}),
    "ingest": frozenset({"admin", "data_entry"}),
    "link": frozenset({"admin", "reviewer", "data_entry"}),
    "review": frozenset({"admin", "reviewer"}),
    "edit_records": frozenset({"admin", "reviewer", "data_entry"}),
    "merge_persons": frozenset({"admin", "reviewer"}),
    "verify": frozenset({"admin", "reviewer"}),
    "estimate": frozenset({"admin", "analyst"}),
    "export": frozenset({"admin", "analyst"}),
    "export_names": frozenset({"admin"}),
    "publish": frozenset({"admin"}),
    "manage_users": frozenset({"admin"}),
    "view_audit": frozenset({"admin"}),
    "view_evidence": frozenset({"admin", "reviewer", "data_entry", "protection"}),
    "add_evidence": frozenset({"admin", "data_entry", "protection"}),
    "withdraw_consent": frozenset({"admin", "protection"}),
    "view_witnesses": frozenset({"protection"}),
    "view_tracing": frozenset({"admin", "tracing"}),
    "trace": frozenset({"admin", "tracing"}),
    "view_reporter_contact": frozenset({"tracing"}),
}
"""Permission → the roles that hold it; docs/permissions.md explains each one. Witnesses'
identities are the one thing an admin cannot see: only the protection role opens them; so are
the contacts of relatives who report a missing person: only the tracing role opens them."""

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1000
MIN_PASSWORD_SCORE = 3
"""zxcvbn's score (0-4) a password must reach: 3 is "safely unguessable: moderate protection
from offline slow-hash scenario", and our hashes are Argon2."""
RESET_VALID = dt.timedelta(hours=24)

_USERNAME = re.compile(r"[A-Za-z0-9_.@-]{1,100}")
_hasher = PasswordHasher()


def hasher() -> PasswordHasher:
    """The Argon2 hasher of every password (a function, so tests can make it cheap)."""
    return _hasher


class UserError(InputError):
    """An account operation the store cannot accept (unknown user, bad role, weak password)."""


class WeakPassword(UserError):
    """A password the policy refuses; `key` names the reason in the web's catalogue."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


class LoginRefused(PermissionDenied):
    """Wrong username or password, or a disabled account: the caller is told no more."""


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


def find_user(conn: Connection, *where: ColumnElement[bool]) -> UserInfo | None:
    row = conn.execute(select(*USER_COLUMNS).where(*where)).first()
    return None if row is None else UserInfo(**row._asdict())


def user_row(conn: Connection, username: str) -> UserInfo:
    user = find_user(conn, User.username == username)
    if user is None:
        raise UserError(f"no user {username!r}")
    return user


def check_password(password: str, username: str) -> None:
    """Refuse a password that is short, or that zxcvbn (a model of how people pick passwords,
    with common and leaked passwords, names and keyboard patterns) finds easy to guess."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(
            "password.too_short", f"a password needs at least {MIN_PASSWORD_LENGTH} characters"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise WeakPassword(
            "password.too_long", f"a password has at most {MAX_PASSWORD_LENGTH} characters"
        )
    # zxcvbn's time grows fast with length; a long password's first 100 characters decide.
    verdict = zxcvbn(password[:100], user_inputs=[username, "marsad"])
    if int(verdict["score"]) < MIN_PASSWORD_SCORE:
        warning = str(verdict["feedback"].get("warning") or "").strip()
        raise WeakPassword(
            "password.too_weak",
            "this password is easy to guess"
            + (f" ({warning.rstrip('.')})" if warning else "")
            + "; use a few unrelated words or a password manager",
        )


def revoke_sessions(conn: Connection, user_id: int) -> int:
    """End every browser session of a user at once; returns how many were open."""
    ended = conn.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    ).rowcount
    return int(ended or 0)


def _refuse_last_admin(conn: Connection, user: UserInfo) -> None:
    """The installation keeps at least one enabled admin: nobody else could manage accounts."""
    if user.role != "admin" or user.disabled:
        return
    others = conn.scalar(
        select(func.count())
        .select_from(User)
        .where(User.role == "admin", User.disabled.is_(False), User.id != user.id)
    )
    if not others:
        raise UserError(f"{user.username!r} is the last enabled admin; make another admin first")


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
    check_password(password, username)
    _check_role(role)
    _check_language(language)
    with engine.begin() as conn:
        if conn.scalar(select(User.id).where(User.username == username)) is not None:
            raise UserError(f"user {username!r} already exists")
        user_id = conn.execute(
            insert(User)
            .values(
                username=username,
                password_hash=hasher().hash(password),
                role=role,
                language=language,
                disabled=False,
            )
            .returning(User.id)
        ).scalar_one()
        record_event(conn, actor, "user.add", f"user:{user_id}", {"role": role})
        return user_row(conn, username)


def get_user(engine: Engine, user_id: int) -> UserInfo | None:
    with engine.connect() as conn:
        return find_user(conn, User.id == user_id)


def list_users(engine: Engine) -> list[UserInfo]:
    with engine.connect() as conn:
        rows = conn.execute(select(*USER_COLUMNS).order_by(User.username))
        return [UserInfo(**row._asdict()) for row in rows]


def set_role(engine: Engine, username: str, role: str, actor: str = "cli") -> UserInfo:
    _check_role(role)
    with engine.begin() as conn:
        user = user_row(conn, username)
        if user.role != role:
            _refuse_last_admin(conn, user)
            conn.execute(update(User).where(User.id == user.id).values(role=role))
            revoke_sessions(conn, user.id)
            record_event(
                conn, actor, "user.role", f"user:{user.id}", {"from": user.role, "to": role}
            )
        return user_row(conn, username)


def set_language(engine: Engine, user_id: int, lang: str) -> None:
    """Remember a user's interface language (a preference: not an audited change)."""
    _check_language(lang)
    with engine.begin() as conn:
        conn.execute(update(User).where(User.id == user_id).values(language=lang))


def disable_user(engine: Engine, username: str, actor: str = "cli") -> UserInfo:
    """Refuse every login, session and token of the user from now on (the row is kept)."""
    with engine.begin() as conn:
        user = user_row(conn, username)
        if not user.disabled:
            _refuse_last_admin(conn, user)
            conn.execute(update(User).where(User.id == user.id).values(disabled=True))
            revoke_sessions(conn, user.id)
            conn.execute(
                update(ApiToken)
                .where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
            record_event(conn, actor, "user.disable", f"user:{user.id}")
        return user_row(conn, username)


def enable_user(engine: Engine, username: str, actor: str = "cli") -> UserInfo:
    """Let a disabled user log in again. Their sessions and tokens stay revoked: they log in
    afresh and make new tokens."""
    with engine.begin() as conn:
        user = user_row(conn, username)
        if user.disabled:
            conn.execute(update(User).where(User.id == user.id).values(disabled=False))
            record_event(conn, actor, "user.enable", f"user:{user.id}")
        return user_row(conn, username)


def revoke_own_token(engine: Engine, username: str, token_id: int) -> None:
    """A user revokes one of their own tokens (another's is refused as unknown)."""
    with engine.connect() as conn:
        owner = conn.scalar(
            select(User.username)
            .join(ApiToken, ApiToken.user_id == User.id)
            .where(ApiToken.id == token_id)
        )
    if owner != username:
        raise UserError(f"no active token with id {token_id}")
    revoke_token(engine, token_id, username)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(engine: Engine, username: str, name: str, actor: str = "cli") -> str:
    """A new API token for `username`; the token itself is returned once and never stored."""
    name = name.strip() or "script"
    token = secrets.token_urlsafe(32)
    with engine.begin() as conn:
        user = user_row(conn, username)
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
        user = user_row(conn, username)
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


def _set_password(conn: Connection, user: UserInfo, password: str) -> None:
    check_password(password, user.username)
    conn.execute(
        update(User).where(User.id == user.id).values(password_hash=hasher().hash(password))
    )
    revoke_sessions(conn, user.id)


def change_password(engine: Engine, username: str, current: str, new: str) -> UserInfo:
    """A user's own change: the current password first, then the policy; every session of
    the user ends (the page starts a new one for the browser that made the change)."""
    with engine.begin() as conn:
        user = user_row(conn, username)
        stored = conn.scalar(select(User.password_hash).where(User.id == user.id))
        if user.disabled or stored is None or not password_matches(stored, current):
            raise WeakPassword("password.current_wrong", "the current password is wrong")
        _set_password(conn, user, new)
        record_event(conn, username, "user.password", f"user:{user.id}")
        return user


def create_reset(
    engine: Engine, username: str, actor: str = "cli", valid: dt.timedelta = RESET_VALID
) -> str:
    """A one-time token for `username` to set a new password (returned once, only its SHA-256
    is kept); earlier unused tokens of the user stop working."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with engine.begin() as conn:
        user = user_row(conn, username)
        if user.disabled:
            raise UserError(f"user {username!r} is disabled")
        conn.execute(
            update(PasswordReset)
            .where(PasswordReset.user_id == user.id, PasswordReset.used_at.is_(None))
            .values(used_at=now)
        )
        conn.execute(
            insert(PasswordReset).values(
                user_id=user.id,
                token_sha256=_digest(token),
                created_by=actor,
                created_at=now,
                expires_at=now + valid,
            )
        )
        record_event(conn, actor, "user.reset_link", f"user:{user.id}")
    return token


def _reset_row(conn: Connection, token: str) -> tuple[int, UserInfo] | None:
    row = conn.execute(
        select(PasswordReset.id, PasswordReset.user_id).where(
            PasswordReset.token_sha256 == _digest(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > utcnow(),
        )
    ).first()
    if row is None:
        return None
    user = find_user(conn, User.id == row.user_id, User.disabled.is_(False))
    return None if user is None else (int(row.id), user)


def reset_user(engine: Engine, token: str) -> UserInfo | None:
    """The user a reset token is for, while it is unused and fresh; else None."""
    with engine.connect() as conn:
        found = _reset_row(conn, token)
    return None if found is None else found[1]


def reset_password(engine: Engine, token: str, new: str) -> UserInfo:
    """Set a new password with a one-time token; the token is spent and every session ends."""
    with engine.begin() as conn:
        found = _reset_row(conn, token)
        if found is None:
            raise UserError("this link has been used or has expired; ask an admin for a new one")
        reset_id, user = found
        _set_password(conn, user, new)
        conn.execute(
            update(PasswordReset).where(PasswordReset.id == reset_id).values(used_at=utcnow())
        )
        record_event(conn, user.username, "user.password_reset", f"user:{user.id}")
        return user
