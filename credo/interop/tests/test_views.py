"""The imports pages: upload → preview → confirm, problems shown by place, exports, and who may."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credo.api.models import ApiToken
from credo.interop.models import ImportRun
from credo.mastery.models import Assessment


def scores(hill, value="3"):
    return f"student_id,competency_code,value,date\n{hill.students[0].student_number},C1,{value},2025-09-01\n".encode()


@pytest.mark.django_db
def test_upload_preview_confirm(client, hill):
    client.force_login(hill.admin)
    url = reverse("interop:imports", args=["hill"])
    response = client.post(
        url, {"kind": "scores", "file": SimpleUploadedFile("history.csv", scores(hill))}
    )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.state == "previewed" and not Assessment.objects.exists()
    page = client.get(run.get_absolute_url()).content.decode()
    assert "What importing it would change" in page and "Import 1 change" in page
    client.post(reverse("interop:confirm", args=["hill", run.pk]))
    run.refresh_from_db()
    assert run.state == "applied" and run.applied_by == hill.admin
    assert Assessment.objects.count() == 1
    # Confirming twice does nothing more.
    client.post(reverse("interop:confirm", args=["hill", run.pk]))
    assert Assessment.objects.count() == 1


@pytest.mark.django_db
def test_a_file_with_problems_is_refused_and_each_problem_shown(client, hill):
    client.force_login(hill.registrar)
    client.post(
        reverse("interop:imports", args=["hill"]),
        {
            "kind": "scores",
            "file": SimpleUploadedFile("bad.csv", scores(hill, "9") + b"NOPE,C1,3,2025-01-01\n"),
        },
    )
    run = ImportRun.objects.get()
    assert run.state == "refused" and len(run.problems) == 2
    page = client.get(run.get_absolute_url()).content.decode()
    assert "2 problems — nothing was imported" in page
    assert (
        "bad.csv:2</code> <strong>value</strong>" in page
        and "bad.csv:3</code> <strong>student_id</strong>" in page
    )
    assert "Import" not in page.split("nothing was imported")[1].split("</section>")[0].replace(
        "imported", ""
    )


@pytest.mark.django_db
def test_only_admins_and_registrars_import_and_other_schools_answer_404(client, hill, dale):
    client.force_login(hill.teacher)
    assert client.get(reverse("interop:imports", args=["hill"])).status_code == 403
    assert client.get(reverse("interop:export", args=["hill", "scores"])).status_code == 403
    client.force_login(hill.admin)
    assert client.get(reverse("interop:imports", args=["dale"])).status_code == 404
    other = ImportRun.objects.create(
        school=dale.school, kind="scores", filename="x.csv", content=b"x"
    )
    assert client.get(reverse("interop:run", args=["hill", other.pk])).status_code == 404
    assert client.get(reverse("interop:run", args=["dale", other.pk])).status_code == 404


@pytest.mark.django_db
def test_exports_download(client, hill):
    client.force_login(hill.admin)
    response = client.get(
        reverse("interop:export", args=["hill", "case"]) + f"?framework={hill.framework.pk}"
    )
    assert response.status_code == 200 and b'"CFDocument"' in response.content
    assert "attachment" in response["Content-Disposition"]
    response = client.get(
        reverse("interop:export", args=["hill", "canvas"]) + f"?framework={hill.framework.pk}"
    )
    assert response.content.startswith(b"vendor_guid,object_type,title")
    assert client.get(reverse("interop:export", args=["hill", "scores"])).content.startswith(
        b"student_id,"
    )


@pytest.mark.django_db
def test_the_imports_page_query_count_does_not_grow(client, hill, django_assert_max_num_queries):
    client.force_login(hill.admin)
    for i in range(30):
        ImportRun.objects.create(
            school=hill.school,
            kind="scores",
            filename=f"f{i}.csv",
            content=b"x" * 1000,
            created_by=hill.admin,
        )
    with django_assert_max_num_queries(12):
        assert client.get(reverse("interop:imports", args=["hill"])).status_code == 200


@pytest.mark.django_db
def test_tokens_are_made_shown_once_and_revoked_in_the_app(client, hill):
    client.force_login(hill.teacher)
    url = reverse("api-tokens", args=["hill"])
    page = client.get(url).content.decode()
    assert 'value="admin"' not in page and 'value="write:assessments"' in page
    response = client.post(url, {"name": "Gradebook sync", "scopes": ["read"], "days": 30})
    token = ApiToken.objects.get()
    secret = response.content.decode().split('id="token-secret">')[1].split("<")[0]
    assert secret.startswith("credo_") and token.key_hash != secret
    assert secret not in client.get(url).content.decode()  # shown once
    response = client.post(url, {"name": "", "scopes": ["admin"], "days": 30})
    assert b"errors" in response.content and ApiToken.objects.count() == 1
    client.post(reverse("api-token-revoke", args=["hill", token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.force_login(hill.advisor)
    assert client.post(reverse("api-token-revoke", args=["hill", token.pk])).status_code == 404
