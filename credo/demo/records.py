"""Stage three of a demo school: the simulated evidence and assessments written as rows."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from credo.core.bulkload import next_ids, reset_sequences, write_rows
from credo.demo import content
from credo.demo.content import DEMO_TODAY
from credo.demo.simulation import _Ev, _Pupil
from credo.demo.tables import _at, _insert
from credo.evidence.models import Evidence, EvidenceCompetency, EvidenceCredit, PeerFeedback
from credo.mastery.models import Assessment
from credo.mastery.sql import ASSESSMENT_COLUMNS
from credo.schools.models import Enrollment, Section, SectionTeacher


class _Records:
    """Write the learning: evidence, assessments, their tags and peer feedback."""

    # --- writing ------------------------------------------------------------------------------

    def write_learning(self) -> None:
        school = self.school
        sections = _insert(
            Section,
            [
                Section(school=school, experience=self.experiences[code], term=term, name=name)
                for code, term, _teacher, name in self.sections
            ],
        )
        _insert(
            SectionTeacher,
            [
                SectionTeacher(school=school, section=s, user_id=teacher)
                for s, (_c, _t, teacher, _n) in zip(sections, self.sections, strict=True)
            ],
        )
        sid = school.pk
        write_rows(
            Enrollment,
            ("school_id", "section_id", "student_id", "source_id"),
            [(sid, sections[s].pk, self.pupils[k].obj.pk, "") for s, k in self.enrollments],
        )
        self.summary.sections = len(sections)

        self._tag_evidence()
        # Originals first, so that a revision can name the piece it revises.
        ordered = [e for e in self.evidence if e.revision_of is None] + [
            e for e in self.evidence if e.revision_of
        ]
        for e, pk in zip(ordered, next_ids(Evidence, len(ordered)), strict=True):
            e.obj = pk
        no_approval = (None, None)
        write_rows(
            Evidence,
            (
                "id",
                "school_id",
                "student_id",
                "kind",
                "title",
                "body",
                "url",
                "file",
                "demonstrated_on",
                "section_id",
                "experience_id",
                "outside_school",
                "vouched_by",
                "revision_of_id",
                "submitted_by_id",
                "submitted_at",
                "shared_with_peers",
                "highlighted",
                "approved_by_id",
                "approved_at",
            ),
            [
                (
                    e.obj,
                    sid,
                    e.pupil.obj.pk,
                    e.kind,
                    e.title,
                    e.body,
                    e.url,
                    "",
                    e.day,
                    sections[e.section_id].pk if e.section_id is not None else None,
                    e.experience_id,
                    e.outside,
                    e.vouched_by,
                    e.revision_of.obj if e.revision_of else None,
                    e.submitted_by,
                    _at(e.day, 17, self._int(60)),
                    e.shared,
                    e in self.highlighted,
                    *self.approved.get(e, no_approval),
                )
                for e in ordered
            ],
        )
        write_rows(
            EvidenceCompetency,
            ("school_id", "evidence_id", "competency_id"),
            [(sid, e.obj, c) for e in ordered for c in e.comps],
        )
        write_rows(
            EvidenceCredit,
            ("school_id", "evidence_id", "credit_id"),
            [(sid, e.obj, credit_id) for credit_id, e in self.tags],
        )

        columns = ASSESSMENT_COLUMNS
        rows = []
        for a, pk in zip(
            self.assessments, next_ids(Assessment, len(self.assessments)), strict=True
        ):
            a.obj = pk
            summative = a.kind == "summative" and not a.comp.habit
            rows.append(
                (
                    pk,
                    sid,
                    a.pupil.obj.pk,
                    a.comp.id,
                    a.ev.obj if a.ev is not None else None,
                    a.assessor,
                    a.comp.scale.values[a.rating],
                    a.day,
                    a.at,
                    a.kind,
                    a.feedback,
                    a.pupil.accommodated and summative,
                    a.pupil.modified and summative,
                    None,
                    False,
                    a.task[:200],
                    "",
                )
            )
        fixes = []
        for (a, rating, at, note), pk in zip(
            self.corrections,
            next_ids(Assessment, len(self.corrections), after=len(rows)),
            strict=True,
        ):
            original = rows[a.obj - rows[0][0]]
            fixes.append(
                (
                    pk,
                    sid,
                    a.pupil.obj.pk,
                    a.comp.id,
                    original[4],
                    a.assessor,
                    a.comp.scale.values[rating] if rating is not None else None,
                    a.day,
                    at,
                    a.kind,
                    note,
                    original[11],
                    original[12],
                    a.obj,
                    rating is None,
                    original[15],
                    "",
                )
            )
        write_rows(Assessment, columns, rows + fixes)
        reset_sequences(Evidence, Assessment)
        self._peer_feedback()
        self.summary.assessments = len(rows) + len(fixes)
        self.summary.corrections = sum(1 for _, r, _, _ in self.corrections if r is not None)
        self.summary.retractions = len(self.corrections) - self.summary.corrections
        self.summary.evidence = len(self.evidence)
        self.summary.outside_evidence = sum(1 for e in self.evidence if e.outside)

    def _tag_evidence(self) -> None:
        """Put evidence forward toward credits, have most of it approved, and highlight some of it.

        Credits with a minimum of evidence or a review get the student's strongest pieces; other
        credits now and then get one piece the student wants on the transcript.
        """
        rng = self.rng
        self.tags: list[tuple[int, _Ev]] = []
        self.approved: dict[_Ev, tuple[int, dt.datetime]] = {}
        self.highlighted: set[_Ev] = set()
        threshold = {c.id: c.scale.threshold for c in self.sim.values()}
        by_pupil: dict[int, dict[int, list[_Ev]]] = defaultdict(lambda: defaultdict(list))
        for e in self.evidence:
            for c in e.comps:
                by_pupil[e.pupil.number][c].append(e)
        for pupil in self.pupils:
            index = by_pupil.get(pupil.number)
            if not index:
                continue
            for credit_id, (cspec, comp_ids) in self.credit_items.items():
                # The strongest piece per competency the credit lists, best first.
                best: dict[_Ev, float] = {}
                for c in comp_ids:
                    for e in index.get(c, ()):
                        margin = e.comps[c] - threshold[c]
                        if margin >= 0 and margin >= best.get(e, -1.0):
                            best[e] = margin
                if not best:
                    continue
                strong = sorted(best, key=lambda e: (-best[e], -e.day.toordinal(), e.title))
                needs = cspec.min_evidence > 0 or cspec.review_required
                if needs:
                    count = max(cspec.min_evidence, 1) + (1 if rng.random() < 0.2 else 0)
                elif rng.random() < 0.3:
                    count = 1
                else:
                    continue
                for e in strong[:count]:
                    self.tags.append((credit_id, e))
                    # Mentors approve nearly everything put forward; seniors' pieces do not wait.
                    if e not in self.approved and rng.random() < (
                        0.995 if pupil.cohort == content.COHORTS[0] else 0.97
                    ):
                        day = min(e.day + dt.timedelta(days=self._int(2, 12)), DEMO_TODAY)
                        self.approved[e] = (e.teacher_id, _at(day, 16, self._int(60)))
                    if rng.random() < (0.55 if needs else 0.7):
                        self.highlighted.add(e)

    def _peer_feedback(self) -> None:
        rng = self.rng
        by_cohort: dict[int, list[_Pupil]] = defaultdict(list)
        for p in self.pupils:
            by_cohort[p.cohort].append(p)
        rows = []
        for e in self.evidence:
            if not e.shared:
                continue
            peers = [p for p in by_cohort[e.pupil.cohort] if p is not e.pupil]
            for peer in rng.sample(peers, min(len(peers), self._pick((1, 1, 2, 3)))):
                day = min(e.day + dt.timedelta(days=self._int(1, 6)), DEMO_TODAY)
                rows.append(
                    (
                        self.school.pk,
                        e.obj,
                        peer.obj.pk,
                        self._pick(content.PEER_FEEDBACK),
                        _at(day, self._int(9, 21), self._int(60)),
                    )
                )
        write_rows(
            PeerFeedback, ("school_id", "evidence_id", "author_id", "body", "created_at"), rows
        )
