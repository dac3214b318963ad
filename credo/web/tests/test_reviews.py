"""Credit reviews: the queue, scheduling a panel, inviting an outside expert, deciding."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from credo.core.models import AuditEvent
from credo.mastery.invites import invitation_token
from credo.mastery.models import (
    CreditAward,
    CreditProgress,
    PanelSeat,
    ReviewDecision,
    ReviewVote,
)


def test_the_queue_lists_open_reviews_soonest_first(client, world):
    client.force_login(world.hill.teacher)
    html = client.get(reverse("web:reviews", args=[world.hill.school.slug])).content.decode()
    assert world.me.full_name in html and "Inquiry II" in html
    decided = client.get(
        reverse("web:reviews", args=[world.hill.school.slug]) + "?show=decided"
    ).content.decode()
    assert world.me.full_name not in decided


def test_staff_schedule_the_review_and_seat_the_panel(client, world):
    client.force_login(world.hill.registrar)
    url = reverse("web:review_schedule", args=[world.hill.school.slug, world.review.pk])
    response = client.post(
        url,
        {
            "scheduled_at": "2025-11-03T14:30",
            "location": "Library",
            "panel_users": [world.hill.teacher.pk, world.reviewer.pk],
        },
    )
    assert response.status_code == 302
    world.review.refresh_from_db()
    assert world.review.location == "Library" and world.review.scheduled_at.hour == 14
    assert set(
        PanelSeat.objects.filter(review=world.review, user__isnull=False).values_list(
            "user_id", flat=True
        )
    ) == {world.hill.teacher.pk, world.reviewer.pk, world.coordinator.pk}
    bad = client.post(url, {"scheduled_at": "next tuesday", "location": ""})
    assert "Give a date and time like" in bad.content.decode()


def test_inviting_an_outside_expert_emails_a_signed_link(
    client, world, mailoutbox, django_capture_on_commit_callbacks, settings
):
    # The e-mail goes through the task queue (notify.tasks.deliver); run tasks at once.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client.force_login(world.hill.admin)
    url = reverse("web:review_invite", args=[world.hill.school.slug, world.review.pk])
    refused = client.post(url, {"guest_name": "", "guest_email": "not-an-email"})
    html = refused.content.decode()
    assert "Give the expert&#x27;s name." in html and "Give a valid e-mail address" in html
    assert PanelSeat.objects.filter(review=world.review).count() == 3
    no_email = client.post(url, {"guest_name": "Omar Field"})
    assert "Give the expert&#x27;s e-mail address" in no_email.content.decode()
    assert PanelSeat.objects.filter(review=world.review).count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {
                "guest_name": "Omar Field",
                "guest_email": "omar@example.org",
                "guest_expertise": "architect",
            },
        )
    assert response.status_code == 302
    seat = PanelSeat.objects.get(guest_name="Omar Field")
    link = reverse("web:guest_review", args=[invitation_token(seat)])
    (mail,) = mailoutbox
    assert mail.to == ["omar@example.org"] and link in mail.body and "Inquiry II" in mail.body
    detail = client.get(
        reverse("web:review", args=[world.hill.school.slug, world.review.pk])
    ).content.decode()
    assert link in detail
    # a panel member who may not invite sees no links
    client.force_login(world.reviewer)
    seated = client.get(reverse("web:review", args=[world.hill.school.slug, world.review.pk]))
    assert seated.status_code == 200 and "/review-invitation/" not in seated.content.decode()


def test_an_outside_expert_votes_without_an_account_but_never_decides_alone(client, world):
    token = invitation_token(world.guest_seat)
    url = reverse("web:guest_review", args=[token])
    page = client.get(url).content.decode()
    assert (
        "Welcome, Grace Expert" in page
        and "My inquiry notes" in page
        and "I lead inquiries." in page
    )
    refused = client.post(url, {"decision": "award", "feedback": ""})
    assert (
        "Write feedback for the student." in refused.content.decode()
        and not ReviewVote.objects.exists()
    )
    response = client.post(url, {"decision": "award", "feedback": "A convincing, tested design."})
    assert response.status_code == 302
    assert ReviewVote.objects.get().seat == world.guest_seat
    advanced = CreditAward.objects.filter(credit=world.hill.credits["advanced"])
    assert not ReviewDecision.objects.exists() and not advanced.exists()
    assert "Your vote is recorded" in client.get(url).content.decode()
    # the same link cannot vote twice
    again = client.post(url, {"decision": "award", "feedback": "Again."})
    assert again.status_code == 409 and ReviewVote.objects.count() == 1
    # a second member, on staff, agrees: the panel's majority decides
    client.force_login(world.coordinator)
    decide = reverse("web:review_decide", args=[world.hill.school.slug, world.review.pk])
    assert client.post(decide, {"decision": "award", "feedback": "Agreed."}).status_code == 302
    decision = ReviewDecision.objects.get()
    assert decision.decided_by == world.coordinator and decision.decided_by_guest is None
    award = CreditAward.objects.get(student=world.me, credit=world.hill.credits["advanced"])
    assert award.awarded_by == world.coordinator
    assert (
        CreditProgress.objects.get(student=world.me, credit=world.hill.credits["advanced"]).status
        == "awarded"
    )
    assert AuditEvent.objects.filter(action="credit_review.decided").exists()
    assert AuditEvent.objects.filter(action="credit_review.voted").count() == 2
    client.logout()
    assert "This review has been decided" in client.get(url).content.decode()


def test_an_invitation_expires(client, world, settings):
    settings.CREDO_REVIEW_INVITE_DAYS = 10
    PanelSeat.objects.filter(pk=world.guest_seat.pk).update(
        invited_at=timezone.now() - dt.timedelta(days=11)
    )
    world.guest_seat.refresh_from_db()
    response = client.get(reverse("web:guest_review", args=[invitation_token(world.guest_seat)]))
    assert response.status_code == 410 and "expired" in response.content.decode()


def test_the_panel_returns_the_credit_with_feedback(client, world):
    url = reverse("web:review_decide", args=[world.hill.school.slug, world.review.pk])
    for member, feedback in (
        (world.reviewer, "Test the design under load."),
        (world.coordinator, "Agreed: load tests."),
    ):
        client.force_login(member)
        assert client.post(url, {"decision": "not_yet", "feedback": feedback}).status_code == 302
    assert (
        CreditProgress.objects.get(student=world.me, credit=world.hill.credits["advanced"]).status
        == "returned"
    )
    client.force_login(world.me.user)
    html = client.get(
        reverse("web:student", args=[world.hill.school.slug, world.me.pk])
    ).content.decode()
    assert "Test the design under load." in html and "Request review" in html


@pytest.mark.parametrize(
    "data, message",
    [
        ({"decision": "", "feedback": "x"}, "Choose to award the credit or “not yet”."),
        ({"decision": "maybe", "feedback": "x"}, "Select a valid choice"),
        ({"decision": "award", "feedback": "   "}, "Write feedback for the student."),
    ],
)
def test_bad_decisions_are_refused(client, world, data, message):
    client.force_login(world.coordinator)
    response = client.post(
        reverse("web:review_decide", args=[world.hill.school.slug, world.review.pk]), data
    )
    assert message in response.content.decode() and not ReviewVote.objects.exists()


def test_staff_off_the_panel_may_not_decide(client, world):
    client.force_login(world.hill.teacher)
    response = client.post(
        reverse("web:review_decide", args=[world.hill.school.slug, world.review.pk]),
        {"decision": "award", "feedback": "ok"},
    )
    assert response.status_code == 403 and not ReviewDecision.objects.exists()


def test_the_case_shows_where_the_student_stands_on_each_competency(client, world):
    """The panel sees the student's current level and status beside every competency the credit
    lists, both on the staff page and on an outside expert's invitation page."""
    hill = world.hill
    client.force_login(world.reviewer)
    html = client.get(reverse("web:review", args=[hill.school.slug, world.review.pk]))
    text = html.content.decode()
    case = text.split('id="items-h"')[1].split("</table>")[0]
    rows = {
        c.code: case.split(f"{c.code} <span")[1].split("</tr>")[0] for c in hill.competencies[3:6]
    }
    # the world recorded 3 on the fourth and fifth competencies; the sixth has no evidence yet
    assert ">3</td>" in rows[hill.competencies[3].code]
    assert "Proficient" in rows[hill.competencies[3].code]
    assert "no evidence yet" in rows[hill.competencies[5].code]
    guest = client.get(reverse("web:guest_review", args=[invitation_token(world.guest_seat)]))
    assert "no evidence yet" in guest.content.decode() and "Proficient" in guest.content.decode()
