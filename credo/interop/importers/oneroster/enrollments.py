"""The OneRoster enrollments table: students in sections, and teachers of sections."""

from __future__ import annotations

from collections import defaultdict

from credo.interop.importers.base import changed_fields
from credo.interop.importers.oneroster.common import SYSTEM, TEACHING_ROLES, _insert_links, _pair
from credo.interop.models import SourceLink
from credo.interop.roster_export import OWN, own_pk
from credo.schools.models import Enrollment, SectionTeacher


class _Enrollments:
    """Students enrolled in sections and the teachers who teach them."""

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
