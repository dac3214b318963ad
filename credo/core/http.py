"""What every app's pages share over HTTP: rendering with the school in context, role checks, the
one check of `next=` addresses, and turning a service's ValidationError into messages beside the
form's fields. Nothing here knows a domain; `credo.accounts.http.school_page` finds the school."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme

from credo.core.errors import NotAllowed, ValidationError


def next_url(request, fallback: str) -> str:
    """Return the `next` address the request carries (POST, else GET) when it stays on this site,
    else `fallback`. Every view that redirects to a `next` goes through here."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def page(request, template: str, context: dict | None = None, *, status: int = 200):
    """Render a page with the school and roles in its context."""
    ctx = {
        "school": getattr(request, "school", None),
        "roles": getattr(request, "roles", frozenset()),
    }
    ctx.update(context or {})
    return render(request, template, ctx, status=status)


def require_roles(request, roles, what: str = "see this page") -> None:
    """Refuse (403) a signed-in member of the school who holds none of `roles`."""
    if not (request.roles & frozenset(roles)):
        raise PermissionDenied(f"Your role in this school does not let you {what}.")


def apply_errors(form, exc: ValidationError, *, field_map: dict | None = None) -> None:
    """Put a service's errors beside the matching fields; the rest go above the form."""
    field_map = field_map or {}
    if hasattr(exc, "error_dict"):
        for key, errors in exc.error_dict.items():
            name = field_map.get(key, key)
            messages = [m for e in errors for m in e.messages]
            target = name if name in form.fields else None
            for message in messages:
                form.add_error(target, message)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def save_form(form, save):
    """Call `save(cleaned_data)` when the form is valid; return its result, or None when the form
    (or the service behind it) refused the input, with the messages placed on the form."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
