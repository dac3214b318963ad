"""The demo loader, at a small size: structure, consistency and determinism."""

import datetime as dt
from decimal import Decimal
from html import escape

import pytest
from django.core.management import call_command

from credo.accounts.models import GuardianLink, Membership, Role, Student, User
from credo.core.models import AuditEvent
from credo.demo import loader as demo
from credo.demo.content import DEMO_TODAY, HARTWELL, JUNIPER_VALLEY, NETWORK, WAYFINDER
from credo.evidence.models import Evidence, EvidenceCredit, PeerFeedback
from credo.frameworks.models import Competency, Framework
from credo.mastery import bulk, engine, rules
from credo.mastery.models import (
    Assessment,
    CreditAward,
    CreditRequirementItem,
    CreditReview,
    GraduationStatus,
    MasteryCredit,
    MasteryState,
    PanelSeat,
    ReviewDecision,
)
from credo.schools.models import LearningExperience, NetworkLead, School
from credo.transcripts.models import TranscriptVersion

SMALL = 12


@pytest.fixture(scope="module")
def loaded_once(django_db_setup, django_db_blocker):
    """Load the demo once for the read-only tests of this module (committed, dropped at the end)."""
    with django_db_blocker.unblock():
        steps = []
        summary = demo.load_demo(seed=7, students_per_school=SMALL, progress=steps.append)
        summary.steps = steps
        yield summary
        demo.reset_demo()


@pytest.fixture
def loaded(loaded_once, db):
    return loaded_once


@pytest.fixture
def empty(db):
    """A database without the demo (the module's copy is dropped inside the test's transaction)."""
    demo.reset_demo()


def assessment_tuples():
    # Students' learning, simulated from the seed. (Educators' growth, credo/growth/demo.py, goes
    # through the services after the loader commits, stamped with the real time.)
    return list(
        Assessment.objects.filter(student__kind="student")
        .order_by(
            "school__slug",
            "student__student_number",
            "competency__code",
            "demonstrated_on",
            "assessed_at",
            "value",
            "kind",
            "retraction",
        )
        .values_list(
            "school__slug",
            "student__student_number",
            "competency__code",
            "value",
            "demonstrated_on",
            "assessed_at",
            "kind",
            "feedback",
            "retraction",
            "replaces__competency__code",
            "evidence__title",
            "assessor__username",
        )
    )


def test_three_schools_in_one_network_with_a_lead(loaded):
    schools = School.objects.filter(slug__in=[s.slug for s in NETWORK.schools])
    assert schools.count() == 3
    assert {s.network.slug for s in schools} == {NETWORK.slug}
    lead = NetworkLead.objects.get(user__username=demo.LEAD_USERNAME)
    assert lead.network.slug == NETWORK.slug
    assert loaded.students == 3 * SMALL
    assert len(loaded.steps) == demo.step_count()


def test_wayfinder_credits(loaded):
    credits = MasteryCredit.objects.filter(school__slug=WAYFINDER.slug)
    foundational = credits.filter(level="foundational")
    assert foundational.count() == 26
    assert foundational.values("area").distinct().count() == 6
    advanced = credits.filter(level="advanced")
    assert advanced.exists() and not advanced.filter(review_required=False).exists()


def test_hartwell_credits_and_habits(loaded):
    foundational = MasteryCredit.objects.filter(school__slug=HARTWELL.slug, level="foundational")
    assert foundational.count() == 30 == 5 * 6
    assert foundational.values("area").distinct().count() == 6
    assert not foundational.filter(review_required=False).exists()
    assert not foundational.filter(min_evidence__lt=1).exists()
    assert Framework.objects.filter(school__slug=HARTWELL.slug, kind="habits").exists()


