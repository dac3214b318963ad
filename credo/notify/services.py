"""Every write of notifications: telling people of an event, marking read, choosing how to hear,
and the daily and weekly digests. Each is one transaction and audited."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from credo.accounts.access import system_actor
from credo.core.audit import audit_record
from credo.core.errors import NotAllowed, ValidationError
from credo.notify import access
from credo.notify.events import (
    NOTIFICATION_ALL_READ,
    NOTIFICATION_CREATED,
    NOTIFICATION_DIGEST_SENT,
    NOTIFICATION_PREFERENCES_SAVED,
    NOTIFICATION_READ,
)
from credo.notify.models import CHOICES, Delivery, Kind, Notification, Preference

TITLE_LIMIT = 200


def speaking(user):
    """Render what `user` reads in their own language (`User.language`), else the site's."""
    language = getattr(user, "language", "") or ""
    codes = {code for code, _ in settings.LANGUAGES}
    return translation.override(language if language in codes else settings.LANGUAGE_CODE)


def absolute(link: str) -> str:
    """Return the address of a path on this site, as an e-mail must give it."""
    return settings.CREDO_BASE_URL.rstrip("/") + link


def deliveries_of(users, kind: str) -> dict[int, str]:
    """Return {user id: delivery} for `kind`: each person's choice, else the kind's default."""
    default = CHOICES[kind][1]
    chosen = dict(
        Preference.objects.filter(user__in=users, kind=kind).values_list("user_id", "delivery")
    )
    return {u.pk: chosen.get(u.pk, default) for u in users}


# --- what each kind of event says, and to whom -------------------------------------------------


def _new_work(ids):
    from credo.evidence.models import Evidence

    for evidence in Evidence.objects.filter(pk__in=ids).select_related("student__school"):
        student = evidence.student
        what = "A revision" if evidence.revision_of_id else "New work"
        yield (
            evidence,
            student.school_id,
            access.new_work_recipients(evidence),
            f"{what} from {student}: {evidence.title}",
            "It is waiting for your assessment.",
            reverse("web:to_assess", args=[student.school.slug]),
        )


def _feedback(ids):
    from credo.mastery.models import Assessment

    for a in Assessment.objects.filter(pk__in=ids).select_related(
        "student__school", "student__user", "competency", "assessor"
    ):
        student = a.student
        yield (
            a,
            student.school_id,
            access.student_recipients(student),
            f"Feedback on {a.competency.code}" + (f" from {a.assessor}" if a.assessor else ""),
            a.feedback,
            reverse("web:student", args=[student.school.slug, student.pk]),
        )


def _decision(ids):
    from credo.mastery.models import Decision, ReviewDecision

    for d in ReviewDecision.objects.filter(pk__in=ids).select_related(
        "review__student__school", "review__student__user", "review__credit"
    ):
        student = d.review.student
        outcome = "awarded" if d.decision == Decision.AWARD else "not yet"
        yield (
            d,
            student.school_id,
            access.student_recipients(student),
            f"Your review of “{d.review.credit.title}”: {outcome}",
            d.feedback,
            reverse("web:student", args=[student.school.slug, student.pk]),
        )


def _invitation(ids):
    from credo.mastery.models import PanelSeat

    for seat in PanelSeat.objects.filter(pk__in=ids).select_related(
        "user", "school", "review__credit", "review__student"
    ):
        if seat.user_id is None:
            continue  # outside experts are e-mailed their own link (see notify_event)
        review = seat.review
        when = (
            f" on {timezone.localtime(review.scheduled_at):%Y-%m-%d %H:%M}"
            if review.scheduled_at
            else ""
        )
        yield (
            seat,
            seat.school_id,
            access.seat_recipients(seat),
            f"You are on the panel reviewing “{review.credit.title}”{when}",
            f"{review.student}'s case and evidence are on the review's page.",
            reverse("web:review", args=[seat.school.slug, review.pk]),
        )


EVENTS = {
    Kind.NEW_WORK: ("evidence", _new_work),
    Kind.FEEDBACK: ("assessment", _feedback),
    Kind.DECISION: ("review_decision", _decision),
    Kind.REVIEW_INVITATION: ("panel_seat", _invitation),
}


