"""Credit reviews and awards: requesting a review, its panel and invitations, votes, decisions, revoking."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import IntegrityError, transaction
from django.utils import timezone

from credo.accounts.access import roles_in, system_actor
from credo.accounts.models import PANEL_STAFF_ROLES, Role, Student
from credo.core.audit import audit_record, snapshot
from credo.core.errors import Conflict, NotAllowed, ValidationError, refuse
from credo.core.limits import TEXT_LIMIT, clean_text
from credo.mastery import access, engine, rules
from credo.mastery.events import (
    CREDIT_AWARDED,
    CREDIT_REVIEW_DECIDED,
    CREDIT_REVIEW_REQUESTED,
    CREDIT_REVIEW_SCHEDULED,
    CREDIT_REVIEW_VOTED,
    CREDIT_REVOKED,
)
from credo.mastery.models import (
    CreditAward,
    CreditRequirementItem,
    CreditReview,
    Decision,
    MasteryCredit,
    MasteryState,
    PanelSeat,
    ReviewDecision,
    ReviewEvidence,
    ReviewVote,
)
from credo.mastery.services.common import lock_students
from credo.notify import events as notify_events


def credit_requirement_missing(student: Student, credit: MasteryCredit) -> list[str]:
    """Return what `student` still lacks to meet `credit`'s requirement (empty when it is met)."""

    items = list(CreditRequirementItem.objects.filter(credit=credit).select_related("competency"))
    spec = engine.credit_spec(credit, items)
    proficient = set(
        MasteryState.objects.filter(
            student=student,
            competency_id__in=[i.competency_id for i in items],
            status__in=["proficient", "exceeds"],
        ).values_list("competency_id", flat=True)
    )
    evidence = engine.approved_evidence_counts([student.pk], [credit.pk]).get(
        (student.pk, credit.pk), 0
    )
    names = {i.competency_id: i.competency.code for i in items}
    return rules.credit_missing(spec, proficient, evidence, names)


def credit_review_request(
    *,
    actor,
    student: Student,
    credit: MasteryCredit,
    statement: str = "",
    evidence_ids: Iterable[int] = (),
    format: str = "portfolio",
    override_reason: str = "",
) -> CreditReview:
    """Ask a panel to review a credit, with a bundle of the student's evidence.

    Refused, saying what is missing, while the student does not meet the credit's requirement —
    unless an admin or registrar overrides with a reason (kept on the review and audited).
    """
    from credo.evidence.models import Evidence

    if credit.school_id != student.school_id:
        refuse("credit", "That credit belongs to another school.")
    if not access.can_request_review(actor, student):
        raise NotAllowed(
            "Only the student, their advisor, one of their teachers, or whoever administers "
            "reviews may request a review."
        )
    if not credit.review_required:
        refuse("credit", f"{credit} is awarded when its requirement is met; it has no review.")
    if CreditAward.objects.filter(student=student, credit=credit, revoked_at__isnull=True).exists():
        refuse("credit", f"{credit} has already been awarded.")
    if CreditReview.objects.filter(student=student, credit=credit, closed_at__isnull=True).exists():
        refuse("credit", f"A review of {credit} is already open.")
    statement = clean_text(statement, field="statement", limit=TEXT_LIMIT)
    override_reason = (override_reason or "").strip()
    missing = credit_requirement_missing(student, credit)
    if missing:
        if not override_reason:
            refuse(
                "credit",
                f"{student} does not meet the requirement of {credit} yet. " + " ".join(missing),
            )
        if not access.can_override_requirement(actor, student.school_id):
            raise NotAllowed(
                f"{student} does not meet the requirement of {credit} yet; only a school admin "
                "or registrar may request its review anyway."
            )
    elif override_reason:
        override_reason = ""  # nothing to override
    evidence = list(Evidence.objects.filter(student=student, pk__in=list(evidence_ids)))
    if len(evidence) != len(set(evidence_ids)):
        refuse("evidence", "Some of the chosen evidence is not this student's.")
    try:
        return _open_review(
            actor, student, credit, statement, format, evidence, override_reason, missing
        )
    except IntegrityError:
        _refuse_if_review_open(student, credit)
        raise


def _refuse_if_review_open(student: Student, credit: MasteryCredit) -> None:
    """Raise Conflict when a review of the credit was opened meanwhile (seen under the student's
    lock, or after the one-open-review constraint refused the race's loser)."""
    if CreditReview.objects.filter(student=student, credit=credit, closed_at__isnull=True).exists():
        raise Conflict(
            f"A review of {credit} was requested meanwhile, by someone else or in another "
            "window; nothing was saved. Reload the page to see it."
        )


