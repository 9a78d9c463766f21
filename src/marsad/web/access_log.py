"""The server's access log without query strings.

A search for a name goes in the URL (`/search?name=…`); uvicorn's access log would write that
name to the server's log. These are names of the dead and of witnesses: the log keeps the
method, the path, the status and the client, never the query.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from uvicorn.config import LOGGING_CONFIG


class WithoutQuery(logging.Filter):
    """Cuts the query string off the request path of uvicorn's access-log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) == 5:
            client, method, path, version, status = args
            record.args = (client, method, str(path).split("?", 1)[0], version, status)
        return True


def log_config() -> dict[str, Any]:
    """Uvicorn's logging configuration with `WithoutQuery` on the access log."""
    config: dict[str, Any] = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"without_query": {"()": f"{__name__}.WithoutQuery"}}
    config["handlers"]["access"]["filters"] = ["without_query"]
    return config
