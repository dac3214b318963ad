"""The REST API: tokens, scopes, school and role checks like the pages, one error format, paging."""

import datetime as dt

import pytest

from credo.api.models import ApiToken
from credo.api.services import token_create, token_revoke
from credo.core.errors import NotAllowed, ValidationError
from credo.core.models import AuditEvent
from credo.mastery.models import Assessment
from credo.testing import make_student


def get(client, token, path, **params):
    return client.get(f"/api{path}", params, HTTP_AUTHORIZATION=f"Bearer {token}")


def post(client, token, path, body):
    return client.post(
        f"/api{path}", body, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def assert_error(response, status, code):
    assert response.status_code == status, response.content
    body = response.json()
    assert (
        set(body) == {"error"}
        and body["error"]["status"] == status
        and body["error"]["code"] == code
    )
    assert isinstance(body["error"]["message"], str) and isinstance(body["error"]["fields"], dict)


@pytest.mark.django_db
def test_tokens_are_stored_hashed_and_limited_by_roles(hill):
    token, secret = token_create(
        actor=hill.teacher, school=hill.school, name="sync", scopes=["read"]
    )
    assert secret.startswith(f"credo_{token.prefix}_") and secret not in token.key_hash
    assert not ApiToken.objects.filter(key_hash__contains=secret).exists()
    event = AuditEvent.objects.get(action="api_token.created")
    assert secret not in str(event.after)
    with pytest.raises(ValidationError):
        token_create(actor=hill.teacher, school=hill.school, name="x", scopes=["admin"])
    with pytest.raises(ValidationError):
        token_create(actor=hill.teacher, school=hill.school, name="", scopes=["read"])
    student_user = hill.students[0].user
    with pytest.raises(ValidationError):
        token_create(actor=student_user, school=hill.school, name="x", scopes=["write:assessments"])
    with pytest.raises(NotAllowed):
        token_revoke(actor=hill.advisor, token=token)
    token_revoke(actor=hill.admin, token=token)
    assert ApiToken.objects.get(pk=token.pk).revoked_at is not None


@pytest.mark.django_db
def test_missing_bad_revoked_and_expired_tokens_answer_401(client, world):
    assert_error(client.get("/api/me"), 401, "not_authenticated")
    assert_error(get(client, "credo_nope_nope", "/me"), 401, "not_authenticated")
    hill = world["hill"]
    token, secret = token_create(actor=hill.teacher, school=hill.school, name="t", scopes=["read"])
    assert get(client, secret, "/me").json()["roles"] == ["teacher"]
    token_revoke(actor=hill.teacher, token=token)
    assert_error(get(client, secret, "/me"), 401, "not_authenticated")
    token, secret = token_create(
        actor=hill.teacher, school=hill.school, name="t", scopes=["read"], days=1
    )
    ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at - dt.timedelta(days=1))
    assert_error(get(client, secret, "/me"), 401, "not_authenticated")


@pytest.mark.django_db
def test_a_token_never_reaches_another_school(client, world):
    hill, dale, tokens = world["hill"], world["dale"], world["tokens"]
    dale_student = dale.students[0]
    for token in tokens.values():
        for path in (
            "/schools/dale",
            "/schools/dale/students",
            f"/schools/dale/students/{dale_student.pk}",
            f"/schools/hill/students/{dale_student.pk}",
            f"/schools/hill/students/{dale_student.pk}/mastery",
            f"/schools/hill/students/{dale_student.pk}/assessments",
            f"/schools/hill/frameworks/{dale.framework.pk}/competencies",
        ):
            response = get(client, token, path)
            if token == tokens["dale_admin"] and path.startswith("/schools/dale"):
                assert response.status_code == 200
            else:
                assert_error(response, 404, "not_found")
    body = {
        "student_id": dale_student.pk,
        "competency_id": dale.competencies[0].pk,
        "value": "3",
        "demonstrated_on": "2025-10-02",
    }
    assert_error(post(client, tokens["admin"], "/schools/hill/assessments", body), 404, "not_found")
    assert_error(post(client, tokens["admin"], "/schools/dale/assessments", body), 404, "not_found")
    # A Hill student with a Dale competency is refused beside the field.
    body["student_id"] = hill.students[0].pk
    response = post(client, tokens["admin"], "/schools/hill/assessments", body)
    assert_error(response, 422, "invalid")
    assert "competency_id" in response.json()["error"]["fields"]


