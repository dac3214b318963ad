"""Apply a checked OneRoster set to one or more schools, in one transaction.

Idempotent on `sourcedId`: a record seen before is updated only where a value differs, so
importing the same set twice changes nothing the second time. A `delta` table applies
`tobedeleted`; a `bulk` table (per the manifest) also removes what an earlier import brought
in and the file no longer lists. Students are never erased — their history stays — they are
made inactive. Demographics go to their own restricted table.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db.models import Count
from django.utils.text import slugify

from credo.accounts.models import GuardianLink, Membership, Role, Student, User
from credo.core.audit import audit_record, snapshot
from credo.core.bulkload import write_rows
from credo.interop.common import Problems, Summary, no_progress
from credo.interop.importers.base import (
    Writer,
    changed_fields,
    refuse_if,
    run_atomically,
)
from credo.interop.models import Demographics, SourceLink
from credo.interop.oneroster import RACE_COLUMNS, Record, Roster
from credo.interop.roster_export import OWN, own_pk
from credo.schools.models import (
    Enrollment,
    ExperienceKind,
    LearningExperience,
    School,
    Section,
    SectionTeacher,
    Term,
)

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


class RosterImport:
    """One run over a roster. `run()` returns the summary; it raises ImportRefused on any problem."""

    def __init__(self, *, actor, roster: Roster, school: School | None, progress=None):
        self.actor = actor
        self.roster = roster
        self.school = school
        self.progress = progress or no_progress
        self.problems = Problems()
        for p in roster.problems:
            self.problems.items.append(p)
        self.summary = Summary()
        self.users_by_sid: dict[str, User] = {}  # shared between the schools of one run
        self.school_of = self._org_map()

    # --- organisations -------------------------------------------------------------------------

    def _org_map(self) -> dict[str, str | None]:
        """Map each organisation of the set to the school it stands for.

        A school stands for itself; a department for the school above it; a district (or any
        organisation above schools) for its one school, and for none when it has several.
        """
        orgs = self.roster.table("orgs")
        children: dict[str, list[str]] = defaultdict(list)
        for sid, org in orgs.items():
            if org["parent"]:
                children[org["parent"]].append(sid)
        mapping: dict[str, str | None] = {}
        for sid, org in orgs.items():
            if org.deleted:
                continue
            if org["type"] == "school":
                mapping[sid] = sid
            elif org["type"] == "department":
                node, seen = org["parent"], {sid}
                while node in orgs and node not in seen and orgs[node]["type"] != "school":
                    seen.add(node)
                    node = orgs[node]["parent"]
                mapping[sid] = node if node in orgs and orgs[node]["type"] == "school" else None
            else:
                below, todo, seen = [], list(children.get(sid, ())), {sid}
                while todo:
                    node = todo.pop()
                    if node in seen or orgs[node].deleted:
                        continue
                    seen.add(node)
                    if orgs[node]["type"] == "school":
                        below.append(node)
                    else:
                        todo.extend(children.get(node, ()))
                mapping[sid] = below[0] if len(below) == 1 else None
        return mapping

    def resolve(self, org_id: str) -> str | None:
        """Return the school organisation `org_id` stands for (itself when the set does not say)."""
        return self.school_of.get(org_id, org_id)

    def _why(self, org_id: str) -> str:
        org = self.roster.table("orgs").get(org_id)
        if org is not None and org_id in self.school_of and self.school_of[org_id] is None:
            if org["type"] == "department":
                return f"its organisation “{org_id}” is a department under no school of the set"
            return (
                f"its organisation “{org_id}” ({org['type']}) has several schools; "
                "say which one in the file"
            )
        return f"its school “{org_id}” is not one this import brings in"

    def _note_skips(self, targets: list[Target]) -> None:
        """Count, with the reason, every active record that no school of this import takes."""
        roster, skip = self.roster, self.summary.skip
        orgs = {t.org_id for t in targets}

        def place(r: Record) -> str:
            return f"{r.file}:{r.line}"

        placed_classes = set()
        for c in roster.active("classes"):
            if self.resolve(c["school"]) in orgs:
                placed_classes.add(c.sourced_id)
            else:
                skip("class", self._why(c["school"]), place(c))
        used_courses = {
            c["course"] for c in roster.active("classes") if c.sourced_id in placed_classes
        }
        for c in roster.active("courses"):
            if c.sourced_id not in used_courses and self.resolve(c["org"]) not in orgs:
                skip("course", self._why(c["org"]), place(c))
        people: set[str] = set()
        for e in roster.active("enrollments"):
            if e["class"] not in placed_classes and self.resolve(e["school"]) not in orgs:
                skip("enrollment", self._why(e["school"]), place(e))
            elif e["role"] == "student" or e["role"] in TEACHING_ROLES:
                people.add(e["user"])
            else:
                skip(
                    "enrollment",
                    f"the role “{e['role']}” in a class: Credo's sections hold students and teachers",
                    place(e),
                )
        for role in roster.active("roles"):
            if self.resolve(role["org"]) not in orgs:
                skip("role", self._why(role["org"]), place(role))
            elif role["role"] not in ROLE_MAP:
                skip(
                    "role", f"“{role['role']}” has no counterpart among Credo's roles", place(role)
                )
            else:
                people.add(role["user"])
        school_ids = [t.school.pk for t in targets if t.school.pk]
        known_users = set(
            SourceLink.objects.filter(
                school_id__in=school_ids, system=SYSTEM, kind="user"
            ).values_list("source_id", flat=True)
        )
        for u in roster.active("users"):
            if u.sourced_id not in people and u.sourced_id not in known_users and not u["role"]:
                skip("user", "no role or enrollment in a school of this import", place(u))
        # tobedeleted for what no earlier import brought in: nothing to delete.
        stored = {
            "academicSessions": Term.objects.filter(school_id__in=school_ids).values_list(
                "source_id", flat=True
            ),
            "courses": LearningExperience.objects.filter(school_id__in=school_ids).values_list(
                "source_id", flat=True
            ),
            "classes": Section.objects.filter(school_id__in=school_ids).values_list(
                "source_id", flat=True
            ),
            "users": known_users,
            "demographics": Demographics.objects.filter(school_id__in=school_ids).values_list(
                "source_id", flat=True
            ),
            "orgs": School.objects.exclude(source_id="").values_list("source_id", flat=True),
        }
        enrolled = set(
            Enrollment.objects.filter(school_id__in=school_ids).values_list("source_id", flat=True)
        ) | set(
            SourceLink.objects.filter(
                school_id__in=school_ids, system=SYSTEM, kind="teaching"
            ).values_list("source_id", flat=True)
        )
        kinds = {
            "academicSessions": "term",
            "courses": "course",
            "classes": "class",
            "users": "user",
            "demographics": "demographics",
            "orgs": "org",
            "enrollments": "enrollment",
            "roles": "role",
        }
        for table, kind in kinds.items():
            deleted = roster.deleted(table)
            if not deleted:
                continue
            if table == "roles":
                for r in deleted:
                    skip(
                        kind,
                        "roles are not kept one by one: a role goes when users.csv or roles.csv "
                        "comes in bulk without it, or its user is marked tobedeleted",
                        place(r),
                    )
                continue
            known = enrolled if table == "enrollments" else set(stored[table])
            for r in deleted:
                if r.sourced_id not in known:
                    skip(
                        kind,
                        "marked tobedeleted, but no earlier import brought it in: nothing to delete",
                        place(r),
                    )

    # --- which schools -----------------------------------------------------------------------

    def _targets(self) -> list[Target]:
        orgs = self.roster.table("orgs")
        school_orgs = [r for r in orgs.values() if not r.deleted and r["type"] == "school"]
        referenced = {r["school"] for r in self.roster.active("classes")} | {
            r["school"] for r in self.roster.active("enrollments")
        }
        referenced.discard("")
        if self.school is not None:
            if self.school.source_id and (
                self.school.source_id in orgs
                or self.school.source_id in referenced
                or not school_orgs
            ):
                return [Target(self.school, self.school.source_id)]
            candidates = [r.sourced_id for r in school_orgs] or sorted(referenced)
            if len(candidates) == 1:
                return [Target(self.school, candidates[0])]
            place = school_orgs[0] if school_orgs else None
            self.problems.add(
                place.file if place else "orgs.csv",
                place.line if place else 1,
                "sourcedId",
                f"the set describes {len(candidates)} schools ({', '.join(candidates[:5])}); "
                f"import it without --school to bring in each school, or give {self.school.slug} "
                "the sourcedId of its organisation first",
            )
            return []
        if not school_orgs:
            self.problems.add(
                "orgs.csv",
                1,
                "type",
                "no organisation of type school; say which school with --school",
            )
            return []
        existing = {
            s.source_id: s
            for s in School.objects.filter(source_id__in=[r.sourced_id for r in school_orgs])
        }
        own = {own_pk(r.sourced_id, "school"): r.sourced_id for r in school_orgs}
        for s in School.objects.filter(pk__in=[pk for pk in own if pk], source_id=""):
            existing[own[s.pk]] = s  # a school Credo made, exported under Credo's own id
        targets = []
        taken = set(School.objects.values_list("slug", flat=True))
        for record in school_orgs:
            school = existing.get(record.sourced_id)
            if school is None:
                base = slugify(record["name"])[:40] or "school"
                slug, n = base, 2
                while slug in taken:
                    slug, n = f"{base}-{n}", n + 1
                taken.add(slug)
                school = School(name=record["name"], slug=slug, source_id=record.sourced_id)
                targets.append(Target(school, record.sourced_id, created=True))
            else:
                targets.append(Target(school, record.sourced_id))
        return targets

    def _known_org_ids(self) -> set[str]:
        ids = set(self.roster.table("orgs"))
        ids |= set(School.objects.exclude(source_id="").values_list("source_id", flat=True))
        return ids

    # --- the run -----------------------------------------------------------------------------

    def run(self, *, dry_run: bool = False) -> Summary:
        targets = self._targets()
        known_orgs = self._known_org_ids()
        for table in ("classes", "enrollments", "roles", "courses"):
            column = {
                "classes": "schoolSourcedId",
                "enrollments": "schoolSourcedId",
                "roles": "orgSourcedId",
                "courses": "orgSourcedId",
            }[table]
            key = {"classes": "school", "enrollments": "school", "roles": "org", "courses": "org"}[
                table
            ]
            for r in self.roster.active(table):
                if (
                    r[key]
                    and r[key] not in known_orgs
                    and not (
                        self.school is not None
                        and len(targets) == 1
                        and r[key] == targets[0].org_id
                    )
                ):
                    self.problems.add(r.file, r.line, column, f"unknown organisation “{r[key]}”")
        if self.problems or not targets:
            # Reference checks need the schools; report what is known so far with everything else.
            for t in targets:
                _SchoolRun(self, t).check_only()
            refuse_if(self.problems)

        self._note_skips(targets)

        def apply() -> Summary:
            for i, target in enumerate(targets):
                if target.created:
                    target.school.full_clean()
                    target.school.save()
                    audit_record(
                        actor=self.actor,
                        school=target.school,
                        action="import.school.created",
                        target=target.school,
                        after=snapshot(target.school),
                        note=SYSTEM,
                    )
                    self.summary["school"].created += 1
                elif (
                    self.school is not None
                    and not target.school.source_id
                    and own_pk(target.org_id, "school") != target.school.pk
                ):
                    before = snapshot(target.school, ["source_id"])
                    target.school.source_id = target.org_id
                    target.school.save(update_fields=["source_id"])
                    audit_record(
                        actor=self.actor,
                        school=target.school,
                        action="import.school.updated",
                        target=target.school,
                        before=before,
                        after={"source_id": target.org_id},
                        note=SYSTEM,
                    )
                    self.summary["school"].updated += 1
                else:
                    self.summary["school"].unchanged += 1
                _SchoolRun(self, target, index=i, total=len(targets)).apply()
            refuse_if(self.problems)
            return self.summary

        summary = run_atomically(apply, dry_run=dry_run)
        summary.notes["schools"] = [t.school.slug for t in targets]
        summary.notes["oneroster_version"] = self.roster.version or "unknown"
        summary.notes["modes"] = dict(self.roster.modes)
        if self.roster.ignored:
            summary.warnings.append(
                "Not imported (Credo has no use for them, or they hold passwords): "
                + ", ".join(sorted(self.roster.ignored))
            )
        return summary


def _kept_id(sid: str, record) -> str:
    """Return the source id to store: none for a record Credo made, named by Credo's own id."""
    if record is not None and not record.source_id and OWN.match(sid):
        return ""
    return sid


