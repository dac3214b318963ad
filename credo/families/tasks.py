"""Background work for families (django-tasks; `credo worker` runs it)."""

from __future__ import annotations

from django_tasks import task


@task()
def send_family_reports(school_id: int, graduation_year: int, actor_id: int | None = None) -> int:
    """Send one class's family reports to the guardians who opted in; return how many went."""
    from credo.accounts.models import User
    from credo.families.services import family_reports_send
    from credo.schools.models import School

    school = School.objects.get(pk=school_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    return family_reports_send(school=school, graduation_year=graduation_year, actor=actor)