def test_juniper_valley_indicators_on_a_one_to_four_scale(loaded):
    indicators = Competency.objects.filter(school__slug=JUNIPER_VALLEY.slug, kind="indicator")
    assert indicators.count() >= 20
    scale = Framework.objects.get(school__slug=JUNIPER_VALLEY.slug, kind="academic").scale
    assert (scale.min_value, scale.max_value) == (Decimal(1), Decimal(4))
    assert Competency.objects.filter(
        school__slug=JUNIPER_VALLEY.slug, kind="target", parent__kind="indicator"
    ).exists()
    assert Assessment.objects.filter(
        school__slug=JUNIPER_VALLEY.slug, value=Decimal("2.5")
    ).exists()


def test_readers_get_a_school_code_a_counselor_and_a_graduate_profile(loaded):
    for school in School.objects.filter(slug__in=[s.slug for s in NETWORK.schools]):
        assert school.school_code and school.counselor_name and school.counselor_email
        credits = MasteryCredit.objects.filter(school=school)
        serving = credits.filter(outcomes__isnull=False).distinct().count()
        assert serving * 2 >= credits.count(), school.slug
        assert not credits.filter(
            outcomes__school__in=School.objects.exclude(pk=school.pk)
        ).exists()
    version = TranscriptVersion.objects.filter(school__slug=WAYFINDER.slug).first()
    assert version.content["school"]["school_code"] and version.content["school"]["outcomes"]


def test_every_credit_requirement_is_valid(loaded):
    items: dict[int, list] = {}
    for item in CreditRequirementItem.objects.all():
        items.setdefault(item.credit_id, []).append(item)
    for credit in MasteryCredit.objects.all():
        assert (
            rules.validate_credit_spec(engine.credit_spec(credit, items.get(credit.pk, ()))) == []
        ), credit.code


def test_the_materialized_rows_equal_a_fresh_recomputation(loaded):
    assert bulk.check() == []


def test_learning_looks_real(loaded):
    assert Assessment.objects.filter(kind="formative").exists()
    assert Assessment.objects.filter(
        replaces__isnull=False, retraction=False
    ).exists()  # corrections
    assert Evidence.objects.filter(revision_of__isnull=False).exists()  # revisions after feedback
    outside = Evidence.objects.filter(outside_school=True)
    assert outside.exists() and not outside.filter(vouched_by="").exists()
    assert Evidence.objects.filter(highlighted=True, approved_at__isnull=False).exists()
    assert EvidenceCredit.objects.exists() and PeerFeedback.objects.exists()
    assert not Assessment.objects.filter(demonstrated_on__gt=DEMO_TODAY).exists()
    assert {e.kind for e in LearningExperience.objects.all()} >= {
        "course",
        "seminar",
        "project",
        "impact",
        "internship",
        "independent_study",
        "outside",
    }
    per_student = Assessment.objects.count() / Student.objects.count()
    assert 80 <= per_student <= 400
    # Seniors have earned more than freshmen.
    seniors = GraduationStatus.objects.filter(student__graduation_year=2026)
    freshmen = GraduationStatus.objects.filter(student__graduation_year=2029)
    assert sum(s.foundational_awarded for s in seniors) > sum(
        s.foundational_awarded for s in freshmen
    )
    assert MasteryState.objects.exists()


def test_reviews_open_awarded_and_returned(loaded):
    reviews = CreditReview.objects.all()
    assert reviews.exists()
    assert ReviewDecision.objects.filter(decision="award").exists()
    assert CreditAward.objects.filter(review__isnull=False).exists()
    assert CreditAward.objects.filter(review__isnull=True).exists()  # awarded automatically
    assert PanelSeat.objects.exclude(guest_name="").exists()
    assert not ReviewDecision.objects.filter(feedback="").exists()
    for review in reviews.filter(closed_at__isnull=True):
        assert not review.decisions.exists()
    for decision in ReviewDecision.objects.filter(decision="award"):
        assert CreditAward.objects.filter(review=decision.review).exists()