def _pair(enrollment) -> tuple[int, int]:
    return (enrollment.section_id, enrollment.student_id)


class _SchoolRun:
    """The part of a run that concerns one school."""

    def __init__(self, run: RosterImport, target: Target, *, index: int = 0, total: int = 1):
        self.run = run
        self.roster = run.roster
        self.school = target.school
        self.org = target.org_id
        self.single = run.school is not None
        self.problems = run.problems
        self.summary = run.summary
        self.index, self.total = index, total
        self.writer = Writer(
            actor=run.actor, school=self.school, summary=self.summary, source=SYSTEM
        )

    def _step(self, stage: str, n: int, total: int) -> None:
        label = f"{stage}" if self.total == 1 else f"{self.school.slug}: {stage}"
        self.run.progress(label, n, total)

    def bulk(self, table: str) -> bool:
        return self.roster.modes.get(table) == "bulk"

    def belongs(self, org_id: str) -> bool:
        return self.run.resolve(org_id) == self.org

    # --- what the file says about this school ---------------------------------------------

    def _scope(self) -> None:
        r = self.roster
        self.classes = {
            sid: c
            for sid, c in r.table("classes").items()
            if c.deleted or self.belongs(c["school"])
        }
        course_ids = {c["course"] for c in self.classes.values() if not c.deleted}
        self.courses = {
            sid: c
            for sid, c in r.table("courses").items()
            if c.deleted or sid in course_ids or self.belongs(c["org"])
        }
        self.sessions = dict(r.table("academicSessions"))
        self.enrollments = {
            sid: e
            for sid, e in r.table("enrollments").items()
            if e.deleted or self.belongs(e["school"]) or e["class"] in self.classes
        }
        # Roles of each user in this school, from roles.csv, 1.1 user rows and enrollments.
        self.roles: dict[str, set[str]] = defaultdict(set)
        for role in r.active("roles"):
            if self.belongs(role["org"]):
                self.roles[role["user"]].add(role["role"])
        for user in r.active("users"):
            if user["role"] and (
                self.belongs(user["primary_org"])
                or self.org in user["orgs"]
                or (self.single and not user["orgs"] and not user["primary_org"])
            ):
                self.roles[user.sourced_id].add(user["role"])
        for e in self.enrollments.values():
            if not e.deleted:
                self.roles[e["user"]].add(e["role"])
        known = set(self.students) | set(self.user_links)  # people an earlier import brought here
        self.users = {
            sid: u
            for sid, u in r.table("users").items()
            if u.deleted or sid in self.roles or sid in known
        }
        self.ends = [s["end"] for s in r.active("academicSessions") if s["end"]]

    def _load(self) -> None:
        school = self.school.pk  # None for a school this run creates: nothing stored yet
        self.terms = {
            t.source_id: t for t in Term.objects.filter(school_id=school).exclude(source_id="")
        }
        self.courses_db = {
            c.source_id: c for c in LearningExperience.objects.filter(school_id=school)
        }
        self.course_codes = {c.code: c for c in self.courses_db.values()}
        self.courses_db = {k: v for k, v in self.courses_db.items() if k}
        self.sections = {
            s.source_id: s for s in Section.objects.filter(school_id=school).exclude(source_id="")
        }
        students = list(Student.objects.filter(school_id=school))
        self.students = {s.source_id: s for s in students if s.source_id}
        self.student_numbers = {s.student_number: s for s in students}
        links = SourceLink.objects.filter(school_id=school, system=SYSTEM)
        self.user_links = {}
        self.teaching_links = {}
        for link in links:
            (self.user_links if link.kind == "user" else self.teaching_links)[link.source_id] = link
        self.users_db = {
            u.pk: u
            for u in User.objects.filter(pk__in=[k.object_id for k in self.user_links.values()])
        }
        self.enrollments_db = {
            e.source_id: e
            for e in Enrollment.objects.filter(school_id=school).exclude(source_id="")
        }
        self._adopt_own_ids(school, students)

    def _adopt_own_ids(self, school, students) -> None:
        """Let the ids Credo's own export gives records made in Credo name those records again.

        Only ids the set lists are added: a bulk file from elsewhere never touches what was made
        by hand.
        """
        if school is None:
            return
        listed = {
            table: {sid for sid in self.roster.table(table) if OWN.match(sid)}
            for table in ("academicSessions", "courses", "classes", "users", "enrollments")
        }
        if not any(listed.values()):
            return

        def wanted(table: str, kind: str) -> dict[int, str]:
            return {own_pk(sid, kind): sid for sid in listed[table] if own_pk(sid, kind)}

        for pk, term in ((t.pk, t) for t in Term.objects.filter(school_id=school, source_id="")):
            if pk in (ids := wanted("academicSessions", "term")):
                self.terms[ids[pk]] = term
        ids = wanted("courses", "course")
        for c in LearningExperience.objects.filter(school_id=school, source_id="", pk__in=ids):
            self.courses_db[ids[c.pk]] = c
        ids = wanted("classes", "class")
        for s in Section.objects.filter(school_id=school, source_id="", pk__in=ids):
            self.sections[ids[s.pk]] = s
        ids = wanted("enrollments", "enrollment")
        for e in Enrollment.objects.filter(school_id=school, source_id="", pk__in=ids):
            self.enrollments_db[ids[e.pk]] = e
        ids = wanted("users", "user")
        by_user = {s.user_id: s for s in students}
        self.own_users = {}
        if ids:
            members = set(
                Membership.objects.filter(school_id=school, user_id__in=ids).values_list(
                    "user_id", flat=True
                )
            ) | set(by_user)
            for user in User.objects.filter(pk__in=set(ids) & members):
                self.own_users[ids[user.pk]] = user
                student = by_user.get(user.pk)
                if student is not None and not student.source_id:
                    self.students[ids[user.pk]] = student

    own_users: dict[str, User] = {}

    # --- reference checks --------------------------------------------------------------------

    def check_only(self) -> None:
        self._load()
        self._scope()
        self._check_references()

    def _check_references(self) -> None:
        known_courses = set(self.roster.table("courses")) | set(self.courses_db)
        known_terms = set(self.sessions) | set(self.terms)
        known_classes = set(self.roster.table("classes")) | set(self.sections)
        known_users = set(self.roster.table("users")) | set(self.user_links) | set(self.students)
        active_terms = {s.sourced_id for s in self.roster.active("academicSessions")} | (
            set(self.terms) - {s.sourced_id for s in self.roster.deleted("academicSessions")}
        )
        for c in self.classes.values():
            if c.deleted:
                continue
            if c["course"] and c["course"] not in known_courses:
                self.problems.add(
                    c.file, c.line, "courseSourcedId", f"unknown course “{c['course']}”"
                )
            elif (
                c["course"] in self.roster.table("courses")
                and self.roster.table("courses")[c["course"]].deleted
            ):
                self.problems.add(
                    c.file,
                    c.line,
                    "courseSourcedId",
                    f"course “{c['course']}” is marked tobedeleted",
                )
            for term in c["terms"]:
                if term not in known_terms:
                    self.problems.add(
                        c.file, c.line, "termSourcedIds", f"unknown academic session “{term}”"
                    )
                elif term not in active_terms:
                    self.problems.add(
                        c.file,
                        c.line,
                        "termSourcedIds",
                        f"academic session “{term}” is marked tobedeleted",
                    )
        deleted_classes = {sid for sid, c in self.roster.table("classes").items() if c.deleted}
        for e in self.enrollments.values():
            if e.deleted:
                continue
            if e["class"] and e["class"] not in known_classes:
                self.problems.add(e.file, e.line, "classSourcedId", f"unknown class “{e['class']}”")
            elif e["class"] in deleted_classes:
                self.problems.add(
                    e.file, e.line, "classSourcedId", f"class “{e['class']}” is marked tobedeleted"
                )
            if e["user"] and e["user"] not in known_users:
                self.problems.add(e.file, e.line, "userSourcedId", f"unknown user “{e['user']}”")
        for role in self.roster.active("roles"):
            if role["user"] and role["user"] not in known_users:
                self.problems.add(
                    role.file, role.line, "userSourcedId", f"unknown user “{role['user']}”"
                )
        for u in self.roster.active("users"):
            for agent in u["agents"]:
                if agent not in known_users:
                    self.problems.add(u.file, u.line, "agentSourcedIds", f"unknown user “{agent}”")
        for d in self.roster.active("demographics"):
            if d.sourced_id not in known_users:
                self.problems.add(
                    d.file, d.line, "sourcedId", f"no user has the sourcedId “{d.sourced_id}”"
                )
        self._plan_students()

    def _plan_students(self) -> None:
        """Match each student of the file to a stored student; report clashing student numbers."""
        self.student_plan: list[tuple[str, Record, str, Student | None]] = []
        numbers_in_file: dict[str, Record] = {}
        for sid, u in self.users.items():
            if u.deleted or ("student" not in self.roles.get(sid, ()) and sid not in self.students):
                continue
            number = (u["identifier"] or u["username"] or sid)[:64]
            if number in numbers_in_file:
                other = numbers_in_file[number]
                column = "identifier" if u["identifier"] else "username"
                self.problems.add(
                    u.file,
                    u.line,
                    column,
                    f"“{number}” is also the student number of the user on line {other.line}",
                )
                continue
            numbers_in_file[number] = u
            student = self.students.get(sid)
            if student is None:
                holder = self.student_numbers.get(number)
                if holder is not None and holder.source_id and holder.source_id != sid:
                    self.problems.add(
                        u.file,
                        u.line,
                        "identifier",
                        f"student number “{number}” already belongs to another student ({holder})",
                    )
                    continue
                student = holder
            self.student_plan.append((sid, u, number, student))

    # --- applying ----------------------------------------------------------------------------

    def apply(self) -> None:
        self._load()
        self._scope()
        self._check_references()
        if self.problems:
            return
        steps = [
            self._terms,
            self._courses,
            self._sections,
            self._prune,
            self._users,
            self._students,
            self._memberships,
            self._enrollments,
            self._teaching,
            self._guardians,
            self._demographics,
        ]
        for i, step in enumerate(steps):
            self._step("writing", i, len(steps))
            step()
        self._step("writing", len(steps), len(steps))
        self.writer.flush()
        if self._graduation_dirty:
            from credo.mastery import bulk

            bulk.recompute(school_ids=[self.school.pk], actor=self.run.actor, only_credits=True)

    _graduation_dirty = False

    def _doomed(
        self, table: str, records: dict[str, Record], existing: dict[str, object]
    ) -> set[str]:
        """Return the source ids to remove: marked tobedeleted, or (bulk) no longer listed."""
        doomed = {sid for sid, r in records.items() if r.deleted and sid in existing}
        if self.bulk(table):
            doomed |= {sid for sid in existing if sid not in records}
        return doomed

    def _terms(self) -> None:
        creates, updates = [], []
        for sid, s in self.sessions.items():
            if s.deleted:
                continue
            values = {
                "name": s["title"],
                "school_year": s["school_year"],
                "starts_on": s["start"],
                "ends_on": s["end"],
            }
            term = self.terms.get(sid)
            if term is None:
                term = Term(school=self.school, source_id=sid, **values)
                creates.append(term)
                self.terms[sid] = term
            elif diff := changed_fields(term, values):
                updates.append((term, diff))
            else:
                self.summary["term"].unchanged += 1
        self.writer.create("term", creates)
        self.writer.update("term", updates)

    def _courses(self) -> None:
        creates, updates = [], []
        taken = set(self.course_codes)
        for sid, c in self.courses.items():
            if c.deleted:
                continue
            course = self.courses_db.get(sid)
            if (
                course is None
                and c["code"]
                and c["code"] in self.course_codes
                and not self.course_codes[c["code"]].source_id
            ):
                course = self.course_codes[c["code"]]  # a course set up by hand before: adopt it
                course.source_id = sid
                updates.append((course, {"source_id": sid}))
                self.courses_db[sid] = course
            if course is None:
                code = _course_code(c, taken)
                taken.add(code)
                course = LearningExperience(
                    school=self.school,
                    source_id=sid,
                    kind=ExperienceKind.COURSE,
                    code=code,
                    title=c["title"],
                )
                creates.append(course)
                self.courses_db[sid] = course
            elif diff := changed_fields(course, {"title": c["title"]}):
                updates.append((course, diff))
            elif course.pk and not any(o is course for o, _ in updates):
                self.summary["course"].unchanged += 1
        self.writer.create("course", creates)
        self.writer.update("course", updates)

    def _prune(self) -> None:
        """Remove courses and sessions that are gone, once their sections are; keep any still in use."""
        doomed = self._doomed("courses", self.courses, self.courses_db)
        if doomed:
            objs = [self.courses_db.pop(sid) for sid in sorted(doomed)]
            busy = set(
                LearningExperience.objects.filter(pk__in=[o.pk for o in objs])
                .annotate(n=Count("alignments") + Count("sections"))
                .filter(n__gt=0)
                .values_list("pk", flat=True)
            )
            for o in objs:
                if o.pk in busy:
                    self.summary.warnings.append(
                        f"Course {o.code} was kept: it still has sections or aligned competencies."
                    )
            self.writer.delete("course", [o for o in objs if o.pk not in busy])
        doomed = self._doomed("academicSessions", self.sessions, self.terms)
        if doomed:
            objs = [self.terms.pop(sid) for sid in sorted(doomed)]
            busy = set(Section.objects.filter(term__in=objs).values_list("term_id", flat=True))
            for o in objs:
                if o.pk in busy:
                    self.summary.warnings.append(
                        f"Term {o.name} was kept: sections still meet in it."
                    )
            self.writer.delete("term", [o for o in objs if o.pk not in busy])

    def _sections(self) -> None:
        creates, updates = [], []
        for sid, c in self.classes.items():
            if c.deleted:
                continue
            values = {
                "name": c["title"][:100],
                "experience_id": self.courses_db[c["course"]].pk,
                "term_id": self.terms[c["terms"][0]].pk,
            }
            section = self.sections.get(sid)
            if section is None:
                section = Section(school=self.school, source_id=sid, **values)
                creates.append(section)
                self.sections[sid] = section
            elif diff := changed_fields(section, values):
                updates.append((section, diff))
            else:
                self.summary["section"].unchanged += 1
        self.writer.create("section", creates)
        self.writer.update("section", updates)
        doomed = self._doomed("classes", self.classes, self.sections)
        self.writer.delete("section", [self.sections.pop(sid) for sid in doomed])

    # people ---------------------------------------------------------------------------------

    def _username(self, wanted: str, taken: set[str]) -> str:
        base = re.sub(r"[^\w.@+-]", "", wanted)[:120] or "user"
        if base not in taken:
            return base
        base = f"{base}.{self.school.slug}"[:140]
        name, n = base, 2
        while name in taken:
            name, n = f"{base}{n}", n + 1
        return name

    def _users(self) -> None:
        active = {sid: u for sid, u in self.users.items() if not u.deleted}
        wanted = {u["username"] for u in active.values()}
        taken_rows = dict(User.objects.filter(username__in=wanted).values_list("username", "pk"))
        members = set(
            Membership.objects.filter(
                school=self.school, user_id__in=list(taken_rows.values())
            ).values_list("user_id", flat=True)
        )
        taken = set(taken_rows)
        creates, updates, links = [], [], []
        self.user_of: dict[str, User] = {}
        for sid, u in active.items():
            values = {
                "first_name": u["given"][:150],
                "last_name": u["family"][:150],
                "email": u["email"],
                "is_active": u["enabled"] is not False,
            }
            link = self.user_links.get(sid)
            user = self.users_db.get(link.object_id) if link else None
            if user is None:
                user = self.run.users_by_sid.get(sid) or self.own_users.get(sid)
                if user is not None and sid in self.own_users:
                    # Credo's own user, named by Credo's own id: compared, never linked. An
                    # account that holds no name (the student record has it) is left so.
                    mine = {k: v for k, v in values.items() if getattr(user, k) or k == "is_active"}
                    if sid in self.students:  # the student record holds the names sent
                        mine.pop("first_name", None)
                        mine.pop("last_name", None)
                    updates.append((user, changed_fields(user, mine)))
                    self.user_of[sid] = user
                    self.run.users_by_sid[sid] = user
                    continue
                if (
                    user is None
                    and u["username"] in taken_rows
                    and taken_rows[u["username"]] in members
                ):
                    user = User.objects.get(
                        pk=taken_rows[u["username"]]
                    )  # an account of this school already
                    updates.append((user, changed_fields(user, values)))
                if user is None:
                    username = self._username(u["username"], taken)
                    taken.add(username)
                    user = User(username=username, password=UNUSABLE, **values)
                    creates.append(user)
                links.append((sid, user))
            elif diff := changed_fields(user, values):
                updates.append((user, diff))
            else:
                self.summary["user"].unchanged += 1
            self.user_of[sid] = user
            self.run.users_by_sid[sid] = user
        self.writer.create("user", creates, key=("username",))
        self.writer.update("user", [(o, d) for o, d in updates if d])
        self.summary["user"].unchanged += sum(1 for _, d in updates if not d)
        new_links = [
            SourceLink(
                school=self.school, system=SYSTEM, kind="user", source_id=sid, object_id=user.pk
            )
            for sid, user in links
        ]
        _insert_links(new_links)
        for link in new_links:
            self.user_links[link.source_id] = link
        for sid, link in self.user_links.items():
            if sid not in self.user_of and link.object_id in self.users_db:
                self.user_of[sid] = self.users_db[link.object_id]
        # Users marked tobedeleted (or missing from a bulk file) lose what the import gave them here.
        self.gone_users = self._doomed("users", self.users, self.user_links)

    def _school_year_end(self) -> int:
        if self.ends:
            return max(self.ends).year
        latest = Term.objects.filter(school=self.school).order_by("-ends_on").first()
        today = dt.date.today()  # noqa: DTZ011 - a school year, not an instant
        return latest.ends_on.year if latest else (today.year + (1 if today.month >= 7 else 0))

    def _students(self) -> None:
        year_end = self._school_year_end()
        creates, updates, guessed = [], [], 0
        for sid, u, number, student in self.student_plan:
            grad = _grad_year(u["grades"], year_end)
            values = {
                "given_name": u["given"],
                "family_name": u["family"],
                "preferred_name": u["preferred"],
                "student_number": number,
                "user_id": self.user_of[sid].pk,
                "active": True,
                "source_id": _kept_id(sid, student),
            }
            if student is None:
                if grad is None:
                    grad, guessed = year_end + 3, guessed + 1
                student = Student(school=self.school, graduation_year=grad, **values)
                creates.append(student)
                self.students[sid] = student
            else:
                if grad is not None:
                    values["graduation_year"] = grad
                if diff := changed_fields(student, values):
                    updates.append((student, diff))
                    self._graduation_dirty = self._graduation_dirty or "graduation_year" in diff
                else:
                    self.summary["student"].unchanged += 1
        self.writer.create("student", creates, key=("source_id",))
        self.writer.update("student", updates)
        self._graduation_dirty = self._graduation_dirty or bool(creates)
        if guessed:
            self.summary.warnings.append(
                f"{guessed} student(s) had no grade level; their graduation year was set to {year_end + 3} "
                "(as if in ninth grade). Correct it in Credo or send grades in users.csv."
            )
        gone = [
            self.students[sid]
            for sid in self.gone_users
            if sid in self.students and self.students[sid].active
        ]
        if gone:
            self.writer.update("student", [(s, {"active": False}) for s in gone])
            self.summary["student"].updated -= len(gone)
            self.summary["student"].deleted += len(gone)
            self.summary.notes["students_deactivated"] = len(gone)

    def _memberships(self) -> None:
        desired: set[tuple[int, str]] = set()
        for sid, roles in self.roles.items():
            user = self.user_of.get(sid)
            if user is None or sid in self.gone_users:
                continue
            for r in roles:
                if r in ROLE_MAP:
                    desired.add((user.pk, ROLE_MAP[r]))
        existing = {(m.user_id, m.role): m for m in Membership.objects.filter(school=self.school)}
        creates = []
        for user_id, role in sorted(desired):
            if (user_id, role) in existing:
                self.summary["membership"].unchanged += 1
            else:
                creates.append(
                    Membership(school=self.school, user_id=user_id, role=role, source_id=SYSTEM)
                )
        self.writer.create("membership", creates, key=("user_id", "role"))
        linked = {link.object_id for sid, link in self.user_links.items()}
        if self.bulk("users") or self.bulk("roles") or self.gone_users:
            gone_ids = {
                self.user_links[sid].object_id for sid in self.gone_users if sid in self.user_links
            }
            stale = [
                m
                for key, m in existing.items()
                if m.source_id == SYSTEM
                and key not in desired
                and m.user_id in linked
                and (self.bulk("users") or self.bulk("roles") or m.user_id in gone_ids)
            ]
            self.writer.delete("membership", stale)

    def _enrollments(self) -> None:
        """Students in classes: one row per (class, student), whatever the source ids do.

        A student information system may renumber enrollments, move one to another class, or list
        the same student in a class twice. So the rows to remove go first, rows that move are put
        back with their new class or student, and only then are new rows added: no (class,
        student) pair is ever held twice, even for a moment.
        """
        summary = self.summary["enrollment"]
        existing = self.enrollments_db
        student_records = {
            sid: e for sid, e in self.enrollments.items() if e["role"] == "student" or e.deleted
        }
        doomed = self._doomed("enrollments", student_records, existing)
        made_here = set(
            Enrollment.objects.filter(school=self.school, source_id="").values_list(
                "section_id", "student_id"
            )
        )
        by_pair: dict[tuple[int, int], list[str]] = defaultdict(list)
        for sid, e in self.enrollments.items():
            if e.deleted or e["role"] != "student":
                continue
            student = self.students.get(e["user"])
            if student is None or student.pk is None:
                self.summary.skip(
                    "enrollment", "its user is not a student of the school", f"{e.file}:{e.line}"
                )
                continue
            by_pair[(self.sections[e["class"]].pk, student.pk)].append(sid)
        wanted: dict[str, tuple[int, int]] = {}
        for pair, sids in by_pair.items():
            # The row already holding the pair keeps it; a second source id for it is skipped.
            holders = [sid for sid in sids if sid in existing and _pair(existing[sid]) == pair]
            if pair in made_here:
                # Made by hand: it stays, named again only by Credo's own id for it.
                keeper = next((sid for sid in holders if OWN.match(sid)), None)
            else:
                keeper = (holders or sids)[0]
            for sid in sids:
                if sid == keeper:
                    wanted[sid] = pair
                else:
                    self.summary.skip(
                        "enrollment",
                        "the student is already in that class under another enrollment id",
                        f"{self.enrollments[sid].file}:{self.enrollments[sid].line}",
                    )
                    if sid in existing:
                        doomed.add(sid)
        self.writer.delete("enrollment", [existing.pop(sid) for sid in sorted(doomed)])
        creates, moves = [], []
        for sid, (section_id, student_id) in wanted.items():
            current = existing.get(sid)
            values = {"section_id": section_id, "student_id": student_id}
            if current is None:
                current = Enrollment(school=self.school, source_id=sid, **values)
                creates.append(current)
                existing[sid] = current
            elif diff := changed_fields(current, values):
                moves.append((current, diff))
            else:
                summary.unchanged += 1
        self.writer.replace("enrollment", moves)
        self.writer.create("enrollment", creates, key=("source_id",))

    def _teaching(self) -> None:
        existing = {
            (t.section_id, t.user_id): t for t in SectionTeacher.objects.filter(school=self.school)
        }
        by_pk = {t.pk: t for t in existing.values()}
        creates, new_links = [], []
        for sid, e in self.enrollments.items():
            if e.deleted or e["role"] not in TEACHING_ROLES or sid in self.teaching_links:
                if sid in self.teaching_links and not e.deleted:
                    self.summary["teaching"].unchanged += 1
                continue
            user = self.user_of.get(e["user"])
            if user is None:
                self.summary.skip("teaching", "its user is not known", f"{e.file}:{e.line}")
                continue
            key = (self.sections[e["class"]].pk, user.pk)
            teaching = existing.get(key)
            if teaching is not None and own_pk(sid, "teaching") == teaching.pk:
                # Credo's own assignment, named by Credo's own id: nothing to link or change.
                self.summary["teaching"].unchanged += 1
                continue
            if teaching is None:
                teaching = SectionTeacher(school=self.school, section_id=key[0], user_id=key[1])
                creates.append(teaching)
                existing[key] = teaching
            new_links.append((sid, teaching))
        self.writer.create("teaching", creates, key=("section_id", "user_id"))
        links = [
            SourceLink(
                school=self.school, system=SYSTEM, kind="teaching", source_id=sid, object_id=t.pk
            )
            for sid, t in new_links
        ]
        _insert_links(links)
        for link in links:
            self.teaching_links[link.source_id] = link
        records = {
            sid: e
            for sid, e in self.enrollments.items()
            if e["role"] in TEACHING_ROLES or e.deleted
        }
        doomed = self._doomed("enrollments", records, self.teaching_links)
        doomed_links = [self.teaching_links.pop(sid) for sid in doomed]
        keep = {link.object_id for link in self.teaching_links.values()}
        self.writer.delete(
            "teaching",
            [
                by_pk[link.object_id]
                for link in doomed_links
                if link.object_id in by_pk and link.object_id not in keep
            ],
        )
        SourceLink.objects.filter(pk__in=[link.pk for link in doomed_links]).delete()

    def _guardians(self) -> None:
        users = self.roster.table("users")
        student_sids = {sid for sid, roles in self.roles.items() if "student" in roles}
        guardian_sids = {
            sid for sid, roles in self.roles.items() if roles & {"guardian", "parent", "relative"}
        }
        desired: set[tuple[str, str]] = set()
        for sid, u in users.items():
            if u.deleted or sid in self.gone_users:
                continue
            for agent in u["agents"]:
                if sid in student_sids and agent in guardian_sids and agent not in self.gone_users:
                    desired.add((agent, sid))
                elif sid in guardian_sids and agent in student_sids:
                    desired.add((sid, agent))
        wanted = {}
        for g, s in desired:
            if g in self.user_of and s in self.students:
                wanted[(self.user_of[g].pk, self.students[s].pk)] = (g, s)
        existing = {
            (link.guardian_id, link.student_id): link
            for link in GuardianLink.objects.filter(school=self.school)
        }
        creates = [
            GuardianLink(school=self.school, guardian_id=g, student_id=s, relationship="")
            for (g, s) in sorted(wanted)
            if (g, s) not in existing
        ]
        self.summary["guardian_link"].unchanged += sum(1 for key in wanted if key in existing)
        self.writer.create("guardian_link", creates, key=("guardian_id", "student_id"))
        if self.bulk("users") or self.gone_users:
            imported_guardians = {link.object_id for link in self.user_links.values()}
            imported_students = {s.pk for s in self.students.values() if s.pk}
            gone_ids = {
                self.user_links[sid].object_id for sid in self.gone_users if sid in self.user_links
            }
            stale = [
                link
                for key, link in existing.items()
                if key not in wanted
                and key[0] in imported_guardians
                and key[1] in imported_students
                and (self.bulk("users") or key[0] in gone_ids)
            ]
            self.writer.delete("guardian_link", stale)

    def _demographics(self) -> None:
        records = self.roster.table("demographics")
        if not records:
            return
        held = list(Demographics.objects.filter(school=self.school))
        existing = {d.source_id: d for d in held if d.source_id}
        by_student = {d.student_id: d for d in held}  # those made by hand included
        creates, updates = [], []
        fields = [
            "birth_date",
            "sex",
            "country_of_birth",
            "state_of_birth",
            "city_of_birth",
            "public_school_residence_status",
            *RACE_COLUMNS.values(),
        ]
        for sid, d in records.items():
            if d.deleted:
                continue
            student = self.students.get(sid)
            if student is None or student.pk is None:
                self.summary.skip(
                    "demographics",
                    "no student of the school has this sourcedId",
                    f"{d.file}:{d.line}",
                )
                continue
            values = {
                f: d[f] if d[f] is not None else ("" if f in fields[1:6] else None) for f in fields
            }
            row = existing.get(sid) or by_student.get(student.pk)
            if row is None:
                row = Demographics(
                    school=self.school, student_id=student.pk, source_id=sid, **values
                )
                creates.append(row)
                existing[sid] = row
            elif diff := changed_fields(row, {**values, "source_id": _kept_id(sid, row)}):
                updates.append((row, diff))
            else:
                self.summary["demographics"].unchanged += 1
        self.writer.create("demographics", creates, key=("student_id",))
        self.writer.update("demographics", updates)
        doomed = self._doomed("demographics", records, existing)
        self.writer.delete("demographics", [existing[sid] for sid in doomed if existing[sid].pk])


def import_oneroster(
    *, actor, roster: Roster, school: School | None = None, dry_run: bool = False, progress=None
) -> Summary:
    """Import a parsed OneRoster set; return what changed (or would change, when `dry_run`).

    Raise ImportRefused listing every problem, with nothing written, when the set has any.
    """
    return RosterImport(actor=actor, roster=roster, school=school, progress=progress).run(
        dry_run=dry_run
    )
