"""Schemathesis against the OpenAPI document: generated requests to every API operation, with
a valid token, never make the server fail and always answer as the document says."""

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
from marsad.services.users import add_user, create_token
from marsad.store.db import make_engine, migrate
from marsad.web.app import create_app
from tests.integration.helpers import person, write_csv


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A small linked store on SQLite and an admin's API token."""
    directory: Path = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{directory / 'marsad.db'}"
    engine = make_engine(url)
    migrate(engine)
    rows = [person(f"a{i}", f"محمد أحمد علي{i}", f"2025-03-{i % 28 + 1:02d}") for i in range(40)]
    ingest_file(engine, write_csv(directory / "a.csv", rows), "Group A", kind="monitoring_group")
    ingest_file(engine, write_csv(directory / "b.csv", rows[:20]), "Group B", kind="media")
    link(engine)
    add_user(engine, "fuzzer", "fuzzing password 1", "admin", language="en")
    token = create_token(engine, "fuzzer", "schemathesis", "test")
    engine.dispose()
    return url, token


@pytest.fixture(scope="module")
def api_schema(store: tuple[str, str]) -> OpenApiSchema:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(store[0]))
    return schema.include(path_regex="^/api/")


@pytest.fixture(scope="module")
def token(store: tuple[str, str]) -> str:
    return store[1]


fuzzed = schemathesis.pytest.from_fixture("api_schema")


@fuzzed.parametrize()
@settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_answers_as_documented(case: Case, token: str) -> None:
    """Every generated request — valid or not, since the token is added to all of them —
    gets no server error and a documented status, content type and body."""
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
