"""The journey pages: who sees what, forms that refuse bad input beside the field, pinned query counts."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from credo.accounts.models import Role
from credo.journey import services
from credo.journey.models import (
    JourneyActionItem,
    JourneyCompetency,
    JourneyConsensus,
    JourneyRating,
)
from credo.journey.tests.factories import add_staff, make_team
from credo.schools.models import Network, NetworkLead
from credo.testing import make_small_school, make_user

pytestmark = pytest.mark.django_db


def url(name, school, *args):
    return reverse(f"journey:{name}", args=[school.school.slug, *args])


def comp(assessment, code):
    return JourneyCompetency.objects.get(framework=assessment.framework, code=code)


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


TEAM_PAGES = [
    ("home", ()),
    ("rate", ()),
    ("consensus", ()),
    ("competency", ("PV1",)),
    ("actions", ()),
    ("history", ()),
    ("ready", ()),
    ("framework", ()),
    ("report", ()),
]


def test_the_team_sees_every_page(client, hill):
    team = make_team(hill)
    services.journey_snapshot_take(actor=team.lead, assessment=team.assessment, label="Fall")
    client.force_login(team.member)
    for name, args in TEAM_PAGES:
        assert client.get(url(name, hill, *args)).status_code == 200, name
    assert client.get(url("team", hill)).status_code == 200


def test_only_the_team_sees_ratings(client, hill, dale):
    team = make_team(hill)
    services.journey_ratings_record(
        rater=team.member, assessment=team.assessment, entries={"PV1": ("earned", "A private note")}
    )
    # Staff off the team get a page that says whose it is, with no ratings on it.
    client.force_login(hill.advisor)
    response = client.get(url("home", hill))
    assert response.status_code == 403
    assert b"A private note" not in response.content and b"leadership team" in response.content
    for name, args in TEAM_PAGES[1:]:
        assert client.get(url(name, hill, *args)).status_code == 404, name
    # Students, and other schools' staff, find nothing at all.
    client.force_login(hill.students[0].user)
    assert client.get(url("home", hill)).status_code == 404
    client.force_login(dale.admin)
    for name, args in TEAM_PAGES:
        assert client.get(url(name, hill, *args)).status_code == 404, name


def test_network_leads_see_their_own_networks_schools_only(client, hill, dale):
    ridge = make_small_school("ridge")
    valley = Network.objects.create(name="Valley", slug="valley")
    coast = Network.objects.create(name="Coast", slug="coast")
    for s, n in ((hill, valley), (dale, valley), (ridge, coast)):
        s.school.network = n
        s.school.save()
    lead = make_user("valley-lead")
    NetworkLead.objects.create(network=valley, user=lead)
    team = make_team(hill)
    services.journey_ratings_record(
        rater=team.member, assessment=team.assessment, entries={"PV1": ("earned", "A private note")}
    )
    services.journey_consensus_record(
        actor=team.lead,
        assessment=team.assessment,
        competency=comp(team.assessment, "PV1"),
        status="earned",
    )
    client.force_login(lead)
    page = client.get(reverse("journey:network", args=["valley"]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Hill School" in text and "Dale School" in text and "Ridge School" not in text
    assert "A private note" not in text
    assert client.get(reverse("journey:network_school", args=["valley", "hill"])).status_code == 200
    assert client.get(reverse("journey:network", args=["coast"])).status_code == 404
    assert (
        client.get(reverse("journey:network_school", args=["valley", "ridge"])).status_code == 404
    )
    assert client.get(reverse("journey:network_school", args=["coast", "ridge"])).status_code == 404
    # A network lead is not on the school's team: its own pages stay closed.
    for name, args in TEAM_PAGES:
        assert client.get(url(name, hill, *args)).status_code == 404, name
    # School staff are not network leads.
    client.force_login(hill.admin)
    assert client.get(reverse("journey:network", args=["valley"])).status_code == 404


def test_a_bad_rating_is_refused_beside_the_competency_and_nothing_is_written(client, hill):
    team = make_team(hill)
    client.force_login(team.member)
    response = client.post(url("rate", hill), {"status_PV1": "earned", "status_GP1": "finished"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="err-GP1"' in html and "finished" in html
    assert not JourneyRating.objects.exists()
    response = client.post(
        url("rate", hill), {"status_PV1": "earned", "note_PV1": "Yes", "status_GP1": "in_progress"}
    )
    assert response.status_code == 302
    assert JourneyRating.objects.filter(rater=team.member).count() == 2


def test_consensus_and_snapshot_forms_are_for_the_lead(client, hill):
    team = make_team(hill)
    client.force_login(team.member)
    response = client.post(url("consensus", hill), {"code": "PV1", "status": "earned", "note": ""})
    assert response.status_code == 400
    assert not JourneyConsensus.objects.exists()
    assert b"Only the team" in response.content
    client.force_login(team.lead)
    response = client.post(
        url("consensus", hill), {"code": "PV1", "status": "earned", "note": "Agreed in May"}
    )
    assert response.status_code == 302
    assert JourneyConsensus.objects.get().note == "Agreed in May"
    response = client.post(url("history", hill), {"label": "Spring", "note": ""})
    assert response.status_code == 302
    assert team.assessment.snapshots.get().statuses["PV1"] == "earned"


def test_action_item_form_refuses_a_missing_title_beside_the_field(client, hill):
    team = make_team(hill)
    client.force_login(team.member)
    response = client.post(
        url("actions", hill), {"competency": "AL4", "title": "", "owner": str(team.other.pk)}
    )
    assert response.status_code == 400
    assert b"This field is required" in response.content
    assert not JourneyActionItem.objects.exists()
    response = client.post(
        url("actions", hill),
        {
            "competency": "AL4",
            "title": "Pilot",
            "owner": str(team.other.pk),
            "due_on": "2026-05-01",
        },
    )
    assert response.status_code == 302
    item = JourneyActionItem.objects.get()
    response = client.post(
        url("action_update", hill, item.pk),
        {f"a{item.pk}-status": "done", f"a{item.pk}-owner": str(team.other.pk)},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done"


def test_evidence_files_are_served_to_the_team_only(client, hill, dale, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    team = make_team(hill)
    client.force_login(team.member)
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url("evidence_add", hill, "PV1"),
        {"title": "Survey", "file": SimpleUploadedFile("survey.txt", b"results")},
    )
    assert response.status_code == 302
    evidence = team.assessment.evidence.get()
    download = client.get(url("evidence_file", hill, evidence.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"results"
    client.force_login(hill.advisor)
    assert client.get(url("evidence_file", hill, evidence.pk)).status_code == 404
    client.force_login(dale.admin)
    assert client.get(url("evidence_file", hill, evidence.pk)).status_code == 404
    client.force_login(team.member)
    response = client.post(url("evidence_add", hill, "PV1"), {"title": "Nothing"})
    assert response.status_code == 400 and b"either a link or a file" in response.content


def test_the_pdf_report_follows_the_agreed_ratings(client, hill):
    team = make_team(hill)
    client.force_login(team.lead)
    before = client.get(url("report", hill))
    assert before["Content-Type"] == "application/pdf"
    text = pdf_text(before.content)
    assert "Hill School" in text and "0 of 15" in text
    services.journey_consensus_record(
        actor=team.lead,
        assessment=team.assessment,
        competency=comp(team.assessment, "PV1"),
        status="earned",
    )
    services.journey_snapshot_take(
        actor=team.lead, assessment=team.assessment, label="Winter check"
    )
    text = pdf_text(client.get(url("report", hill)).content)
    assert "1 of 15" in text and "Winter check" in text


def _count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_team_pages_do_not_grow_their_queries_with_the_team(
    client, hill, django_assert_max_num_queries
):
    team = make_team(hill)
    a = team.assessment
    codes = [c.code for c in JourneyCompetency.objects.filter(framework=a.framework)]
    for user in (team.lead, team.member):
        services.journey_ratings_record(
            rater=user, assessment=a, entries={c: ("in_progress", "") for c in codes}
        )
    services.journey_snapshot_take(actor=team.lead, assessment=a, label="One")
    client.force_login(team.lead)
    pages = [
        url("consensus", hill),
        url("home", hill),
        url("history", hill),
        url("actions", hill),
        url("rate", hill),
        url("competency", hill, "PV1"),
    ]
    small = {p: _count(client, p) for p in pages}
    for user in add_staff(hill, 6):
        services.journey_ratings_record(
            rater=user, assessment=a, entries={c: ("earned", "x") for c in codes}
        )
        services.journey_action_create(
            actor=user, assessment=a, competency=comp(a, "PV1"), title="Do", owner=user
        )
    services.journey_snapshot_take(actor=team.lead, assessment=a, label="Two")
    large = {p: _count(client, p) for p in pages}
    assert large == small
    with django_assert_max_num_queries(20):
        client.get(url("consensus", hill))


def test_the_network_view_does_not_grow_its_queries_with_the_schools(
    client, hill, django_assert_max_num_queries
):
    network = Network.objects.create(name="Valley", slug="valley")
    lead = make_user("valley-lead")
    NetworkLead.objects.create(network=network, user=lead)
    hill.school.network = network
    hill.school.save()
    make_team(hill)
    client.force_login(lead)
    path = reverse("journey:network", args=["valley"])
    one = _count(client, path)
    for slug in ("dale", "ridge", "vale"):
        s = make_small_school(slug)
        s.school.network = network
        s.school.save()
        t = make_team(s)
        services.journey_consensus_record(
            actor=t.lead,
            assessment=t.assessment,
            competency=comp(t.assessment, "PV1"),
            status="earned",
        )
    assert _count(client, path) == one
    with django_assert_max_num_queries(12):
        client.get(path)


def test_a_network_lead_adapts_and_publishes_through_the_pages(client, hill):
    network = Network.objects.create(name="Valley", slug="valley")
    lead = make_user("valley-lead")
    NetworkLead.objects.create(network=network, user=lead)
    builtin = services.journey_template_install()
    client.force_login(lead)
    response = client.post(
        reverse("journey:network_versions", args=["valley"]),
        {"base": str(builtin.pk), "version": "Valley 2026"},
    )
    assert response.status_code == 302
    draft = network.journey_frameworks.get()
    path = reverse("journey:network_version", args=["valley", draft.pk])
    su4 = draft.competencies.get(code="SU4")
    response = client.post(
        path,
        {
            "action": f"competency:{su4.pk}",
            f"c{su4.pk}-title": "",
            f"c{su4.pk}-level": "advanced",
            f"c{su4.pk}-description": "x",
        },
    )
    assert response.status_code == 400
    response = client.post(
        path,
        {
            "action": f"competency:{su4.pk}",
            f"c{su4.pk}-title": "Policy Renewal",
            f"c{su4.pk}-level": "foundational",
            f"c{su4.pk}-description": "Renewed often.",
        },
    )
    assert response.status_code == 302
    assert client.post(path, {"action": "publish"}).status_code == 302
    draft.refresh_from_db()
    assert not draft.is_draft
    assert draft.competencies.get(code="SU4").title == "Policy Renewal"
    assert client.post(path, {"action": "publish"}).status_code == 404
    # Another network's lead cannot even see it.
    other = make_user("other-lead")
    NetworkLead.objects.create(
        network=Network.objects.create(name="Coast", slug="coast"), user=other
    )
    client.force_login(other)
    assert (
        client.get(reverse("journey:network_version", args=["coast", draft.pk])).status_code == 404
    )


def test_admin_off_the_team_can_start_and_then_manage_it(client, hill):
    client.force_login(hill.admin)
    response = client.get(url("home", hill))
    assert response.status_code == 403 and b"Start the journey" in response.content
    assert client.post(url("start", hill), {"position": "Head"}).status_code == 302
    assert client.get(url("home", hill)).status_code == 200
    response = client.post(
        url("team", hill), {"user": str(hill.teacher.pk), "role": "member", "position": "Teacher"}
    )
    assert response.status_code == 302
    assert hill.teacher.journey_teams.filter(school=hill.school).exists()


def test_nav_link_shows_for_staff_only(client, hill):
    client.force_login(hill.teacher)
    assert b"/journey/" in client.get(reverse("web:school", args=["hill"])).content
    client.force_login(hill.students[0].user)
    response = client.get(reverse("web:student", args=["hill", hill.students[0].pk]))
    assert response.status_code == 200 and b"/journey/" not in response.content
    _ = Role


@pytest.mark.django_db
def test_readiness_links_each_gap_to_where_it_is_fixed(client, hill):
    make_team(hill)
    client.force_login(hill.admin)
    html = client.get("/s/hill/journey/ready/").content.decode()
    # The small school has no profile text and no graduation rule: the admin is sent to fix them.
    assert 'href="/s/hill/manage/school/"' in html
    # Every foundational competency is still missing and opens its own page.
    assert 'href="/s/hill/journey/c/PV1/">PV1 ' in html
    client.force_login(hill.teacher)  # on the team, but not a manager: no setup links
    html = client.get("/s/hill/journey/ready/").content.decode()
    assert "/manage/" not in html and 'href="/s/hill/journey/c/PV1/">PV1 ' in html


def test_the_pdf_is_drawn_once_per_content_version(client, hill, monkeypatch):
    from credo.journey import pdf as journey_pdf

    team = make_team(hill)
    drawn = []
    real = journey_pdf.draw_pdf

    def counting(html):
        drawn.append(html)
        return real(html)

    monkeypatch.setattr(journey_pdf, "draw_pdf", counting)
    client.force_login(team.lead)
    first = client.get(url("report", hill))
    second = client.get(url("report", hill))
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and len(drawn) == 1  # the second came from the file
    client.force_login(team.member)  # another member reads the same stored file
    assert client.get(url("report", hill)).content == first.content and len(drawn) == 1
    services.journey_consensus_record(
        actor=team.lead,
        assessment=team.assessment,
        competency=comp(team.assessment, "PV1"),
        status="earned",
    )
    changed = client.get(url("report", hill))
    assert len(drawn) == 2 and "1 of 15" in pdf_text(changed.content)
    stored = list(journey_pdf.cache_dir().glob(f"journey-{hill.school.pk}-*.pdf"))
    assert len(stored) == 1  # the older version's file is gone
    assert stored[0].read_bytes() == changed.content
    client.get(url("report", hill))
    assert len(drawn) == 2
