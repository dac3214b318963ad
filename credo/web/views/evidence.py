"""A student's evidence pages — their list, adding a piece (and revising one), a piece with its
feedback, its file, its sharing, a teacher's approval, and classmates' shared work — which the
student, their teachers, advisors and guardians read as `credo.evidence.access` allows."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from credo.accounts.access import access_student, roles_in
from credo.accounts.http import school_page
from credo.accounts.models import STAFF_ROLES
from credo.core.http import next_url, page, save_form
from credo.evidence import selectors as evidence_selectors
from credo.evidence import services as evidence_services
from credo.evidence.access import FULL, access_evidence
from credo.evidence.files import evidence_file_response
from credo.frameworks.models import Competency
from credo.mastery import worklists
from credo.mastery.models import (
    Assessment,
    AssessmentKind,
    MasteryCredit,
)
from credo.schools.models import Section
from credo.web.forms.students import (
    EvidenceForm,
    PeerFeedbackForm,
    SharingForm,
)
from credo.web.views.students import reads_as_staff, viewer_is_student

EVIDENCE_PAGE = 50  # pieces of evidence per page of a student's list
PEER_WORK_PAGE = 25  # classmates' shared pieces per page


@login_required
@school_page
def evidence_list(request, school, student_id):
    """The student's evidence, newest first, fifty to a page."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    return page(
        request,
        "web/students/evidence_list.html",
        {
            "student": student,
            "evidence": Paginator(evidence_selectors.evidence_of(student), EVIDENCE_PAGE).get_page(
                request.GET.get("page")
            ),
            "is_self": viewer_is_student(request, student),
            "can_add": viewer_is_student(request, student) or reads_as_staff(request),
            "can_approve": reads_as_staff(request),
        },
    )


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def evidence_new(request, school, student_id):
    """Submit evidence — a file, a link or a reflection; from a section or from anywhere. With
    `?revises=<evidence>` (and `&feedback=<assessment>`), a revision prompted by that feedback."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    is_self = viewer_is_student(request, student)
    if not (is_self or reads_as_staff(request)):
        raise PermissionDenied("Only the student or their school's staff may add evidence.")
    revises = feedback = None
    if request.GET.get("revises"):
        revises, _ = access_evidence(
            user=request.user, evidence_id=request.GET["revises"], school=school
        )
        if revises.student_id != student.pk:
            raise Http404("No such evidence.")
    if request.GET.get("feedback"):
        feedback = (
            Assessment.objects.filter(pk=request.GET["feedback"], school=school, student=student)
            .select_related("competency")
            .first()
        )
        if feedback is None:
            raise Http404("No such feedback.")
    sections = (
        Section.objects.filter(school=school, enrollments__student=student)
        .select_related("experience", "term")
        .order_by("-term__starts_on", "experience__title")
    )
    competencies = (
        Competency.objects.filter(school=school)
        .exclude(kind="domain")
        .exclude(framework__kind="educator")  # educators' own competencies (credo/growth)
        .select_related("framework", "parent")
        .order_by("framework__kind", "framework_id", "sequence", "code")
    )
    credits = (
        MasteryCredit.objects.filter(school=school)
        .select_related("area")
        .order_by("area__order", "level", "order", "code")
    )
    initial = {}
    if revises is not None:
        initial = {
            "kind": revises.kind,  # the same kind of work, unless the student picks another
            "title": revises.title,
            "section": revises.section_id,
            "outside_school": revises.outside_school,
            "vouched_by": revises.vouched_by,
            "competencies": list(revises.competency_tags.values_list("competency_id", flat=True)),
            "credits": list(revises.credit_tags.values_list("credit_id", flat=True)),
        }
    if feedback is not None:
        initial.setdefault("competencies", [feedback.competency_id])
    form = EvidenceForm(
        request.POST or None,
        request.FILES or None,
        sections=sections,
        competencies=competencies,
        credits=credits,
        staff=not is_self,
        initial=initial,
        today=school.today(),
    )
    if request.method == "POST":
        evidence = save_form(
            form,
            lambda d: evidence_services.evidence_submit(
                actor=request.user,
                student=student,
                kind=d["kind"],
                title=d["title"],
                body=d["body"],
                url=d["url"],
                file=d["file"],
                demonstrated_on=d["demonstrated_on"],
                section=d["section"],
                outside_school=d["outside_school"],
                vouched_by=d["vouched_by"],
                competencies=d["competencies"],
                credits=d["credits"],
                shared_with_peers=d["shared_with_peers"],
                highlighted=d["highlighted"],
                revision_of=revises,
                responds_to=feedback,
            ),
        )
        if evidence:
            messages.success(request, f"Added “{evidence.title}” to the record.")
            return redirect("web:evidence", evidence.pk)
    return page(
        request,
        "web/students/evidence_new.html",
        {
            "student": student,
            "form": form,
            "revises": revises,
            "feedback": feedback,
            "is_self": is_self,
        },
    )


def _evidence_page(request, evidence_id):
    evidence, mode = access_evidence(user=request.user, evidence_id=evidence_id)
    request.school = evidence.student.school
    request.roles = roles_in(request.user, request.school)
    return evidence, mode


@login_required
@require_http_methods(["GET", "POST"])
def evidence_detail(request, evidence_id):
    """One piece of evidence: the work, what it was put forward for, how it was assessed, the revisions
    and the feedback that prompted them, and peer feedback. A classmate sees only the work and the
    peer feedback."""
    evidence, mode = _evidence_page(request, evidence_id)
    student = evidence.student
    is_self = viewer_is_student(request, student)
    peer_form = PeerFeedbackForm(request.POST or None) if mode != FULL else None
    if request.method == "POST":
        if peer_form is None:
            raise PermissionDenied("Peer feedback is for classmates.")
        if save_form(
            peer_form,
            lambda d: evidence_services.peer_feedback_give(
                actor=request.user, evidence=evidence, body=d["body"]
            ),
        ):
            messages.success(request, "Thank you — your feedback was shared with your classmate.")
            return redirect("web:evidence", evidence.pk)
    context = {
        "evidence": evidence,
        "student": student,
        "mode": mode,
        "is_self": is_self,
        "peer_feedback": evidence_selectors.peer_feedback_on(evidence),
        "peer_form": peer_form,
    }
    if mode == FULL:
        context.update(
            {
                "assessments": Assessment.objects.filter(evidence=evidence, retraction=False)
                .select_related("competency", "assessor")
                .order_by("demonstrated_on", "assessed_at", "id"),
                "tags": evidence.competency_tags.select_related("competency"),
                "assess_in": worklists.assess_places(request.user, evidence)
                if request.user.is_authenticated
                else {},
                "credit_tags": evidence.credit_tags.select_related("credit"),
                "chain": evidence_selectors.revision_chain(evidence),
                "revisions": evidence.revisions.order_by("submitted_at", "id"),
                "sharing": SharingForm(
                    initial={
                        "shared_with_peers": evidence.shared_with_peers,
                        "highlighted": evidence.highlighted,
                    }
                )
                if is_self
                else None,
                "can_approve": bool(request.roles & STAFF_ROLES) and not evidence.approved,
                "formative": AssessmentKind.FORMATIVE,
            }
        )
    return page(request, "web/students/evidence_detail.html", context)


@login_required
def evidence_file(request, evidence_id):
    evidence, _ = _evidence_page(request, evidence_id)
    if not evidence.file:
        raise Http404("No file.")
    return evidence_file_response(evidence)


@login_required
@require_POST
def evidence_sharing(request, evidence_id):
    evidence, mode = _evidence_page(request, evidence_id)
    form = SharingForm(request.POST)
    if save_form(
        form,
        lambda d: evidence_services.evidence_set_sharing(
            actor=request.user,
            evidence=evidence,
            shared_with_peers=d["shared_with_peers"],
            highlighted=d["highlighted"],
        ),
    ):
        messages.success(request, "Sharing saved.")
    return redirect("web:evidence", evidence.pk)


@login_required
@require_POST
def evidence_approve(request, evidence_id):
    evidence, mode = _evidence_page(request, evidence_id)
    if mode != FULL:
        raise PermissionDenied("Only an educator may approve evidence.")
    try:
        evidence_services.evidence_approve(actor=request.user, evidence=evidence)
    except evidence_services.ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, "Approved. It now counts toward the credits it is put forward for."
        )
    return redirect(next_url(request, reverse("web:evidence", args=[evidence.pk])))


@login_required
@school_page
def peer_work(request, school, student_id):
    """The work classmates chose to share, for the student to give peer feedback on."""
    student = access_student(user=request.user, student_id=student_id, school=school)
    if not viewer_is_student(request, student):
        raise PermissionDenied("Peer work is shown only to the student.")
    every_term = request.GET.get("terms") == "all"
    term = None if every_term else evidence_selectors.latest_term_of(student)
    shared = Paginator(
        evidence_selectors.shared_by_classmates(student, term=term), PEER_WORK_PAGE
    ).get_page(request.GET.get("page"))
    return page(
        request,
        "web/students/peers.html",
        {
            "student": student,
            "is_self": True,
            "shared": shared,
            "term": term,
            "every_term": every_term,
            "mine": evidence_selectors.evidence_of(student)
            .filter(shared_with_peers=True)
            .prefetch_related("peer_feedback__author"),
        },
    )
