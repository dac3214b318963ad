"""A student's pages: the dashboard and how each level was computed, evidence and revisions, peer
feedback, credit-review requests and their story."""

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from credo.core.models import AuditEvent
from credo.evidence.models import Evidence, PeerFeedback, StudentStory
from credo.evidence.services import evidence_submit
from credo.mastery.models import CreditReview, ReviewEvidence
from credo.mastery.services import assessment_record
from credo.testing import make_small_school, submit_evidence
from credo.web.tests.conftest import add_review_credit

DAY = dt.date(2025, 10, 1)


@pytest.fixture
def weighted(db):
    return make_small_school("wa", method="weighted_average", param=65)


def test_dashboard_explains_how_each_level_was_computed(client, weighted):
    s, c = weighted.students[0], weighted.competencies[0]
    for i, v in enumerate((2, 3, 4)):
        assessment_record(
            assessor=weighted.teacher,
            student=s,
            competency=c,
            value=v,
            demonstrated_on=DAY + dt.timedelta(days=i),
        )
    assessment_record(
        assessor=weighted.teacher,
        student=s,
        competency=c,
        value=1,
        kind="formative",
        demonstrated_on=DAY + dt.timedelta(days=5),
        feedback="Practice first",
    )
    client.force_login(s.user)
    dashboard = client.get(reverse("web:student", args=[weighted.school.slug, s.pk]))
    how = reverse("web:competency_how", args=[weighted.school.slug, s.pk, c.pk])
    assert f'hx-get="{how}"' in dashboard.content.decode()  # fetched when "How" is opened
    assert ">3.48<" in dashboard.content.decode()
    fragment = client.get(how, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in fragment and "Arithmetic" in fragment
    html = client.get(how).content.decode()  # without script: a page of its own
    assert "Weighted average" in html and "the latest assessment weighs 65%" in html
    assert "Formative: feedback only, not counted" in html
    # 0.65 × 4 + 0.35 × mean(2, 3) = 3.475, rounded once, half up, to 3.48
    assert "Rounded once, to 2 places (halves away from zero): 3.475 → 3.48." in html
    assert "3.48" in html


def test_a_spanish_speaking_student_reads_the_arithmetic_in_spanish_with_the_same_numbers(
    client, weighted
):
    s, c = weighted.students[0], weighted.competencies[0]
    for i, v in enumerate(("2", "3.5", "4")):
        assessment_record(
            assessor=weighted.teacher,
            student=s,
            competency=c,
            value=v,
            demonstrated_on=DAY + dt.timedelta(days=i),
        )
    s.user.language = "es"
    s.user.save(update_fields=["language"])
    client.force_login(s.user)
    dashboard = client.get(reverse("web:student", args=[weighted.school.slug, s.pk]))
    assert dashboard.status_code == 200 and 'lang="es"' in dashboard.content.decode()
    how = reverse("web:competency_how", args=[weighted.school.slug, s.pk, c.pk])
    html = client.get(how, headers={"HX-Request": "true"}).content.decode()
    # 0.65 × 4 + 0.35 × mean(2, 3.5) = 2.6 + 0.35 × 2.75 = 3.5625 → 3.56, with decimal commas
    steps = re.search(r'<ol class="steps">(.*?)</ol>', html, re.S).group(1)
    assert re.findall(r"<li>(.*?)</li>", steps) == [
        "Promedio ponderado: un 65% para el valor más reciente y un 35% para la media de los "
        "anteriores.",
        "Media de los 2 valor(es) anterior(es) = 5,5 / 2 = 2,75.",
        "0,65 × 4 + 0,35 × 2,75 = 3,5625.",
        "Redondeado una sola vez, a 2 decimales (las mitades hacia arriba): 3,5625 → 3,56.",
    ]
    assert "<strong>Promedio ponderado.</strong>" in html and "Cálculo" in html
    assert "Cuenta" in html and "Arithmetic" not in html
    # The history and the threshold write their levels as the steps do.
    assert ': 3,5 <span class="muted">(sumativa) — Cuenta</span>' in html
    # The same history in English keeps today's wording and decimal points.
    s.user.language = "en"
    s.user.save(update_fields=["language"])
    english = client.get(how, headers={"HX-Request": "true"}).content.decode()
    assert "Mean of the 2 earlier value(s) = 5.5 / 2 = 2.75." in english
    assert "Rounded once, to 2 places (halves away from zero): 3.5625 → 3.56." in english


def test_how_a_level_was_computed_is_the_students_alone(client, world):
    """The explanation answers as the dashboard does: 404 to another student, to another school's
    staff and for a competency of another school; anonymous readers are sent to sign in."""
    hill = world.hill
    c = hill.competencies[0]
    url = reverse("web:competency_how", args=[hill.school.slug, world.me.pk, c.pk])
    assert client.get(url).status_code == 302
    client.force_login(world.classmate.user)
    assert client.get(url).status_code == 404
    client.force_login(world.me.user)
    assert client.get(url).status_code == 200
    other = reverse("web:competency_how", args=[hill.school.slug, world.me.pk, 10**9])
    assert client.get(other).status_code == 404


def test_dashboard_keeps_habits_apart_and_shows_credits_and_profile(client, world):
    from credo.mastery.services import habits_record

    habits_record(
        assessor=world.hill.teacher, demonstrated_on=DAY, entries=[(world.me, world.hill.habit, 3)]
    )
    client.force_login(world.me.user)
    html = client.get(
        reverse("web:student", args=[world.hill.school.slug, world.me.pk])
    ).content.decode()
    competencies, habits = html.split('id="comp-h"')[1].split('id="habits-h"')
    assert "Perseveres" in habits and "Perseveres" not in competencies
    assert "<svg" in html and "Credit profile of" in html
    assert "Inquiry II" in html and "Under review" in html
    assert "Revise in response" in html  # feedback the student can answer with a revision


def test_a_student_submits_a_link_from_anywhere_with_who_can_vouch(client, world):
    me = world.me
    client.force_login(me.user)
    response = client.post(
        reverse("web:evidence_new", args=[world.hill.school.slug, me.pk]),
        {
            "kind": "link",
            "title": "Internship log",
            "url": "https://example.org/log",
            "demonstrated_on": "2025-09-20",
            "outside_school": "on",
            "vouched_by": "Jo Park, site supervisor",
            "competencies": [world.hill.competencies[0].pk],
            "credits": [world.hill.credits["all"].pk],
        },
    )
    assert response.status_code == 302
    ev = Evidence.objects.get(title="Internship log")
    assert (
        ev.outside_school
        and ev.vouched_by == "Jo Park, site supervisor"
        and ev.submitted_by == me.user
    )
    assert list(ev.competency_tags.values_list("competency_id", flat=True)) == [
        world.hill.competencies[0].pk
    ]
    assert AuditEvent.objects.filter(action="evidence.submitted", target_id=str(ev.pk)).exists()


def test_a_student_uploads_a_file_from_a_section(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    me = world.me
    client.force_login(me.user)
    upload = SimpleUploadedFile("essay.txt", b"My essay", content_type="text/plain")
    response = client.post(
        reverse("web:evidence_new", args=[world.hill.school.slug, me.pk]),
        {
            "kind": "file",
            "title": "Essay",
            "file": upload,
            "demonstrated_on": "2025-09-20",
            "section": world.hill.section.pk,
        },
    )
    assert response.status_code == 302
    ev = Evidence.objects.get(title="Essay")
    assert ev.section == world.hill.section and ev.experience_id == world.hill.section.experience_id
    download = client.get(reverse("web:evidence_file", args=[ev.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"My essay"
    client.force_login(world.classmate.user)
    assert client.get(reverse("web:evidence_file", args=[ev.pk])).status_code == 404


@pytest.mark.parametrize(
    "data, field, message",
    [
        (
            {"kind": "link", "title": "X", "demonstrated_on": "2025-09-20"},
            "url",
            "Give the link to the work.",
        ),
        (
            {"kind": "link", "title": "X", "url": "not a url", "demonstrated_on": "2025-09-20"},
            "url",
            "Give a full web address",
        ),
        (
            {"kind": "text", "title": "X", "demonstrated_on": "2025-09-20"},
            "body",
            "Write the reflection or the notes.",
        ),
        (
            {"kind": "file", "title": "X", "demonstrated_on": "2025-09-20"},
            "file",
            "Attach the file.",
        ),
        (
            {"kind": "text", "title": "", "body": "b", "demonstrated_on": "2025-09-20"},
            "title",
            "Give your work a title.",
        ),
        (
            {"kind": "text", "title": "X", "body": "b", "demonstrated_on": "2099-09-20"},
            "demonstrated_on",
            "in the future",
        ),
        (
            {
                "kind": "text",
                "title": "X",
                "body": "b",
                "demonstrated_on": "2025-09-20",
                "outside_school": "on",
            },
            "vouched_by",
            "Name someone who can vouch",
        ),
        (
            {"kind": "observation", "title": "X", "body": "b", "demonstrated_on": "2025-09-20"},
            "kind",
            "Select a valid choice",
        ),
        (
            {
                "kind": "text",
                "title": "X",
                "body": "b",
                "demonstrated_on": "2025-09-20",
                "section": "999999",
            },
            "section",
            "Select a valid choice",
        ),
    ],
)
def test_bad_evidence_is_refused_beside_the_field(client, world, data, field, message):
    client.force_login(world.me.user)
    before = (Evidence.objects.count(), AuditEvent.objects.count())
    response = client.post(
        reverse("web:evidence_new", args=[world.hill.school.slug, world.me.pk]), data
    )
    html = response.content.decode()
    assert response.status_code == 200 and message in html and f'id="id_{field}-error"' in html
    assert (Evidence.objects.count(), AuditEvent.objects.count()) == before


def test_a_revision_carries_the_feedback_that_prompted_it(client, world):
    me = world.me
    feedback = me.assessments.get(competency=world.hill.competencies[1])
    client.force_login(me.user)
    url = reverse("web:evidence_new", args=[world.hill.school.slug, me.pk])
    page = client.get(url + f"?revises={world.evidence.pk}&feedback={feedback.pk}").content.decode()
    assert "The feedback you are responding to" in page and "Feedback on C2" in page
    kind = re.search(r'<input type="radio" name="kind" value="text"[^>]*>', page).group(0)
    assert "checked" in kind  # the same kind of work as the original
    response = client.post(
        url + f"?revises={world.evidence.pk}&feedback={feedback.pk}",
        {
            "kind": "text",
            "title": "My inquiry notes, revised",
            "body": "Now with sources.",
            "demonstrated_on": "2025-10-05",
        },
    )
    assert response.status_code == 302
    revision = Evidence.objects.get(title="My inquiry notes, revised")
    assert revision.revision_of == world.evidence and revision.responds_to == feedback
    html = client.get(reverse("web:evidence", args=[revision.pk])).content.decode()
    assert "Revisions" in html and "Feedback on C2" in html
    # a classmate cannot answer another student's feedback
    client.force_login(world.classmate.user)
    assert client.get(url + f"?feedback={feedback.pk}").status_code == 404


def test_peer_feedback_on_shared_work(client, world):
    from credo.evidence.services import evidence_set_sharing

    client.force_login(world.classmate.user)
    assert (
        client.post(reverse("web:evidence", args=[world.evidence.pk]), {"body": "Nice"}).status_code
        == 404
    )
    evidence_set_sharing(
        actor=world.me.user, evidence=world.evidence, shared_with_peers=True, highlighted=True
    )
    peers = client.get(
        reverse("web:peer_work", args=[world.hill.school.slug, world.classmate.pk])
    ).content.decode()
    assert "My inquiry notes" in peers
    empty = client.post(reverse("web:evidence", args=[world.evidence.pk]), {"body": "  "})
    assert "Write your feedback." in empty.content.decode() and not PeerFeedback.objects.exists()
    assert (
        client.post(
            reverse("web:evidence", args=[world.evidence.pk]), {"body": "Your sources are great."}
        ).status_code
        == 302
    )
    assert PeerFeedback.objects.get().author == world.classmate
    client.force_login(world.me.user)
    mine = client.get(
        reverse("web:peer_work", args=[world.hill.school.slug, world.me.pk])
    ).content.decode()
    assert "Your sources are great." in mine
    assert (
        client.post(reverse("web:evidence", args=[world.evidence.pk]), {"body": "self"}).status_code
        == 403
    )


def test_a_student_requests_a_review_with_an_evidence_bundle(client, world):

    credit = add_review_credit(world.hill)
    client.force_login(world.me.user)
    url = reverse("web:review_request", args=[world.hill.school.slug, world.me.pk, credit.pk])
    refused = client.post(url, {"statement": "Ready.", "format": "defense"})
    assert "Choose at least one piece of evidence." in refused.content.decode()
    response = client.post(
        url, {"statement": "Ready.", "format": "defense", "evidence": [world.evidence.pk]}
    )
    assert response.status_code == 302
    review = CreditReview.objects.get(credit=credit)
    assert review.format == "defense" and review.requested_by == world.me.user
    assert list(
        ReviewEvidence.objects.filter(review=review).values_list("evidence_id", flat=True)
    ) == [world.evidence.pk]
    again = client.post(
        url, {"statement": "Again.", "format": "defense", "evidence": [world.evidence.pk]}
    )
    assert (
        "already open" in again.content.decode()
        and CreditReview.objects.filter(credit=credit).count() == 1
    )
    plain = reverse(
        "web:review_request",
        args=[world.hill.school.slug, world.me.pk, world.hill.credits["all"].pk],
    )
    no_review = client.post(
        plain, {"statement": "x", "format": "portfolio", "evidence": [world.evidence.pk]}
    )
    assert "it has no review" in no_review.content.decode()


def test_the_story_is_drafted_by_the_student_and_approved_by_the_advisor(client, world):
    slug, me = world.hill.school.slug, world.me
    client.force_login(me.user)
    url = reverse("web:story", args=[slug, me.pk])
    refused = client.post(url, {"body": "", "action": "submit"})
    assert "Write your story before asking for approval." in refused.content.decode()
    assert not StudentStory.objects.filter(approved_at__isnull=False).exists()
    client.post(url, {"body": "I build things.", "action": "save"})
    client.post(url, {"body": "I build things.", "action": "submit"})
    story = StudentStory.objects.get(student=me)
    assert story.submitted_at and not story.approved
    client.force_login(world.hill.teacher)
    assert client.post(reverse("web:story_approve", args=[slug, me.pk])).status_code == 403
    story.refresh_from_db()
    assert not story.approved  # a teacher who is not the advisor may not approve it
    client.force_login(world.hill.advisor)
    assert "Approve for the transcript" in client.get(url).content.decode()
    client.post(reverse("web:story_approve", args=[slug, me.pk]))
    story.refresh_from_db()
    assert story.approved and story.approved_by == world.hill.advisor
    client.force_login(me.user)
    client.post(url, {"body": "I build and test things.", "action": "save"})
    story.refresh_from_db()
    assert not story.approved  # a change withdraws the approval


def test_an_educator_approves_evidence_and_it_counts_toward_its_credit(client, world):
    from credo.mastery.models import CreditProgress

    credit = world.hill.credits["advanced"]
    credit.min_evidence = 1
    credit.save()
    client.force_login(world.hill.teacher)
    assert client.post(reverse("web:evidence_approve", args=[world.evidence.pk])).status_code == 302
    world.evidence.refresh_from_db()
    assert world.evidence.approved and world.evidence.approved_by == world.hill.teacher
    assert CreditProgress.objects.get(student=world.me, credit=credit).evidence_count == 1
    client.force_login(world.guardian)
    assert client.post(reverse("web:evidence_approve", args=[world.evidence.pk])).status_code == 403


def test_classmates_work_is_this_terms_and_comes_a_page_at_a_time(client, world):
    """The list is scoped to the student's latest term by default, with every term one click
    away, and is paged so that years of shared work never make one endless page."""
    from credo.schools.models import Enrollment, Section, Term

    hill, me, classmate = world.hill, world.me, world.classmate
    spring = Term.objects.create(
        school=hill.school,
        name="Spring",
        school_year="2025-26",
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 6, 12),
    )
    later = Section.objects.create(
        school=hill.school, experience=hill.section.experience, term=spring, name="Block B"
    )
    stranger = hill.students[2]
    for st in (me, stranger):
        Enrollment.objects.create(school=hill.school, section=later, student=st)
    old = evidence_submit(
        actor=classmate.user,
        student=classmate,
        kind="text",
        title="Fall notes shared",
        body="b",
        demonstrated_on=dt.date(2025, 9, 10),
        shared_with_peers=True,
    )
    submit_evidence(
        stranger, 27, title="Spring piece", day=dt.date(2026, 2, 1), shared_with_peers=True
    )
    client.force_login(me.user)
    url = reverse("web:peer_work", args=[hill.school.slug, me.pk])
    first = client.get(url).content.decode()
    assert "in Spring" in first and old.title not in first
    assert first.count("Spring piece") == 25 and "Page 1 of 2 (27 pieces)" in first
    assert 'aria-current="page">Classmates\' work</a>' in first  # the tab knows where it is
    second = client.get(url + "?page=2").content.decode()
    assert second.count("Spring piece") == 2 and 'rel="prev"' in second
    every = client.get(url + "?terms=all&page=2").content.decode()
    assert old.title in every and "?terms=all&amp;page=1" in every


def test_panel_decisions_read_as_outcomes_on_the_dashboard(client, world):
    from credo.mastery import services as mastery_services

    for member in (world.reviewer, world.coordinator):
        mastery_services.credit_review_decide(
            review=world.review,
            decision="not_yet",
            feedback="Show one more piece on C5.",
            actor=member,
        )
    client.force_login(world.me.user)
    html = client.get(reverse("web:student", args=[world.hill.school.slug, world.me.pk]))
    text = html.content.decode()
    assert "Not yet" in text and "Show one more piece on C5." in text
    assert "Award the credit" not in text


def test_the_dashboard_groups_competencies_under_their_domain(client, world):
    from credo.frameworks.models import Competency

    hill = world.hill
    domain = Competency.objects.create(
        school=hill.school,
        framework=hill.framework,
        code="INQ",
        statement="Inquiry and investigation.",
        kind="domain",
        sequence=0,
    )
    Competency.objects.filter(pk__in=[c.pk for c in hill.competencies[:2]]).update(parent=domain)
    client.force_login(world.me.user)
    html = client.get(reverse("web:student", args=[hill.school.slug, world.me.pk])).content.decode()
    table = html.split('id="comp-h"')[1].split("</table>")[0]
    head = table.split('<tr class="group-head">')[1].split("</tr>")[0]
    assert "INQ" in head and "Inquiry and investigation." in head and "2 competencies" in head
    inq = table.split('<tr class="group-head">')[1].split("</tbody>")[0]
    assert hill.competencies[0].code in inq and hill.competencies[2].code not in inq
    assert table.count("<tbody>") == 2  # the domain, then the competencies with none


def test_a_review_request_lists_the_evidence_that_speaks_to_the_credit_first(client, world):
    """The bundle is assembled from what is tagged to the credit or its competencies: those pieces
    come first and ticked, ahead of newer untagged work."""
    me, hill = world.me, world.hill
    evidence_submit(
        actor=me.user,
        student=me,
        kind="text",
        title="Newer untagged piece",
        body="b",
        demonstrated_on=dt.date(2025, 12, 1),
    )
    client.force_login(me.user)
    url = reverse("web:review_request", args=[hill.school.slug, me.pk, hill.credits["advanced"].pk])
    html = client.get(url).content.decode()
    assert html.index(world.evidence.title) < html.index("Newer untagged piece")
    tagged = re.search(rf'<input[^>]*value="{world.evidence.pk}"[^>]*>', html).group(0)
    assert "checked" in tagged


def test_a_long_evidence_list_comes_fifty_to_a_page(client, world):
    me = world.me
    submit_evidence(me, 55, title="Piece", day=dt.date(2025, 10, 1))
    client.force_login(me.user)
    url = reverse("web:evidence_list", args=[world.hill.school.slug, me.pk])
    first = client.get(url).content.decode()
    total = Evidence.objects.filter(student=me).count()
    assert f"({total} in all)" in first and 'rel="next"' in first
    assert first.count('scope="row"><a href="/evidence/') == 50
    last = client.get(url, {"page": 2}).content.decode()
    assert last.count('scope="row"><a href="/evidence/') == total - 50 and 'rel="prev"' in last


def test_long_checkbox_lists_are_grouped_with_a_legend_each(client, hill):
    """The evidence form groups its credits by area and its competencies by framework; the review
    request groups the evidence by whether it speaks to the credit. Each group is a fieldset."""
    me = hill.students[0]
    evidence_submit(
        actor=me.user,
        student=me,
        kind="text",
        title="Tagged work",
        body="b",
        demonstrated_on=DAY,
        competencies=hill.competencies[3:4],
    )
    submit_evidence(me, 1, title="Other work", day=DAY)
    client.force_login(me.user)
    page = client.get(reverse("web:evidence_new", args=["hill", me.pk])).content.decode()
    legends = re.findall(r'<fieldset class="choice-group"><legend>([^<]+)</legend>', page)
    assert legends == ["Academic framework", "Habits of work", "Inquiry", "Expression"]
    assert page.count('type="checkbox" name="competencies"') == 7
    url = reverse("web:review_request", args=["hill", me.pk, hill.credits["advanced"].pk])
    page = client.get(url).content.decode()
    legends = re.findall(r'<fieldset class="choice-group"><legend>([^<]+)</legend>', page)
    assert legends == ["Tagged to this credit or its competencies", "Your other evidence"]
