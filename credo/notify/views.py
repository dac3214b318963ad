"""A person's notifications: the list, the count in the header, marking read (POST only) and the
choices of how to hear of each kind."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.core.http import next_url, save_form
from credo.notify import access, selectors, services
from credo.notify.models import CHOICES, Delivery, Kind


@login_required
@require_GET
def notification_list(request):
    """The person's newest notifications, unread first in weight, each with a "mark read" button."""
    items = selectors.notifications_of(request.user)
    return render(
        request,
        "notify/list.html",
        {
            "items": items,
            "unread": sum(1 for n in items if n.read_at is None),
            "limit": selectors.LIST_LIMIT,
            "receives": bool(access.kinds_for(request.user)),
        },
    )


@require_GET
def badge(request):
    """The count shown in the header, fetched by the page once it has loaded (so no page pays a
    query for it). Nothing for someone signed out."""
    count = selectors.unread_count(request.user) if request.user.is_authenticated else 0
    return render(request, "notify/_badge.html", {"count": count})


@login_required
@require_POST
def read_one(request, notification_id):
    notification = access.access_notification(user=request.user, notification_id=notification_id)
    services.notification_mark_read(actor=request.user, notification=notification)
    target = request.POST.get("open") == "1" and notification.link
    return redirect(target or next_url(request, "notify:list"))


@login_required
@require_POST
def read_all(request):
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(request, f"Marked {count} as read." if count else "Nothing was unread.")
    return redirect("notify:list")


class PreferencesForm(forms.Form):
    def __init__(self, *args, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        for kind in kinds:
            self.fields[kind] = forms.ChoiceField(
                label=Kind(kind).label,
                choices=[(d, Delivery(d).label) for d in CHOICES[kind][0]],
                widget=forms.RadioSelect,
            )


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request):
    """Choose, for each kind of notification the person can receive, at once / daily / off."""
    kinds = access.kinds_for(request.user)
    current = selectors.preferences_of(request.user, kinds)
    form = PreferencesForm(
        request.POST if request.method == "POST" else None, kinds=kinds, initial=current
    )
    if request.method == "POST":
        if not kinds:
            raise PermissionDenied("You receive no notifications.")
        if save_form(form, lambda d: services.preferences_save(actor=request.user, choices=d)):
            messages.success(request, "Your choices are saved.")
            return redirect("notify:settings")
    return render(request, "notify/settings.html", {"form": form, "kinds": kinds})
