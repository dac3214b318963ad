"""The API's learning router: a student's evidence, assessments (read and recorded) and mastery."""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Exists, OuterRef
from ninja import Router, Status
from ninja.pagination import paginate

from credo.api.models import Scope
from credo.api.routers.common import _Mapped, _student
from credo.api.schemas import ERRORS, AssessmentIn, AssessmentOut, EvidenceOut, MasteryOut, Paged
from credo.core.errors import NotAllowed
from credo.frameworks.models import Competency
from credo.mastery.models import Assessment

router = Router()


def _evidence_out(e) -> dict:
    return {
        "id": e.pk,
        "student_id": e.student_id,
        "kind": e.kind,
        "title": e.title,
        "body": e.body,
        "url": e.url,
        "has_file": bool(e.file),
        "demonstrated_on": e.demonstrated_on,
        "section_id": e.section_id,
        "experience_id": e.experience_id,
        "outside_school": e.outside_school,
        "highlighted": e.highlighted,
        "approved": e.approved_at is not None,
        "submitted_at": e.submitted_at,
        "competency_ids": [t.competency_id for t in e.competency_tags.all()],
        "credit_ids": [t.credit_id for t in e.credit_tags.all()],
    }


@router.get(
    "/schools/{slug}/students/{student_id}/evidence",
    response={200: list[EvidenceOut], **ERRORS},
    tags=["evidence"],
    summary="A student's evidence, newest first",
)
@paginate(Paged)
def evidence(request, slug: str, student_id: int):
    from credo.evidence.models import Evidence

    _, student = _student(request, slug, student_id)
    qs = (
        Evidence.objects.filter(school_id=student.school_id, student=student)
        .prefetch_related("competency_tags", "credit_tags")
        .order_by("-demonstrated_on", "-id")
    )
    return _Mapped(qs, _evidence_out)


def _assessments():
    later = Assessment.objects.filter(replaces=OuterRef("pk"))
    return Assessment.objects.select_related("competency", "assessor").annotate(
        corrected=Exists(later)
    )


def _assessment_out(a) -> dict:
    return {
        "id": a.pk,
        "student_id": a.student_id,
        "competency_id": a.competency_id,
        "competency_code": a.competency.code,
        "evidence_id": a.evidence_id,
        "assessor": a.assessor.username if a.assessor else None,
        "value": a.value,
        "demonstrated_on": a.demonstrated_on,
        "assessed_at": a.assessed_at,
        "kind": a.kind,
        "feedback": a.feedback,
        "accommodated": a.accommodated,
        "modified_scale": a.modified_scale,
        "task": a.task,
        "replaces_id": a.replaces_id,
        "retraction": a.retraction,
        "counts": not a.retraction and not getattr(a, "corrected", False),
    }


@router.get(
    "/schools/{slug}/students/{student_id}/assessments",
    response={200: list[AssessmentOut], **ERRORS},
    tags=["assessments"],
    summary="A student's assessments, corrections included, in the order they count",
)
@paginate(Paged)
def assessments(request, slug: str, student_id: int):
    _, student = _student(request, slug, student_id)
    qs = (
        _assessments()
        .filter(school_id=student.school_id, student=student)
        .order_by("demonstrated_on", "assessed_at", "id")
    )
    return _Mapped(qs, _assessment_out)


@router.post(
    "/schools/{slug}/assessments",
    response={201: AssessmentOut, **ERRORS},
    tags=["assessments"],
    summary="Record an assessment (scope write:assessments)",
)
def assessment_create(request, slug: str, payload: AssessmentIn):
    from credo.evidence.models import Evidence
    from credo.mastery.services import assessment_record

    school, student = _student(request, slug, payload.student_id, Scope.WRITE_ASSESSMENTS)
    competency = (
        Competency.objects.select_related("framework__scale", "scale")
        .filter(school=school, pk=payload.competency_id)
        .first()
    )
    if competency is None:
        raise DjangoValidationError(
            {"competency_id": ["No competency of this school has that id."]}
        )
    evidence_item = None
    if payload.evidence_id is not None:
        evidence_item = Evidence.objects.filter(
            school=school, student=student, pk=payload.evidence_id
        ).first()
        if evidence_item is None:
            raise DjangoValidationError(
                {"evidence_id": ["No evidence of this student has that id."]}
            )
    try:
        created = assessment_record(
            assessor=request.user,
            student=student,
            competency=competency,
            value=payload.value,
            demonstrated_on=payload.demonstrated_on,
            kind=payload.kind,
            feedback=payload.feedback,
            evidence=evidence_item,
            accommodated=payload.accommodated,
            modified_scale=payload.modified_scale,
            task=payload.task,
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    return Status(201, _assessment_out(_assessments().get(pk=created.pk)))


@router.get(
    "/schools/{slug}/students/{student_id}/mastery",
    response={200: list[MasteryOut], **ERRORS},
    tags=["mastery"],
    summary="Current level on every competency with history",
)
@paginate(Paged)
def mastery(request, slug: str, student_id: int):
    from credo.mastery.selectors import competency_states

    _, student = _student(request, slug, student_id)

    def out(s) -> dict:
        return {
            "competency_id": s.competency_id,
            "competency_code": s.competency.code,
            "framework_id": s.competency.framework_id,
            "score": s.score,
            "status": s.status,
            "assessment_count": s.assessment_count,
            "counted_count": s.counted_count,
            "first_demonstrated_on": s.first_demonstrated_on,
            "last_demonstrated_on": s.last_demonstrated_on,
        }

    return _Mapped(
        competency_states(student).order_by(
            "competency__framework__kind",
            "competency__framework_id",
            "competency__sequence",
            "competency__code",
            "id",
        ),
        out,
    )
