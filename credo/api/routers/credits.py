"""The API's credits router: credits, a student's progress and graduation, revoking an award."""

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from ninja import Router
from ninja.pagination import paginate

from credo.api.models import Scope
from credo.api.routers.common import _Mapped, _school, _student
from credo.api.schemas import (
    ERRORS,
    AwardOut,
    AwardRevokeIn,
    CreditOut,
    CreditProgressOut,
    GraduationOut,
    Paged,
)
from credo.core.errors import NotAllowed
from credo.mastery.models import CreditRequirementItem, MasteryCredit

router = Router()


@router.get(
    "/schools/{slug}/credits",
    response={200: list[CreditOut], **ERRORS},
    tags=["credits"],
    summary="The school's mastery credits and what each requires",
)
@paginate(Paged)
def credits(request, slug: str):
    school = _school(request, slug)
    qs = (
        MasteryCredit.objects.filter(school=school)
        .select_related("area")
        .prefetch_related(Prefetch("items", queryset=CreditRequirementItem.objects.order_by("id")))
        .order_by("area__order", "level", "order", "code", "id")
    )

    def out(c) -> dict:
        return {
            "id": c.pk,
            "code": c.code,
            "title": c.title,
            "level": c.level,
            "standard": c.standard,
            "area": {"code": c.area.code, "name": c.area.name, "colour": c.area.colour},
            "rule": c.rule,
            "rule_n": c.rule_n,
            "min_evidence": c.min_evidence,
            "review_required": c.review_required,
            "items": [
                {"competency_id": i.competency_id, "points": i.points, "required": i.required}
                for i in c.items.all()
            ],
        }

    return _Mapped(qs, out)


@router.get(
    "/schools/{slug}/students/{student_id}/credits",
    response={200: list[CreditProgressOut], **ERRORS},
    tags=["credits"],
    summary="A student's progress on every credit",
)
def credit_progress(request, slug: str, student_id: int):
    from credo.mastery.selectors import credit_progress_by_area

    _, student = _student(request, slug, student_id)
    rows = []
    for area in credit_progress_by_area(student):
        for line in [*area.foundational, *area.advanced]:
            rows.append(
                {
                    "credit_id": line.credit.pk,
                    "code": line.credit.code,
                    "title": line.credit.title,
                    "level": line.credit.level,
                    "area": area.area.name,
                    "status": line.status,
                    "status_label": str(line.status_label),
                    "proficient_count": line.proficient_count,
                    "item_count": line.item_count,
                    "awarded_on": line.awarded_on,
                }
            )
    return rows


@router.get(
    "/schools/{slug}/students/{student_id}/graduation",
    response={200: GraduationOut, **ERRORS},
    tags=["credits"],
    summary="A student's progress toward graduation",
)
def graduation(request, slug: str, student_id: int):
    from credo.mastery.selectors import graduation_of

    _, student = _student(request, slug, student_id)
    status = graduation_of(student)
    if status is None:
        return {
            "eligible": False,
            "rules_met": 0,
            "rules_total": 0,
            "foundational_awarded": 0,
            "advanced_awarded": 0,
            "detail": [],
        }
    return {
        "eligible": status.eligible,
        "rules_met": status.rules_met,
        "rules_total": status.rules_total,
        "foundational_awarded": status.foundational_awarded,
        "advanced_awarded": status.advanced_awarded,
        "detail": status.detail or [],
    }


@router.post(
    "/schools/{slug}/students/{student_id}/credits/{credit_id}/revoke",
    response={200: AwardOut, **ERRORS},
    tags=["credits"],
    summary="Revoke a student's award of a credit, with a reason (registrars)",
)
def award_revoke(request, slug: str, student_id: int, credit_id: int, payload: AwardRevokeIn):
    from credo.mastery import access as mastery_access
    from credo.mastery import services as mastery_services

    school, student = _student(request, slug, student_id, Scope.ADMIN)
    try:
        award = mastery_access.access_award(user=request.user, student=student, credit_id=credit_id)
        award = mastery_services.credit_award_revoke(
            actor=request.user, award=award, reason=payload.reason
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    return {
        "student_id": award.student_id,
        "credit_id": award.credit_id,
        "code": award.credit.code,
        "awarded_on": award.awarded_on,
        "revoked_at": award.revoked_at,
        "revoke_reason": award.revoke_reason,
    }
