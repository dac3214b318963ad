"""An advisor's page: advisees at a glance — pace toward graduation, credits in review, and who
needs support."""

from django.contrib.auth.decorators import login_required

from credo.accounts.http import school_page
from credo.accounts.models import MANAGER_ROLES, Role, User
from credo.core.http import page, require_roles
from credo.mastery.selectors import advisee_overview
from credo.mastery.worklists import worklist_counts


@login_required
@school_page
def advisees(request, school):
    """The advisor's advisees (an admin or registrar may look at any advisor's with `?advisor=`)."""
    require_roles(request, MANAGER_ROLES | {Role.ADVISOR}, "see advisees")
    advisor = request.user
    if request.roles & MANAGER_ROLES and request.GET.get("advisor"):
        advisor = (
            User.objects.filter(
                pk=request.GET["advisor"],
                memberships__school=school,
                memberships__role=Role.ADVISOR,
            ).first()
            or request.user
        )
    lines = advisee_overview(school, advisor)
    support = sorted(
        (line for line in lines if line.needs_support), key=lambda line: line.support_order
    )
    return page(
        request,
        "web/advising/advisees.html",
        {
            "lines": lines,
            "support": support,
            "advisor": advisor,
            "worklists": worklist_counts(request.user, school),
            "days": school.not_progressing_days,
            "stalls_for_support": school.support_stalls,
            "window": school.support_window_days,
            "advisors": (
                User.objects.filter(
                    memberships__school=school, memberships__role=Role.ADVISOR
                ).order_by("display_name", "username")
                if request.roles & MANAGER_ROLES
                else []
            ),
        },
    )
