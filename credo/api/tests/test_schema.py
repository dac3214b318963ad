"""Property-based testing of the API against its own OpenAPI document (Schemathesis, driving Hypothesis).

For every operation, Schemathesis generates requests from the document — valid and invalid path
parameters, query strings and bodies — and checks each response: no server error, a status code the
document declares, the declared content type and headers, and a body that matches the schema. The
requests carry a real token, and the path parameters are steered so that many of them name real
records of the token's school (and some name records of another school, which must answer 404).
"""

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is in the test extras")

from django.core.wsgi import get_wsgi_application  # noqa: E402
from schemathesis import checks  # noqa: E402

schema = schemathesis.openapi.from_wsgi("/api/openapi.json", get_wsgi_application())

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


@pytest.fixture
def one_connection():
    """Keep the test's database connection across WSGI requests (Django closes it after each one
    otherwise, as its own test client prevents), so every request sees the test's transaction."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def share_link(world):
    from credo.transcripts.services import share_link_create

    hill = world["hill"]
    return share_link_create(actor=hill.registrar, version=world["version"], recipient="College")


def _steer(case, world, link=None):
    """Point generated ids at real records most of the time (the rest stay random, or name Dale's)."""
    hill, dale = world["hill"], world["dale"]
    real = {
        "slug": ["hill", "hill", "hill", "dale"],
        "student_id": [s.pk for s in hill.students] + [dale.students[0].pk],
        "framework_id": [hill.framework.pk, hill.habits.pk, dale.framework.pk],
        "public_id": [str(world["version"].public_id)],
        "kind": ["scores", "case", "canvas", "oneroster"],
        "link_id": [link.pk] if link is not None else [],
    }
    params = case.path_parameters or {}
    for name, choices in real.items():
        if name in params and choices:
            seed = abs(hash(str(params[name])))
            if seed % 4 or name == "slug":
                params[name] = choices[seed % len(choices)]
    if isinstance(case.body, dict) and "student_id" in case.body:
        seed = abs(hash(str(case.body)))
        if seed % 3:
            case.body["student_id"] = hill.students[seed % 3].pk
            case.body["competency_id"] = hill.competencies[seed % 6].pk


SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)


@schema.parametrize()
@SETTINGS
@pytest.mark.django_db
def test_the_api_keeps_to_its_document(case, world, share_link, one_connection):
    _steer(case, world, share_link)
    token = world["tokens"]["admin"]
    response = case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
    if case.path_parameters and case.path_parameters.get("slug") == "dale":
        # Another school's slug never gets an answer with data (a body that cannot be parsed is a 400).
        assert response.status_code >= 400, response.text


HOSTILE = ["\x00", "a\x00b", "\x1b[2J", "\x7f", "\u0085", "\ud7ff\x08"]


def _poison(params: dict | None, seed: int) -> None:
    for n, name in enumerate(sorted(params or {})):
        if isinstance(params[name], str) and (seed + n) % 2 == 0:
            params[name] = params[name] + HOSTILE[(seed + n) % len(HOSTILE)]


@schema.parametrize()
@settings(SETTINGS, max_examples=10)
@pytest.mark.django_db
def test_hostile_variants_of_every_operation_never_answer_a_server_error(
    case, world, share_link, one_connection
):
    """The same generated requests, made hostile: control characters put into the path and query
    strings, and the body sent as multipart/form-data without a boundary. Each answer is a 4xx
    (or, where the hostile part is not read, a success) in the one format, never a 5xx."""
    _steer(case, world, share_link)
    seed = abs(hash((case.operation.label, str(case.path_parameters), str(case.query))))
    _poison(case.path_parameters, seed)
    _poison(case.query, seed + 1)
    headers = {"Authorization": f"Bearer {world['tokens']['admin']}"}
    if case.operation.method.upper() in ("POST", "PUT", "PATCH"):
        headers["Content-Type"] = "multipart/form-data"
    response = case.call(headers=headers)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert set(body["error"]) == {"status", "code", "message", "fields"}, body
