"""The OneRoster tables that shape a school: academic sessions (terms), courses, classes (sections)."""

from __future__ import annotations

from django.db.models import Count

from credo.interop.importers.base import changed_fields
from credo.interop.importers.oneroster.common import _course_code
from credo.schools.models import ExperienceKind, LearningExperience, Section, Term


class _Structure:
    """Terms, courses, sections, and pruning what a bulk file no longer lists."""

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
