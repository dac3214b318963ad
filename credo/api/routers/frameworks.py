"""The API's frameworks router: frameworks and their competencies."""

from django.db.models import Prefetch
from django.http import Http404
from ninja import Router
from ninja.pagination import paginate

from credo.api.routers.common import _Mapped, _school
from credo.api.schemas import ERRORS, CompetencyOut, FrameworkOut, Paged
from credo.frameworks.models import Competency, Framework, ScaleLevel

router = Router()


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


@router.get(
    "/schools/{slug}/frameworks", response={200: list[FrameworkOut], **ERRORS}, tags=["frameworks"]
)
@paginate(Paged)
def frameworks(request, slug: str):
    return _Mapped(_frameworks(_school(request, slug)), _framework_out)


@router.get(
    "/schools/{slug}/frameworks/{framework_id}",
    response={200: FrameworkOut, **ERRORS},
    tags=["frameworks"],
)
def framework_detail(request, slug: str, framework_id: int):
    framework = _frameworks(_school(request, slug)).filter(pk=framework_id).first()
    if framework is None:
        raise Http404("No such framework.")
    return _framework_out(framework)


@router.get(
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
