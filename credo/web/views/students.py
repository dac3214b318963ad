"""A student's pages — the dashboard, how a level was computed and a teacher's judgment, credit-review
requests, revoking an award and their story — which advisors, teachers and guardians read
(guardians read only). Their evidence pages are in `evidence.py`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Case, Value, When
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from credo.accounts.access import access_student, is_student_self
from credo.accounts.http import school_page
from credo.accounts.models import MANAGER_ROLES, STAFF_ROLES, Role
from credo.core.http import next_url, page, save_form
from credo.evidence import selectors as evidence_selectors
from credo.evidence import services as evidence_services
from credo.evidence.models import StudentStory
from credo.frameworks.models import Competency
from credo.mastery import access as mastery_access
from credo.mastery import asof
from credo.mastery import selectors as mastery
from credo.mastery import services as mastery_services
from credo.mastery.gradebook import graduation_pace
from credo.mastery.models import (
    CreditStatus,
)
from credo.web.forms.manage import RevokeAwardForm
from credo.web.forms.students import (
    JudgmentForm,
    JudgmentWithdrawForm,
    ReviewRequestForm,
    StoryForm,
)
from credo.web.views.asof import as_of_request

REVIEW_OPEN = {CreditStatus.UNDER_REVIEW, CreditStatus.AWARDED}


def viewer_is_student(request, student) -> bool:
    return is_student_self(request.user, student)


def reads_as_staff(request) -> bool:
    return bool(request.roles & STAFF_ROLES)


def _profile_svg(student, areas) -> str:
    """Draw the student's credit profile; an empty string when the renderer is unavailable."""
    try:
        from credo.transcripts.profile import ProfileArea, ProfileCell, render_profile_svg
    except ImportError:  # pragma: no cover - the renderer ships with the transcripts app
        return ""
    shapes = []
    for a in areas:
        cells = []
        for level, lines in (("foundational", a.foundational), ("advanced", a.advanced)):
            for line in lines:
                state = (
                    "earned"
                    if line.status == CreditStatus.AWARDED
                    else "not_started"
                    if line.status == CreditStatus.NOT_STARTED
                    else "in_progress"
                )
                cells.append(ProfileCell(line.credit.title, level, state, line.status_label))
        if cells:
            shapes.append(ProfileArea(a.area.name, a.area.colour, cells, a.area.code))
    if not shapes:
        return ""
    try:
        return render_profile_svg(
            shapes, title=f"Credit profile of {student}", size=380, id_prefix="dash"
        )
    except ValueError:
        return ""


def _by_domain(explained):
    """Return (domain, entries) pairs, the domains in the framework's order and each one's
    competencies in theirs: a student's long list reads as a few short ones."""
    groups: dict[int | None, tuple] = {}
    for e in explained:
        top = mastery.top_of_tree(e.competency)
        domain = top if top.pk != e.competency.pk else None  # a competency with no parent
        groups.setdefault(domain and domain.pk, (domain, []))[1].append(e)
    return sorted(
        groups.values(), key=lambda g: (g[0].sequence, g[0].code) if g[0] else (10**9, "")
    )


@login_required
@school_page
def competency_how(request, school, student_id, competency_id):
    """How one of the student's levels was computed: the method, every assessment and the arithmetic
    — the dashboard's "How", fetched when opened; a page of its own without script."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    competency = (
        Competency.objects.filter(pk=competency_id, school=school)
        .exclude(kind="domain")
        .select_related("framework__scale", "scale")
        .first()
    )
    if competency is None:
        raise Http404("No such competency.")
    context = {"student": student, "e": mastery.competency_history(student, competency)}
    if request.htmx:
        return page(request, "web/students/_how.html", context)
    return _how_page(request, student, competency, context)


def _how_page(request, student, competency, context, *, form=None, withdraw_form=None):
    """The "how it was computed" page, with the judgment forms for a teacher who may judge."""
    if mastery_access.can_judge(request.user, student, competency):
        levels = _judgment_levels(competency)
        context["judge_form"] = form or JudgmentForm(levels=levels)
        context["withdraw_form"] = withdraw_form or JudgmentWithdrawForm()
    return page(request, "web/students/how.html", context)


def _judgment_levels(competency) -> list[tuple[str, str]]:
    """Return the choices of a judgment: the levels of the target's scale ("3", "Proficient (3)")."""
    return [
        (f"{lv.value.normalize():f}", f"{lv.label} ({lv.value.normalize():f})")
        for lv in competency.effective_scale.levels.all()
    ]


