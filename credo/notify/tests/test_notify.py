"""Notifications: who is told of what, in the app and by e-mail; marking read; choices; digests;
and that nobody reads, marks or changes anyone else's."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from credo.core.models import AuditEvent
from credo.evidence.services import evidence_submit
from credo.mastery import services as mastery
from credo.mastery.models import PanelSeat
from credo.notify import services
from credo.notify.models import Delivery, Kind, Notification, Preference
from credo.schools.models import Term

pytestmark = pytest.mark.django_db
DAY = dt.date(2025, 10, 1)


def _term_running(world):
    Term.objects.filter(pk=world.hill.section.term_id).update(
        ends_on=timezone.localdate() + dt.timedelta(days=30)
    )


def _emails(world):
    for user in (world.hill.teacher, world.me.user, world.reviewer, world.guardian):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])


def _submit(world, title="Second draft", **extra):
    return evidence_submit(
        actor=world.me.user,
        student=world.me,
        kind="text",
        title=title,
        body="Revised.",
        demonstrated_on=DAY,
        competencies=world.hill.competencies[:1],
        **extra,
    )


def test_a_revision_tells_the_students_teacher_in_the_app_and_once_a_day_by_default(
    world, tasks_now, django_capture_on_commit_callbacks
):
    _term_running(world)
    _emails(world)
    with django_capture_on_commit_callbacks(execute=True):
        _submit(world, revision_of=world.evidence)
    (n,) = Notification.objects.filter(kind=Kind.NEW_WORK)
    assert n.user == world.hill.teacher and n.delivery == Delivery.DAILY
    assert "A revision from" in n.title and n.link.endswith("/to-assess/")
    assert n.emailed_at is None and not mail.outbox  # daily: waits for the digest
    assert AuditEvent.objects.filter(action="notification.created").exists()
    # the student who submitted it, the other teacher, the guardian hear nothing
    assert not Notification.objects.exclude(user=world.hill.teacher).filter(kind=Kind.NEW_WORK)
    assert services.digest_daily() == 1
    (digest,) = mail.outbox
    assert digest.to == [world.hill.teacher.email] and "Second draft" in digest.body
    assert "http://" in digest.body and "/to-assess/" in digest.body
    assert services.digest_daily() == 0  # nothing twice


def test_work_outside_the_teachers_term_or_untagged_tells_no_one(
    world, tasks_now, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _submit(world)  # the term ended long ago
        evidence_submit(
            actor=world.me.user,
            student=world.me,
            kind="text",
            title="Untagged",
            body="x",
            demonstrated_on=DAY,
        )
    assert not Notification.objects.filter(kind=Kind.NEW_WORK).exists()


def test_feedback_and_a_decision_tell_the_student_at_once(
    world, tasks_now, django_capture_on_commit_callbacks
):
    _emails(world)
    with django_capture_on_commit_callbacks(execute=True):
        mastery.assessment_record(
            assessor=world.hill.teacher,
            student=world.me,
            competency=world.hill.competencies[5],
            value=3,
            demonstrated_on=DAY,
            feedback="Strong reasoning; cite one more source.",
        )
        mastery.assessment_record(  # no feedback, nothing to tell
            assessor=world.hill.teacher,
            student=world.classmate,
            competency=world.hill.competencies[5],
            value=2,
            demonstrated_on=DAY,
        )
    (n,) = Notification.objects.filter(kind=Kind.FEEDBACK)
    assert n.user == world.me.user and "cite one more source" in n.body
    (email,) = mail.outbox
    assert email.to == [world.me.user.email] and "cite one more source" in email.body
    assert n.__class__.objects.get(pk=n.pk).emailed_at is not None
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        mastery.credit_review_decide(
            review=world.review, decision="award", feedback="Convincing.", actor=world.coordinator
        )
        mastery.credit_review_decide(
            review=world.review, decision="award", feedback="Agreed.", actor=world.reviewer
        )
    (d,) = Notification.objects.filter(kind=Kind.DECISION)
    assert d.user == world.me.user and "awarded" in d.title
    assert [m.to for m in mail.outbox] == [[world.me.user.email]]


def test_off_means_not_told_and_a_rerun_tells_no_one_twice(world, tasks_now):
    Preference.objects.create(user=world.me.user, kind=Kind.FEEDBACK, delivery=Delivery.OFF)
    a = world.me.assessments.exclude(feedback="").first()
    assert services.notify_event(kind=Kind.FEEDBACK, source_ids=[a.pk]) == 0
    Preference.objects.filter(user=world.me.user).update(delivery=Delivery.DAILY)
    assert services.notify_event(kind=Kind.FEEDBACK, source_ids=[a.pk]) == 1
    assert services.notify_event(kind=Kind.FEEDBACK, source_ids=[a.pk]) == 0


def test_seated_staff_are_told_and_the_outside_expert_is_emailed_a_link_that_works(
    world, client, tasks_now, django_capture_on_commit_callbacks
):
    _emails(world)
    with django_capture_on_commit_callbacks(execute=True):
        mastery.credit_review_schedule(
            actor=world.hill.admin,
            review=world.review,
            panel_users=[world.hill.teacher],
            guests=[("Ivo Outside", "ivo@example.org", "chemist")],
        )
    (n,) = Notification.objects.filter(kind=Kind.REVIEW_INVITATION)
    assert n.user == world.hill.teacher
    guest_mail = next(m for m in mail.outbox if m.to == ["ivo@example.org"])
    link = next(line for line in guest_mail.body.splitlines() if "/review-invitation/" in line)
    path = link.strip().split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)  # no account, no session: the link alone opens the case
    assert page.status_code == 200 and "Welcome, Ivo Outside" in page.content.decode()
    assert PanelSeat.objects.filter(guest_name="Ivo Outside", guest_email="ivo@example.org")
    tampered = client.get("/" + path.rstrip("/")[:-3] + "xyz/")
    assert tampered.status_code in (403, 404)


def _note(user, school, **extra):
    fields = {
        "kind": Kind.FEEDBACK,
        "delivery": Delivery.IMMEDIATE,
        "title": "Feedback on C1",
        "body": "Well argued.",
        "link": "/home/",
        "source_type": "assessment",
        "source_id": 1,
        **extra,
    }
    return Notification.objects.create(school=school, user=user, **fields)


def test_the_list_shows_ones_own_and_reading_it_writes_nothing(world, client):
    mine = _note(world.me.user, world.hill.school)
    _note(world.classmate.user, world.hill.school, source_id=2, title="Not yours")
    client.force_login(world.me.user)
    before = AuditEvent.objects.count()
    page = client.get(reverse("notify:list")).content.decode()
    assert "Feedback on C1" in page and "Not yours" not in page and "1 unread" in page
    badge = client.get(reverse("notify:badge")).content.decode()
    assert ">1<" in badge
    mine.refresh_from_db()
    assert mine.read_at is None and AuditEvent.objects.count() == before
    # a GET on the POST-only actions is refused and changes nothing
    assert client.get(reverse("notify:read", args=[mine.pk])).status_code == 405
    assert client.get(reverse("notify:read_all")).status_code == 405
    mine.refresh_from_db()
    assert mine.read_at is None


def test_marking_read_is_a_post_on_ones_own(world, client):
    mine = _note(world.me.user, world.hill.school)
    theirs = _note(world.classmate.user, world.hill.school, source_id=2)
    dale = _note(world.dale.admin, world.dale.school, source_id=3)
    client.force_login(world.me.user)
    for other in (theirs, dale):
        assert client.post(reverse("notify:read", args=[other.pk])).status_code == 404
        other.refresh_from_db()
        assert other.read_at is None
    assert client.post(reverse("notify:read", args=[999999])).status_code == 404
    opened = client.post(reverse("notify:read", args=[mine.pk]), {"open": "1"})
    assert opened.status_code == 302 and opened["Location"] == "/home/"
    mine.refresh_from_db()
    assert mine.read_at is not None
    assert AuditEvent.objects.filter(action="notification.read", target_id=str(mine.pk)).exists()
    # mark all touches only one's own
    _note(world.me.user, world.hill.school, source_id=4)
    client.post(reverse("notify:read_all"))
    assert not Notification.objects.filter(user=world.me.user, read_at__isnull=True).exists()
    assert Notification.objects.filter(user=world.classmate.user, read_at__isnull=True).exists()


def test_anonymous_visitors_are_sent_to_sign_in(world, client):
    mine = _note(world.me.user, world.hill.school)
    for url in (reverse("notify:list"), reverse("notify:settings")):
        assert client.get(url).status_code == 302
    assert client.post(reverse("notify:read", args=[mine.pk])).status_code == 302
    assert client.post(reverse("notify:read_all")).status_code == 302
    assert "Notifications" in client.get(reverse("notify:badge")).content.decode()
    mine.refresh_from_db()
    assert mine.read_at is None


def test_settings_offer_each_role_its_kinds_and_refuse_hostile_choices(world, client):
    url = reverse("notify:settings")
    client.force_login(world.me.user)
    page = client.get(url).content.decode()
    assert "Feedback on my work" in page and "New work" not in page
    saved = client.post(url, {"feedback": "daily", "decision": "off"})
    assert saved.status_code == 302
    assert dict(Preference.objects.filter(user=world.me.user).values_list("kind", "delivery")) == {
        "feedback": "daily",
        "decision": "off",
    }
    assert AuditEvent.objects.filter(action="notification.preferences_saved").exists()
    for hostile in (
        {"feedback": "hourly", "decision": "off"},
        {"feedback": "x" * 5000, "decision": "off"},
        {"decision": "off"},
    ):
        refused = client.post(url, hostile)
        assert refused.status_code == 200 and "errorlist" in refused.content.decode()
    # a kind the person does not receive is not theirs to set
    with pytest.raises(Exception, match="do not receive"):
        services.preferences_save(actor=world.me.user, choices={"new_work": "immediate"})
    client.force_login(world.guardian)
    page = client.get(url).content.decode()
    assert "weekly summary" in page
    assert client.post(url, {"guardian_weekly": "daily"}).status_code == 200
    # the system actor, and anyone with no role, choose nothing
    client.force_login(world.dale.admin)
    assert "New work" not in client.get(url).content.decode()


def test_the_weekly_summary_goes_only_to_guardians_who_asked(world):
    _emails(world)
    assert services.digest_weekly() == 0  # opt-in
    services.preferences_save(actor=world.guardian, choices={"guardian_weekly": "weekly"})
    assert services.digest_weekly() == 1
    (email,) = mail.outbox
    assert email.to == [world.guardian.email] and str(world.me) in email.body
    assert str(world.classmate) not in email.body
    assert services.digest_weekly() == 0  # not twice in a week


def test_the_digest_command(world, tasks_now):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("notify", "digest", "--daily", stdout=out)
    call_command("notify", "digest", "--weekly", stdout=out)
    assert "Daily digests e-mailed: 0" in out.getvalue()
    assert "Weekly summaries e-mailed: 0" in out.getvalue()
