"""The transcript pages: who sees what, forms that refuse bad input, share links without an account."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from credo.testing import make_student, make_user
from credo.transcripts import services
from credo.transcripts.models import PublicationRun, ShareLink, ShareView, TranscriptVersion
from credo.transcripts.tests.builders import earn, rich_student

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(hill):
    student = rich_student(hill)
    version = services.transcript_publish(actor=hill.registrar, student=student).version
    return student, version


def url(name, *args):
    return reverse(f"transcripts:{name}", args=args)


# --- signed-in pages --------------------------------------------------------------------------------


def test_registrar_home_lists_the_cohort_in_constant_queries(
    client, hill, django_assert_max_num_queries
):
    for s in hill.students:
        earn(hill, s, hill.competencies[:2])
    client.force_login(hill.registrar)
    with django_assert_max_num_queries(16):
        first = client.get(url("home", hill.school.slug))
    assert first.status_code == 200 and b"Publish the cohort" in first.content
    for _ in range(12):
        make_student(hill.school, section=hill.section)
    with django_assert_max_num_queries(16):
        more = client.get(url("home", hill.school.slug))
    assert more.content.count(b"transcripts/students/") >= 15


def test_registrar_publishes_a_cohort_and_watches_it(
    client, hill, django_capture_on_commit_callbacks
):
    client.force_login(hill.registrar)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("home", hill.school.slug), {"cohort": "2027", "render_pdf": ""})
    run = PublicationRun.objects.get()
    assert response.status_code == 302 and response["Location"] == url(
        "run", hill.school.slug, run.pk
    )
    page = client.get(url("run", hill.school.slug, run.pk))
    assert page.status_code == 200 and b"3 of 3 done" in page.content
    partial = client.get(url("run", hill.school.slug, run.pk), HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b'id="run-progress"' in partial.content
    assert b"hx-trigger" not in partial.content  # finished: the page stops polling
    assert TranscriptVersion.objects.count() == 3


def test_others_cannot_publish_or_see_runs(client, hill, dale):
    client.force_login(hill.teacher)
    response = client.get(url("home", hill.school.slug))
    assert response.status_code == 200 and b"Publish the cohort" not in response.content
    client.force_login(dale.registrar)
    assert client.get(url("home", hill.school.slug)).status_code == 404
    run = services.publication_run_start(
        actor=hill.registrar, school=hill.school, cohort=2027, enqueue=False
    )
    client.force_login(hill.teacher)
    assert client.get(url("run", hill.school.slug, run.pk)).status_code == 404


def test_a_student_is_sent_to_their_own_transcript(client, hill):
    student = hill.students[0]
    client.force_login(student.user)
    response = client.get(url("home", hill.school.slug))
    assert response.status_code == 302 and response["Location"] == url(
        "student", hill.school.slug, student.pk
    )
    assert client.get(url("student", hill.school.slug, hill.students[1].pk)).status_code == 404


def test_registrar_publishes_from_the_student_page(client, hill):
    student = rich_student(hill)
    client.force_login(hill.registrar)
    response = client.post(
        url("student", hill.school.slug, student.pk), {"action": "publish", "note": "June"}
    )
    assert response.status_code == 302
    version = TranscriptVersion.objects.get()
    assert version.note == "June" and version.published_by == hill.registrar
    page = client.get(url("student", hill.school.slug, student.pk))
    assert b"Version 1" in page.content and b"Current" in page.content


def test_before_publication_the_share_section_says_when_links_can_be_made(client, hill):
    student = rich_student(hill)
    client.force_login(student.user)
    page = client.get(url("student", hill.school.slug, student.pk)).content.decode()
    assert "A link can be made once a version is published" in page
    assert 'name="recipient"' not in page


def test_a_student_cannot_publish(client, hill):
    student = rich_student(hill)
    client.force_login(student.user)
    response = client.post(url("student", hill.school.slug, student.pk), {"action": "publish"})
    assert response.status_code == 403 and not TranscriptVersion.objects.exists()


def test_the_student_page_query_count_is_pinned(
    client, published, hill, django_assert_max_num_queries
):
    student, version = published
    for i in range(5):
        services.share_link_create(actor=student.user, version=version, recipient=f"College {i}")
    client.force_login(student.user)
    with django_assert_max_num_queries(30):
        response = client.get(url("student", hill.school.slug, student.pk))
    # Only the tokens' hashes are kept: the list shows no address, each working link says so.
    assert response.status_code == 200 and b'class="tx-url"' not in response.content
    page = response.content.decode()
    assert page.count("The address was shown once") == 5


def test_a_new_link_is_shown_once_with_a_copy_button(client, published, hill):
    student, version = published
    client.force_login(student.user)
    response = client.post(
        url("student", hill.school.slug, student.pk),
        {
            "action": "share",
            "recipient": "Lakeside College",
            "version": version.pk,
            "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("#links")
    page = client.get(response["Location"]).content.decode()
    link = ShareLink.objects.get(student=student)
    token = re.search(r"/t/([A-Za-z0-9_-]{40,})/", page).group(1)
    assert link.token_hash == ShareLink.hash_token(token) and token not in link.token_hash
    assert page.count('class="tx-url"') == 1
    # The working link has a button that copies it and a status line that says it did.
    assert f'id="share-url-{link.pk}"' in page and f'data-copy="share-url-{link.pk}"' in page
    assert 'aria-label="Copy link for Lakeside College">Copy link</button>' in page
    assert f'id="share-status-{link.pk}" class="tx-copy-status" role="status"' in page
    assert client.get(f"/t/{token}/").status_code == 200
    # Reading the page again shows no address.
    again = client.get(url("student", hill.school.slug, student.pk)).content.decode()
    assert token not in again and 'class="tx-url"' not in again
    assert "transcripts/copy.js" in page


@pytest.mark.parametrize(
    ("size", "context", "shown"),
    [
        (260, "A boarding school of about 260 students on a hill.", None),
        (1180, "A regional high school of about 1,180 students.", None),
        (220, "A public charter on the lake.", "About 220 students. A public charter on the lake."),
        (1180, "Founded in 1180 as an abbey.", None),
        (11, "A school of about 110 students.", "About 11 students."),
    ],
)
def test_the_school_profile_gives_its_size_once(client, published, hill, size, context, shown):
    from credo.transcripts.render import size_sentence

    school = {"enrollment_size": size, "context": context}
    assert size_sentence(school) == (shown.split(" A")[0] if shown else "")
    student, version = published
    hill.school.enrollment_size, hill.school.context = size, context
    hill.school.save(update_fields=["enrollment_size", "context"])
    version = services.transcript_publish(actor=hill.registrar, student=student).version
    client.force_login(hill.registrar)
    page = client.get(url("version", hill.school.slug, version.public_id)).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    number = f"{size:,}"
    assert text.count(f"About {number} students.") == (1 if shown else 0)
    if shown:
        assert f"Size and setting {shown}" in text


def test_the_student_shares_with_a_message_beside_bad_fields(client, published, hill):
    student, version = published
    client.force_login(student.user)
    past = (timezone.localdate() - dt.timedelta(days=3)).isoformat()
    response = client.post(
        url("student", hill.school.slug, student.pk),
        {"action": "share", "recipient": "", "expires_on": past, "version": version.pk},
    )
    assert response.status_code == 400 and not ShareLink.objects.exists()
    html = response.content.decode()
    # Both problems at once, each beside its field.
    assert "This field is required." in html and "Choose a day from today on." in html
    response = client.post(
        url("student", hill.school.slug, student.pk),
        {"action": "share", "recipient": "Northfield", "expires_on": past, "version": version.pk},
    )
    assert (
        response.status_code == 400 and "Choose a day from today on." in response.content.decode()
    )
    ok = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    response = client.post(
        url("student", hill.school.slug, student.pk),
        {"action": "share", "recipient": "Northfield", "expires_on": ok, "version": version.pk},
    )
    assert response.status_code == 302
    link = ShareLink.objects.get()
    assert link.recipient == "Northfield" and link.created_by == student.user


def test_staff_read_versions_others_get_404(client, published, hill, dale):
    student, version = published
    for user in (hill.teacher, hill.advisor, student.user, hill.registrar):
        client.force_login(user)
        response = client.get(url("version", hill.school.slug, version.public_id))
        assert response.status_code == 200 and b"River study report" in response.content
    for user in (hill.students[1].user, dale.registrar):
        client.force_login(user)
        assert client.get(url("version", hill.school.slug, version.public_id)).status_code == 404
        assert (
            client.get(url("version_pdf", hill.school.slug, version.public_id)).status_code == 404
        )


def test_a_version_page_serves_pdf_and_json(client, published, hill):
    student, version = published
    client.force_login(hill.registrar)
    response = client.get(url("version_pdf", hill.school.slug, version.public_id))
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    data = client.get(url("version_json", hill.school.slug, version.public_id)).json()
    assert (
        data["content_hash"]["value"] == version.content_hash and data["content"] == version.content
    )


def test_preview_renders_the_draft_without_storing_it(client, hill):
    student = rich_student(hill)
    client.force_login(student.user)
    response = client.get(url("preview", hill.school.slug, student.pk))
    assert response.status_code == 200 and b"Draft as of" in response.content
    assert b"<svg" in response.content and b"The credit profile as a table" in response.content
    assert not TranscriptVersion.objects.exists()


def test_comments_from_the_page(client, hill):
    student = hill.students[0]
    client.force_login(hill.teacher)
    response = client.post(
        url("student", hill.school.slug, student.pk),
        {"action": "comment", "credit": hill.credits["all"].pk, "body": ""},
    )
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    response = client.post(
        url("student", hill.school.slug, student.pk),
        {"action": "comment", "credit": hill.credits["all"].pk, "body": "Fine fieldwork."},
    )
    assert response.status_code == 302


# --- share links without an account ----------------------------------------------------------------------


def test_an_anonymous_reader_opens_a_link_and_every_view_is_logged(client, published, hill):
    student, version = published
    link = services.share_link_create(
        actor=student.user, version=version, recipient="Northfield College"
    )
    response = client.get(url("shared", link.token))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store" and "noindex" in response["X-Robots-Tag"]
    html = response.content.decode()
    assert student.full_name in html and "River study report" in html and "Download PDF" in html
    assert "GPA" not in html and not re.search(r"\b(grades?|rank)\b", html, re.IGNORECASE)
    pdf = client.get(url("shared_pdf", link.token))
    assert pdf["Content-Type"] == "application/pdf"
    assert list(ShareView.objects.order_by("viewed_at", "id").values_list("kind", flat=True)) == [
        "page",
        "pdf",
    ]
    client.force_login(student.user)
    page = client.get(url("student", hill.school.slug, student.pk)).content.decode()
    assert "2 times" in page and "PDF download" in page


def test_share_safe_evidence_shows_only_what_the_student_chose(client, published, hill, settings):
    student, version = published
    link = services.share_link_create(actor=student.user, version=version, recipient="X")
    keys = {item["title"]: key for key, item in version.content["evidence"].items()}
    assert set(keys) == {"River study report", "Short film on the water cycle"}
    page = client.get(url("shared_evidence", link.token, keys["River study report"]))
    assert page.status_code == 200 and b"We measured the river" in page.content
    assert client.get(url("shared_evidence", link.token, "e99")).status_code == 404
    film = client.get(
        url("shared_evidence_file", link.token, keys["Short film on the water cycle"])
    )
    assert film.status_code == 200 and film.content == b"not really a film"
    assert ShareView.objects.filter(kind="file").count() == 1
    # The file changed after publication: the link no longer serves it as published.
    path = version.content["evidence"][keys["Short film on the water cycle"]]["file"]["path"]
    default_storage.delete(path)
    default_storage.save(path, __import__("io").BytesIO(b"something else"))
    assert (
        client.get(
            url("shared_evidence_file", link.token, keys["Short film on the water cycle"])
        ).status_code
        == 404
    )


def test_revoked_and_expired_links_say_so_plainly(client, published):
    student, version = published
    link = services.share_link_create(actor=student.user, version=version, recipient="X")
    assert client.get(url("shared", link.token)).status_code == 200
    services.share_link_revoke(actor=student.user, link=link)
    for name, args in (
        ("shared", [link.token]),
        ("shared_pdf", [link.token]),
        ("shared_evidence", [link.token, "e1"]),
    ):
        response = client.get(url(name, *args))
        assert response.status_code == 410 and b"This link was withdrawn" in response.content
    expired = services.share_link_create(actor=student.user, version=version, recipient="Y")
    ShareLink.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    response = client.get(url("shared", expired.token))
    assert response.status_code == 410 and b"This link has expired" in response.content
    response = client.get(url("shared", "not-a-real-token-at-all"))
    assert response.status_code == 404 and b"No transcript at this address" in response.content
    assert ShareView.objects.count() == 1  # only the one successful opening


def test_a_link_to_an_older_version_says_a_newer_one_exists(client, published, hill):
    student, version = published
    link = services.share_link_create(actor=student.user, version=version, recipient="X")
    earn(hill, student, hill.competencies[5:6], value="4")
    services.comment_add(
        actor=hill.teacher, student=student, credit=hill.credits["count"], body="New."
    )
    services.transcript_publish(actor=hill.registrar, student=student)
    html = client.get(url("shared", link.token)).content.decode()
    assert "newer version" in html


def test_the_shared_page_query_count_is_pinned(client, published, django_assert_max_num_queries):
    student, version = published
    link = services.share_link_create(actor=student.user, version=version, recipient="X")
    with django_assert_max_num_queries(8):
        assert client.get(url("shared", link.token)).status_code == 200


def test_the_verification_page(client, published, hill):
    student, version = published
    page = client.get(url("verify", version.public_id)).content.decode()
    assert "Authentic and current" in page and version.content_hash in page
    earn(hill, student, hill.competencies[5:6], value="4")
    services.comment_add(
        actor=hill.teacher, student=student, credit=hill.credits["count"], body="New."
    )
    services.transcript_publish(actor=hill.registrar, student=student)
    page = client.get(url("verify", version.public_id)).content.decode()
    assert "superseded" in page and "version 2" in page
    assert client.get("/v/00000000-0000-4000-8000-000000000000/").status_code == 404


# --- settings and the separate grade report ------------------------------------------------------------------


def test_settings_are_for_managers_and_refuse_bad_tables(client, hill):
    client.force_login(hill.teacher)
    assert client.get(url("settings", hill.school.slug)).status_code == 404
    client.force_login(hill.registrar)
    assert client.get(url("settings", hill.school.slug)).status_code == 200
    bad = {"action": "grades", "name": "Athletics", "min_0": "3", "label_0": "A", "points_0": "4"}
    response = client.post(url("settings", hill.school.slug), bad)
    assert response.status_code == 400 and "at least two rows" in response.content.decode()
    good = {
        "action": "grades",
        "name": "Athletics",
        "min_0": "3",
        "label_0": "Pass",
        "points_0": "1",
        "min_1": "1",
        "label_1": "Not yet",
        "points_1": "0",
    }
    assert client.post(url("settings", hill.school.slug), good).status_code == 302
    assert (
        client.post(
            url("settings", hill.school.slug), {"action": "policy", "include_courses": "on"}
        ).status_code
        == 302
    )


def test_the_grade_report_is_separate_and_off_by_default(client, published, hill):
    student, version = published
    client.force_login(hill.registrar)
    report = url("grade_report", hill.school.slug, student.pk)
    assert client.get(report).status_code == 404
    services.grade_table_save(
        actor=hill.registrar,
        school=hill.school,
        name="Athletics eligibility",
        bands=[("3", "Pass", "1"), ("1", "Not yet", "0")],
    )
    services.grade_conversion_set_enabled(actor=hill.registrar, school=hill.school, enabled=True)
    page = client.get(report)
    assert page.status_code == 200 and b"not part of the Mastery Transcript" in page.content
    client.force_login(student.user)
    assert client.get(report).status_code == 404
    # Neither the shared page nor the PDF mention it.
    link = services.share_link_create(actor=student.user, version=version, recipient="X")
    assert b"Athletics" not in client.get(url("shared", link.token)).content


def test_a_user_without_a_role_gets_404(client, published, hill):
    stranger = make_user("stranger")
    client.force_login(stranger)
    student, version = published
    assert client.get(url("student", hill.school.slug, student.pk)).status_code == 404


def test_review_formats_read_with_the_right_article(published):
    from django.template.loader import render_to_string

    from credo.transcripts import render

    _, version = published
    content = version.content
    earned = [c for a in content["areas"] for c in a["credits"] if c["state"] == "earned"]
    assert len(earned) >= 2
    earned[0]["review"] = {"format": "Exhibition", "panel": 3, "outside_experts": 1}
    earned[1]["review"] = {"format": "Committee pitch", "panel": 2, "outside_experts": 0}
    html = render_to_string("transcripts/_details.html", render.context(content))
    assert "after an exhibition before a panel of 3 including 1 expert from outside" in html
    assert "after a committee pitch before a panel of 2." in html
