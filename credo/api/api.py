"""The REST API (django-ninja), at /api/ with its OpenAPI document at /api/openapi.json and docs at /api/docs.

Every request carries a personal access token (`Authorization: Bearer credo_…`). A token acts as
the person who made it, in the one school it was made for, within its scopes; every endpoint then
checks that person's roles through the same access functions as the web pages, so the API shows
exactly what the app would: another school's or another student's records answer 404.
"""

import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.urls import re_path, reverse
from django.utils import timezone
from ninja import File, Form, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.security import HttpBearer

from credo.accounts.access import access_student, roles_in, students_visible_to
from credo.api.access import api_school
from credo.api.docs import OfflineSwagger
from credo.api.models import ApiToken, Scope, hash_token
from credo.api.schemas import (
    ERRORS,
    AssessmentIn,
    AssessmentOut,
    AwardOut,
    AwardRevokeIn,
    CompetencyOut,
    CreditOut,
    CreditProgressOut,
    DemographicsOut,
    EvidenceOut,
    FrameworkOut,
    GraduationOut,
    ImportOut,
    MasteryOut,
    MeOut,
    Paged,
    SchoolOut,
    ShareLinkIn,
    ShareLinkOut,
    StudentOut,
    TranscriptVersionDetailOut,
    TranscriptVersionOut,
)
from credo.core.errors import Conflict, NotAllowed
from credo.core.limits import check_upload, upload_cap_message
from credo.frameworks.models import Competency, Framework, ScaleLevel
from credo.mastery.models import Assessment, CreditRequirementItem, MasteryCredit

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """A personal access token: found by its hash; refused when revoked, expired, or its user is inactive."""

    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("user", "school")
            .filter(key_hash=hash_token(token))
            .first()
        )
        if found is None or not found.active or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found


DESCRIPTION = """\
Read a school's students, frameworks and competencies, evidence, assessments, mastery, credits and
their progress, transcripts and share links; record assessments; import files.

**Authentication.** Make a personal access token in the app (your school → *API tokens*) and send it
on every request: `Authorization: Bearer credo_…`. A token acts as the person who made it, in the
school it was made for, within its scopes: `read`, `write:assessments`, `admin`. Every endpoint sees
what that person sees on the pages; another school's or another student's records answer 404.

**Paging.** Lists take `page` (from 1) and `page_size` (1–200, default 50) and answer
`{"items": […], "count", "page", "page_size"}`.

**Errors.** Every error under `/api/` — a bad or missing token, a missing scope or right, an unknown
record or path, a method the path does not take, input that does not fit, or a fault on our side —
has the same shape:

```json
{"error": {"status": 422, "code": "invalid", "message": "…", "fields": {"value": ["…"]}}}
```

| status | code | when |
|---|---|---|
| 400 | `bad_request` | the body cannot be read (not JSON, not a form) |
| 401 | `not_authenticated` | no token, or one that is unknown, revoked or expired |
| 403 | `forbidden` | the token lacks the scope, or its person lacks the right |
| 404 | `not_found` | no such path, or no such record that you may see |
| 405 | `method_not_allowed` | the path exists but not with this method (the `Allow` header lists those it takes) |
| 409 | `conflict` | someone else changed the same record meanwhile; nothing was written, read it again |
| 413 | `too_large` | the body or the file is larger than the upload cap (`CREDO_MAX_UPLOAD_MB`, default 25) |
| 422 | `invalid` | the input does not fit; `fields` names each field with its messages |
| 500 | `server_error` | a fault on our side; it has been logged |
"""


class CredoAPI(NinjaAPI):
    """Ninja's API whose every answer under /api/, even for a path or method it does not know, is JSON."""

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if pattern.name == "api-root":
                pattern.callback = _index
            else:
                pattern.callback = _json_not_allowed(pattern.callback)
        urls.append(re_path(r"^.*$", _unknown_path))
        return urls


