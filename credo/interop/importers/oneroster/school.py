"""One school's part of a OneRoster run: reading what the file says about it, checking it, and
applying the tables in order (each table's writer is in `structure`, `people` or `enrollments`).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from credo.accounts.models import Membership, Student, User
from credo.interop.importers.base import Writer
from credo.interop.importers.oneroster.common import SYSTEM, Target
from credo.interop.importers.oneroster.enrollments import _Enrollments
from credo.interop.importers.oneroster.people import _People
from credo.interop.importers.oneroster.structure import _Structure
from credo.interop.models import SourceLink
from credo.interop.oneroster import Record
from credo.interop.roster_export import OWN, own_pk
from credo.schools.models import Enrollment, LearningExperience, Section, Term

if TYPE_CHECKING:
    from credo.interop.importers.oneroster.run import RosterImport


class _SchoolRun(_Structure, _People, _Enrollments):
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
