"""What an operator configures for the web app: where it is reached, which proxies it trusts,
how long sessions last, the smallest count shown to roles without names, upload limits.

`marsad serve` passes its options to the workers as MARSAD_* environment variables (uvicorn
starts each worker from the app factory, with no arguments); `WebSettings.from_environment`
reads them back. docs/permissions.md says what each one protects.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from marsad.errors import InputError
from marsad.i18n import LANGUAGES, digit_style
from marsad.ingest.table import UPLOAD_LIMITS, ReadLimits

NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
"""A number as an environment variable may give it (what float() reads, but not inf or nan)."""
ENV_BASE_URL = "MARSAD_BASE_URL"
ENV_FORWARDED_ALLOW_IPS = "MARSAD_FORWARDED_ALLOW_IPS"
ENV_HTTPS = "MARSAD_HTTPS"
ENV_SESSION_HOURS = "MARSAD_SESSION_HOURS"
ENV_IDLE_MINUTES = "MARSAD_SESSION_IDLE_MINUTES"
ENV_MIN_CELL = "MARSAD_MIN_CELL"
ENV_UPLOAD_MB = "MARSAD_UPLOAD_MB"
ENV_MAX_JOBS = "MARSAD_MAX_JOBS"

DEFAULT_SESSION = dt.timedelta(hours=12)
DEFAULT_IDLE = dt.timedelta(minutes=60)
DEFAULT_MIN_CELL = 5
DEFAULT_MAX_JOBS = 4


class SettingsError(InputError):
    """A setting the app cannot run with; the message names the option."""


def check_base_url(value: str | None) -> str | None:
    """An http(s) origin such as https://marsad.example.org, without a trailing slash."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise SettingsError(
            f"--base-url {value!r}: give the address users open, e.g. https://marsad.example.org"
        )
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise SettingsError(f"--base-url {value!r}: no query, fragment or user name")
    return f"{parts.scheme}://{parts.netloc}"


@dataclass(frozen=True)
class WebSettings:
    base_url: str | None = None
    """Where users reach the app; links that leave the page (password reset) start with it.
    Never taken from the request's Host header."""
    forwarded_allow_ips: str = "127.0.0.1"
    """Proxies whose X-Forwarded-For and X-Forwarded-Proto are believed (uvicorn's syntax:
    addresses and networks, comma-separated, or "*")."""
    https_only: bool = False
    """Mark the session cookie Secure and send Strict-Transport-Security."""
    session_lifetime: dt.timedelta = DEFAULT_SESSION
    session_idle: dt.timedelta = DEFAULT_IDLE
    min_cell: int = DEFAULT_MIN_CELL
    """Counts from 1 to min_cell - 1 are not shown to roles without `view_names`."""
    upload_limits: ReadLimits = field(default_factory=lambda: UPLOAD_LIMITS)
    max_jobs: int = DEFAULT_MAX_JOBS
    """Operations running or waiting in one worker at most; past it a new one is refused as
    busy, so that nobody can queue hours of estimates."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", check_base_url(self.base_url))
        if self.base_url is not None and self.base_url.startswith("https://"):
            object.__setattr__(self, "https_only", True)
        if self.session_idle <= dt.timedelta(0) or self.session_lifetime <= dt.timedelta(0):
            raise SettingsError("session lifetime and idle timeout must be positive")
        if self.min_cell < 1:
            raise SettingsError("the smallest count shown (--min-cell) is at least 1")

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> WebSettings:
        def number(name: str, default: float) -> float:
            text = environ.get(name, "").strip()
            if not text:
                return default
            if NUMBER.fullmatch(text) is None:
                raise SettingsError(f"{name}={text!r} is not a number")
            return float(text)

        for lang in LANGUAGES:
            try:
                digit_style(lang)  # MARSAD_DIGITS_AR / _EN: refused at start, not on a page
            except ValueError as error:
                raise SettingsError(str(error)) from None
        limits = UPLOAD_LIMITS
        if environ.get(ENV_UPLOAD_MB):
            limits = limits.with_bytes(int(number(ENV_UPLOAD_MB, 0) * 1024 * 1024))
        return cls(
            base_url=environ.get(ENV_BASE_URL) or None,
            forwarded_allow_ips=environ.get(ENV_FORWARDED_ALLOW_IPS, "127.0.0.1"),
            https_only=environ.get(ENV_HTTPS) == "1",
            session_lifetime=dt.timedelta(hours=number(ENV_SESSION_HOURS, 12)),
            session_idle=dt.timedelta(minutes=number(ENV_IDLE_MINUTES, 60)),
            min_cell=int(number(ENV_MIN_CELL, DEFAULT_MIN_CELL)),
            upload_limits=limits,
            max_jobs=int(number(ENV_MAX_JOBS, DEFAULT_MAX_JOBS)),
        )

    def link(self, path: str) -> str:
        """An address to give someone outside the page: the base URL and the path, or the
        path alone when no base URL is configured."""
        return f"{self.base_url}{path}" if self.base_url else path
