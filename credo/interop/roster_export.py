"""Export a school's roster as a OneRoster 1.2 CSV set (bulk), zipped.

Every record keeps the sourcedId an import gave it; a record made in Credo gets an id of its own,
`credo-<kind>-<id>`, which the importer recognises as that same record. So importing the export
back into the school changes nothing, and exporting again gives the same bytes.

What goes out: the school (orgs), its terms (academicSessions, type term), its learning
experiences (courses), sections (classes), people with a role in it — students, teachers,
admins, advisors (as counselors), guardians — (users, roles), class rosters and teaching
assignments (enrollments), and demographics where the school holds them. Registrars and panel
reviewers have no OneRoster role and stay out; so do inactive students, and staff accounts
without a given and a family name (OneRoster requires both).
"""

from __future__ import annotations

import io
import re
import zipfile

from credo.accounts.models import GuardianLink, Membership, Role, Student, User
from credo.interop.common import write_csv
from credo.interop.models import Demographics, SourceLink
from credo.interop.oneroster import HEADERS, RACE_COLUMNS, TABLES
from credo.schools.models import Enrollment, LearningExperience, Section, SectionTeacher, Term

OWN = re.compile(r"^credo-(school|term|course|class|user|enrollment|teaching|role)-(\d+)$")

# Credo's roles in OneRoster's words (registrars and reviewers have none).
ROLE_WORDS = {
    Role.STUDENT: "student",
    Role.TEACHER: "teacher",
    Role.ADMIN: "administrator",
    Role.ADVISOR: "counselor",
    Role.GUARDIAN: "guardian",
}


def own_id(kind: str, pk: int) -> str:
    """Return the sourcedId Credo gives a record it made itself."""
    return f"credo-{kind}-{pk}"


def own_pk(sourced_id: str, kind: str) -> int | None:
    """Return the id of the record `sourced_id` names if it is Credo's own id of that kind."""
    match = OWN.match(sourced_id)
    return int(match.group(2)) if match and match.group(1) == kind else None


def _grade(graduation_year: int, year_end: int) -> str:
    """Return the OneRoster grade a graduation year means in the school year ending in `year_end`."""
    n = 12 - (graduation_year - year_end)
    if n == 0:
        return "KG"
    return f"{n:02d}" if 1 <= n <= 12 else ""


def _bool(value: bool | None) -> str:
    return "" if value is None else ("true" if value else "false")


