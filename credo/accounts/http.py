"""The school a page belongs to, for every app's views: the school of the URL's `slug` that the
user belongs to, their roles in it, and the two-step sign-in its policy asks of them."""

from functools import wraps

from django.core.exceptions import PermissionDenied

from credo.accounts.access import access_school, can_manage_setup, roles_in
from credo.accounts.twofactor import require_second_factor


def school_page(view):
    """Resolve `slug` to a school the user belongs to (404 otherwise) and pass it on."""

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        school = access_school(user=request.user, slug=slug)
        request.school = school
        request.roles = roles_in(request.user, school)
        refused = require_second_factor(request, school)
        if refused is not None:
            return refused
        return view(request, school, *args, **kwargs)

    return wrapper


def require_manager(request) -> None:
    """Refuse (403) whoever may not change the school's setup (`accounts.access.can_manage_setup`)."""
    if not can_manage_setup(request.user, request.school):
        raise PermissionDenied(
            "Your role in this school does not let you manage the school's setup."
        )
