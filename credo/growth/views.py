"""The growth pages: an educator's record, observing, and the leaders' staff overview.

Every page asks `growth.access`; every write is a `growth.services` call. Refusals answer 403,
records the visitor may not see 404, and bad input comes back as a message on the page.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.accounts.access import is_staff_of
from credo.accounts.http import school_page
from credo.core.http import page
from credo.evidence.models import EvidenceKind
from credo.growth import access, selectors, services
from credo.growth.models import ObserverRole, SupportKind

EVIDENCE_KINDS = [
    (EvidenceKind.LINK, "A link (a recording, a lesson plan online)"),
    (EvidenceKind.FILE, "A file (a lesson plan, students' work)"),
    (EvidenceKind.TEXT, "A reflection"),
]


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip())
    except ValueError:
        return None


def _int(value) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _refused(request, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _on_record(request, school, found, write, done: str):
    """Run one write on an educator's record; say what was done or why not; back to the record."""
    try:
        write()
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, done)
    return redirect("growth:educator", school.slug, found.pk)


def _require_staff(request, school) -> None:
    if not is_staff_of(request.user, school):
        raise PermissionDenied("Educators' growth is for the school's staff.")


def _staff_user(school, user_id):
    return selectors.staff_member(school, _int(user_id))


@require_GET
@login_required
@school_page
def index(request, school):
    """The staff member's way in: their own record, the colleagues they coach or mentor."""
    _require_staff(request, school)
    mine = access.own_record(request.user, school)
    visible = [
        e for e in access.educators_visible_to(request.user, school) if e.user_id != request.user.pk
    ]
    return page(
        request,
        "growth/index.html",
        {
            "mine": mine,
            "supported": visible,
            "leader": access.can_manage(request.user, school),
            "framework": selectors.educator_framework(school),
        },
    )


@require_GET
@login_required
@school_page
def educator(request, school, educator_id):
    """One educator's record: levels, evidence, feedback, plan and micro-credentials."""
    found = access.access_educator(user=request.user, school=school, educator_id=educator_id)
    user = request.user
    rec = selectors.record(found)
    return page(
        request,
        "growth/educator.html",
        {
            "rec": rec,
            "educator": found,
            "is_self": access.is_self(user, found),
            "can_observe": access.can_observe(user, found),
            "can_plan": access.can_plan(user, found),
            "leader": access.can_manage(user, school),
            "evidence_kinds": EVIDENCE_KINDS,
            "support_kinds": SupportKind.choices,
            "colleagues": selectors.staff_members(school, exclude=found.user_id),
            "today": school.today().isoformat(),
        },
    )


@require_POST
@login_required
@school_page
def evidence_add(request, school, educator_id):
    found = access.access_educator(user=request.user, school=school, educator_id=educator_id)
    return _on_record(
        request,
        school,
        found,
        lambda: services.growth_evidence_add(
            actor=request.user,
            educator=found,
            kind=request.POST.get("kind", ""),
            title=request.POST.get("title", ""),
            demonstrated_on=_date(request.POST.get("demonstrated_on")),
            body=request.POST.get("body", ""),
            url=request.POST.get("url", ""),
            file=request.FILES.get("file"),
            competency_ids=request.POST.getlist("competencies"),
            responds_to_id=_int(request.POST.get("responds_to")),
        ),
        _("Evidence added to your record."),
    )


@require_POST
@login_required
@school_page
def self_assess(request, school, educator_id):
    found = access.access_educator(user=request.user, school=school, educator_id=educator_id)
    return _on_record(
        request,
        school,
        found,
        lambda: services.self_assess(
            actor=request.user,
            educator=found,
            competency_id=request.POST.get("competency"),
            value=request.POST.get("value", ""),
            note=request.POST.get("note", ""),
        ),
        _("Self-assessment saved."),
    )


@require_http_methods(["GET", "POST"])
@login_required
@school_page
def observe(request, school, educator_id):
    """The observation form: notes, a rating on each competency seen, feedback."""
    found = access.access_observable(
        user=request.user, school=school, educator_id=_int(educator_id)
    )
    if request.method == "POST":
        ratings = {
            key.removeprefix("rating-"): value
            for key, value in request.POST.items()
            if key.startswith("rating-")
        }
        try:
            services.observation_record(
                actor=request.user,
                educator=found,
                observed_on=_date(request.POST.get("observed_on")),
                notes=request.POST.get("notes", ""),
                ratings=ratings,
                feedback=request.POST.get("feedback", ""),
            )
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(
                request, _("Observation of %(educator)s recorded.") % {"educator": found}
            )
            if access.can_see(request.user, found):
                return redirect("growth:educator", school.slug, found.pk)
            return redirect("growth:index", school.slug)
    framework = selectors.educator_framework(school)
    role = access.observer_role(request.user, found)
    return page(
        request,
        "growth/observe.html",
        {
            "educator": found,
            "competencies": selectors.competencies(school),
            "levels": list(framework.scale.levels.all()) if framework else [],
            "role": role.label,
            "peer": role == ObserverRole.PEER,
            "today": school.today().isoformat(),
            "post": request.POST if request.method == "POST" else {},
        },
    )


