"""The issuer documents, the verification page, CLR downloads and the school's credentials page."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credo.accounts.access import system_actor
from credo.credentials import services
from credo.credentials.models import IssuedCredential, SchoolKey
from credo.credentials.tests.builders import awarded_student, publish
from credo.credentials.verification import verify_document

pytestmark = pytest.mark.django_db
BASE = "https://credo.example.edu"


@pytest.fixture(autouse=True)
def credential_settings(settings, tmp_path):
    settings.CREDO_BASE_URL = BASE
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CREDO_TRANSCRIPT_CACHE = str(tmp_path / "transcripts")
    settings.ALLOWED_HOSTS = ["testserver", "credo.example.edu"]
    return settings


@pytest.fixture
def version(hill):
    return publish(hill, awarded_student(hill))


@pytest.fixture
def clr(version):
    return services.transcript_credential_issue(actor=system_actor(), version=version)


def _login(client, user):
    client.force_login(user)
    return client


# --- the issuer's documents ----------------------------------------------------------------------


def test_the_issuer_url_serves_profile_and_keys(client, hill, clr):
    response = client.get(f"/issuers/{hill.school.slug}")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    document = response.json()
    assert document["id"] == f"{BASE}/issuers/hill" == clr.document["issuer"]["id"]
    assert document["type"] == ["Profile"] and document["name"] == "Hill School"
    key = SchoolKey.objects.get(school=hill.school)
    method = f"{BASE}/issuers/hill#{key.public_key_multibase}"
    assert document["verificationMethod"] == [
        {
            "id": method,
            "type": "Multikey",
            "controller": document["id"],
            "publicKeyMultibase": key.public_key_multibase,
        }
    ]
    assert document["assertionMethod"] == [method]
    assert clr.document["proof"][0]["verificationMethod"] == method
    ld = client.get(f"/issuers/{hill.school.slug}", HTTP_ACCEPT="application/ld+json")
    assert ld["Content-Type"] == "application/ld+json"
    assert client.get("/issuers/nowhere").status_code == 404


def test_the_issuer_document_is_offline_json_ld(hill):
    from credo.credentials import documents, proofs, selectors
    from credo.credentials.loader import OfflineLoader

    loader = OfflineLoader(extra={documents.MULTIKEY_V1: documents.MULTIKEY_CONTEXT})
    nquads, dropped = proofs.canonicalize_reporting(
        selectors.issuer_document(hill.school), loader=loader
    )
    assert dropped == []
    assert "<https://w3id.org/security#assertionMethod>" in nquads


@pytest.mark.interop
def test_the_issuer_profile_matches_the_ob_profile_schema(hill):
    from jsonschema import Draft201909Validator

    from credo.credentials import selectors
    from credo.credentials.tests.conftest import INTEROP, read_json

    path = INTEROP / "ob3-schema" / "profile.json"
    if not path.exists():
        pytest.skip(f"the OB 3.0 Profile schema is not at {path}")
    errors = list(
        Draft201909Validator(read_json(path)).iter_errors(selectors.issuer_document(hill.school))
    )
    assert errors == []


def test_achievement_area_and_competency_definitions(client, hill, clr):
    embedded = clr.document["credentialSubject"]["verifiableCredential"]
    for credential in embedded:
        achievement = credential["credentialSubject"]["achievement"]
        served = client.get(achievement["id"].removeprefix(BASE)).json()
        assert {k: v for k, v in served.items() if k != "@context"} == achievement
        for alignment in achievement.get("alignment", []):
            assert alignment["targetUrl"].startswith("https://case.example.org/")
    for area in clr.document["credentialSubject"]["achievement"]:
        served = client.get(area["id"].removeprefix(BASE)).json()
        assert served["name"] == area["name"]
    competency = hill.competencies[0]
    served = client.get(f"/issuers/hill/competencies/{competency.pk}").json()
    assert served["targetCode"] == competency.code
    assert client.get("/issuers/hill/achievements/NOPE").status_code == 404
    assert client.get(f"/issuers/hill/competencies/{hill.habit.pk + 10_000}").status_code == 404


# --- the verification page -----------------------------------------------------------------------


def test_the_page_offers_three_ways(client):
    response = client.get("/verify/")
    assert response.status_code == 200
    html = response.content.decode()
    for label in ("Credential file", "Or paste the credential", "Or give a link"):
        assert label in html


def test_upload_a_credential(client, clr):
    upload = SimpleUploadedFile(
        "transcript.json", json.dumps(clr.document).encode(), "application/json"
    )
    response = client.post("/verify/", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "✓</span> Valid" in html
    assert "Confirmed as the school’s own key." in html
    assert html.count("Signature matches every word") == 3
    assert "Current" in html
    assert response["Cache-Control"] == "no-store"


def test_paste_a_tampered_credential(client, clr):
    document = json.loads(json.dumps(clr.document))
    document["credentialSubject"]["verifiableCredential"][0]["credentialSubject"]["achievement"][
        "name"
    ] = "Rocket science"
    response = client.post("/verify/", {"text": json.dumps(document)})
    html = response.content.decode()
    assert "✗</span> Not valid" in html
    assert "signature does not match the credential" in html


def test_unreadable_input_and_bad_forms_say_why(client):
    response = client.post("/verify/", {"text": "{oops"})
    assert "could not be read: not JSON" in response.content.decode()
    response = client.post("/verify/", {})
    assert "Choose a file, paste a credential or give a link." in response.content.decode()
    response = client.post("/verify/", {"text": "{}", "link": "/t/abcdefgh/"})
    assert "Give one credential at a time" in response.content.decode()
    html = client.post("/verify/", {"text": '["not", "a credential"]'}).content.decode()
    assert (
        "Not valid" in html and "Readable credential: expected a JSON-LD credential object" in html
    )
    html = client.post("/verify/", {"text": '["not", "a credential"]'}).content.decode()
    assert "Not valid" in html
    assert "Readable credential: expected a JSON-LD credential object" in html
    pdf = SimpleUploadedFile("t.pdf", b"%PDF-1.7 \xff\xfe", "application/pdf")
    assert "not UTF-8 text" in client.post("/verify/", {"file": pdf}).content.decode()


def test_verify_a_share_link_and_a_version_link(client, hill, version, clr):
    from credo.transcripts.services import share_link_create, share_link_revoke

    student = version.student
    link = share_link_create(actor=student.user, version=version, recipient="Hilltop College")
    for given in (f"{BASE}/t/{link.token}/", f"/t/{link.token}/", f"{BASE}/v/{version.public_id}/"):
        response = client.get("/verify/", {"link": given})
        html = response.content.decode()
        assert "✓</span> Valid" in html, given
    assert IssuedCredential.objects.filter(kind="clr").count() == 1
    share_link_revoke(actor=student.user, link=link)
    html = client.get("/verify/", {"link": f"/t/{link.token}/"}).content.decode()
    assert "withdrawn" in html and "Valid" not in html


def test_links_elsewhere_are_never_fetched(client, monkeypatch):
    import urllib.request

    def no_network(*args, **kwargs):
        raise AssertionError("the verification page fetched a URL")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    html = client.post(
        "/verify/", {"link": "https://evil.example.com/t/abcdefghijk/"}
    ).content.decode()
    assert "Only links to this Credo site can be checked here" in html
    html = client.post("/verify/", {"link": f"{BASE}/somewhere/else"}).content.decode()
    assert "not a link to a shared transcript" in html


# --- downloads -----------------------------------------------------------------------------------


def test_a_download_before_the_clr_is_issued_answers_202_and_writes_nothing(client, hill, version):
    """The CLR is issued after publication (by the task queue); a download never issues it."""
    url = reverse("credentials:version_clr", args=[hill.school.slug, version.public_id])
    before = IssuedCredential.objects.count()
    response = _login(client, hill.registrar).get(url)
    assert response.status_code == 202 and response["Retry-After"]
    assert "being issued" in response.content.decode()
    assert IssuedCredential.objects.count() == before == 0


def test_publication_queues_the_clr_and_the_task_issues_it(
    hill, django_capture_on_commit_callbacks
):
    from credo.credentials.tasks import issue_transcript_credential

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        version = publish(hill, awarded_student(hill))
    assert callbacks, "publication queued nothing"
    issue_transcript_credential.call(version.pk)
    assert IssuedCredential.objects.filter(transcript_version=version, kind="clr").exists()


def test_download_the_clr_of_a_version(client, hill, version, clr):
    url = reverse("credentials:version_clr", args=[hill.school.slug, version.public_id])
    assert client.get(url).status_code == 302  # sign in first
    response = _login(client, hill.registrar).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.clr.json"')
    document = json.loads(response.content)
    assert verify_document(document).valid


def test_other_schools_and_other_students_get_404(client, hill, dale, version, clr):
    url = reverse("credentials:version_clr", args=[hill.school.slug, version.public_id])
    assert _login(client, dale.registrar).get(url).status_code == 404
    other = hill.students[1]
    assert _login(client, other.user).get(url).status_code == 404
    wrong_school = reverse("credentials:version_clr", args=[dale.school.slug, version.public_id])
    assert _login(client, dale.registrar).get(wrong_school).status_code == 404
    assert _login(client, version.student.user).get(url).status_code == 200


def test_a_transcript_without_credits_has_no_clr(client, hill):
    version = publish(hill, hill.students[2])
    url = reverse("credentials:version_clr", args=[hill.school.slug, version.public_id])
    response = _login(client, hill.registrar).get(url)
    assert response.status_code == 409
    assert "no earned credit" in response.content.decode()


def test_shared_clr_download_follows_the_link_state(client, version, clr):
    from credo.transcripts.services import share_link_create, share_link_revoke

    link = share_link_create(actor=version.student.user, version=version, recipient="A college")
    url = reverse("credentials:shared_clr", args=[link.token])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/ld+json"
    share_link_revoke(actor=version.student.user, link=link)
    assert client.get(url).status_code == 404
    assert client.get(reverse("credentials:shared_clr", args=["nope-nope-nope"])).status_code == 404


def test_the_shared_transcript_links_to_verification_and_the_clr(client, version):
    from credo.transcripts.services import share_link_create

    link = share_link_create(actor=version.student.user, version=version, recipient="A college")
    html = client.get(reverse("transcripts:shared", args=[link.token])).content.decode()
    assert reverse("credentials:shared_clr", args=[link.token]) in html
    assert f"/verify/?link=%2Ft%2F{link.token}%2F" in html


def test_the_transcript_verification_page_leads_to_the_signature_check(client, version):
    html = client.get(reverse("transcripts:verify", args=[version.public_id])).content.decode()
    assert f"/verify/?link=%2Fv%2F{version.public_id}%2F" in html


def test_the_version_page_offers_the_clr_next_to_the_pdf(client, hill, version):
    url = reverse("transcripts:version", args=[hill.school.slug, version.public_id])
    html = _login(client, hill.registrar).get(url).content.decode()
    pdf = html.index(reverse("transcripts:version_pdf", args=[hill.school.slug, version.public_id]))
    clr = html.index(reverse("credentials:version_clr", args=[hill.school.slug, version.public_id]))
    assert 0 < clr - pdf < 400


# --- the school's credentials page ---------------------------------------------------------------


def test_the_credentials_page_is_for_managers(client, hill, dale):
    url = reverse("credentials:school", args=[hill.school.slug])
    assert _login(client, hill.teacher).get(url).status_code == 403
    assert _login(client, dale.admin).get(url).status_code == 404
    response = _login(client, hill.admin).get(url)
    assert response.status_code == 200
    assert "Signing keys" in response.content.decode()
    home = client.get(reverse("web:school", args=[hill.school.slug])).content.decode()
    assert url in home  # the school's navigation links to it


def test_rotate_from_the_page(client, hill):
    url = reverse("credentials:school", args=[hill.school.slug])
    old = SchoolKey.objects.get(school=hill.school)
    response = _login(client, hill.registrar).post(url, {"reason": "yearly rotation"})
    assert response.status_code == 302
    old.refresh_from_db()
    assert old.retired_reason == "yearly rotation"
    assert SchoolKey.objects.filter(school=hill.school, retired_at__isnull=True).count() == 1
    response = client.post(url, {"reason": "x" * 300})
    assert response.status_code == 200 and "at most 200 characters" in response.content.decode()
    assert SchoolKey.objects.filter(school=hill.school).count() == 2


def test_the_credentials_page_query_count_does_not_grow_with_students(
    client, hill, django_assert_max_num_queries
):
    from credo.testing import make_student

    url = reverse("credentials:school", args=[hill.school.slug])
    services.transcript_credential_issue(
        actor=system_actor(), version=publish(hill, awarded_student(hill))
    )
    _login(client, hill.admin)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    for _ in range(3):
        extra = make_student(hill.school, section=hill.section)
        from credo.credentials.tests.builders import earn

        earn(hill, extra, hill.competencies[:2])
        services.transcript_credential_issue(actor=system_actor(), version=publish(hill, extra))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(url)


def test_revoke_from_the_page(client, hill, clr):
    url = reverse("credentials:revoke", args=[hill.school.slug, clr.public_id])
    assert _login(client, hill.teacher).get(url).status_code == 404
    _login(client, hill.registrar)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200 and "This field is required" in response.content.decode()
    response = client.post(url, {"reason": "Wrong student."})
    assert response.status_code == 302
    clr.refresh_from_db()
    assert clr.revoke_reason == "Wrong student."
    assert not verify_document(clr.document).valid


def test_the_student_transcript_page_offers_the_clr(client, hill, version):
    url = reverse("transcripts:student", args=[hill.school.slug, version.student_id])
    html = _login(client, version.student.user).get(url).content.decode()
    clr = reverse("credentials:version_clr", args=[hill.school.slug, version.public_id])
    assert html.count(clr) == 2  # beside the current version's PDF, and in the list of versions


def test_credit_codes_with_slashes_and_spaces_resolve(client, hill):
    from credo.credentials import documents
    from credo.mastery.models import MasteryCredit

    MasteryCredit.objects.filter(pk=hill.credits["all"].pk).update(code="SCI 9/1")
    url = documents.achievement_id(f"{BASE}/issuers/hill", "SCI 9/1")
    assert url.endswith("/achievements/SCI%209%2F1")
    served = client.get(url.removeprefix(BASE))
    assert served.status_code == 200 and served.json()["humanCode"] == "SCI 9/1"
