"""What every router of the API shares: the school and the student a token may reach."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from credo.accounts.access import access_student
from credo.api.access import api_school
from credo.api.models import ApiToken, Scope


def _school(request, slug: str, scope: str = Scope.READ):
    token: ApiToken = request.auth
    if not token.allows(scope):
        raise PermissionDenied(f"This token lacks the scope “{scope}”.")
    return api_school(token, slug)


def _student(request, slug: str, student_id: int, scope: str = Scope.READ):
    school = _school(request, slug, scope)
    return school, access_student(user=request.user, student_id=student_id, school=school)


class _Mapped:
    """A queryset whose page is turned into output rows only after slicing (so paging stays in SQL)."""

    def __init__(self, qs, fn):
        self.qs, self.fn = qs, fn

    def count(self) -> int:
        return self.qs.count()

    def __getitem__(self, key):
        return [self.fn(x) for x in self.qs[key]]
