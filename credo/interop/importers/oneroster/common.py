"""What the OneRoster importer's modules share: role and grade maps, the targets of a run,
and the small helpers for source ids and links.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password

from credo.accounts.models import Role
from credo.core.bulkload import write_rows
from credo.interop.models import SourceLink
from credo.interop.oneroster import Record
from credo.interop.roster_export import OWN
from credo.schools.models import School

SYSTEM = "oneroster"
ROLE_MAP = {
    "student": Role.STUDENT,
    "teacher": Role.TEACHER,
    "aide": Role.TEACHER,
    "administrator": Role.ADMIN,
    "siteAdministrator": Role.ADMIN,
    "principal": Role.ADMIN,
    "counselor": Role.ADVISOR,
    "guardian": Role.GUARDIAN,
    "parent": Role.GUARDIAN,
    "relative": Role.GUARDIAN,
}
TEACHING_ROLES = {"teacher", "aide"}
GRADE_NUMBERS = {
    "PR": -2,
    "PK": -1,
    "TK": 0,
    "KG": 0,
    **{f"{n:02d}": n for n in range(1, 14)},
    **{str(n): n for n in range(1, 14)},
}
UNUSABLE = make_password(None)


@dataclass
class Target:
    school: School
    org_id: str
    created: bool = False


def _grad_year(grades: list[str], school_year_end: int) -> int | None:
    for g in grades:
        n = GRADE_NUMBERS.get(g.strip().upper())
        if n is not None and 0 <= n <= 12:
            return school_year_end + (12 - n)
    return None


def _course_code(record: Record, taken: set[str]) -> str:
    base = (record["code"] or record.sourced_id)[:36]
    code, n = base, 2
    while code in taken:
        code, n = f"{base}-{n}", n + 1
    return code


def _insert_links(links: list[SourceLink]) -> None:
    """Store source-id links (bookkeeping of the import itself, not audited)."""
    fields = [f for f in SourceLink._meta.concrete_fields if not f.primary_key]
    write_rows(SourceLink, fields, [[getattr(link, f.attname) for f in fields] for link in links])


def _kept_id(sid: str, record) -> str:
    """Return the source id to store: none for a record Credo made, named by Credo's own id."""
    if record is not None and not record.source_id and OWN.match(sid):
        return ""
    return sid


def _pair(enrollment) -> tuple[int, int]:
    return (enrollment.section_id, enrollment.student_id)
