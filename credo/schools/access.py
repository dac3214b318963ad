"""Fetch-and-authorize for sections."""

from django.http import Http404

from credo.accounts.access import roles_in
from credo.accounts.models import MANAGER_ROLES
from credo.schools.models import Section


def access_section(*, user, school, section_id) -> Section:
    """Return the section if `user` teaches it or manages the school; else Http404."""
    try:
        section = Section.objects.select_related("experience", "term").get(
            pk=section_id, school=school
        )
    except (Section.DoesNotExist, ValueError, TypeError):
        raise Http404("No such section.") from None
    if roles_in(user, school) & MANAGER_ROLES:
        return section
    if not section.teacher_links.filter(user=user).exists():
        raise Http404("No such section.")
    return section
