"""Hostile input on every operation of the API, read from its own OpenAPI document: NUL and other
control characters in the path, the query and the body, multipart without a boundary, bodies that
are not what they claim, and bodies over the upload cap. Every answer is a 4xx in the one error
format, and nothing is written."""

import json

import pytest
from django.test import Client

from credo.testing import row_counts

MB = 1024 * 1024


def _operations():
    from django.test import Client

    doc = Client().get("/api/openapi.json").json()
    return [
        (path, method, op)
        for path, methods in sorted(doc["paths"].items())
        for method, op in sorted(methods.items())
    ], doc


OPERATIONS, DOCUMENT = None, None


def operations():
    global OPERATIONS, DOCUMENT
    if OPERATIONS is None:
        OPERATIONS, DOCUMENT = _operations()
    return OPERATIONS


def _ids(world) -> dict[str, str]:
    from credo.transcripts.services import share_link_create

    hill = world["hill"]
    link = share_link_create(actor=hill.registrar, version=world["version"], recipient="College")
    return {
        "slug": "hill",
        "student_id": str(hill.students[0].pk),
        "framework_id": str(hill.framework.pk),
        "public_id": str(world["version"].public_id),
        "link_id": str(link.pk),
        "kind": "scores",
    }


def _fill(path: str, ids: dict, **override) -> str:
    for name, value in {**ids, **override}.items():
        path = path.replace("{" + name + "}", value)
    return path


def _assert_refused(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:500])
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "code", "message", "fields"}
    assert body["error"]["status"] == response.status_code and body["error"]["message"]
    return body["error"]


@pytest.fixture
def api(world):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world['tokens']['admin']}")
    return client, _ids(world)


def _string_path_params(op) -> list[str]:
    return [
        p["name"]
        for p in op.get("parameters", [])
        if p["in"] == "path" and p.get("schema", {}).get("type") == "string"
    ]


@pytest.mark.django_db
def test_every_operation_refuses_control_characters_in_its_path_and_query(api):
    client, ids = api
    before = row_counts()
    seen = 0
    for path, method, op in operations():
        for name in _string_path_params(op):
            for bad in ("a\x00b", "\x1b[31m", "x\x7f"):
                response = client.generic(method.upper(), _fill(path, ids, **{name: bad}))
                error = _assert_refused(response, 400)
                assert "control character" in error["message"], (path, name)
                seen += 1
        query_names = [p["name"] for p in op.get("parameters", []) if p["in"] == "query"]
        for name in [*query_names, "unknown"]:
            response = client.generic(method.upper(), f"{_fill(path, ids)}?{name}=%00")
            error = _assert_refused(response, 400)
            assert f"“{name}”" in error["message"] and name in error["fields"]
            seen += 1
    assert seen > 40
    assert row_counts() == before


@pytest.mark.django_db
def test_every_write_refuses_multipart_without_a_boundary_and_unreadable_bodies(api):
    client, ids = api
    before = row_counts()
    writes = [(p, m, op) for p, m, op in operations() if m in ("post", "put", "patch", "delete")]
    assert len(writes) >= 4
    for path, method, op in writes:
        url = _fill(path, ids)
        for content_type in ("multipart/form-data", "multipart/form-data; boundary="):
            response = client.generic(
                method.upper(), url, data=b"--x\r\n\r\n--x--", content_type=content_type
            )
            error = _assert_refused(response, 400)
            assert "cannot be read" in error["message"], (path, error)
        if "requestBody" not in op:
            continue  # a body it does not read is ignored
        # A well-formed form sent where JSON is expected (or without the file it needs).
        response = client.generic(
            method.upper(),
            url,
            data=b'--b\r\nContent-Disposition: form-data; name="x"\r\n\r\n1\r\n--b--\r\n',
            content_type="multipart/form-data; boundary=b",
        )
        assert 400 <= response.status_code < 500, (path, response.content[:300])
        _assert_refused(response, response.status_code)
        for data, content_type in (
            (b"{not json", "application/json"),
            (b"\xff\xfe\x00garbage", "application/json"),
            (b'{"a": "\x00"}', "text/plain"),
            (b"a=%00", "application/x-www-form-urlencoded"),
        ):
            response = client.generic(method.upper(), url, data=data, content_type=content_type)
            assert 400 <= response.status_code < 500, (path, data, response.content[:300])
            _assert_refused(response, response.status_code)
    assert row_counts() == before


