"""The OneRoster tables about people: users, students, memberships, guardians, demographics."""

from __future__ import annotations

import datetime as dt
import re

from credo.accounts.models import GuardianLink, Membership, Student, User
from credo.interop.importers.base import changed_fields
from credo.interop.importers.oneroster.common import (
    ROLE_MAP,
    SYSTEM,
    UNUSABLE,
    _grad_year,
    _insert_links,
    _kept_id,
)
from credo.interop.models import Demographics, SourceLink
from credo.interop.oneroster import RACE_COLUMNS
from credo.schools.models import Term


class _People:
    """Users and their accounts, students, roles, guardian links, demographics."""

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