@pytest.mark.django_db
def test_roles_decide_what_a_token_sees_as_on_the_pages(client, world):
    hill, tokens = world["hill"], world["tokens"]
    outsider = make_student(hill.school)  # not in the teacher's section
    teacher_ids = {
        s["id"] for s in get(client, tokens["teacher"], "/schools/hill/students").json()["items"]
    }
    admin_ids = {
        s["id"] for s in get(client, tokens["admin"], "/schools/hill/students").json()["items"]
    }
    assert outsider.pk in admin_ids and outsider.pk not in teacher_ids
    assert_error(
        get(client, tokens["teacher"], f"/schools/hill/students/{outsider.pk}"), 404, "not_found"
    )
    student = hill.students[0]
    _, secret = token_create(actor=student.user, school=hill.school, name="me", scopes=["read"])
    mine = get(client, secret, "/schools/hill/students").json()
    assert [s["id"] for s in mine["items"]] == [student.pk]
    assert get(client, secret, f"/schools/hill/students/{student.pk}/mastery").status_code == 200
    assert_error(
        get(client, secret, f"/schools/hill/students/{hill.students[1].pk}/mastery"),
        404,
        "not_found",
    )
    # Demographics are for admins and registrars with the admin scope only.
    assert_error(
        get(client, tokens["teacher"], f"/schools/hill/students/{student.pk}/demographics"),
        403,
        "forbidden",
    )
    assert_error(
        get(client, tokens["admin"], f"/schools/hill/students/{student.pk}/demographics"),
        404,
        "not_found",
    )


@pytest.mark.django_db
def test_reading_students_frameworks_evidence_assessments_mastery_credits_transcripts(
    client, world
):
    hill, token = world["hill"], world["tokens"]["admin"]
    s1 = hill.students[0]
    school = get(client, token, "/schools/hill").json()
    assert school["name"] == "Hill School"
    frameworks = get(client, token, "/schools/hill/frameworks").json()
    assert (
        frameworks["count"] == 2
        and frameworks["items"][0]["scale"]["levels"][0]["label"] == "Beginning"
    )
    comps = get(client, token, f"/schools/hill/frameworks/{hill.framework.pk}/competencies").json()
    assert [c["code"] for c in comps["items"]] == ["C1", "C2", "C3", "C4", "C5", "C6"]
    evidence = get(client, token, f"/schools/hill/students/{s1.pk}/evidence").json()
    assert evidence["items"][0]["title"] == "Lab write-up"
    assert evidence["items"][0]["competency_ids"] == [hill.competencies[0].pk]
    history = get(client, token, f"/schools/hill/students/{s1.pk}/assessments").json()
    assert history["count"] == 3 and all(a["counts"] for a in history["items"])
    mastery = get(client, token, f"/schools/hill/students/{s1.pk}/mastery").json()
    assert {m["competency_code"]: m["status"] for m in mastery["items"]}["C2"] == "exceeds"
    credits = get(client, token, "/schools/hill/credits").json()
    assert {c["code"] for c in credits["items"]} == {"F1", "F2", "A1"}
    progress = {
        p["code"]: p for p in get(client, token, f"/schools/hill/students/{s1.pk}/credits").json()
    }
    assert progress["F1"]["status"] == "awarded"
    graduation = get(client, token, f"/schools/hill/students/{s1.pk}/graduation").json()
    assert graduation["rules_total"] == 1
    versions = get(client, token, f"/schools/hill/students/{s1.pk}/transcripts").json()
    public_id = str(world["version"].public_id)
    assert versions[0]["public_id"] == public_id and versions[0]["current"] is True
    detail = get(client, token, f"/schools/hill/transcripts/{public_id}").json()
    assert detail["content_hash"] == world["version"].content_hash and "content" in detail