def _open_review(
    actor, student, credit, statement, format, evidence, override_reason, missing
) -> CreditReview:
    with transaction.atomic(durable=True):
        lock_students([student.pk])
        _refuse_if_review_open(student, credit)
        review = CreditReview.objects.create(
            school_id=student.school_id,
            student=student,
            credit=credit,
            requested_by=actor,
            statement=statement,
            format=format,
            override_reason=override_reason,
        )
        ReviewEvidence.objects.bulk_create(
            [
                ReviewEvidence(school_id=student.school_id, review=review, evidence=e)
                for e in evidence
            ]
        )
        audit_record(
            actor=actor,
            school=student.school_id,
            action=CREDIT_REVIEW_REQUESTED,
            target=review,
            after={
                "student": student.pk,
                "credit": credit.pk,
                "evidence": [e.pk for e in evidence],
                **({"override": missing} if override_reason else {}),
            },
            note=override_reason,
        )
        engine.refresh_credits(student, [credit.pk], actor=actor)
    return review


def send_invitation(seat_id: int) -> None:
    """E-mail an outside expert the signed link to their review (the notification task does,
    after the seat is committed)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    from credo.mastery import invites

    seat = PanelSeat.objects.select_related("review__credit", "review__school").get(pk=seat_id)
    path = reverse("web:guest_review", args=[invites.invitation_token(seat)])
    context = {
        "seat": seat,
        "review": seat.review,
        "school": seat.review.school,
        "url": settings.CREDO_BASE_URL.rstrip("/") + path,
        "expires_on": invites.expires_on(seat),
    }
    send_mail(
        subject=render_to_string("web/reviews/invitation_subject.txt", context).strip(),
        message=render_to_string("web/reviews/invitation_email.txt", context),
        from_email=None,
        recipient_list=[seat.guest_email],
    )


def credit_review_schedule(
    *,
    actor,
    review: CreditReview,
    scheduled_at=None,
    location: str = "",
    panel_users: Sequence = (),
    guests: Sequence[tuple[str, str, str]] = (),
) -> CreditReview:
    """Schedule a review and seat its panel: staff users and outside experts (name, email, expertise).

    Only the school's panel formers may (see `access.can_form_panel`). Each new outside expert is
    e-mailed their signed link once the seats are committed.
    """
    access.require_form_panel(actor, review.school_id)
    if not review.is_open:
        refuse(None, "That review is closed.")
    student_user = Student.objects.filter(pk=review.student_id).values_list("user_id", flat=True)
    for user in panel_users:
        if not roles_in(user, review.school_id) & (PANEL_STAFF_ROLES | {Role.REVIEWER}):
            refuse("panel_users", f"{user} is not staff or a reviewer of this school.")
        if user.pk in set(student_user):
            refuse("panel_users", "A student cannot sit on the panel of their own review.")
    errors = []
    for name, email, _ in guests:
        if not (name or "").strip():
            errors.append("Give each outside expert's name.")
        if not (email or "").strip():
            errors.append(
                f"Give {name or 'the outside expert'}'s e-mail address for the invitation."
            )
    if errors:
        raise ValidationError({"guest_email": errors})
    with transaction.atomic(durable=True):
        before = snapshot(review, ["scheduled_at", "location"])
        review.scheduled_at, review.location = scheduled_at, location
        review.save(update_fields=["scheduled_at", "location"])
        seated = set(
            PanelSeat.objects.filter(review=review, user__isnull=False).values_list(
                "user_id", flat=True
            )
        )
        seats = [
            PanelSeat(school_id=review.school_id, review=review, user=u, invited_by=actor)
            for u in panel_users
            if u.pk not in seated
        ]
        guest_seats = [
            PanelSeat(
                school_id=review.school_id,
                review=review,
                guest_name=n.strip(),
                guest_email=e.strip(),
                guest_expertise=x,
                invited_by=actor,
            )
            for n, e, x in guests
        ]
        for seat in seats + guest_seats:
            seat.save()
        audit_record(
            actor=actor,
            school=review.school_id,
            action=CREDIT_REVIEW_SCHEDULED,
            target=review,
            before=before,
            after={
                "scheduled_at": scheduled_at,
                "location": location,
                "panel": [str(s) for s in seats + guest_seats],
            },
        )
        # Seated staff hear of it in the app; outside experts are e-mailed their link (the task
        # queue, once this commits).
        notify_events.seats_invited(seats + guest_seats)
    return review


def panel_state(review: CreditReview) -> dict:
    """Return the panel's seats (seat id → counts as staff), its votes (seat id → vote) and
    whether the seated panel could reach a decision under the credit's policy."""
    seats = access.staff_seats(PanelSeat.objects.filter(review=review).select_related("user"))
    votes = dict(ReviewVote.objects.filter(review=review).values_list("seat_id", "vote"))
    credit = review.credit
    return {
        "seats": seats,
        "votes": votes,
        "policy": credit.get_decision_policy_display(),
        "min_staff": credit.decision_min_staff,
        "can_decide": rules.panel_can_decide(
            credit.decision_policy, credit.decision_min_staff, seats
        ),
    }


