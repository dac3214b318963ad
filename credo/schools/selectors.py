"""Reads about schools, terms, sections and enrollments."""

from django.db.models import Count

from credo.schools.models import Section


def sections_taught(*, user, school):
    """Return the sections `user` teaches in `school`, newest term first, with class sizes."""
    return (
        Section.objects.filter(school=school, teacher_links__user=user)
        .select_related("experience", "term")
        .annotate(student_count=Count("enrollments", distinct=True))
        .order_by("-term__starts_on", "experience__title", "name")
    )


def sections_of_school(school):
    return (
        Section.objects.filter(school=school)
        .select_related("experience", "term")
        .annotate(student_count=Count("enrollments", distinct=True))
        .order_by("-term__starts_on", "experience__title", "name")
    )
