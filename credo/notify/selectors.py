"""Reads of a person's own notifications and choices."""

from __future__ import annotations

from credo.notify.models import CHOICES, Notification, Preference

#: The most notifications the list shows (the newest; the unread count is the whole number).
LIST_LIMIT = 100


def notifications_of(user, *, limit: int = LIST_LIMIT) -> list[Notification]:
    """Return `user`'s newest notifications with their school (one query)."""
    return list(Notification.objects.filter(user=user).select_related("school")[:limit])


def unread_count(user) -> int:
    """Return how many of `user`'s notifications are unread (one query)."""
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def preferences_of(user, kinds) -> dict[str, str]:
    """Return {kind: delivery} for `kinds`: the person's choice, else the kind's default."""
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "delivery"))
    return {k: chosen.get(k, CHOICES[k][1]) for k in kinds}