def roster_files(school) -> dict[str, bytes]:
    """Return the school's roster as {file name: CSV bytes}, manifest included."""
    org = school.source_id or own_id("school", school.pk)
    terms = list(Term.objects.filter(school=school).order_by("starts_on", "pk"))
    term_id = {t.pk: t.source_id or own_id("term", t.pk) for t in terms}
    year_end = max((t.ends_on.year for t in terms), default=None)
    experiences = list(LearningExperience.objects.filter(school=school).order_by("code", "pk"))
    course_id = {c.pk: c.source_id or own_id("course", c.pk) for c in experiences}
    sections = list(Section.objects.filter(school=school).order_by("pk"))
    class_id = {s.pk: s.source_id or own_id("class", s.pk) for s in sections}

    students = {s.user_id: s for s in Student.objects.filter(school=school, active=True)}
    memberships = list(Membership.objects.filter(school=school).order_by("user_id", "role", "pk"))
    roles_of: dict[int, list[Membership]] = {}
    for m in memberships:
        if m.role in ROLE_WORDS and (m.role != Role.STUDENT or m.user_id in students):
            roles_of.setdefault(m.user_id, []).append(m)
    guardian_links = list(
        GuardianLink.objects.filter(school=school, student__active=True).order_by("pk")
    )
    # OneRoster requires both names; a staff account made without them cannot be described.
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=set(roles_of) | set(students))
        if u.pk in students or (u.first_name.strip() and u.last_name.strip())
    }
    roles_of = {pk: ms for pk, ms in roles_of.items() if pk in users}
    linked = {
        link.object_id: link.source_id
        for link in SourceLink.objects.filter(school=school, system="oneroster", kind="user")
    }
    user_id = {pk: linked.get(pk) or own_id("user", pk) for pk in users}
    agents: dict[int, list[str]] = {}
    for link in guardian_links:
        if link.guardian_id in user_id and link.student.user_id in user_id:
            agents.setdefault(link.student.user_id, []).append(user_id[link.guardian_id])
            agents.setdefault(link.guardian_id, []).append(user_id[link.student.user_id])

    files: dict[str, list[list]] = {name: [] for name in HEADERS}
    files["orgs"].append([org, "", "", school.name, "school", "", ""])
    for t in terms:
        files["academicSessions"].append(
            [
                term_id[t.pk],
                "",
                "",
                t.name,
                "term",
                t.starts_on.isoformat(),
                t.ends_on.isoformat(),
                "",
                t.school_year,
            ]
        )
    for c in experiences:
        files["courses"].append([course_id[c.pk], "", "", "", c.title, c.code, "", org, "", ""])
    for s in sections:
        files["classes"].append(
            [
                class_id[s.pk],
                "",
                "",
                s.name,
                "",
                course_id[s.experience_id],
                "",
                "scheduled",
                "",
                org,
                term_id[s.term_id],
                "",
                "",
                "",
            ]
        )
    for pk in sorted(users, key=lambda pk: user_id[pk]):
        u = users[pk]
        student = students.get(pk)
        given, family = (
            (student.given_name, student.family_name) if student else (u.first_name, u.last_name)
        )
        grade = (
            _grade(student.graduation_year, year_end) if student and year_end is not None else ""
        )
        files["users"].append(
            [
                user_id[pk],
                "",
                "",
                _bool(u.is_active),
                u.username,
                "",
                given,
                family,
                "",
                student.student_number if student else "",
                u.email,
                "",
                "",
                ",".join(sorted(agents.get(pk, []))),
                grade,
                "",
                "",
                student.preferred_name if student else "",
                "",
                "",
                org,
                "",
            ]
        )
    for pk in sorted(roles_of, key=lambda pk: user_id.get(pk, "")):
        for m in roles_of[pk]:
            files["roles"].append(
                [
                    own_id("role", m.pk),
                    "",
                    "",
                    user_id[pk],
                    "primary",
                    ROLE_WORDS[m.role],
                    "",
                    "",
                    org,
                    "",
                ]
            )
    enrollments = Enrollment.objects.filter(school=school, student__active=True).select_related(
        "student"
    )
    for e in enrollments.order_by("pk"):
        student = students.get(e.student.user_id)
        if student is None:
            continue
        files["enrollments"].append(
            [
                e.source_id or own_id("enrollment", e.pk),
                "",
                "",
                class_id[e.section_id],
                org,
                user_id[student.user_id],
                "student",
                "",
                "",
                "",
            ]
        )
    teaching = {
        link.object_id: link.source_id
        for link in SourceLink.objects.filter(school=school, system="oneroster", kind="teaching")
    }
    for t in SectionTeacher.objects.filter(school=school).order_by("pk"):
        if t.user_id not in user_id:
            continue
        files["enrollments"].append(
            [
                teaching.get(t.pk) or own_id("teaching", t.pk),
                "",
                "",
                class_id[t.section_id],
                org,
                user_id[t.user_id],
                "teacher",
                "",
                "",
                "",
            ]
        )
    for d in Demographics.objects.filter(school=school, student__active=True).select_related(
        "student"
    ):
        if d.student.user_id not in user_id:
            continue
        files["demographics"].append(
            [
                user_id[d.student.user_id],
                "",
                "",
                d.birth_date.isoformat() if d.birth_date else "",
                d.sex,
                *(_bool(getattr(d, field)) for field in RACE_COLUMNS.values()),
                d.country_of_birth,
                d.state_of_birth,
                d.city_of_birth,
                d.public_school_residence_status,
            ]
        )
    files["demographics"].sort(key=lambda row: row[0])
    present = [name for name in TABLES if files[name] or name != "demographics"]
    manifest = [["manifest.version", "1.0"], ["oneroster.version", "1.2"]]
    manifest += [[f"file.{name}", "bulk" if name in present else "absent"] for name in TABLES]
    manifest += [["source.systemName", "Credo"], ["source.systemCode", school.slug]]
    out = {"manifest.csv": write_csv(manifest, header=["propertyName", "value"])}
    for name in present:
        out[f"{name}.csv"] = write_csv(files[name], header=HEADERS[name])
    return out


def roster_zip(school) -> bytes:
    """Return the school's OneRoster 1.2 bulk set as a zip (fixed dates: the same roster, the same bytes)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in roster_files(school).items():
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()