def _competency(school, competency_id):
    competency = (
        Competency.objects.filter(pk=competency_id, school=school)
        .exclude(kind="domain")
        .select_related("framework__scale", "scale")
        .first()
    )
    if competency is None:
        raise Http404("No such competency.")
    return competency


@login_required
@school_page
@require_POST
def judgment(request, school, student_id, competency_id):
    """Set a professional judgment of the student's level on the target (with a reason), or
    withdraw the one that stands; then back to how the level is computed."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    competency = _competency(school, competency_id)
    if not mastery_access.can_judge(request.user, student, competency):
        raise PermissionDenied(
            "Only the student's teachers of this target may judge their level, where the school "
            "allows it."
        )
    levels = _judgment_levels(competency)
    withdraw = request.POST.get("action") == "withdraw"
    form = (
        JudgmentWithdrawForm(request.POST)
        if withdraw
        else JudgmentForm(request.POST, levels=levels)
    )
    if withdraw:
        done = save_form(
            form,
            lambda d: mastery_services.judgment_withdraw(
                actor=request.user, student=student, competency=competency, reason=d["reason"]
            ),
        )
    else:
        done = save_form(
            form,
            lambda d: mastery_services.judgment_set(
                actor=request.user,
                student=student,
                competency=competency,
                value=d["value"],
                reason=d["reason"],
            ),
        )
    if done:
        messages.success(
            request,
            "Judgment withdrawn: the calculated level stands."
            if withdraw
            else "Your judgment is recorded and stands in place of the calculated level.",
        )
        return redirect("web:competency_how", school.slug, student.pk, competency.pk)
    context = {"student": student, "e": mastery.competency_history(student, competency)}
    return _how_page(
        request,
        student,
        competency,
        context,
        form=None if withdraw else form,
        withdraw_form=form if withdraw else None,
    )


@login_required
@school_page
def student_dashboard(request, school, student_id):
    """Progress toward graduation by area and level, each competency's level and how it was computed,
    habits of work apart, feedback, reviews, evidence — with the student's own actions."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    day, past = as_of_request(request, school)  # a past day: read-only, replayed from history
    snap = asof.snapshot(school, [student], day) if day else None
    areas = mastery.credit_progress_by_area(student, as_of=snap)
    explained = mastery.competency_lines(student, as_of=snap)
    is_self = viewer_is_student(request, student)
    can_act = (is_self or reads_as_staff(request)) and day is None
    graduation = mastery.graduation_of(student, as_of=snap)
    context = {
        **past,
        "student": student,
        "areas": areas,
        "totals": mastery.area_totals(areas),
        "graduation": graduation,
        "pace": graduation_pace(graduation, student.graduation_year, day or school.today()),
        "academic": _by_domain([e for e in explained if e.competency.framework.kind == "academic"]),
        "habits": [e for e in explained if e.competency.framework.kind == "habits"],
        "feedback": mastery.recent_feedback(student, before=day and asof.end_of(day)),
        "reviews": mastery.reviews_of_student(student),
        "recent_evidence": evidence_selectors.evidence_of(student)[:5],
        "story": evidence_selectors.story_of(student),
        "profile_svg": _profile_svg(student, areas),
        "is_self": is_self,
        "can_act": can_act,
        "is_manager": bool(request.roles & MANAGER_ROLES),
        "is_registrar": day is None and mastery_access.can_revoke_and_retire(request.user, school),
        "review_open": REVIEW_OPEN,
    }
    return page(request, "web/students/dashboard.html", context)


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def review_request(request, school, student_id, credit_id):
    """Ask a panel to review a credit: a statement and a bundle of evidence the student assembles."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    if not mastery_access.can_request_review(request.user, student):
        raise PermissionDenied(
            "Only the student, their advisor, one of their teachers, or whoever administers "
            "reviews may request a review."
        )
    credit = mastery_access.access_credit(user=request.user, school=school, credit_id=credit_id)
    may_override = mastery_access.can_override_requirement(request.user, school)
    suggested = list(
        evidence_selectors.evidence_for_credit(student, credit).values_list("pk", flat=True)
    )
    # What speaks to the credit first (ticked), then everything else, newest first.
    mine = evidence_selectors.evidence_of(student).order_by(
        Case(When(pk__in=suggested, then=Value(0)), default=Value(1)),
        "-demonstrated_on",
        "-id",
    )
    form = ReviewRequestForm(
        request.POST or None,
        evidence=mine,
        suggested=suggested,
        initial={"evidence": suggested},
        may_override=may_override,
    )
    if request.method == "POST":
        review = save_form(
            form,
            lambda d: mastery_services.credit_review_request(
                actor=request.user,
                student=student,
                credit=credit,
                statement=d["statement"].strip(),
                evidence_ids=[e.pk for e in d["evidence"]],
                format=d["format"],
                override_reason=d.get("override_reason", ""),
            ),
        )
        if review:
            messages.success(
                request, f"Review of “{credit}” requested. The school will schedule your panel."
            )
            return redirect("web:student", school.slug, student.pk)
    items = credit.items.select_related("competency")
    states = {
        s.competency_id: s
        for s in student.mastery_states.filter(competency_id__in=[i.competency_id for i in items])
    }
    return page(
        request,
        "web/students/review_request.html",
        {
            "student": student,
            "credit": credit,
            "form": form,
            "items": [(i, states.get(i.competency_id)) for i in items],
            "suggested": set(suggested),
            "missing": mastery_services.credit_requirement_missing(student, credit),
            "may_override": may_override,
        },
    )


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def award_revoke(request, school, student_id, credit_id):
    """A registrar revokes a student's award of a credit, with a reason (kept with the award)."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    if not mastery_access.can_revoke_and_retire(request.user, school):
        raise PermissionDenied("Only a registrar may revoke a mastery credit.")
    award = mastery_access.access_award(user=request.user, student=student, credit_id=credit_id)
    form = RevokeAwardForm(request.POST or None)
    if request.method == "POST" and save_form(
        form,
        lambda d: mastery_services.credit_award_revoke(
            actor=request.user, award=award, reason=d["reason"]
        ),
    ):
        messages.success(
            request,
            f"{award.credit} revoked. Published transcripts stay as they were; each now notes the "
            "revocation, and the next version leaves the credit out.",
        )
        return redirect("web:student", school.slug, student.pk)
    return page(
        request,
        "web/students/award_revoke.html",
        {"student": student, "award": award, "form": form},
    )


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def story(request, school, student_id):
    """The student's draft of their own story for the transcript; an advisor or registrar approves it."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    is_self = viewer_is_student(request, student)
    current = evidence_selectors.story_of(student)
    form = StoryForm(request.POST or None, initial={"body": current.body if current else ""})
    if request.method == "POST":
        if not is_self:
            raise PermissionDenied("Only the student writes their own story.")
        submit = request.POST.get("action") == "submit"
        if save_form(
            form,
            lambda d: evidence_services.story_save(
                actor=request.user, student=student, body=d["body"], submit=submit
            ),
        ):
            messages.success(request, "Sent for approval." if submit else "Draft saved.")
            return redirect("web:story", school.slug, student.pk)
    roles = request.roles
    can_approve = bool(
        current
        and current.body
        and not current.approved
        and (
            roles & MANAGER_ROLES
            or (Role.ADVISOR in roles and student.advisor_id == request.user.pk)
        )
    )
    return page(
        request,
        "web/students/story.html",
        {
            "student": student,
            "story": current,
            "form": form,
            "is_self": is_self,
            "can_approve": can_approve,
        },
    )


@login_required
@school_page
@require_POST
def story_approve(request, school, student_id):
    student = access_student(user=request.user, student_id=student_id, school=school)
    current = StudentStory.objects.filter(student=student).first()
    if current is None:
        raise Http404("No story yet.")
    try:
        evidence_services.story_approve(actor=request.user, story=current)
    except evidence_services.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Story approved for the transcript.")
    return redirect(next_url(request, reverse("web:story", args=[school.slug, student.pk])))