def test_review_outcomes_at_full_size_are_all_represented(empty):
    # One school at a realistic size shows every kind of review outcome.
    from credo.demo.content import NetworkSpec

    network = NetworkSpec(
        name="Test network", slug="test-net", description="", lead=NETWORK.lead, schools=(HARTWELL,)
    )
    demo.load_demo(seed=3, students_per_school=40, network=network)
    assert CreditReview.objects.filter(closed_at__isnull=True).exists()
    assert ReviewDecision.objects.filter(decision="not_yet").exists()
    assert ReviewDecision.objects.filter(decision="award").exists()
    assert bulk.check() == []


def test_accounts_and_roles(loaded):
    from credo.web.views.home import DEMO_PASSWORD

    assert demo.PASSWORD == DEMO_PASSWORD
    for spec in NETWORK.schools:
        for role, local in (
            (Role.ADMIN, "admin"),
            (Role.REGISTRAR, "registrar"),
            (Role.TEACHER, "teacher1"),
            (Role.ADVISOR, "advisor1"),
            (Role.STUDENT, "student1"),
            (Role.GUARDIAN, "guardian1"),
            (Role.REVIEWER, "reviewer1"),
        ):
            assert Membership.objects.filter(
                school__slug=spec.slug, role=role, user__username=f"{local}@{spec.slug}"
            ).exists(), (spec.slug, local)
        assert Student.objects.get(user__username=f"student1@{spec.slug}").graduation_year == 2026
        assert GuardianLink.objects.filter(
            guardian__username=f"guardian1@{spec.slug}",
            student__user__username=f"student1@{spec.slug}",
        ).exists()
    assert User.objects.get(username=f"student1@{WAYFINDER.slug}").check_password(demo.PASSWORD)
    hashes = set(User.objects.filter(username__contains="@").values_list("password", flat=True))
    assert len(hashes) == 1  # hashed once, shared
    assert {a.role for a in loaded.accounts} >= {"School admin", "Student", "Network lead"}


def test_one_summary_audit_event_per_school(loaded):
    events = AuditEvent.objects.filter(action="demo.loaded")
    assert events.count() == 3
    event = events.get(school__slug=WAYFINDER.slug)
    assert event.after["students"] == SMALL and event.after["assessments"] > 0


def test_loading_twice_with_the_same_seed_gives_the_same_data(empty):
    demo.load_demo(seed=7, students_per_school=SMALL)
    first = assessment_tuples()
    assert demo.demo_loaded()
    with pytest.raises(demo.DemoError):
        demo.load_demo(seed=7, students_per_school=SMALL)
    assert demo.reset_demo() == 3
    assert (
        not demo.demo_loaded()
        and not User.objects.filter(username__endswith=f"@{WAYFINDER.slug}").exists()
    )
    demo.load_demo(seed=7, students_per_school=SMALL)
    assert assessment_tuples() == first
    transcripts = transcript_tuples()
    assert all(transcripts)
    # Published versions are dropped with their invented schools, and come back the same.
    demo.reset_demo()
    demo.load_demo(seed=7, students_per_school=SMALL)
    assert transcript_tuples() == transcripts
    demo.reset_demo()
    demo.load_demo(seed=8, students_per_school=SMALL)
    assert assessment_tuples() != first


def test_command_loads_once_then_serves_what_is_there(empty, capsys):
    call_command("demo", "--no-serve", "--students-per-school", "4")
    out = capsys.readouterr().out
    assert "admin@wayfinder" in out and demo.PASSWORD in out
    count = Assessment.objects.count()
    call_command("demo", "--no-serve", "--students-per-school", "4")
    assert "already loaded" in capsys.readouterr().out
    assert Assessment.objects.count() == count
    call_command("demo", "--no-serve", "--reset", "--students-per-school", "4", "--seed", "9")
    assert Student.objects.count() == 12


def test_demo_schools_read_as_of_the_day_their_records_end(loaded):
    from credo.demo.content import DEMO_TODAY
    from credo.schools.models import School

    schools = School.objects.filter(slug__in=[s.slug for s in NETWORK.schools])
    assert {s.today() for s in schools} == {DEMO_TODAY} == {loaded.today}