def notify_event(*, kind: str, source_ids) -> int:
    """Tell everyone who should hear of the records `source_ids` of `kind`, in the app and, for
    those who chose it, at once by e-mail. Run by the task queue after the event committed; a
    second run for the same event tells no one twice. Return how many notifications were written."""
    if kind not in EVENTS:
        raise ValueError(f"Unknown notification kind {kind!r}")
    source_type, events = EVENTS[kind]
    ids = [int(i) for i in source_ids]
    if kind == Kind.REVIEW_INVITATION:
        _email_guests(ids)
    written: list[Notification] = []
    # Durable when the task queue runs it; inside the demo loader's transaction when it seeds them.
    with transaction.atomic(durable=not connection.in_atomic_block):
        for source, school_id, users, title, body, link in events(ids):
            if not users:
                continue
            deliveries = deliveries_of(users, kind)
            already = set(
                Notification.objects.filter(
                    kind=kind, source_type=source_type, source_id=source.pk, user__in=users
                ).values_list("user_id", flat=True)
            )
            rows = [
                Notification(
                    school_id=school_id,
                    user=u,
                    kind=kind,
                    delivery=deliveries[u.pk],
                    title=title[:TITLE_LIMIT],
                    body=body,
                    link=link,
                    source_type=source_type,
                    source_id=source.pk,
                )
                for u in users
                if deliveries[u.pk] != Delivery.OFF and u.pk not in already
            ]
            if not rows:
                continue
            Notification.objects.bulk_create(rows)
            written += rows
            audit_record(
                actor=system_actor(),
                school=school_id,
                action=NOTIFICATION_CREATED,
                target=source,
                after={"kind": kind, "users": [r.user_id for r in rows]},
            )
    _email_now([n for n in written if n.delivery == Delivery.IMMEDIATE])
    return len(written)


def _email_guests(seat_ids: list[int]) -> None:
    """E-mail each outside expert among the seats their own signed link."""
    from credo.mastery.models import PanelSeat
    from credo.mastery.services import send_invitation

    for pk in PanelSeat.objects.filter(pk__in=seat_ids, user__isnull=True).values_list(
        "pk", flat=True
    ):
        send_invitation(pk)


def _email_now(notifications: list[Notification]) -> None:
    """E-mail each notification on its own, and note that it went."""
    for n in notifications:
        if not n.user.email:
            continue
        with speaking(n.user):
            message = render_to_string(
                "notify/email_one.txt", {"n": n, "url": absolute(n.link) if n.link else ""}
            )
        send_mail(
            subject=n.title,
            message=message,
            from_email=None,
            recipient_list=[n.user.email],
        )
        Notification.objects.filter(pk=n.pk).update(emailed_at=timezone.now())


# --- a person's own ----------------------------------------------------------------------------


def notification_mark_read(*, actor, notification: Notification) -> Notification:
    """Mark one of the actor's own notifications read (nothing changes when it already is)."""
    if notification.user_id != getattr(actor, "pk", None):
        raise NotAllowed("That notification is someone else's.")
    with transaction.atomic(durable=True):
        locked = access.access_notification(user=actor, notification_id=notification.pk, lock=True)
        if locked.read_at is None:
            locked.read_at = timezone.now()
            locked.save(update_fields=["read_at"])
            audit_record(
                actor=actor,
                school=locked.school_id,
                action=NOTIFICATION_READ,
                target=locked,
                after={"read_at": locked.read_at},
            )
    return locked


def notifications_mark_all_read(*, actor) -> int:
    """Mark every unread notification of the actor read; return how many."""
    if not getattr(actor, "is_authenticated", False):
        raise NotAllowed("Sign in to mark notifications read.")
    with transaction.atomic(durable=True):
        unread = Notification.objects.filter(user=actor, read_at__isnull=True)
        by_school: dict[int, list[int]] = defaultdict(list)
        for pk, school_id in unread.values_list("pk", "school_id"):
            by_school[school_id].append(pk)
        count = unread.update(read_at=timezone.now())
        for school_id, pks in by_school.items():
            audit_record(
                actor=actor,
                school=school_id,
                action=NOTIFICATION_ALL_READ,
                target_type="notify.notification",
                after={"notifications": pks},
            )
    return count


