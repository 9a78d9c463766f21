"""The access log never carries a query string (a searched name)."""

from __future__ import annotations

import logging
import logging.config

from marsad.web.access_log import WithoutQuery, log_config


def test_the_query_string_is_cut_from_access_records() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/search?name=%D9%85%D8%AD%D9%85%D8%AF", "1.1", 200),
        None,
    )
    assert WithoutQuery().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /search HTTP/1.1" 200'


def test_the_config_puts_the_filter_on_the_access_handler() -> None:
    config = log_config()
    assert config["handlers"]["access"]["filters"] == ["without_query"]
    logging.config.dictConfig(config)
    handler = logging.getLogger("uvicorn.access").handlers[0]
    assert any(isinstance(f, WithoutQuery) for f in handler.filters)
