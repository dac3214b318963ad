"""Stage two of a demo school: every student's learning since ninth grade, simulated in memory."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict

from credo.demo import content
from credo.demo.content import DEMO_TODAY, ExperienceSpec
from credo.demo.simulation import (
    BASE,
    CORRECTION_RATE,
    GROWTH,
    NOISE,
    PRACTICE,
    RETRACTION_RATE,
    SECTION_SIZE,
    _As,
    _Comp,
    _Ev,
    _Pupil,
)
from credo.demo.tables import _at, _insert, _weekday
from credo.schools.models import Term


class _Learning:
    """Simulate the students' work and its assessments (no rows written yet)."""

    # --- the students' learning --------------------------------------------------------------

    def simulate(self) -> None:
        """Schedule every student term by term and generate their evidence and assessments."""
        spec = self.spec
        # Sections as (experience code, term, teacher id, name); enrollments as (section, pupil) indexes.
        self.sections: list[tuple[str, Term, int, str]] = []
        self.enrollments: list[tuple[int, int]] = []
        exp_index = {e.code: i for i, e in enumerate(spec.experiences)}
        exp_codes = [e.code for e in spec.experiences]
        teachers = [u.pk for u in self.teacher_users]
        for term in self.terms:
            year = int(term.school_year[:4])
            window = self._window(term)
            chosen: dict[str, list[int]] = defaultdict(list)
            for k, pupil in enumerate(self.pupils):
                grade = 9 + year - pupil.entry
                if not 9 <= grade <= 12:
                    continue
                for e in self._choose(pupil, grade):
                    chosen[e.code].append(k)
            # Sections of at most SECTION_SIZE, in the order of the spec; each has one teacher.
            placed: dict[tuple[int, str], tuple[int, int]] = {}
            for e in spec.experiences:
                members = chosen.get(e.code, [])
                for s in range(0, len(members), SECTION_SIZE):
                    number = s // SECTION_SIZE
                    teacher = teachers[(exp_index[e.code] * 3 + number) % len(teachers)]
                    self.sections.append(
                        (e.code, term, teacher, f"{term.name} · {chr(65 + number)}")
                    )
                    section = len(self.sections) - 1
                    for k in members[s : s + SECTION_SIZE]:
                        self.enrollments.append((section, k))
                        placed[(k, e.code)] = (section, teacher)
            if window is None:
                continue
            for k, pupil in enumerate(self.pupils):
                grade = 9 + year - pupil.entry
                if not 9 <= grade <= 12:
                    continue
                mine = [(code, placed[(k, code)]) for code in exp_codes if (k, code) in placed]
                pupil.teachers = [t for _, (_, t) in mine]
                for code, (section, teacher) in mine:
                    self._experience_term(
                        pupil, spec.experiences[exp_index[code]], section, teacher, window
                    )
                self._reassess(pupil, window)
                self._habits(pupil, window)
        self._outside()
        self._corrections()

    def _window(self, term: Term) -> tuple[dt.date, dt.date, float] | None:
        """Return (first day, last day, share of a semester's work) when students assess in the term."""
        first = term.starts_on + dt.timedelta(days=7)
        last = min(term.ends_on, DEMO_TODAY) - dt.timedelta(days=2)
        if (last - first).days < 10:
            return None
        return first, last, min(1.0, (last - first).days / 130)

    def _choose(self, pupil: _Pupil, grade: int) -> list[ExperienceSpec]:
        rng = self.rng
        open_ = [
            e
            for e in self.spec.experiences
            if e.kind != "outside"
            and grade in e.grades
            and (e.max_terms == 0 or pupil.taken.get(e.code, 0) < e.max_terms)
        ]
        chosen = [e for e in open_ if e.core][: self.spec.term_load]
        scored = []
        for e in open_:
            if e.core:
                continue
            need = sum(1 for c in self.leaves[e.code] if not c.habit and not pupil.done.get(c.id))
            fast = 1.5 if pupil.ability > 0.4 else 0.0
            advanced = sum(1 for c in self.leaves[e.code] if c.difficulty > 0.4) * (
                fast + 0.2 * (grade - 9)
            )
            repeat = -2.5 if pupil.taken.get(e.code) else 0.0
            scored.append((need + advanced + repeat + rng.random() * 4.0, e.code, e))
        scored.sort(key=lambda t: (-t[0], t[1]))
        chosen += [e for _, _, e in scored[: max(0, self.spec.term_load - len(chosen))]]
        for e in chosen:
            pupil.taken[e.code] = pupil.taken.get(e.code, 0) + 1
        return chosen

    def _demographics(self, seed) -> None:
        """Give every student a demographic record, drawn from a generator of its own so the rest
        of the simulation draws the same numbers as before. Economically disadvantaged students
        start behind (`_opportunity_gap`), and the gap closes over the three shared years."""
        from credo.interop.models import Demographics

        rng = random.Random(f"{seed}:{self.spec.slug}:demographics")
        races = (
            (0.30, "hispanic_or_latino"),
            (0.65, "white"),
            (0.82, "black_or_african_american"),
            (0.90, "asian"),
            (0.96, "two_or_more_races"),
            (0.98, "american_indian_or_alaska_native"),
            (1.01, "native_hawaiian_or_other_pacific_islander"),
        )
        rows = []
        for pupil in self.pupils:
            # The landing page's first accounts keep their steady record.
            pupil.disadvantaged = pupil.number > 4 and rng.random() < 0.4
            draw = rng.random()
            race = next(name for limit, name in races if draw < limit)
            r = rng.random()
            rows.append(
                Demographics(
                    school=self.school,
                    student=pupil.obj,
                    sex="female" if r < 0.49 else "male" if r < 0.98 else "other",
                    **{race: True},
                    economically_disadvantaged=pupil.disadvantaged,
                    english_learner=rng.random() < 0.12,
                    disability=pupil.accommodated,
                )
            )
        _insert(Demographics, rows)

    def _opportunity_gap(self, pupil: _Pupil, day: dt.date) -> float:
        """How far behind a disadvantaged student's work starts: 0.6 of a level until the autumn
        of the first shared year, closing to nothing over the next three years."""
        if not pupil.disadvantaged:
            return 0.0
        start = dt.date(content.SCHOOL_YEARS[1], 8, 20)
        progress = max(0.0, (day - start).days / (3 * 365.25))
        return 0.6 * max(0.0, 1.0 - progress)

    def _years(self, pupil: _Pupil, day: dt.date) -> float:
        return (day - dt.date(pupil.entry, 8, 20)).days / 365.25

    def _rating(
        self,
        pupil: _Pupil,
        comp: _Comp,
        day: dt.date,
        *,
        formative: bool = False,
        bonus: float = 0.0,
    ) -> int:
        rng = self.rng
        scale = comp.scale
        years = self._years(pupil, day)
        if comp.habit:
            level = scale.threshold - 0.75 + 0.22 * years + 0.8 * pupil.habit + rng.gauss(0, 0.6)
        else:
            practice = PRACTICE * min(pupil.attempts.get(comp.id, 0), 4)
            level = (
                scale.threshold
                + BASE
                + self.offset
                + GROWTH * years
                + pupil.ability
                - comp.difficulty
                + practice
                + bonus
                - self._opportunity_gap(pupil, day)
                + rng.gauss(0, NOISE)
                - (0.3 if formative else 0.0)
            )
        return scale.rate(level)

    def _feedback(self, comp: _Comp, rating: int, *, revision: bool = False) -> str:
        rng = self.rng
        if revision:
            return self._pick(content.FEEDBACK_REVISION)
        if rng.random() < 0.4:
            return ""
        value = comp.scale.floats[rating]
        if value < comp.scale.threshold:
            return self._pick(content.FEEDBACK_NOT_YET)
        if comp.scale.exceeds is not None and value >= comp.scale.exceeds:
            return self._pick(content.FEEDBACK_EXCEEDS)
        return self._pick(content.FEEDBACK_MEETS)

    def _assessed_at(self, day: dt.date) -> dt.datetime:
        lag = min(self._pick((0, 0, 1, 1, 2, 3, 4, 6, 8)), (DEMO_TODAY - day).days)
        return _at(day + dt.timedelta(days=lag), self._int(14, 22), self._int(60))

    def _random_day(self, first: dt.date, last: dt.date) -> dt.date:
        return _weekday(first + dt.timedelta(days=self._int((last - first).days + 1)))

    def _new_evidence(
        self,
        pupil: _Pupil,
        exp: ExperienceSpec,
        task: str,
        day: dt.date,
        section: int | None,
        teacher: int,
        *,
        revision_of: _Ev | None = None,
    ) -> _Ev:
        rng = self.rng
        if exp.kind in ("impact", "internship") and rng.random() < 0.4 or rng.random() < 0.12:
            kind, body, url, by = "observation", self._pick(content.OBSERVATIONS), "", teacher
        elif rng.random() < 0.5:
            kind, body, url, by = "link", "", "", pupil.user_id
        else:
            kind, body, url, by = "text", self._pick(content.REFLECTIONS), "", pupil.user_id
        title = f"{task}: {exp.title}" if revision_of is None else f"{revision_of.title} (revised)"
        ev = _Ev(
            pupil,
            kind,
            title[:200],
            body,
            url,
            day,
            section,
            self.experiences[exp.code].pk,
            by,
            teacher,
            revision_of=revision_of,
            shared=kind != "observation" and rng.random() < 0.12,
        )
        if kind == "link":
            ev.url = f"https://portfolio.example.org/{self.spec.slug}/{pupil.obj.student_number}/{len(self.evidence) + 1}"
        self.evidence.append(ev)
        return ev

    def _assess(
        self,
        pupil: _Pupil,
        comp: _Comp,
        ev: _Ev | None,
        teacher: int,
        rating: int,
        day: dt.date,
        kind: str,
        feedback: str,
        task: str,
    ) -> _As:
        a = _As(pupil, comp, ev, teacher, rating, day, self._assessed_at(day), kind, feedback, task)
        self.assessments.append(a)
        if kind == "summative" and not comp.habit:
            pupil.attempts[comp.id] = pupil.attempts.get(comp.id, 0) + 1
            history = pupil.history.setdefault(comp.id, [])
            history.append(comp.scale.floats[rating])
            score = comp.score(history)
            pupil.done[comp.id] = score is not None and score >= comp.scale.threshold - 0.005
        if ev is not None:
            value = comp.scale.floats[rating]
            ev.comps[comp.id] = max(ev.comps.get(comp.id, 0.0), value)
        return a

    def _experience_term(
        self,
        pupil: _Pupil,
        exp: ExperienceSpec,
        section: int,
        teacher: int,
        window: tuple[dt.date, dt.date, float],
    ) -> None:
        rng = self.rng
        first, last, share = window
        # Teachers aim each term's work at what a student has not shown yet.
        leaves = []
        for c in self.leaves[exp.code]:
            if c.habit:
                p = 0.3 * share
            elif pupil.done.get(c.id):
                p = 0.15 * share
            elif c.id in pupil.history:
                p = 0.95 * share
            else:  # not tried yet: every unit starts with it
                p = min(1.0, 1.4 * share)
            if rng.random() < p:
                leaves.append(c)
        if not leaves:
            return
        rng.shuffle(leaves)
        tasks_pool = content.TASKS.get(exp.kind, content.TASKS["course"])
        # Group the leaves into pieces of work of one to three competencies, each on one day.
        pieces = []
        i = 0
        while i < len(leaves):
            size = self._pick((1, 2, 2, 3, 3))
            pieces.append((self._random_day(first, last), leaves[i : i + size]))
            i += size
        # Some competencies come back in a second, later piece.
        for c in leaves:
            if rng.random() < self.second_piece:
                pieces.append((self._random_day(first, last), [c]))
        pieces.sort(key=lambda p: (p[0], p[1][0].code))
        for day, comps in pieces:
            task = self._pick(tasks_pool)
            for c in comps:
                if rng.random() < 0.16:  # a formative check before the piece is finished
                    fday = max(first, day - dt.timedelta(days=self._int(3, 15)))
                    r = self._rating(pupil, c, fday, formative=True)
                    self._assess(
                        pupil,
                        c,
                        None,
                        teacher,
                        r,
                        fday,
                        "formative",
                        self._pick(content.FEEDBACK_FORMATIVE) if rng.random() < 0.5 else "",
                        f"Check-in: {task.lower()}",
                    )
            ev = self._new_evidence(pupil, exp, task, day, section, teacher)
            low = []
            for c in comps:
                r = self._rating(pupil, c, day)
                self._assess(pupil, c, ev, teacher, r, day, "summative", self._feedback(c, r), task)
                if not c.habit and c.scale.floats[r] < c.scale.threshold:
                    low.append(c)
            if low and rng.random() < 0.85 * pupil.persistence:
                rday = _weekday(day + dt.timedelta(days=self._int(7, 22)))
                if rday <= DEMO_TODAY - dt.timedelta(days=1):
                    rev = self._new_evidence(
                        pupil, exp, task, rday, section, teacher, revision_of=ev
                    )
                    for c in low:
                        r = self._rating(pupil, c, rday, bonus=0.5)
                        self._assess(
                            pupil,
                            c,
                            rev,
                            teacher,
                            r,
                            rday,
                            "summative",
                            self._feedback(c, r, revision=True),
                            f"{task} (revision)",
                        )

    def _reassess(self, pupil: _Pupil, window: tuple[dt.date, dt.date, float]) -> None:
        """Reassessments: a few competencies the student has tried but not yet shown, taken again."""
        rng = self.rng
        first, last, share = window
        open_ = [self.by_id[c] for c in pupil.history if not pupil.done.get(c)]
        if not open_ or not pupil.teachers:
            return
        for comp in rng.sample(open_, min(len(open_), round(self.retakes * share))):
            day = self._random_day(first, last)
            teacher = self._pick(pupil.teachers)
            ev = _Ev(
                pupil,
                "observation",
                f"Reassessment of {comp.code}",
                self._pick(content.REASSESSMENT_NOTES),
                "",
                day,
                None,
                None,
                teacher,
                teacher,
            )
            self.evidence.append(ev)
            r = self._rating(pupil, comp, day, bonus=0.2)
            self._assess(
                pupil,
                comp,
                ev,
                teacher,
                r,
                day,
                "summative",
                self._feedback(comp, r),
                "Reassessment",
            )

    def _habits(self, pupil: _Pupil, window: tuple[dt.date, dt.date, float]) -> None:
        rng = self.rng
        first, last, share = window
        for code in self.habit_codes:
            comp = self.sim[code]
            for _ in range(1 + (rng.random() < 0.2 * share)):
                if rng.random() > 0.1 + 0.5 * share:  # about once a term
                    continue
                day = self._random_day(first, last)
                moment = self._pick(content.HABIT_MOMENTS)
                assessor = (
                    pupil.advisor_id
                    if moment != "Class observation" or not pupil.teachers
                    else self._pick(pupil.teachers)
                )
                r = self._rating(pupil, comp, day)
                kind = "formative" if rng.random() < 0.65 else "summative"
                self._assess(
                    pupil, comp, None, assessor, r, day, kind, self._feedback(comp, r), moment
                )

    def _outside(self) -> None:
        """Learning outside school: a few pieces per student, vouched for by someone who saw it."""
        rng = self.rng
        outside = [e for e in self.spec.experiences if e.kind == "outside"]
        if not outside:
            return
        exp = outside[0]
        academic = [c for c in self.leaves[exp.code] if not c.habit]
        habits = [c for c in self.leaves[exp.code] if c.habit]
        for pupil in self.pupils:
            for year in content.SCHOOL_YEARS:
                if not pupil.entry <= year < pupil.cohort:
                    continue
                for _ in range(2):
                    if rng.random() > 0.55:
                        continue
                    if rng.random() < 0.4:  # the summer after the school year
                        first, last = dt.date(year + 1, 6, 20), dt.date(year + 1, 8, 15)
                    else:
                        first, last = dt.date(year, 9, 15), dt.date(year + 1, 5, 30)
                    last = min(last, DEMO_TODAY - dt.timedelta(days=5))
                    if last <= first:
                        continue
                    day = first + dt.timedelta(days=self._int((last - first).days + 1))
                    title, voucher = self._pick(content.OUTSIDE_LEARNING)
                    ev = _Ev(
                        pupil,
                        "text",
                        title,
                        self._pick(content.REFLECTIONS),
                        "",
                        day,
                        None,
                        self.experiences[exp.code].pk,
                        pupil.user_id,
                        pupil.advisor_id,
                        outside=True,
                        vouched_by=voucher,
                        shared=rng.random() < 0.2,
                    )
                    self.evidence.append(ev)
                    comps = rng.sample(academic, min(len(academic), self._pick((1, 1, 2))))
                    if habits and rng.random() < 0.5:
                        comps.append(self._pick(habits))
                    for c in comps:
                        r = self._rating(pupil, c, day, bonus=0.2)
                        self._assess(
                            pupil,
                            c,
                            ev,
                            pupil.advisor_id,
                            r,
                            day,
                            "summative",
                            self._feedback(c, r),
                            "Learning outside school",
                        )

    def _corrections(self) -> None:
        """A few assessments are corrected (a new row replaces the old) and a few retracted."""
        rng = self.rng
        self.corrections: list[tuple[_As, int | None, dt.datetime, str]] = []
        for a in self.assessments:
            r = rng.random()
            if r < CORRECTION_RATE:
                scale = a.comp.scale
                rating = a.rating + (1 if rng.random() < 0.7 else -1)
                if not 0 <= rating < len(scale.values):
                    rating = a.rating - (rating - a.rating)
                at = a.at + dt.timedelta(days=self._int(1, 6), hours=self._int(0, 3))
                at = min(at, _at(DEMO_TODAY, 22))
                self.corrections.append((a, rating, at, self._pick(content.CORRECTION_NOTES)))
            elif r < CORRECTION_RATE + RETRACTION_RATE:
                at = min(a.at + dt.timedelta(days=self._int(1, 8)), _at(DEMO_TODAY, 22))
                self.corrections.append((a, None, at, self._pick(content.RETRACTION_REASONS)))