def preferences_save(*, actor, choices: dict[str, str]) -> dict[str, str]:
    """Save how the actor wants to hear of each kind they can receive; return every choice.

    Raise ValidationError naming each kind given a delivery it does not offer, or a kind the
    actor cannot receive."""
    allowed = access.kinds_for(actor)
    if not allowed:
        raise NotAllowed("You receive no notifications.")
    errors: dict[str, list[str]] = {}
    for kind, delivery in choices.items():
        if kind not in allowed:
            errors[kind] = ["You do not receive that kind of notification."]
        elif delivery not in CHOICES[kind][0]:
            errors[kind] = ["Choose one of the ways offered."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic(durable=True):
        before = dict(Preference.objects.filter(user=actor).values_list("kind", "delivery"))
        for kind, delivery in choices.items():
            Preference.objects.update_or_create(
                user=actor, kind=kind, defaults={"delivery": delivery}
            )
        after = dict(Preference.objects.filter(user=actor).values_list("kind", "delivery"))
        if after != before:
            audit_record(
                actor=actor,
                school=None,
                action=NOTIFICATION_PREFERENCES_SAVED,
                target=actor,
                before=before,
                after=after,
            )
    return {k: after.get(k, CHOICES[k][1]) for k in allowed}


# --- digests (`credo notify digest`) ----------------------------------------------------------


def digest_daily(*, now: dt.datetime | None = None) -> int:
    """E-mail each person one message with the notifications they chose to hear of daily and have
    not been e-mailed yet; return how many people were e-mailed. Running it twice sends nothing
    new."""
    now = now or timezone.now()
    waiting = (
        Notification.objects.filter(
            delivery=Delivery.DAILY, emailed_at__isnull=True, created_at__lte=now
        )
        .select_related("user")
        .order_by("user_id", "created_at", "id")
    )
    by_user: dict = defaultdict(list)
    for n in waiting:
        by_user[n.user].append(n)
    sent = 0
    for user, items in by_user.items():
        if user.email and user.is_active:
            with speaking(user):
                message = render_to_string(
                    "notify/email_digest.txt",
                    {
                        "user": user,
                        "items": [(n, absolute(n.link) if n.link else "") for n in items],
                        "settings_url": absolute(reverse("notify:settings")),
                    },
                )
            send_mail(
                subject=f"Credo: {len(items)} new since yesterday",
                message=message,
                from_email=None,
                recipient_list=[user.email],
            )
            sent += 1
        with transaction.atomic(durable=True):
            Notification.objects.filter(pk__in=[n.pk for n in items]).update(emailed_at=now)
            audit_record(
                actor=system_actor(),
                school=items[0].school_id,
                action=NOTIFICATION_DIGEST_SENT,
                target=user,
                after={"notifications": [n.pk for n in items], "emailed": bool(user.email)},
            )
    return sent


def weekly_summary(student, *, since: dt.datetime) -> dict:
    """Return what happened in `student`'s learning since `since`: assessments (with feedback),
    credits awarded."""
    from credo.mastery.models import Assessment, CreditAward

    assessments = Assessment.objects.filter(
        student=student, assessed_at__gte=since, retraction=False, replaced_by__isnull=True
    )
    return {
        "student": student,
        "assessed": assessments.count(),
        "with_feedback": assessments.exclude(feedback="").count(),
        "awards": list(
            CreditAward.objects.filter(
                student=student, awarded_on__gte=since.date(), revoked_at__isnull=True
            ).select_related("credit")
        ),
        "url": absolute(reverse("web:student", args=[student.school.slug, student.pk])),
    }


def digest_weekly(*, now: dt.datetime | None = None) -> int:
    """E-mail each guardian who asked for it a summary of their students' week, school by school;
    return how many summaries went. A guardian gets at most one per school in six days."""
    from credo.schools.models import School

    now = now or timezone.now()
    since = now - dt.timedelta(days=7)
    week = int(now.strftime("%G%V"))
    sent = 0
    for school in School.objects.order_by("pk"):
        guardians = access.guardian_recipients(school)
        if not guardians:
            continue
        deliveries = deliveries_of(list(guardians), Kind.GUARDIAN_WEEKLY)
        recent = set(
            Notification.objects.filter(
                school=school,
                kind=Kind.GUARDIAN_WEEKLY,
                created_at__gte=now - dt.timedelta(days=6),
            ).values_list("user_id", flat=True)
        )
        for guardian, students in guardians.items():
            if deliveries[guardian.pk] != Delivery.WEEKLY or guardian.pk in recent:
                continue
            students = [s for s in students if access.may_hear_of(guardian, s)]
            if not students:
                continue
            summaries = [weekly_summary(s, since=since) for s in students]
            with speaking(guardian):
                title = _("The week at %(school)s") % {"school": school.short_name or school.name}
                body = "\n".join(
                    _(
                        "%(student)s: %(assessed)s assessed, %(feedback)s with feedback, "
                        "%(awards)s credits awarded"
                    )
                    % {
                        "student": s["student"],
                        "assessed": s["assessed"],
                        "feedback": s["with_feedback"],
                        "awards": len(s["awards"]),
                    }
                    for s in summaries
                )
            with transaction.atomic(durable=True):
                n = Notification.objects.create(
                    school=school,
                    user=guardian,
                    kind=Kind.GUARDIAN_WEEKLY,
                    delivery=Delivery.WEEKLY,
                    title=title,
                    body=body,
                    link=reverse("web:student", args=[school.slug, students[0].pk]),
                    source_type="week",
                    source_id=week,
                    emailed_at=now if guardian.email else None,
                )
                audit_record(
                    actor=system_actor(),
                    school=school,
                    action=NOTIFICATION_CREATED,
                    target=n,
                    after={"kind": Kind.GUARDIAN_WEEKLY, "users": [guardian.pk]},
                )
            if guardian.email:
                with speaking(guardian):
                    message = render_to_string(
                        "notify/email_weekly.txt",
                        {
                            "user": guardian,
                            "school": school,
                            "summaries": summaries,
                            "settings_url": absolute(reverse("notify:settings")),
                        },
                    )
                send_mail(
                    subject=n.title,
                    message=message,
                    from_email=None,
                    recipient_list=[guardian.email],
                )
                sent += 1
    return sent
