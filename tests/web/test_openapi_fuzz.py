"""Schemathesis against the OpenAPI document: generated requests to every API operation, with
a valid token of every role, never make the server fail and always answer as the document
says (names, record ids, exact ages and small counts withheld from roles without names
included)."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import Case
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from marsad.services.ingest import ingest_file
from marsad.services.link import link
from marsad.services.users import ROLES, add_user, create_token
from marsad.store.db import make_engine, migrate
from marsad.web.app import create_app
from marsad.web.settings import WebSettings
from tests.integration.helpers import person, write_csv


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, str]]:
    """A small linked store on SQLite and an API token for each role."""
    directory: Path = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{directory / 'marsad.db'}"
    engine = make_engine(url)
    migrate(engine)
    rows = [person(f"a{i}", f"محمد أحمد علي{i}", f"2025-03-{i % 28 + 1:02d}") for i in range(40)]
    ingest_file(engine, write_csv(directory / "a.csv", rows), "Group A", kind="monitoring_group")
    ingest_file(engine, write_csv(directory / "b.csv", rows[:20]), "Group B", kind="media")
    link(engine)
    tokens = {}
    for role in ROLES:
        add_user(engine, f"fuzzer-{role}", "fuzzing password 1", role, language="en")
        tokens[role] = create_token(engine, f"fuzzer-{role}", "schemathesis", "test")
    engine.dispose()
    return url, tokens


@pytest.fixture(scope="module")
def api_schema(store: tuple[str, dict[str, str]]) -> OpenApiSchema:
    # One operation job at a time (a link of the little store takes seconds): the others are
    # refused as busy (503, documented), so generated requests never queue hours of work.
    app = create_app(store[0], WebSettings(max_jobs=1))
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    return schema.include(path_regex="^/api/")


@pytest.fixture(scope="module")
def tokens(store: tuple[str, dict[str, str]]) -> dict[str, str]:
    return store[1]


fuzzed = schemathesis.pytest.from_fixture("api_schema")


@fuzzed.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_as_documented(case: Case, tokens: dict[str, str]) -> None:
    """Every generated request — valid or not, sent once with each role's token — gets no
    server error and a documented status, content type and body."""
    for role in ROLES:
        case.call_and_validate(
            headers={"Authorization": f"Bearer {tokens[role]}"},
            checks=[
                not_a_server_error,
                status_code_conformance,
                content_type_conformance,
                response_schema_conformance,
            ],
        )
