"""Helpers shared by Credo's commands: resolving --school and reporting plainly."""

from django.core.management.base import CommandError

from credo.schools.models import School


def schools_from_option(slug: str | None) -> list[int]:
    """Return the school ids a command acts on: one school by slug, or every school."""
    if not slug:
        return list(School.objects.order_by("id").values_list("id", flat=True))
    try:
        return [School.objects.get(slug=slug).pk]
    except School.DoesNotExist:
        known = (
            ", ".join(School.objects.order_by("slug").values_list("slug", flat=True)) or "none yet"
        )
        raise CommandError(f"--school {slug}: no such school (known: {known})") from None