def _body_strings(op) -> list[str]:
    """Return the string properties of an operation's JSON body."""
    content = op.get("requestBody", {}).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if not schema:
        return []
    if "$ref" in schema:
        schema = DOCUMENT["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return [
        name
        for name, prop in schema.get("properties", {}).items()
        if prop.get("type") == "string"
        and "enum" not in prop
        and prop.get("format") not in ("date", "uuid", "decimal")
    ]


@pytest.mark.django_db
def test_every_json_body_refuses_a_nul_in_each_text_naming_the_field(api, world):
    client, ids = api
    hill = world["hill"]
    valid = {
        "/api/schools/{slug}/assessments": {
            "student_id": hill.students[0].pk,
            "competency_id": hill.competencies[0].pk,
            "value": "3",
            "demonstrated_on": "2025-10-02",
            "feedback": "Fine",
            "task": "Lab",
        },
        "/api/schools/{slug}/share-links": {
            "version": str(world["version"].public_id),
            "recipient": "A college",
        },
        "/api/schools/{slug}/students/{student_id}/credits/{credit_id}/revoke": {
            "reason": "Entered in error",
        },
    }
    before = row_counts()
    checked = 0
    for path, method, op in operations():
        names = _body_strings(op)
        if not names:
            continue
        assert path in valid, f"add a valid body for {path}"
        for name in names:
            body = {**valid[path], name: "bad\x00text"}
            response = client.generic(
                method.upper(), _fill(path, ids), json.dumps(body), "application/json"
            )
            error = _assert_refused(response, 422)
            assert "U+0000" in " ".join(error["fields"][f"payload.{name}"]), (path, name, error)
            checked += 1
    assert checked >= 3
    assert row_counts() == before


@pytest.mark.django_db
def test_assessments_dated_before_birth_or_too_long_are_refused(api, world):
    client, ids = api
    hill = world["hill"]
    student = hill.students[0]
    student.birth_date = "2009-04-01"
    student.save()
    before = row_counts()
    base = {
        "student_id": student.pk,
        "competency_id": hill.competencies[0].pk,
        "value": "3",
        "demonstrated_on": "2025-10-02",
    }
    for change, field, message in (
        ({"demonstrated_on": "1970-01-01"}, "demonstrated_on", "before the student was born"),
        ({"demonstrated_on": "2999-01-01"}, "demonstrated_on", "in the future"),
        ({"feedback": "x" * 10_001}, "payload.feedback", "at most 10000 characters"),
    ):
        response = client.post(
            "/api/schools/hill/assessments", {**base, **change}, content_type="application/json"
        )
        error = _assert_refused(response, 422)
        assert message in " ".join(error["fields"][field]), error
    assert row_counts() == before


@pytest.mark.django_db
def test_a_55_mb_api_import_answers_413_and_writes_nothing(api):
    client, _ = api
    before = row_counts()
    body = b'--b\r\nContent-Disposition: form-data; name="file"; filename="x.csv"\r\n\r\n'
    body += b"x" * (55 * MB) + b"\r\n--b--\r\n"
    response = client.generic(
        "POST",
        "/api/schools/hill/imports/scores",
        data=body,
        content_type="multipart/form-data; boundary=b",
    )
    error = _assert_refused(response, 413)
    assert error["code"] == "too_large" and "limited to 25 MB" in error["message"]
    # Any body, JSON included, is held to the same cap.
    response = client.generic(
        "POST",
        "/api/schools/hill/assessments",
        data=b'{"feedback": "' + b"x" * (26 * MB) + b'"}',
        content_type="application/json",
    )
    assert _assert_refused(response, 413)["code"] == "too_large"
    assert row_counts() == before


@pytest.mark.django_db
def test_the_import_form_refuses_control_characters(api):
    client, _ = api
    from django.core.files.uploadedfile import SimpleUploadedFile

    before = row_counts()
    response = client.post(
        "/api/schools/hill/imports/canvas",
        {"file": SimpleUploadedFile("o.csv", b"a,b\n"), "framework": "Maths\x00"},
    )
    error = _assert_refused(response, 400)
    assert "“framework”" in error["message"]
    assert row_counts() == before