# --- the transcript, as an admissions reader meets it -----------------------------------------


def transcript_tuples():
    """Stories, comments and published versions, by student number: what must repeat per seed."""
    from credo.evidence.models import StudentStory
    from credo.transcripts.models import TranscriptComment, TranscriptVersion

    return (
        list(
            StudentStory.objects.order_by("student__student_number").values_list(
                "student__student_number", "body", "submitted_at", "approved_at"
            )
        ),
        list(
            TranscriptComment.objects.order_by(
                "student__student_number", "credit__code"
            ).values_list(
                "student__student_number", "credit__code", "author__username", "body", "created_at"
            )
        ),
        list(
            TranscriptVersion.objects.order_by("student__student_number", "number").values_list(
                "student__student_number", "number", "content_hash", "published_at"
            )
        ),
    )


def student1(slug):
    return Student.objects.select_related("school", "user").get(user__username=f"student1@{slug}")


def test_every_senior_who_may_graduate_has_a_published_transcript(loaded):
    from credo.transcripts.models import TranscriptVersion

    current = TranscriptVersion.objects.current()
    eligible = GraduationStatus.objects.filter(eligible=True, student__graduation_year=2026)
    published = set(current.values_list("student_id", flat=True))
    assert {s.student_id for s in eligible} <= published
    for spec in NETWORK.schools:
        assert student1(spec.slug).pk in published, spec.slug
    # Only seniors are published, as their record stood on the demo's last day, by the registrar.
    for version in current.select_related("student", "published_by"):
        assert version.student.graduation_year == 2026
        assert version.hash_matches()
        assert version.content["as_of"] == DEMO_TODAY.isoformat()
        assert version.published_at.date() == DEMO_TODAY
        assert version.published_by.username.startswith("registrar@")
    # Each version shows what the student had earned by the day it describes, nothing later.
    for version in TranscriptVersion.objects.all():
        for area in version.content["areas"]:
            for credit in area["credits"]:
                if credit["awarded_on"]:
                    assert credit["awarded_on"] <= version.content["as_of"]


def test_seniors_stories_are_their_own_and_approved_by_their_advisor(loaded):
    from credo.demo.content import STORY_OPENINGS
    from credo.evidence.models import StudentStory

    stories = StudentStory.objects.select_related("student", "approved_by")
    approved = stories.filter(approved_at__isnull=False)
    assert approved.filter(student__graduation_year=2026).count() >= len(NETWORK.schools)
    for story in approved:
        assert story.approved_by_id == story.student.advisor_id
        assert story.submitted_at <= story.approved_at
        assert story.approved_at.date() <= DEMO_TODAY
        assert 200 < len(story.body) < 1200
    bodies = [s.body for s in stories]
    assert len(set(bodies)) == len(bodies)  # no two students tell the same story
    for spec in NETWORK.schools:
        story = stories.get(student=student1(spec.slug))
        assert story.approved_at is not None
        # A first version published before the story was written shows none; the next one does.
        versions = list(story.student.transcript_versions.order_by("number"))
        assert versions[-1].content["story"]["text"] == story.body
        for earlier in versions[:-1]:
            assert earlier.content["story"] is None and earlier.published_at < story.submitted_at
            assert not earlier.is_current and earlier.content["as_of"] < DEMO_TODAY.isoformat()
        # It opens in the voice of its own school and names an area of that school.
        openings = [o.format(school=spec.short_name) for o in STORY_OPENINGS[spec.slug]]
        assert any(story.body.startswith(o) for o in openings), story.body
        assert any(area.name in story.body for area in spec.areas), story.body


