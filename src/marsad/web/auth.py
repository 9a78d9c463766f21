"""Who is asking, and may they: the dependencies every route declares.

Pages take `RequirePage(permission)`: an anonymous visitor is sent to /login, a role without
the permission gets a 403 page. The API takes `RequireApi(permission)`: a bearer token (or, for
the browser's own calls, the session cookie) identifies the user; none gives 401, a role
without the permission 403. A disabled user counts as anonymous everywhere, at once.
Both classes keep their `permission` so tests can check every route against PERMISSIONS.

The session cookie holds a token of a session kept in the store (`services.sessions`): the
cookie alone is worth nothing once that session is revoked, expired or idle. A request that
sends an Authorization header is never authenticated by the cookie (CSRFMiddleware hands it
an empty session), so a bearer header cannot turn a cookie into a CSRF-free credential.
"""

from __future__ import annotations

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from marsad.services import sessions
from marsad.services.users import UserInfo, user_for_token
from marsad.web.settings import WebSettings

SESSION_TOKEN = "session"

bearer_scheme = HTTPBearer(auto_error=False, description="A token from `marsad user token`.")


class LoginRequired(Exception):
    """Raised by page dependencies for anonymous visitors; the app redirects to /login."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class PageForbidden(Exception):
    """Raised by page dependencies when the role lacks the permission; the app shows a 403."""

    def __init__(self, user: UserInfo, permission: str) -> None:
        super().__init__(permission)
        self.user = user
        self.permission = permission


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def settings_of(request: Request) -> WebSettings:
    settings: WebSettings = request.app.state.settings
    return settings


def client_of(request: Request) -> str:
    """The client's address: the peer, or what a trusted proxy says (ProxyHeadersMiddleware)."""
    return request.client.host if request.client else "unknown"


def session_user(request: Request) -> UserInfo | None:
    """The enabled user of the cookie's live session, looked up once per request."""
    if hasattr(request.state, "user"):
        cached: UserInfo | None = request.state.user
        return cached
    token = request.session.get(SESSION_TOKEN)
    user = None
    if isinstance(token, str):
        user = sessions.session_user(engine_of(request), token, settings_of(request).session_idle)
        if user is None:
            request.session.clear()
    request.state.user = user
    return user


class RequirePage:
    def __init__(self, permission: str | None) -> None:
        self.permission = permission

    def __call__(self, request: Request) -> UserInfo:
        user = session_user(request)
        if user is None:
            raise LoginRequired(request.url.path)
        if self.permission is not None and not user.can(self.permission):
            raise PageForbidden(user, self.permission)
        return user


class RequireApi:
    def __init__(self, permission: str | None) -> None:
        self.permission = permission

    def __call__(
        self,
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer_scheme),
    ) -> UserInfo:
        if credentials is not None:
            user = user_for_token(engine_of(request), credentials.credentials)
        elif request.headers.get("authorization"):
            user = None
        else:
            user = session_user(request)
        if user is None:
            raise HTTPException(
                401, "authentication required", headers={"WWW-Authenticate": "Bearer"}
            )
        if self.permission is not None and not user.can(self.permission):
            raise HTTPException(403, f"your role may not {self.permission}")
        request.state.user = user
        return user
