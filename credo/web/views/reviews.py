"""Credit reviews: the queue, one review with its bundle and panel, scheduling, inviting outside
experts by a signed expiring link, and recording each decision — award, or "not yet" with feedback."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from credo.accounts.models import MANAGER_ROLES, STAFF_ROLES, Role, User
from credo.evidence.models import Evidence
from credo.mastery import selectors as mastery
from credo.mastery import services
from credo.mastery.models import CreditProgress, CreditReview, MasteryState, PanelSeat
from credo.web import invites
from credo.web.forms.reviews import DecisionForm, GuestForm, ScheduleForm
from credo.web.views.common import page, require_roles, save_form, school_page

QUEUE_ROLES = STAFF_ROLES | {Role.REVIEWER}


def _review(request, school, review_id) -> CreditReview:
    """Return the review if the user is staff or sits on its panel; else Http404."""
    review = (
        CreditReview.objects.filter(pk=review_id, school=school)
        .select_related("student", "credit__area", "requested_by")
        .first()
    )
    if review is None:
        raise Http404("No such review.")
    if (
        request.roles & STAFF_ROLES
        or PanelSeat.objects.filter(review=review, user=request.user).exists()
    ):
        return review
    raise Http404("No such review.")


@login_required
@school_page
def queue(request, school):
    """Open credit reviews, soonest first (decided ones on request). Reviewers see their own panels."""
    require_roles(request, QUEUE_ROLES, "see credit reviews")
    seated_only = not (request.roles & STAFF_ROLES)
    show = request.GET.get("show", "open")
    reviews = mastery.review_queue(
        school, user=request.user, seated_only=seated_only, open_only=show != "decided"
    )
    if show == "decided":
        reviews = reviews.filter(closed_at__isnull=False).order_by("-closed_at")
    return page(
        request,
        "web/reviews/queue.html",
        {"reviews": reviews, "show": show, "seated_only": seated_only},
    )


def _people(school):
    staff = {Role.ADMIN, Role.REGISTRAR, Role.TEACHER, Role.ADVISOR, Role.REVIEWER}
    return (
        User.objects.filter(memberships__school=school, memberships__role__in=staff)
        .distinct()
        .order_by("display_name", "username")
    )


def _case_items(review) -> list:
    """Return the credit's requirement items, each with the student's current mastery state on
    its competency (`item.state`, None when there is no evidence yet): two queries in all."""
    items = list(review.credit.items.select_related("competency").order_by("id"))
    states = {
        s.competency_id: s
        for s in MasteryState.objects.filter(
            student_id=review.student_id, competency_id__in=[i.competency_id for i in items]
        )
    }
    for item in items:
        item.state = states.get(item.competency_id)
    return items


def _detail_context(request, school, review, **forms):
    seats = list(
        PanelSeat.objects.filter(review=review).select_related("user").order_by("invited_at", "id")
    )
    staff = bool(request.roles & STAFF_ROLES)
    guests = (
        [
            (
                s,
                request.build_absolute_uri(
                    reverse("web:guest_review", args=[invites.invitation_token(s)])
                ),
                invites.expires_on(s),
            )
            for s in seats
            if not s.user_id
        ]
        if staff
        else []
    )
    may_decide = review.is_open and (
        any(s.user_id == request.user.pk for s in seats) or bool(request.roles & MANAGER_ROLES)
    )
    progress = CreditProgress.objects.filter(student=review.student, credit=review.credit).first()
    context = {
        "review": review,
        "seats": seats,
        "guests": guests,
        "staff": staff,
        "may_decide": may_decide,
        "bundle": Evidence.objects.filter(pk__in=review.bundle.values("evidence_id")).order_by(
            "demonstrated_on"
        ),
        "decisions": review.decisions.select_related("decided_by", "decided_by_guest"),
        "progress": progress,
        "items": _case_items(review),
        "schedule_form": forms.get("schedule_form")
        or (
            ScheduleForm(
                people=_people(school),
                initial={
                    "scheduled_at": review.scheduled_at,
                    "location": review.location,
                    "panel_users": [s.user_id for s in seats if s.user_id],
                },
            )
            if staff and review.is_open
            else None
        ),
        "guest_form": forms.get("guest_form")
        or (GuestForm() if staff and review.is_open else None),
        "decision_form": forms.get("decision_form") or (DecisionForm() if may_decide else None),
    }
    return context


@login_required
@school_page
def detail(request, school, review_id):
    review = _review(request, school, review_id)
    return page(request, "web/reviews/detail.html", _detail_context(request, school, review))


@login_required
@school_page
@require_POST
def schedule(request, school, review_id):
    review = _review(request, school, review_id)
    require_roles(request, STAFF_ROLES, "schedule reviews")
    form = ScheduleForm(request.POST, people=_people(school))
    if save_form(
        form,
        lambda d: services.credit_review_schedule(
            actor=request.user,
            review=review,
            scheduled_at=d["scheduled_at"],
            location=d["location"].strip(),
            panel_users=list(d["panel_users"]),
        ),
    ):
        messages.success(request, "Schedule and panel saved.")
        return redirect("web:review", school.slug, review.pk)
    return page(
        request,
        "web/reviews/detail.html",
        _detail_context(request, school, review, schedule_form=form),
    )


@login_required
@school_page
@require_POST
def invite(request, school, review_id):
    """Seat an outside expert on the panel and show the signed link to send them."""
    review = _review(request, school, review_id)
    require_roles(request, STAFF_ROLES, "invite reviewers")
    form = GuestForm(request.POST)
    if save_form(
        form,
        lambda d: services.credit_review_schedule(
            actor=request.user,
            review=review,
            scheduled_at=review.scheduled_at,
            location=review.location,
            guests=[(d["guest_name"].strip(), d["guest_email"], d["guest_expertise"].strip())],
        ),
    ):
        messages.success(
            request, f"{form.cleaned_data['guest_name']} is on the panel. Send them the link below."
        )
        return redirect("web:review", school.slug, review.pk)
    return page(
        request,
        "web/reviews/detail.html",
        _detail_context(request, school, review, guest_form=form),
    )


@login_required
@school_page
@require_POST
def decide(request, school, review_id):
    review = _review(request, school, review_id)
    form = DecisionForm(request.POST)
    if save_form(
        form,
        lambda d: services.credit_review_decide(
            review=review,
            decision=d["decision"],
            feedback=d["feedback"].strip(),
            actor=request.user,
        ),
    ):
        messages.success(
            request,
            "Decision recorded."
            if form.cleaned_data["decision"] == "not_yet"
            else f"Credit awarded to {review.student}.",
        )
        return redirect("web:review", school.slug, review.pk)
    context = _detail_context(request, school, review, decision_form=form)
    return page(request, "web/reviews/detail.html", context)


# --- outside experts: no account, a signed expiring link ------------------------------------------


def _guest_seat(token: str) -> PanelSeat:
    try:
        seat_id, review_id = invites.seat_id_from_token(token)
    except invites.InvitationExpired:
        raise _Expired() from None
    except signing.BadSignature:
        raise Http404("This invitation link is not valid.") from None
    seat = (
        PanelSeat.objects.filter(pk=seat_id, review_id=review_id, user__isnull=True)
        .select_related("review__student", "review__credit__area", "review__school")
        .first()
    )
    if seat is None:
        raise Http404("This invitation link is not valid.")
    return seat


class _Expired(Exception):
    pass


@require_http_methods(["GET", "POST"])
def guest_review(request, token):
    """The page an invited outside expert opens: the student's case, the evidence bundle, and the
    decision form. No account; the link is signed and expires."""
    try:
        seat = _guest_seat(token)
    except _Expired:
        return render(request, "web/reviews/guest_expired.html", status=410)
    review = seat.review
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and save_form(
        form,
        lambda d: services.credit_review_decide(
            review=review, decision=d["decision"], feedback=d["feedback"].strip(), seat=seat
        ),
    ):
        return redirect("web:guest_review", token)
    review.refresh_from_db(fields=["closed_at"])
    context = {
        "seat": seat,
        "review": review,
        "token": token,
        "school": review.school,
        "form": form,
        "bundle": Evidence.objects.filter(pk__in=review.bundle.values("evidence_id")).order_by(
            "demonstrated_on"
        ),
        "decisions": review.decisions.select_related("decided_by", "decided_by_guest"),
        "items": _case_items(review),
    }
    return render(request, "web/reviews/guest.html", context)


def guest_evidence_file(request, token, evidence_id):
    try:
        seat = _guest_seat(token)
    except _Expired:
        return render(request, "web/reviews/guest_expired.html", status=410)
    evidence = Evidence.objects.filter(
        pk=evidence_id, pk__in=seat.review.bundle.values("evidence_id")
    ).first()
    if evidence is None or not evidence.file:
        raise Http404("No such file.")
    return FileResponse(
        evidence.file.open("rb"), as_attachment=True, filename=evidence.file.name.rsplit("/", 1)[-1]
    )
