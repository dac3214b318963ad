"""What the journey pages share: the team assessment, links, the SVG renderers, tabs, service calls."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.safestring import mark_safe

from credo.journey.access import access_team_member, open_assessment
from credo.journey.chart import render_progress_svg
from credo.journey.forms import apply_errors
from credo.transcripts.profile import render_legend_svg, render_profile_svg

# --------------------------------------------------------------------------------------------
# Helpers


def _team_assessment(request, school):
    """Return (team seat, open assessment) for a team member; Http404 for anyone else."""
    member = access_team_member(user=request.user, school=school)
    assessment = open_assessment(school)
    if assessment is None:
        raise Http404("The school has not started its journey self-assessment.")
    return member, assessment


def _competency_href(school):
    def href(code: str) -> str:
        return reverse("journey:competency", args=[school.slug, code])

    return href


def profile_svg(
    areas, *, title: str, id_prefix: str = "jp", size: int = 540, show_labels: bool = True
) -> str:
    """Return the journey profile drawn by the transcript's credit-profile renderer."""
    return mark_safe(  # noqa: S308 -- the renderer escapes every text it draws
        render_profile_svg(
            areas,
            title=title,
            id_prefix=id_prefix,
            size=size,
            show_labels=show_labels,
            order="given",
        )
    )


def legend_svg(id_prefix: str = "jp", width: int = 420) -> str:
    return mark_safe(render_legend_svg(id_prefix=f"{id_prefix}k", width=width))  # noqa: S308


def chart_svg(points, *, title: str, id_prefix: str = "jc") -> str:
    return mark_safe(render_progress_svg(points, title=title, id_prefix=id_prefix))  # noqa: S308


def _tabs(active: str, member) -> dict:
    return {"tab": active, "member": member}


def _service(request, form, call):
    """Run a service call; on refusal put its message on the form (or as a message) and return None."""
    try:
        return call()
    except ValidationError as error:
        if form is not None:
            apply_errors(form, error)
        else:
            messages.error(request, " ".join(error.messages))
    except PermissionDenied as error:
        if form is not None:
            form.add_error(None, str(error))
        else:
            messages.error(request, str(error))
    return None
