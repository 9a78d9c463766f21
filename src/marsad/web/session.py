"""The signed session cookie: its key lives in the store, made at first start.

The key is a StoreSecret row, never a file beside the code, so every worker of one store signs
and reads the same cookies, and a copy of the repository holds no key. The cookie is HttpOnly
and SameSite=Lax (Starlette's SessionMiddleware); it holds the token of a session kept in the
store (`services.sessions`, which decides whether it is still valid), the CSRF token, notices
between a form and the page it redirects to, and an anonymous visitor's language, signed with
itsdangerous.
"""

from __future__ import annotations

import secrets

from sqlalchemy import Engine, insert, select
from sqlalchemy.exc import IntegrityError

from marsad.store.models import StoreSecret

SESSION_KEY_NAME = "web.session_key"
SESSION_COOKIE = "marsad_session"


def session_key(engine: Engine) -> str:
    """The store's session-signing key, created on first use (once, even with several workers)."""
    query = select(StoreSecret.value).where(StoreSecret.name == SESSION_KEY_NAME)
    with engine.connect() as conn:
        found = conn.scalar(query)
    if found is not None:
        return found
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(StoreSecret).values(name=SESSION_KEY_NAME, value=secrets.token_urlsafe(48))
            )
    except IntegrityError:
        pass
    with engine.connect() as conn:
        return conn.execute(query).scalar_one()