@pytest.mark.django_db
def test_share_links_are_made_and_withdrawn_by_the_registrar(client, world):
    hill, tokens = world["hill"], world["tokens"]
    s1 = hill.students[0]
    body = {"version": str(world["version"].public_id), "recipient": "Admissions, Example College"}
    assert_error(
        post(client, tokens["teacher"], "/schools/hill/share-links", body), 403, "forbidden"
    )
    response = post(client, tokens["registrar"], "/schools/hill/share-links", body)
    assert response.status_code == 201, response.content
    link = response.json()
    assert link["recipient"] == "Admissions, Example College" and "/t/" in link["url"]
    listed = get(client, tokens["registrar"], f"/schools/hill/students/{s1.pk}/share-links").json()
    assert [x["id"] for x in listed] == [link["id"]]
    assert listed[0]["url"] is None  # only the token's hash is kept: the address is shown once
    revoked = post(
        client, tokens["registrar"], f"/schools/hill/share-links/{link['id']}/revoke", {}
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]


@pytest.mark.django_db
def test_recording_an_assessment_needs_the_scope_and_the_right(client, world):
    hill, tokens = world["hill"], world["tokens"]
    s2 = hill.students[1]
    body = {
        "student_id": s2.pk,
        "competency_id": hill.competencies[3].pk,
        "value": "3.5",
        "demonstrated_on": "2025-10-03",
        "feedback": "Strong claim",
    }
    assert_error(
        post(client, tokens["teacher_read"], "/schools/hill/assessments", body), 403, "forbidden"
    )
    response = post(client, tokens["teacher"], "/schools/hill/assessments", body)
    assert response.status_code == 201, response.content
    made = response.json()
    assert made["value"] in ("3.50", 3.5, "3.5") and made["assessor"] == "teacher-hill"
    assert Assessment.objects.get(pk=made["id"]).feedback == "Strong claim"
    assert AuditEvent.objects.filter(
        action="assessment.recorded", target_id=str(made["id"])
    ).exists()
    # Out of the scale: refused beside the field, nothing written.
    before = Assessment.objects.count()
    response = post(client, tokens["teacher"], "/schools/hill/assessments", {**body, "value": "7"})
    assert_error(response, 422, "invalid")
    assert "value" in response.json()["error"]["fields"]
    response = post(
        client, tokens["teacher"], "/schools/hill/assessments", {**body, "demonstrated_on": "soon"}
    )
    assert_error(response, 422, "invalid")
    assert Assessment.objects.count() == before
    # A teacher may not assess a student outside their sections: the student is not even visible.
    outsider = make_student(hill.school)
    assert_error(
        post(
            client,
            tokens["teacher"],
            "/schools/hill/assessments",
            {**body, "student_id": outsider.pk},
        ),
        404,
        "not_found",
    )


@pytest.mark.django_db
def test_pages_and_their_query_counts_do_not_grow_with_the_school(
    client, world, django_assert_max_num_queries
):
    hill, token = world["hill"], world["tokens"]["admin"]
    first = get(client, token, "/schools/hill/students", page_size=2).json()
    assert first["count"] == 3 and len(first["items"]) == 2 and first["page"] == 1
    assert (
        len(get(client, token, "/schools/hill/students", page=2, page_size=2).json()["items"]) == 1
    )
    assert_error(get(client, token, "/schools/hill/students", page_size=1000), 422, "invalid")
    for _ in range(30):
        make_student(hill.school)
    for path in (
        "/schools/hill/students",
        "/schools/hill/frameworks",
        "/schools/hill/credits",
        f"/schools/hill/students/{hill.students[0].pk}/assessments",
        f"/schools/hill/students/{hill.students[0].pk}/evidence",
    ):
        with django_assert_max_num_queries(10):
            assert get(client, token, path).status_code == 200


