"""What every setup page shares: `manager_page` (signed in, a member, a manager), fetching
the school's row, the form page, and the preview-then-confirm of consequential changes."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_http_methods

from credo.accounts.http import require_manager, school_page
from credo.accounts.models import User
from credo.core.errors import NotAllowed, ValidationError
from credo.core.http import apply_errors, page
from credo.mastery.changes import NeedsConfirmation


def manager_page(view):
    """A page of the school's setup: signed in, a member of the school (else 404), a manager (else 403)."""
    view = require_http_methods(["GET", "POST"])(view)

    def checked(request, school, *args, **kwargs):
        require_manager(request)
        return view(request, school, *args, **kwargs)

    checked.__name__, checked.__doc__ = view.__name__, view.__doc__
    return login_required(school_page(checked))


def _get(model, school, pk, **related):
    """Return the school's row `pk` of `model` (None for a new one); Http404 for another school's."""
    if pk is None:
        return None
    obj = (
        model.objects.filter(pk=pk, school=school)
        .select_related(*related.get("select", ()))
        .first()
    )
    if obj is None:
        raise Http404("Not found.")
    return obj


def _done(request, message: str, url_name: str, school, *args):
    messages.success(request, message)
    return redirect(url_name, school.slug, *args)


def _form_page(
    request,
    form,
    *,
    title: str,
    back: str,
    intro: str = "",
    template: str = "web/manage/form.html",
    **extra,
):
    return page(
        request, template, {"form": form, "title": title, "back": back, "intro": intro, **extra}
    )


# --- consequential changes: preview, then confirm --------------------------------------------------

# Posted fields that steer the preview rather than describe the change.
PREVIEW_FIELDS = {"csrfmiddlewaretoken", "confirm", "reach_protected", "edit"}


class Preview:
    """A change that was not applied: its effect, why, and the posted change to re-post."""

    def __init__(self, request, exc: NeedsConfirmation):
        self.effect = exc.effect
        self.messages = exc.messages
        self.needs_choice = "reach_protected" in exc.message_dict
        self.fields = [
            (key, value)
            for key, values in request.POST.lists()
            if key not in PREVIEW_FIELDS
            for value in values
        ]


def save_previewed(request, form, save):
    """Like `save_form`, for a change that may alter students' records.

    `save(cleaned_data, confirm=..., reach_protected=...)` calls a previewed service. Return its
    result when applied, a Preview when the effect must be shown (and confirmed) first, or None
    when the form or the service refused the input. "Change it" on the preview posts `edit`,
    which shows the form again with what was entered.
    """
    if not form.is_valid() or request.POST.get("edit"):
        return None
    try:
        return save(
            form.cleaned_data,
            confirm=request.POST.get("confirm", ""),
            reach_protected=request.POST.get("reach_protected") == "yes",
        )
    except NeedsConfirmation as exc:
        return Preview(request, exc)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


def preview_page(request, preview: Preview, *, title: str, back: str):
    """Show what a change would do, by class, with a button that applies exactly that."""
    return page(
        request,
        "web/manage/preview.html",
        {"preview": preview, "effect": preview.effect, "title": title, "back": back},
        status=200,
    )


def _staff_with(school, role):
    return (
        User.objects.filter(memberships__school=school, memberships__role=role)
        .distinct()
        .order_by("display_name", "username")
    )
