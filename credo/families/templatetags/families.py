"""Template helpers of the families pages: the language switcher every page carries."""

from django import template
from django.conf import settings
from django.utils import translation

register = template.Library()

#: Roles that read a student's family report from the student's pages (an outside reviewer
#: sees a student only for one credit's review).
REPORT_ROLES = frozenset({"admin", "registrar", "teacher", "advisor", "student", "guardian"})


@register.filter
def reads_family_report(roles) -> bool:
    """Whether the student pages offer the family report to someone with `roles` (no query: the
    report page itself asks `families.access`)."""
    return bool(set(roles or ()) & REPORT_ROLES)


@register.inclusion_tag("families/_language.html", takes_context=True)
def language_switcher(context):
    """A small form that switches the language of every page; works without script."""
    request = context.get("request")
    current = translation.get_language()
    return {
        # Pages drawn without a request (the server-error page) have no form to post.
        "show": request is not None and context.get("csrf_token") is not None,
        "csrf_token": context.get("csrf_token"),
        "next": request.get_full_path() if request is not None else "/",
        "current": current,
        "languages": [
            (code, translation.get_language_info(code)["name_local"])
            for code, _ in settings.LANGUAGES
        ],
    }