@pytest.mark.django_db
def test_imports_through_the_api_need_the_admin_scope(client, world):
    hill, tokens = world["hill"], world["tokens"]
    data = (
        b"student_id,competency_code,value,date\n"
        + hill.students[2].student_number.encode()
        + b",C1,3,2025-09-01\n"
    )

    def upload(token, content, dry_run):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(
            "/api/schools/hill/imports/scores",
            {"file": SimpleUploadedFile("s.csv", content), "dry_run": dry_run},
            HTTP_AUTHORIZATION=f"Bearer {token}",
        )

    assert_error(upload(tokens["teacher"], data, True), 403, "forbidden")
    preview = upload(tokens["admin"], data, True).json()
    assert (
        preview["state"] == "dry_run" and preview["summary"]["counts"]["assessment"]["created"] == 1
    )
    assert not Assessment.objects.filter(student=hill.students[2]).exists()
    assert upload(tokens["admin"], data, False).json()["state"] == "applied"
    refused = upload(
        tokens["admin"], b"student_id,competency_code,value,date\nX,C1,3,2025-09-01\n", False
    ).json()
    assert refused["state"] == "refused" and refused["problems"][0]["line"] == 2


@pytest.mark.django_db
def test_the_openapi_document_and_docs_are_served_offline(client):
    document = client.get("/api/openapi.json").json()
    assert document["info"]["title"] == "Credo API"
    assert "/api/schools/{slug}/assessments" in document["paths"]
    # The error format, with every status it can take, is documented for a reader of the docs.
    for status in ("400", "401", "403", "404", "405", "422", "500"):
        assert f"| {status} |" in document["info"]["description"]
    listed = document["paths"]["/api/schools/{slug}/students"]["get"]["responses"]
    assert listed["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    # Nothing is fetched from elsewhere: every script and stylesheet is served by Credo itself.
    assert "cdn" not in html.lower() and "https://" not in html and "http://" not in html
    for asset in ("swagger-ui.css", "swagger-ui-bundle.js"):
        assert f"/api/docs/assets/{asset}" in html
        response = client.get(f"/api/docs/assets/{asset}")
        assert response.status_code == 200
        assert len(b"".join(response.streaming_content)) > 10_000
    assert_error(client.get("/api/docs/assets/other.js"), 404, "not_found")


@pytest.mark.django_db
def test_every_error_under_api_has_the_one_format(client, world, monkeypatch, settings):
    token = world["tokens"]["admin"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    # A path that does not exist, with or without a token, however deep.
    for path in (
        "/api/nope",
        "/api/schools/hill/nope/deeper",
        "/api/schools/hill/students/1/nothing",
    ):
        response = client.get(path, **auth)
        assert_error(response, 404, "not_found")
        assert path in response.json()["error"]["message"]
    assert_error(client.get("/api/nope"), 404, "not_found")
    # A method a path does not take: 405 with the methods it does take.
    response = client.delete("/api/me", **auth)
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "GET" and "DELETE" in response.json()["error"]["message"]
    response = client.put("/api/schools/hill/students", **auth)
    assert_error(response, 405, "method_not_allowed")
    response = client.get("/api/schools/hill/assessments", **auth)
    assert_error(response, 405, "method_not_allowed")
    assert response["Allow"] == "POST"
    # A body that is not JSON, and one that does not fit.
    response = client.post(
        "/api/schools/hill/assessments", "{not json", content_type="application/json", **auth
    )
    assert_error(response, 400, "bad_request")
    assert_error(post(client, token, "/schools/hill/assessments", {"value": 3}), 422, "invalid")
    assert_error(get(client, token, "/schools/hill/students", page=0), 422, "invalid")
    # A missing scope.
    hill = world["hill"]
    body = {
        "student_id": hill.students[0].pk,
        "competency_id": hill.competencies[0].pk,
        "value": "3",
        "demonstrated_on": "2025-10-02",
    }
    response = post(client, world["tokens"]["teacher_read"], "/schools/hill/assessments", body)
    assert_error(response, 403, "forbidden")
    assert "write:assessments" in response.json()["error"]["message"]
    # A fault on our side is logged and answered in the same shape, in production and in DEBUG.
    import credo.api.routers.people as api_module  # where /me lives

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api_module, "roles_in", broken)
    for debug in (False, True):
        settings.DEBUG = debug
        response = get(client, token, "/me")
        assert_error(response, 500, "server_error")
        assert ("boom" in response.json()["error"]["message"]) is debug
    # /api/ itself says where the document and the docs are.
    index = client.get("/api/").json()
    assert index["openapi"].endswith("/api/openapi.json") and index["docs"].endswith("/api/docs")