api = CredoAPI(
    title="Credo API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="rest",
    docs=OfflineSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# --- one error format ---------------------------------------------------------------------------


def _error(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(
        request,
        {"error": {"status": status, "code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


def _json_not_allowed(view):
    """Wrap one of ninja's path views so that a method it does not take answers in the one format."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = ", ".join(sorted(response["Allow"].replace(" ", "").split(",")))
            response = _error(
                request,
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {request.path}; it takes {allowed}.",
            )
            response["Allow"] = allowed
        return response

    return wrapped


def _unknown_path(request):
    return _error(
        request,
        404,
        "not_found",
        f"No such path: {request.path}. The paths are listed at {reverse('rest:openapi-view')}.",
    )


def _index(request):
    """/api/ itself: where the document and the docs are."""
    return api.create_response(
        request,
        {
            "name": api.title,
            "version": api.version,
            "openapi": request.build_absolute_uri(reverse("rest:openapi-json")),
            "docs": request.build_absolute_uri(reverse("rest:openapi-view")),
        },
        status=200,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = _error(
        request,
        401,
        "not_authenticated",
        "Send a valid personal access token: Authorization: Bearer credo_…",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, "forbidden", str(exc) or "Not allowed.")


@api.exception_handler(DjangoValidationError)
def _invalid(request, exc):
    fields = (
        {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": exc.messages}
    )
    return _error(
        request, 422, "invalid", " ".join(m for ms in fields.values() for m in ms), fields
    )


@api.exception_handler(NinjaValidationError)
def _bad_input(request, exc):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [
            str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form", "file")
        ]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "invalid")))
    return _error(
        request, 422, "invalid", "The request does not match what this endpoint takes.", fields
    )


@api.exception_handler(Conflict)
def _conflict(request, exc):
    return _error(request, 409, "conflict", exc.message)


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    return _error(request, 413, "too_large", upload_cap_message())


@api.exception_handler(MultiPartParserError)
def _unreadable_form(request, exc):
    return _error(request, 400, "bad_request", f"The form data cannot be read ({exc}).")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    codes = {
        400: "bad_request",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
    }
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def _server_error(request, exc):
    log.exception("API error", exc_info=exc)
    message = "Something went wrong on our side; it has been logged."
    if settings.DEBUG:
        message += f" ({type(exc).__name__}: {exc})"
    return _error(request, 500, "server_error", message)


# --- helpers ------------------------------------------------------------------------------------


def _school(request, slug: str, scope: str = Scope.READ):
    token: ApiToken = request.auth
    if not token.allows(scope):
        raise PermissionDenied(f"This token lacks the scope “{scope}”.")
    return api_school(token, slug)


def _student(request, slug: str, student_id: int, scope: str = Scope.READ):
    school = _school(request, slug, scope)
    return school, access_student(user=request.user, student_id=student_id, school=school)


# --- who am I, the school ------------------------------------------------------------------------


@api.get("/me", response={200: MeOut, **ERRORS}, tags=["token"], summary="The token and its person")
def me(request):
    token: ApiToken = request.auth
    return {
        "username": token.user.username,
        "name": str(token.user),
        "school": token.school.slug,
        "roles": sorted(roles_in(token.user, token.school)),
        "scopes": token.scopes,
        "token": token.prefix,
        "expires_at": token.expires_at,
    }


@api.get(
    "/schools/{slug}",
    response={200: SchoolOut, **ERRORS},
    tags=["schools"],
    summary="The school's profile",
)
def school_detail(request, slug: str):
    return _school(request, slug)


# --- students -----------------------------------------------------------------------------------


class StudentFilter(Schema):
    graduation_year: int | None = None
    q: str | None = None
    active: bool | None = None


def _student_out(s) -> dict:
    return {
        "id": s.pk,
        "given_name": s.given_name,
        "family_name": s.family_name,
        "preferred_name": s.preferred_name,
        "full_name": s.full_name,
        "student_number": s.student_number,
        "graduation_year": s.graduation_year,
        "active": s.active,
        "advisor_id": s.advisor_id,
    }


@api.get(
    "/schools/{slug}/students",
    response={200: list[StudentOut], **ERRORS},
    tags=["students"],
    summary="Students you may see",
)
@paginate(Paged)
def students(request, slug: str, filters: Query[StudentFilter]):
    school = _school(request, slug)
    qs = students_visible_to(request.user, school).order_by("family_name", "given_name", "id")
    if filters.graduation_year is not None:
        qs = qs.filter(graduation_year=filters.graduation_year)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    if filters.q:
        qs = qs.filter(
            Q(given_name__icontains=filters.q)
            | Q(family_name__icontains=filters.q)
            | Q(student_number__iexact=filters.q)
        )
    return _Mapped(qs, _student_out)


class _Mapped:
    """A queryset whose page is turned into output rows only after slicing (so paging stays in SQL)."""

    def __init__(self, qs, fn):
        self.qs, self.fn = qs, fn

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, key):
        return [self.fn(x) for x in self.qs[key]]


@api.get(
    "/schools/{slug}/students/{student_id}", response={200: StudentOut, **ERRORS}, tags=["students"]
)
def student_detail(request, slug: str, student_id: int):
    _, student = _student(request, slug, student_id)
    return _student_out(student)


# --- frameworks and competencies ----------------------------------------------------------------


def _frameworks(school):
    return (
        Framework.objects.filter(school=school)
        .select_related("scale")
        .prefetch_related(Prefetch("scale__levels", queryset=ScaleLevel.objects.order_by("value")))
        .order_by("kind", "name", "id")
    )


def _framework_out(f) -> dict:
    scale = f.scale
    return {
        "id": f.pk,
        "name": f.name,
        "kind": f.kind,
        "description": f.description,
        "calculation_method": f.calculation_method,
        "calculation_param": f.calculation_param,
        "counts_formative": f.counts_formative,
        "case_identifier": f.case_identifier,
        "version": f.version,
        "scale": {
            "id": scale.pk,
            "name": scale.name,
            "min_value": scale.min_value,
            "max_value": scale.max_value,
            "mastery_threshold": scale.mastery_threshold,
            "exceeds_threshold": scale.exceeds_threshold,
            "levels": [
                {"value": lv.value, "label": lv.label, "description": lv.description}
                for lv in scale.levels.all()
            ],
        },
    }


@api.get(
    "/schools/{slug}/frameworks", response={200: list[FrameworkOut], **ERRORS}, tags=["frameworks"]
)
@paginate(Paged)
def frameworks(request, slug: str):
    return _Mapped(_frameworks(_school(request, slug)), _framework_out)


@api.get(
    "/schools/{slug}/frameworks/{framework_id}",
    response={200: FrameworkOut, **ERRORS},
    tags=["frameworks"],
)
def framework_detail(request, slug: str, framework_id: int):
    framework = _frameworks(_school(request, slug)).filter(pk=framework_id).first()
    if framework is None:
        raise Http404("No such framework.")
    return _framework_out(framework)


@api.get(
    "/schools/{slug}/frameworks/{framework_id}/competencies",
    response={200: list[CompetencyOut], **ERRORS},
    tags=["frameworks"],
    summary="The competency tree, in framework order",
)
@paginate(Paged)
def competencies(request, slug: str, framework_id: int):
    school = _school(request, slug)
    if not Framework.objects.filter(school=school, pk=framework_id).exists():
        raise Http404("No such framework.")
    return Competency.objects.filter(school=school, framework_id=framework_id).order_by(
        "sequence", "code", "id"
    )


# --- evidence, assessments, mastery -------------------------------------------------------------


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


@api.get(
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


@api.get(
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


@api.post(
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


@api.get(
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


# --- credits and graduation ---------------------------------------------------------------------


@api.get(
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


@api.get(
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


@api.get(
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


@api.post(
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


# --- transcripts and share links ----------------------------------------------------------------


def _version_out(v, *, content: bool = False) -> dict:
    row = {
        "public_id": v.public_id,
        "number": v.number,
        "published_at": v.published_at,
        "content_hash": v.content_hash,
        "current": not getattr(v, "is_superseded", False),
        "note": v.note,
    }
    if content:
        row["content"] = v.content
    return row


@api.get(
    "/schools/{slug}/students/{student_id}/transcripts",
    response={200: list[TranscriptVersionOut], **ERRORS},
    tags=["transcripts"],
    summary="A student's published transcript versions, newest first",
)
def transcripts(request, slug: str, student_id: int):
    from credo.transcripts.models import TranscriptVersion

    _, student = _student(request, slug, student_id)
    later = TranscriptVersion.objects.filter(supersedes=OuterRef("pk"))
    qs = (
        TranscriptVersion.objects.filter(school_id=student.school_id, student=student)
        .annotate(is_superseded=Exists(later))
        .order_by("-number")
    )
    return [_version_out(v) for v in qs]


@api.get(
    "/schools/{slug}/transcripts/{public_id}",
    response={200: TranscriptVersionDetailOut, **ERRORS},
    tags=["transcripts"],
    summary="One published version with its content",
)
def transcript_detail(request, slug: str, public_id: str):
    from credo.transcripts.access import access_version
    from credo.transcripts.models import TranscriptVersion

    school = _school(request, slug)
    version = access_version(user=request.user, school=school, public_id=public_id)
    version.is_superseded = TranscriptVersion.objects.filter(supersedes=version).exists()
    return _version_out(version, content=True)


def _link_out(request, link) -> dict:
    return {
        "id": link.pk,
        "version": link.version.public_id,
        "recipient": link.recipient,
        # Only the token's hash is kept: the address is known in the answer that makes the link.
        "url": (
            request.build_absolute_uri(reverse("transcripts:shared", args=[link.token]))
            if link.token
            else None
        ),
        "created_at": link.created_at,
        "expires_at": link.expires_at,
        "revoked_at": link.revoked_at,
        "view_count": getattr(link, "view_count", 0),
    }


@api.get(
    "/schools/{slug}/students/{student_id}/share-links",
    response={200: list[ShareLinkOut], **ERRORS},
    tags=["transcripts"],
    summary="Links to a student's transcript (the student and registrars)",
)
def share_links(request, slug: str, student_id: int):
    from credo.transcripts.access import may_share
    from credo.transcripts.models import ShareLink

    _, student = _student(request, slug, student_id)
    if not may_share(request.user, student):
        raise PermissionDenied("Only the student or a registrar sees the transcript's share links.")
    qs = (
        ShareLink.objects.filter(school_id=student.school_id, student=student)
        .select_related("version")
        .annotate(view_count=Count("views"))
        .order_by("-created_at", "-id")
    )
    return [_link_out(request, link) for link in qs]


@api.post(
    "/schools/{slug}/share-links",
    response={201: ShareLinkOut, **ERRORS},
    tags=["transcripts"],
    summary="Share a published version with one recipient (the student or a registrar)",
)
def share_link_create(request, slug: str, payload: ShareLinkIn):
    from credo.transcripts import services as transcript_services
    from credo.transcripts.access import access_version

    school = _school(request, slug, _share_scope(request))
    version = access_version(user=request.user, school=school, public_id=payload.version)
    try:
        link = transcript_services.share_link_create(
            actor=request.user,
            version=version,
            recipient=payload.recipient,
            expires_on=payload.expires_on,
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    link.view_count = 0
    return Status(201, _link_out(request, link))


@api.post(
    "/schools/{slug}/share-links/{link_id}/revoke",
    response={200: ShareLinkOut, **ERRORS},
    tags=["transcripts"],
    summary="Withdraw a share link",
)
def share_link_revoke(request, slug: str, link_id: int):
    from credo.transcripts import services as transcript_services
    from credo.transcripts.access import access_link_for_change

    school = _school(request, slug, _share_scope(request))
    link = access_link_for_change(user=request.user, school=school, link_id=link_id)
    try:
        link = transcript_services.share_link_revoke(actor=request.user, link=link)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    link.view_count = link.views.count()
    return _link_out(request, link)


def _share_scope(request) -> str:
    """A student shares their own transcript with a read token; staff need the admin scope to share."""
    token: ApiToken = request.auth
    return Scope.READ if "student" in roles_in(token.user, token.school) else Scope.ADMIN


# --- administration -----------------------------------------------------------------------------


@api.get(
    "/schools/{slug}/students/{student_id}/demographics",
    response={200: DemographicsOut, **ERRORS},
    tags=["administration"],
    summary="Restricted: a student's demographic record (admins, registrars)",
)
def demographics(request, slug: str, student_id: int):
    from credo.interop.access import access_demographics

    school = _school(request, slug, Scope.ADMIN)
    d = access_demographics(user=request.user, student_id=student_id, school=school)
    return {
        f.name if f.name != "student" else "student_id": getattr(d, f.attname)
        for f in d._meta.concrete_fields
        if f.name not in ("id", "school", "source_id")
    }


@api.post(
    "/schools/{slug}/imports/{kind}",
    response={200: ImportOut, **ERRORS},
    tags=["administration"],
    summary="Import a file (OneRoster zip, CASE JSON, Canvas or scores CSV); all or nothing",
)
def import_file(
    request,
    slug: str,
    kind: str,
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
    framework: Form[str] = "",
):
    from credo.interop.common import ImportRefused
    from credo.interop.models import ImportKind
    from credo.interop.services import import_data

    school = _school(request, slug, Scope.ADMIN)
    if kind not in ImportKind.values:
        raise Http404(f"No import of kind “{kind}”; the kinds are {', '.join(ImportKind.values)}.")
    try:
        check_upload(file)
    except DjangoValidationError as exc:
        raise HttpError(413, exc.message_dict["file"][0]) from None
    try:
        summary = import_data(
            actor=request.user,
            school=school,
            kind=kind,
            data=file.read(),
            filename=file.name or kind,
            dry_run=dry_run,
            options={"framework": framework},
        )
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except ImportRefused as exc:
        return {"state": "refused", "summary": {}, "problems": [p.as_dict() for p in exc.problems]}
    return {
        "state": "dry_run" if dry_run else "applied",
        "summary": summary.as_dict(),
        "problems": [],
    }