def test_educators_comment_on_credits_the_student_earned(loaded):
    from credo.transcripts.models import TranscriptComment

    comments = TranscriptComment.objects.select_related("student", "credit", "author")
    assert comments.exists()
    for c in comments:
        award = CreditAward.objects.get(student=c.student, credit=c.credit, revoked_at__isnull=True)
        assert award.awarded_on < c.created_at.date() <= DEMO_TODAY
        assert Membership.objects.filter(
            school=c.school, user=c.author, role__in=[Role.TEACHER, Role.ADVISOR]
        ).exists()
        assert c.author_name == c.author.display_name and c.author_role in ("Teacher", "Advisor")
    # A published version carries its comments under the credit they are about.
    version = comments.first().student.transcript_versions.order_by("-number").first()
    shown = [
        m["body"] for a in version.content["areas"] for c in a["credits"] for m in c["comments"]
    ]
    assert set(shown) == set(
        comments.filter(student=version.student).values_list("body", flat=True)
    )


def test_student1_shares_a_transcript_a_reader_opens_without_signing_in(loaded, client):
    from django.utils import timezone

    from credo.transcripts.demo_links import demo_share_token
    from credo.transcripts.models import ShareLink, ShareView

    for spec in NETWORK.schools:
        student = student1(spec.slug)
        link = student.share_links.get()
        assert link.state == "active" and link.expires_at > timezone.now() + dt.timedelta(days=300)
        assert link.version.is_current and link.recipient
        seen = ShareView.objects.filter(link=link).count()
        assert seen >= 2
        link.token = demo_share_token(link.pk)  # the landing page's link; only its hash is kept
        assert link.token_hash == ShareLink.hash_token(link.token)
        response = client.get(link.get_absolute_url())
        assert response.status_code == 200
        page = response.content.decode()
        assert student.full_name in page and link.recipient in page
        story = link.version.content["story"]["text"]
        assert escape(story.split(". ")[0]) in page
        assert "Educators' comments" in page or "Educators&#x27; comments" in page
        assert ShareView.objects.filter(link=link).count() == seen + 1


def test_the_landing_page_opens_a_shared_transcript_per_school(loaded, client, settings):
    settings.CREDO_DEMO = True
    page = client.get("/").content.decode()
    assert page.count("Read a shared transcript as an admissions reader") == 3
    from credo.transcripts.demo_links import demo_share_token

    for spec in NETWORK.schools:
        link = student1(spec.slug).share_links.get()
        assert f"/t/{demo_share_token(link.pk)}/" in page


def test_the_demo_transcripts_print_their_whole_summary_on_page_one(loaded):
    """The published seniors with the most credits, stories and comments included."""
    from credo.transcripts.models import TranscriptVersion
    from credo.transcripts.tests.test_pdf import assert_summary_on_page_one

    for spec in NETWORK.schools:
        versions = TranscriptVersion.objects.current().filter(school__slug=spec.slug)
        top = max(
            versions,
            key=lambda v: (
                v.content["summary"]["foundational"]["earned"]
                + v.content["summary"]["advanced"]["earned"],
                -v.pk,
            ),
        )
        doc = assert_summary_on_page_one(top)
        story = top.content["story"]
        if story:
            text = " ".join(pdf_text(p) for p in doc.pages[1:])
            assert " ".join(story["text"].split()[:6]) in " ".join(text.split())


def pdf_text(page):
    from credo.transcripts import pdf

    return pdf.page_text(page)


def test_each_demo_teacher1_finds_revisions_waiting_to_be_assessed(loaded):
    """A fresh demo shows a Monday morning: revisions in answer to feedback, not yet assessed."""
    from credo.mastery import worklists

    for school in School.objects.filter(slug__in=[s.slug for s in NETWORK.schools]):
        teacher = User.objects.get(username=f"teacher1@{school.slug}")
        items = worklists.to_assess(teacher, school)
        revisions = [i for i in items if i.is_revision]
        assert revisions, school.slug
        for item in revisions:
            prompt = item.evidence.responds_to
            assert prompt.feedback and prompt.student_id == item.evidence.student_id
            assert item.evidence.revision_of_id == prompt.evidence_id
            assert item.evidence.demonstrated_on <= school.today()
