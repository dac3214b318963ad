"""What an admissions reader gets from a shared link: the reading guide, each standard once, the
school's code and counselor, one verification verdict; every opening logged; the last day right."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from credo.accounts.access import system_actor
from credo.core.models import AuditEvent
from credo.mastery.models import MasteryCredit
from credo.testing import make_user
from credo.transcripts import pdf, render, services
from credo.transcripts.models import ShareLink, ShareView
from credo.transcripts.tests.builders import rich_student

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"transcripts:{name}", args=args)


@pytest.fixture
def version(hill):
    school = hill.school
    school.school_code = "331122"
    school.counselor_name = "Dana Ortiz"
    school.counselor_email = "counselor@hill.example.edu"
    school.counselor_phone = "+1 555 0100"
    school.credit_policy = "Every credit is confirmed by two teachers."
    school.save()
    student = rich_student(hill)
    return services.transcript_publish(actor=hill.registrar, student=student).version


@pytest.fixture
def link(version):
    return services.share_link_create(
        actor=version.student.user, version=version, recipient="Northfield College"
    )


# --- the layout ----------------------------------------------------------------------------------


def test_the_shared_page_reads_summary_guide_credits_then_school(client, link):
    html = client.get(url("shared", link.token)).content.decode()
    order = [
        html.index('id="tx-verdict"'),
        html.index('id="tx-name"'),
        html.index("How to read this transcript</h2>"),
        html.index("Credits earned</h2>"),
        html.index('id="tx-school-h"'),
    ]
    assert order == sorted(order)
    assert "Every credit is confirmed by two teachers." in html[order[2] : order[3]]
    profile = html[order[4] :]
    assert "School code (CEEB)" in profile and "331122" in profile
    assert 'href="mailto:counselor@hill.example.edu"' in profile and "+1 555 0100" in profile
    # The scale, from the school's academic framework.
    assert "The school's scale" in html and "Work counts toward a credit at 3 or above." in html


def test_the_verdict_is_one_line_with_the_detail_folded(client, link, version):
    html = client.get(url("shared", link.token)).content.decode()
    start = html.index('<details class="tx-verdict ok"')
    summary = html[start : html.index("</summary>", start)]
    assert "Verified:" in summary and f"as version {version.number}, the current version" in summary
    assert version.content_hash not in summary
    detail = html[html.index("</summary>", start) : html.index("</details>", start)]
    assert version.content_hash in detail and str(version.public_id) in detail
    assert "/verify/?link=" in detail


def test_a_sentence_every_credit_repeats_is_said_once(hill):
    for credit in MasteryCredit.objects.filter(school=hill.school):
        credit.standard = f"Shows {credit.title}. Earned at the Meets level in summative work."
        credit.save()
    MasteryCredit.objects.create(
        school=hill.school,
        area=hill.credits["all"].area,
        code="X3",
        title="Inquiry III",
        level="foundational",
        standard="Shows Inquiry III. Earned at the Meets level in summative work.",
    )
    student = rich_student(hill)
    version = services.transcript_publish(actor=hill.registrar, student=student).version
    ctx = render.context(version.content, version=version)
    guide = ctx["guide"]["levels"]["foundational"]
    assert guide["common"] == ["Earned at the Meets level in summative work."]
    earned = [c for a in ctx["detail_areas"] for c in a["earned"]]
    assert [c["own_standard"] for c in earned] == ["Shows Inquiry I.", "Shows Expression I."]
    html = render.render_html(version)
    assert html.count("Earned at the Meets level in summative work.") == 1
    # Fewer than three credits never lose their standard.
    assert (
        render.reading_guide(
            {"areas": [{"credits": [{"level": "advanced", "standard": "A. B."}] * 2}]}
        )["levels"]["advanced"]["common"]
        == []
    )


def test_old_versions_without_the_new_facts_still_render(link, version):
    content = json.loads(json.dumps(version.content))
    content.pop("scales")
    content["school"].pop("counselor")
    for area in content["areas"]:
        for credit in area["credits"]:
            credit.pop("review_required")
    from django.template.loader import render_to_string

    ctx = render.context(content, version=version, mode="export")
    html = render_to_string("transcripts/standalone.html", ctx)
    assert "How to read this transcript" in html and "Counselor" not in html


# --- the school code and counselor ------------------------------------------------------------------


def test_contact_is_set_by_managers_only_and_checked(client, hill, dale):
    settings_url = url("settings", hill.school.slug)
    client.force_login(hill.teacher)
    assert client.post(settings_url, {"action": "contact", "school_code": "1"}).status_code == 404
    client.force_login(dale.registrar)
    assert client.post(settings_url, {"action": "contact", "school_code": "1"}).status_code in (
        403,
        404,
    )
    client.force_login(hill.registrar)
    page = client.get(settings_url).content.decode()
    assert "School code (CEEB)" in page
    bad = {
        "action": "contact",
        "school_code": "12;DROP",
        "counselor_email": "not-an-address",
        "counselor_phone": "call me",
    }
    response = client.post(settings_url, bad)
    html = response.content.decode()
    assert response.status_code == 400
    assert "a CEEB code has six digits" in html and "counselor@school.org" in html
    assert "telephone number in digits" in html
    hill.school.refresh_from_db()
    assert hill.school.school_code == ""
    good = {
        "action": "contact",
        "school_code": " 331122 ",
        "counselor_name": "Dana  Ortiz",
        "counselor_email": "dana@hill.example.edu",
        "counselor_phone": "(555) 010-0100",
    }
    assert client.post(settings_url, good).status_code == 302
    hill.school.refresh_from_db()
    assert (hill.school.school_code, hill.school.counselor_name) == ("331122", "Dana Ortiz")
    event = AuditEvent.objects.get(action="school.transcript_contact_saved")
    assert event.after["school_code"] == "331122" and event.before["school_code"] == ""


def test_the_contact_service_refuses_teachers(hill):
    from credo.core.errors import NotAllowed

    with pytest.raises(NotAllowed):
        services.school_contact_save(actor=hill.teacher, school=hill.school, school_code="1")


# --- the view log --------------------------------------------------------------------------------


def test_every_kind_of_opening_is_logged_for_the_student(client, hill, link, version, settings):
    from credo.credentials import services as credential_services

    settings.ALLOWED_HOSTS = ["testserver", "credo.example.edu"]
    credential_services.transcript_credential_issue(actor=system_actor(), version=version)
    key = version.content["areas"][0]["credits"][0]["evidence"][0]
    with mock.patch.object(pdf, "render_pdf", return_value=b"%PDF-1.7 stand-in"):
        assert client.get(url("shared", link.token)).status_code == 200
        assert client.get(url("shared_pdf", link.token)).status_code == 200
    assert client.get(url("shared_evidence", link.token, key)).status_code == 200
    clr = client.get(reverse("credentials:shared_clr", args=[link.token]))
    assert clr.status_code == 200 and json.loads(clr.content)
    checked = client.get("/verify/", {"link": f"/t/{link.token}/"})
    assert "Valid" in checked.content.decode()
    posted = client.post("/verify/", {"link": f"https://credo.example.edu/t/{link.token}/"})
    assert "Valid" in posted.content.decode()
    kinds = list(ShareView.objects.filter(link=link).order_by("id").values_list("kind", flat=True))
    assert kinds == ["page", "pdf", "evidence", "clr", "verify", "verify"]
    # The student reads it, in words.
    client.force_login(version.student.user)
    page = client.get(url("student", hill.school.slug, version.student.pk)).content.decode()
    assert "CLR download" in page and "Signature check" in page
    # A version link (/v/…) is not a share link: nothing is logged against the link.
    client.get("/verify/", {"link": f"/v/{version.public_id}/"})
    assert ShareView.objects.filter(link=link).count() == 6


def test_a_dead_link_logs_nothing(client, link, version):
    from credo.credentials import services as credential_services

    credential_services.transcript_credential_issue(actor=system_actor(), version=version)
    services.share_link_revoke(actor=version.student.user, link=link)
    assert client.get(reverse("credentials:shared_clr", args=[link.token])).status_code == 404
    client.get("/verify/", {"link": f"/t/{link.token}/"})
    assert client.get(url("shared", link.token)).status_code == 410
    assert not ShareView.objects.exists()


# --- the last day ----------------------------------------------------------------------------------


def test_a_link_whose_last_day_is_31_january_says_so(client, version, settings):
    today = timezone.localdate()
    last = dt.date(today.year + 1, 1, 31)
    link = services.share_link_create(
        actor=version.student.user, version=version, recipient="Northfield", expires_on=last
    )
    assert link.last_day == last
    html = client.get(url("shared", link.token)).content.decode()
    assert f"works through 31 January {last.year}" in html
    assert "1 February" not in html
    client.force_login(version.student.user)
    page = client.get(url("student", version.school.slug, version.student.pk)).content.decode()
    assert f"31 Jan {last.year}" in page and f"1 Feb {last.year}" not in page


def test_the_link_works_through_its_last_day_and_not_after(client, version):
    today = timezone.localdate()
    link = services.share_link_create(
        actor=version.student.user, version=version, recipient="Northfield", expires_on=today
    )
    zone = ZoneInfo(str(timezone.get_current_timezone()))
    late = dt.datetime.combine(today, dt.time(23, 59, 59), tzinfo=zone)
    with mock.patch("django.utils.timezone.now", return_value=late):
        assert link.state == "active"
    with mock.patch("django.utils.timezone.now", return_value=late + dt.timedelta(seconds=1)):
        assert ShareLink.objects.get(pk=link.pk).state == "expired"
        response = client.get(url("shared", link.token))
    assert response.status_code == 410
    assert f"Its last day was {today:%-d %B %Y}" in response.content.decode()


def test_a_stranger_cannot_read_another_schools_settings(client, dale):
    client.force_login(make_user("nobody"))
    assert client.get(url("settings", dale.school.slug)).status_code in (403, 404)


# --- the graduate profile --------------------------------------------------------------------------


def test_outcomes_show_in_the_guide_the_profile_and_beside_their_credits(client, hill):
    from credo.frameworks import services as frameworks

    outcome = frameworks.outcome_save(
        actor=hill.registrar,
        school=hill.school,
        framework=hill.framework,
        code="GP1",
        title="Investigates the natural world",
        description="Asks questions and tests them with evidence.",
    )
    frameworks.outcome_credits_set(
        actor=hill.registrar, outcome=outcome, credits=[hill.credits["all"]]
    )
    retired = frameworks.outcome_save(
        actor=hill.registrar,
        school=hill.school,
        framework=hill.framework,
        code="GP9",
        title="An outcome no longer used",
    )
    frameworks.outcome_retire(actor=hill.registrar, outcome=retired)
    student = rich_student(hill)
    version = services.transcript_publish(actor=hill.registrar, student=student).version
    assert [o["code"] for o in version.content["school"]["outcomes"]] == ["GP1"]
    credits = {c["code"]: c for a in version.content["areas"] for c in a["credits"]}
    assert credits[hill.credits["all"].code]["outcomes"] == ["Investigates the natural world"]
    assert credits[hill.credits["count"].code]["outcomes"] == []
    link = services.share_link_create(actor=student.user, version=version, recipient="College")
    html = client.get(url("shared", link.token)).content.decode()
    guide = html[html.index('id="tx-guide"') : html.index("Credits earned</h2>")]
    assert "The graduate profile" in guide and "Asks questions and tests them" in guide
    assert "Serves the graduate profile:</span> Investigates the natural world" in html
    profile = html[html.index('id="tx-school-h"') :]
    assert "Investigates the natural world" in profile
    assert "no longer used" not in html