@require_POST
@login_required
@school_page
def plan(request, school, educator_id):
    found = access.access_educator(user=request.user, school=school, educator_id=educator_id)
    return _on_record(
        request,
        school,
        found,
        lambda: services.plan_save(
            actor=request.user,
            educator=found,
            target_ids=request.POST.getlist("targets"),
            next_steps=request.POST.get("next_steps", ""),
        ),
        _("Growth plan saved."),
    )


@require_POST
@login_required
@school_page
def request_review(request, school, educator_id):
    found = access.access_educator(user=request.user, school=school, educator_id=educator_id)
    return _on_record(
        request,
        school,
        found,
        lambda: services.microcredential_request(
            actor=request.user,
            educator=found,
            credit_id=request.POST.get("credit"),
            statement=request.POST.get("statement", ""),
            evidence_ids=request.POST.getlist("evidence"),
        ),
        _("Review requested: a panel will be formed to decide."),
    )


@require_POST
@login_required
@school_page
def issue(request, school, educator_id):
    found = access.access_educator(user=request.user, school=school, educator_id=educator_id)
    return _on_record(
        request,
        school,
        found,
        lambda: services.microcredential_issue(
            actor=request.user, educator=found, award_id=_int(request.POST.get("award"))
        ),
        _("The school's Open Badge was issued."),
    )


@require_POST
@login_required
@school_page
def support(request, school, educator_id):
    found = access.access_educator(user=request.user, school=school, educator_id=educator_id)
    return _on_record(
        request,
        school,
        found,
        lambda: services.support_assign(
            actor=request.user,
            educator=found,
            supporter=_staff_user(school, request.POST.get("supporter")),
            kind=request.POST.get("kind", ""),
        ),
        _("Saved."),
    )


@require_POST
@login_required
@school_page
def peer(request, school, educator_id):
    found = access.access_educator(user=request.user, school=school, educator_id=educator_id)
    return _on_record(
        request,
        school,
        found,
        lambda: services.peer_invite(
            actor=request.user,
            educator=found,
            peer=_staff_user(school, request.POST.get("peer")),
        ),
        _("Invitation saved: they can now observe you."),
    )


@require_POST
@login_required
@school_page
def support_end(request, school, educator_id, support_id):
    """A leader ends a coach's or mentor's support: from today they no longer see the record."""
    found = access.access_educator(user=request.user, school=school, educator_id=educator_id)
    support = access.access_support(user=request.user, educator=found, support_id=support_id)
    return _on_record(
        request,
        school,
        found,
        lambda: services.support_end(actor=request.user, support=support),
        _("%(person)s no longer supports %(educator)s.")
        % {"person": support.supporter, "educator": found},
    )


@require_POST
@login_required
@school_page
def peer_close(request, school, educator_id, invitation_id):
    """The educator (or a leader) closes an invitation: the colleague can no longer observe."""
    found = access.access_educator(user=request.user, school=school, educator_id=educator_id)
    invitation = access.access_invitation(
        user=request.user, educator=found, invitation_id=invitation_id
    )
    return _on_record(
        request,
        school,
        found,
        lambda: services.peer_invitation_close(actor=request.user, invitation=invitation),
        _("Invitation closed: %(person)s can no longer observe.") % {"person": invitation.peer},
    )


def _require_leader(request, school) -> None:
    if not access.can_manage(request.user, school):
        raise PermissionDenied("The staff overview is for the school's leaders.")


@require_GET
@login_required
@school_page
def staff(request, school):
    """Leaders: growth across the staff (small cells hidden), every educator, setting up."""
    _require_leader(request, school)
    has = {e.user_id for e in selectors.staff_list(school)}
    return page(
        request,
        "growth/staff.html",
        {
            "overview": selectors.staff_overview(school),
            "staff_list": selectors.staff_list(school),
            "framework": selectors.educator_framework(school),
            "candidates": [u for u in selectors.staff_members(school) if u.pk not in has],
        },
    )


@require_POST
@login_required
@school_page
def setup(request, school):
    _require_leader(request, school)
    try:
        services.educator_framework_install(actor=request.user, school=school)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("The starter educator framework is ready to adapt."))
    return redirect("growth:staff", school.slug)


@require_POST
@login_required
@school_page
def add(request, school):
    _require_leader(request, school)
    try:
        services.educator_add(
            actor=request.user,
            school=school,
            user=_staff_user(school, request.POST.get("user")),
            new_hire=request.POST.get("new_hire") == "on",
        )
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Growth record opened."))
    return redirect("growth:staff", school.slug)


@require_POST
@login_required
@school_page
def journey(request, school):
    _require_leader(request, school)
    try:
        made = services.journey_link(actor=request.user, school=school)
    except ValidationError as exc:
        _refused(request, exc)
    else:
        messages.success(request, _("Linked to %(n)s journey competencies.") % {"n": len(made)})
    return redirect("growth:staff", school.slug)
