"""Credit reviews: the queue, one review with its bundle and panel, scheduling, inviting outside
experts by a signed expiring link, and recording each decision — award, or "not yet" with feedback."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from credo.accounts.http import school_page
from credo.accounts.models import PANEL_STAFF_ROLES, Role, User
from credo.core.http import page, save_form
from credo.evidence.files import evidence_file_response
from credo.evidence.models import Evidence
from credo.mastery import access, invites, services
from credo.mastery import selectors as mastery
from credo.mastery.models import CreditProgress, MasteryState, PanelSeat, ReviewVote
from credo.web.forms.reviews import DecisionForm, GuestForm, ScheduleForm


@login_required
@school_page
def queue(request, school):
    """The credit reviews the user may open, soonest first (decided ones on request)."""
    if not access.can_see_reviews(request.user, school):
        raise PermissionDenied("Your role in this school does not let you see credit reviews.")
    show = request.GET.get("show", "open")
    everyone = access.can_form_panel(request.user, school) or bool(
        request.roles & {Role.ADMIN, Role.REGISTRAR}
    )
    reviews = mastery.review_queue(school, user=request.user, open_only=show != "decided")
    if show == "decided":
        reviews = reviews.filter(closed_at__isnull=False).order_by("-closed_at")
    return page(
        request,
        "web/reviews/queue.html",
        {"reviews": reviews, "show": show, "seated_only": not everyone},
    )


def _people(school):
    """Return who may be seated on a panel: the school's staff, review coordinators and reviewers."""
    return (
        User.objects.filter(
            memberships__school=school,
            memberships__role__in=PANEL_STAFF_ROLES | {Role.REVIEWER},
        )
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


def case_context(review) -> dict:
    """What every panel member reads before voting: the case, the bundle, what the student still
    lacks for the requirement, the votes so far, the decision and the policy."""
    return {
        "bundle": Evidence.objects.filter(pk__in=review.bundle.values("evidence_id")).order_by(
            "demonstrated_on"
        ),
        "decisions": review.decisions.select_related("decided_by", "decided_by_guest"),
        "votes": ReviewVote.objects.filter(review=review).select_related("seat__user"),
        "items": _case_items(review),
        "missing": services.credit_requirement_missing(review.student, review.credit)
        if review.is_open
        else [],
        "panel": services.panel_state(review),
    }


def _detail_context(request, school, review, **forms):
    seats = list(
        PanelSeat.objects.filter(review=review).select_related("user").order_by("invited_at", "id")
    )
    can = access.review_permissions(request.user, review)
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
        if can["see_links"]
        else []
    )
    progress = CreditProgress.objects.filter(student=review.student, credit=review.credit).first()
    context = {
        "review": review,
        "seats": seats,
        "guests": guests,
        "review_can": can,
        "may_decide": can["decide"],
        "progress": progress,
        **case_context(review),
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
            if can["form_panel"]
            else None
        ),
        "guest_form": forms.get("guest_form") or (GuestForm() if can["invite"] else None),
        "decision_form": forms.get("decision_form") or (DecisionForm() if can["decide"] else None),
    }
    return context


@login_required
@school_page
def detail(request, school, review_id):
    review = access.access_review(user=request.user, school=school, review_id=review_id)
    return page(request, "web/reviews/detail.html", _detail_context(request, school, review))


@login_required
@school_page
@require_POST
def schedule(request, school, review_id):
    review = access.access_review(user=request.user, school=school, review_id=review_id)
    access.require_form_panel(request.user, school)
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
        messages.success(request, _("Schedule and panel saved."))
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
    """Seat an outside expert on the panel and e-mail them their signed link."""
    review = access.access_review(user=request.user, school=school, review_id=review_id)
    access.require_form_panel(request.user, school)
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
            request,
            _("%(name)s is on the panel; their link was e-mailed to %(email)s.")
            % {"name": form.cleaned_data["guest_name"], "email": form.cleaned_data["guest_email"]},
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
    """Record the user's vote as a member of the panel; the credit's policy says when it decides."""
    review = access.access_review(user=request.user, school=school, review_id=review_id)
    if not access.can_decide_review(request.user, review):
        raise PermissionDenied("Only a member of this panel who has not voted yet may vote.")
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
        review.refresh_from_db(fields=["closed_at"])
        if not review.is_open:
            outcome = review.decisions.order_by("-id").first()
            messages.success(
                request,
                _("Your vote decided the review: credit awarded to %(student)s.")
                % {"student": review.student}
                if outcome and outcome.decision == "award"
                else _("Your vote decided the review: not yet."),
            )
        else:
            messages.success(
                request, _("Vote recorded. The review is decided when the panel agrees.")
            )
        return redirect("web:review", school.slug, review.pk)
    context = _detail_context(request, school, review, decision_form=form)
    return page(request, "web/reviews/detail.html", context)


# --- outside experts: no account, a signed expiring link ------------------------------------------


@require_http_methods(["GET", "POST"])
def guest_review(request, token):
    """The page an invited outside expert opens: the student's case, the evidence bundle, and the
    decision form. No account; the link is signed and expires."""
    try:
        seat = access.access_guest_seat(token=token)
    except invites.InvitationExpired:
        return render(request, "web/reviews/guest_expired.html", status=410)
    review = seat.review
    may_vote = access.can_decide_review(None, review, seat=seat)
    if request.method == "POST" and not may_vote:
        return render(
            request,
            "web/reviews/guest.html",
            {
                "seat": seat,
                "review": review,
                "token": token,
                "school": review.school,
                "form": None,
                **case_context(review),
            },
            status=409,
        )
    form = DecisionForm(request.POST or None) if may_vote else None
    if request.method == "POST" and save_form(
        form,
        lambda d: services.credit_review_decide(
            review=review, decision=d["decision"], feedback=d["feedback"].strip(), seat=seat
        ),
    ):
        return redirect("web:guest_review", token)
    context = {
        "seat": seat,
        "review": review,
        "token": token,
        "school": review.school,
        "form": form,
        **case_context(review),
    }
    return render(request, "web/reviews/guest.html", context)


def guest_evidence_file(request, token, evidence_id):
    try:
        seat = access.access_guest_seat(token=token)
    except invites.InvitationExpired:
        return render(request, "web/reviews/guest_expired.html", status=410)
    evidence = Evidence.objects.filter(
        pk=evidence_id, pk__in=seat.review.bundle.values("evidence_id")
    ).first()
    if evidence is None or not evidence.file:
        raise Http404("No such file.")
    return evidence_file_response(evidence)
