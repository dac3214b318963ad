"""The API's people router: the token and its person, the school, its students."""

from django.db.models import Q
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from credo.accounts.access import roles_in, students_visible_to
from credo.api.models import ApiToken
from credo.api.routers.common import _Mapped, _school, _student
from credo.api.schemas import ERRORS, MeOut, Paged, SchoolOut, StudentOut

router = Router()


@router.get(
    "/me", response={200: MeOut, **ERRORS}, tags=["token"], summary="The token and its person"
)
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


@router.get(
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


@router.get(
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


@router.get(
    "/schools/{slug}/students/{student_id}", response={200: StudentOut, **ERRORS}, tags=["students"]
)
def student_detail(request, slug: str, student_id: int):
    _, student = _student(request, slug, student_id)
    return _student_out(student)
