"""Pages in the reader's language: templates, the language choice and the navigation.

The language comes from `?lang=` (for that page only; an anonymous visitor's choice is kept in
the session cookie), else the user's saved language (the language button posts to /language),
else the browser's Accept-Language, else Arabic: a GET never changes the store. Templates get
`t` (phrases), `num`, `date`, `when` (a time with its zone) and `digits` (marsad.i18n
formatting), `label` (a stored value in the page's language, `marsad.i18n.label`), `dir`,
`static` (the path of a packaged asset: never built from the request's Host header), and the
navigation links the user's role may follow.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.responses import Response

from marsad.i18n import (
    LANGUAGES,
    digit_style,
    format_date,
    format_moment,
    format_number,
    label,
    localise_digits,
    parse_reason,
    refusal_words,
    text,
    text_direction,
)
from marsad.services.users import UserInfo
from marsad.web.auth import session_user
from marsad.web.csrf import csrf_token

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
LANG_KEY = "lang"
DEFAULT_LANGUAGE = "ar"


@dataclass(frozen=True)
class NavItem:
    path: str
    label: str
    permission: str


NAV: list[NavItem] = [
    NavItem("/", "nav.dashboard", "view_dashboard"),
    NavItem("/search", "nav.search", "view_names"),
    NavItem("/sources", "nav.sources", "ingest"),
    NavItem("/quarantine", "nav.quarantine", "ingest"),
    NavItem("/entry", "nav.entry", "ingest"),
    NavItem("/review", "nav.review", "review"),
    NavItem("/incidents", "nav.incidents", "review"),
    NavItem("/operations", "nav.operations", "view_dashboard"),
    NavItem("/evidence", "nav.evidence", "view_evidence"),
    NavItem("/testimonies", "nav.testimonies", "view_evidence"),
    NavItem("/shelter", "nav.shelter", "view_dashboard"),
    NavItem("/tracing", "nav.tracing", "view_tracing"),
    NavItem("/admin/users", "nav.users", "manage_users"),
    NavItem("/admin/audit", "nav.audit", "view_audit"),
]
"""The top navigation, in order; a page module adds its entry here and its route in pages.py."""


def _browser_language(request: Request) -> str | None:
    for part in request.headers.get("accept-language", "").split(","):
        tag = part.split(";")[0].strip().lower()[:2]
        if tag in LANGUAGES:
            return tag
    return None


def choose_language(request: Request, user: UserInfo | None) -> str:
    wanted = request.query_params.get(LANG_KEY)
    if wanted in LANGUAGES:
        if user is None:
            request.session[LANG_KEY] = wanted
        return wanted
    if user is not None:
        return user.language
    stored = request.session.get(LANG_KEY)
    if stored in LANGUAGES:
        return str(stored)
    return _browser_language(request) or DEFAULT_LANGUAGE


def static_path(path: str) -> str:
    """Where a packaged asset is served: a path on this site, whatever Host the request named."""
    return f"/static/{path}"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    user = session_user(request)
    lang = choose_language(request, user)
    other = "en" if lang == "ar" else "ar"

    def t(key: str, **params: Any) -> str:
        return text(key, lang, **params)

    def num(value: float, decimals: int = 0) -> str:
        return format_number(value, lang, decimals)

    def date(value: dt.date) -> str:
        return format_date(value, lang)

    def digits(value: object) -> str:
        return localise_digits(str(value), lang)

    def when(value: dt.datetime, seconds: bool = False) -> str:
        return format_moment(value, lang, seconds)

    def labelled(field: str, value: object) -> str:
        return label(field, value, lang)

    def reason(text: str) -> tuple[str, str | None] | None:
        return parse_reason(text, lang)

    def refused(message: str) -> Markup:
        words = refusal_words(message, lang)
        if words is None:
            return Markup('<span dir="ltr" lang="en">{}</span>').format(message)
        return Markup("<span>{}</span>").format(words)

    nav = [item for item in NAV if user is not None and user.can(item.permission)]
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    switched = request.url.include_query_params(lang=other)
    return templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "dir": text_direction(lang),
            "other_lang": other,
            "switch_url": f"{request.url.path}?{switched.query}",
            "here": here,
            "static": static_path,
            "t": t,
            "num": num,
            "date": date,
            "digits": digits,
            "digit_style": digit_style(lang),
            "when": when,
            "label": labelled,
            "parse_reason": reason,
            "refused": refused,
            "user": user,
            "nav": nav,
            "csrf_token": csrf_token(request.session),
            **(context or {}),
        },
        status_code=status_code,
    )
