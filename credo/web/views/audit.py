"""The school's audit log: who did what, newest first, each event described by its registration
(`credo.core.audit.register`), filterable by event type. Reading it writes nothing."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.urls import path
from django.views.decorators.http import require_GET

from credo.accounts.http import require_manager, school_page
from credo.core.audit import describe, registered_events, school_events
from credo.core.http import page

AUDIT_PAGE = 50


@login_required
@school_page
@require_GET
def audit_log(request, school):
    """The audit events of the school, 50 a page, optionally of one registered event type: for
    whoever manages the school's setup (`accounts.access.can_manage_setup`)."""
    require_manager(request)
    chosen = request.GET.get("event", "")
    types = registered_events()
    if chosen not in {e.action for e in types}:
        chosen = ""
    rows = Paginator(school_events(school, chosen), AUDIT_PAGE).get_page(request.GET.get("page"))
    for row in rows:
        row.description = describe(row.action) or "An event no app registers any more"
    return page(
        request,
        "web/manage/audit.html",
        {"rows": rows, "types": types, "chosen": chosen},
    )


urlpatterns = [path("", audit_log, name="manage_audit")]
