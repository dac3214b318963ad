"""The journey profile: a school's competencies as profile areas, and their counts."""

from __future__ import annotations

from credo.journey.models import JourneyDomain, Status
from credo.journey.selectors.team import count_statuses
from credo.transcripts.profile import ProfileArea, ProfileCell

# --------------------------------------------------------------------------------------------
# Profile


def profile_areas(
    domains: list[JourneyDomain], statuses: dict[str, str], *, href=None, detail=None
) -> list[ProfileArea]:
    """Return the profile's areas: a domain per sector, foundational inner ring, advanced outer.

    `statuses` maps code to status; `href(code)` and `detail(code)` optionally give each cell a link
    and a line of text.
    """
    areas = []
    for d in domains:
        cells = [
            ProfileCell(
                label=f"{c.code} {c.title}",
                level=c.level,
                state=statuses.get(c.code, Status.NOT_STARTED),
                detail=detail(c.code) if detail else "",
                href=href(c.code) if href else None,
            )
            for c in d.competencies.all()
        ]
        areas.append(ProfileArea(name=d.name, colour=d.colour, cells=tuple(cells)))
    return areas


def profile_counts(
    statuses: dict[str, str], domains: list[JourneyDomain]
) -> dict[str, dict[str, int]]:
    return count_statuses([c for d in domains for c in d.competencies.all()], statuses)