def credit_review_decide(
    *, review: CreditReview, decision: str, feedback: str, actor=None, seat: PanelSeat | None = None
) -> ReviewVote:
    """Record one panel member's vote ("award" or "not yet", with feedback) on a review.

    `actor` votes from their own seat; an outside expert votes through `seat` (their signed link).
    When the votes satisfy the credit's decision policy (`rules.panel_outcome`) the panel's
    decision is recorded, the review closes, and an award is made when it says so.
    """
    if decision not in Decision.values:
        refuse("decision", "Choose to award the credit or “not yet”.")
    if not feedback.strip():
        refuse("feedback", "Write feedback for the student.")
    if seat is not None:
        if seat.review_id != review.pk or seat.user_id is not None:
            raise NotAllowed("That invitation is for another review.")
    else:
        seat = access.seat_of(actor, review)
        if seat is None:
            raise NotAllowed("Only a member of this review's panel may vote on it.")
    with transaction.atomic(durable=True):
        lock_students([review.student_id])
        review = (
            CreditReview.objects.select_for_update()
            .select_related("credit", "student")
            .get(pk=review.pk)
        )
        if not review.is_open:
            refuse(None, "This review has already been decided.")
        if ReviewVote.objects.filter(review=review, seat=seat).exists():
            refuse(None, "You have already voted on this review.")
        vote = ReviewVote.objects.create(
            school_id=review.school_id, review=review, seat=seat, vote=decision, feedback=feedback
        )
        voter = actor if seat.user_id else system_actor()
        audit_record(
            actor=voter,
            school=review.school_id,
            action=CREDIT_REVIEW_VOTED,
            target=vote,
            after={"vote": decision, "feedback": feedback, "seat": seat.pk},
            note="" if seat.user_id else f"Outside expert {seat.guest_name}, by invitation link",
        )
        state = panel_state(review)
        outcome = rules.panel_outcome(
            review.credit.decision_policy,
            review.credit.decision_min_staff,
            state["seats"],
            state["votes"],
        )
        if outcome is not None:
            notify_events.decision_made(_decide(review, outcome, state))
    return vote


def _decide(review: CreditReview, outcome: str, state: dict) -> ReviewDecision:
    """Record the panel's decision, close the review and award the credit when it says so.

    The decision is attributed to the first staff member who voted for it (the policy ensures
    there is one), and its feedback joins the feedback of those who agreed.
    """
    agreeing = list(
        ReviewVote.objects.filter(review=review, vote=outcome)
        .select_related("seat__user")
        .order_by("voted_at", "id")
    )
    decider = next(v.seat.user for v in agreeing if state["seats"].get(v.seat_id))
    feedback = "\n\n".join(v.feedback for v in agreeing)
    result = ReviewDecision.objects.create(
        school_id=review.school_id,
        review=review,
        decision=outcome,
        feedback=feedback,
        decided_by=decider,
    )
    review.closed_at = timezone.now()
    review.save(update_fields=["closed_at"])
    if (
        outcome == Decision.AWARD
        and not CreditAward.objects.filter(
            student_id=review.student_id, credit_id=review.credit_id, revoked_at__isnull=True
        ).exists()
    ):
        award = CreditAward.objects.create(
            school_id=review.school_id,
            student_id=review.student_id,
            credit_id=review.credit_id,
            awarded_on=timezone.localdate(),
            review=review,
            awarded_by=decider,
        )
        audit_record(
            actor=decider,
            school=review.school_id,
            action=CREDIT_AWARDED,
            target=award,
            after={"student": review.student_id, "credit": review.credit_id, "review": review.pk},
        )
    audit_record(
        actor=decider,
        school=review.school_id,
        action=CREDIT_REVIEW_DECIDED,
        target=result,
        after={
            "decision": outcome,
            "feedback": feedback,
            "votes": {str(k): v for k, v in state["votes"].items()},
            "policy": review.credit.decision_policy,
        },
    )
    engine.refresh_credits(review.student, [review.credit_id], actor=decider)
    engine.refresh_graduation(review.student)
    return result


def credit_award_revoke(*, actor, award: CreditAward, reason: str) -> CreditAward:
    """Revoke an award (registrar only, with a reason). The award row keeps its history."""
    access.require_revoke_and_retire(actor, award.school_id, "revoke a mastery credit")
    if not (reason or "").strip():
        refuse("reason", "Say why the credit is being revoked.")
    if award.revoked_at is not None:
        refuse(None, "That award has already been revoked.")
    reason = reason.strip()
    if len(reason) > 2000:
        refuse("reason", "Keep the reason under 2000 characters.")
    with transaction.atomic(durable=True):
        lock_students([award.student_id])
        award = CreditAward.objects.select_for_update().get(pk=award.pk)
        if award.revoked_at is not None:
            refuse(None, "That award has already been revoked.")
        award.revoked_at, award.revoked_by, award.revoke_reason = timezone.now(), actor, reason
        award.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        audit_record(
            actor=actor,
            school=award.school_id,
            action=CREDIT_REVOKED,
            target=award,
            before={"student": award.student_id, "credit": award.credit_id, "revoked_at": None},
            after={
                "student": award.student_id,
                "credit": award.credit_id,
                "revoked_at": award.revoked_at,
            },
            note=reason,
        )
        engine.refresh_credits(award.student, [award.credit_id], actor=actor)
        engine.refresh_graduation(award.student)
    return award
