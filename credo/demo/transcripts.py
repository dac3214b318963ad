"""Stage five of a demo school: the seniors' stories, comments, published and shared transcripts."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict

from django.utils import timezone

from credo.core.audit import EVENT_COLUMNS, event_row
from credo.core.bulkload import next_ids, reset_sequences, write_rows
from credo.core.models import AuditEvent
from credo.demo import content
from credo.demo.content import DEMO_TODAY
from credo.demo.simulation import _Pupil
from credo.demo.tables import _at, _weekday
from credo.evidence.events import STORY_APPROVED, STORY_SAVED
from credo.mastery.models import CreditAward, MasteryCredit
from credo.transcripts.demo_links import demo_share_token
from credo.transcripts.events import SHARE_LINK_CREATED, SHARE_LINK_VIEWED, TRANSCRIPT_COMMENT_ADDED


class _Transcripts:
    """Write the seniors' transcripts, as an admissions reader meets them."""

    # --- the transcript -----------------------------------------------------------------------

    def write_transcripts(self) -> None:
        """Give the class of 2026 (and a few of 2027) what an admissions reader would meet.

        Students' stories approved by their advisors and educators' comments on earned credits are
        written as their services write them (rows and audit events, dated before the school's
        today); transcripts are then published through the publishing service, as the record
        stands on `DEMO_TODAY`: every senior who meets the graduation requirements, about half of
        the others, and always `student1`, whose first version (before the story) is superseded.
        `student1` shares the current version with a college; a few other seniors share theirs.
        """
        from credo.evidence.models import StudentStory
        from credo.mastery.models import GraduationStatus
        from credo.transcripts.models import ShareLink, ShareView, TranscriptComment
        from credo.transcripts.services import transcript_publish_as_of

        rng, sid, spec = self.rng, self.school.pk, self.spec
        seniors = [p for p in self.pupils if p.cohort == content.COHORTS[0]]
        juniors = [p for p in self.pupils if p.cohort == content.COHORTS[1]]
        first = self.pupils[0]  # student1, a senior
        credit_by_id = {c.pk: c for c in self.credits.values()}
        area_name = {a.pk: a.name for a in self.areas.values()}
        area_total: dict[int, int] = defaultdict(int)
        for c in credit_by_id.values():
            if c.level == "foundational":
                area_total[c.area_id] += 1
        wanted = {p.obj.pk for p in seniors + juniors}
        earned: dict[int, list[tuple[int, dt.date, bool]]] = defaultdict(list)
        for student_id, credit_id, day, review_id in (
            CreditAward.objects.filter(school=self.school, revoked_at__isnull=True)
            .order_by("student_id", "awarded_on", "credit_id")
            .values_list("student_id", "credit_id", "awarded_on", "review_id")
        ):
            if student_id in wanted:
                earned[student_id].append((credit_id, day, review_id is not None))
        eligible = set(
            GraduationStatus.objects.filter(school=self.school, eligible=True).values_list(
                "student_id", flat=True
            )
        )
        outside: dict[int, list[str]] = defaultdict(list)
        for e in self.evidence:
            if e.outside and e.title not in outside[e.pupil.number]:
                outside[e.pupil.number].append(e.title)
        names = {u.pk: u.display_name for u in self.users}
        # Who last rated each senior on each competency (a teacher comments on what they saw).
        advisors = {p.advisor_id for p in self.pupils}
        last_rated: dict[tuple[int, int], tuple[dt.date, int]] = {}
        for a in self.assessments:
            if a.pupil.cohort == content.COHORTS[0] and a.assessor not in advisors:
                key = (a.pupil.number, a.comp.id)
                if key not in last_rated or last_rated[key][0] <= a.day:
                    last_rated[key] = (a.day, a.assessor)

        # Who writes a story (approved, or still waiting for the advisor) and who is published.
        stories: dict[int, tuple[str, bool]] = {}  # pupil number -> (text, approved)
        for pupil in seniors + juniors:
            r = rng.random()
            senior = pupil.cohort == content.COHORTS[0]
            approved = pupil is first or r < (0.88 if senior else 0.1)
            waiting = not approved and r < (0.94 if senior else 0.14)
            if approved or waiting:
                stories[pupil.number] = (
                    self._story(pupil, earned[pupil.obj.pk], outside[pupil.number], area_total),
                    approved,
                )
        published = [
            p for p in seniors if p is first or p.obj.pk in eligible or rng.random() < 0.45
        ]

        # student1's first version, published for early applications before the story was done.
        registrar = self.registrar
        first_on = None
        last_award = max((day for _c, day, _r in earned[first.obj.pk]), default=DEMO_TODAY)
        candidate = max(last_award + dt.timedelta(days=1), DEMO_TODAY - dt.timedelta(days=35))
        while candidate.weekday() > 4:  # the registrar's office works on weekdays
            candidate += dt.timedelta(days=1)
        if candidate <= DEMO_TODAY - dt.timedelta(days=10):
            first_on = candidate
            transcript_publish_as_of(
                actor=registrar,
                student=first.obj,
                on=first_on,
                at=_at(first_on, 11, 20),
                note="For early applications",
            )
        after = (first_on or DEMO_TODAY - dt.timedelta(days=35)) + dt.timedelta(days=3)

        # Stories and comments, with the events their services record.
        story_rows, comment_rows, events = [], [], []

        def event(at, actor, action, target_type, target_id, after_):
            events.append(
                event_row(
                    action,
                    school_id=sid,
                    actor_id=actor,
                    target_type=target_type,
                    target_id=target_id,
                    after=after_,
                    at=at,
                )
            )

        story_ids = iter(next_ids(StudentStory, len(stories)))
        for pupil in seniors + juniors:
            if pupil.number not in stories:
                continue
            text, approved = stories[pupil.number]
            start = after if pupil is first else DEMO_TODAY - dt.timedelta(days=50)
            room = min(25, max(0, (DEMO_TODAY - dt.timedelta(days=2) - start).days))
            submitted = _at(
                _weekday(start + dt.timedelta(days=self._int(room + 1))),
                self._int(19, 23),
                self._int(60),
            )
            approved_at = (
                _at(
                    min(submitted.date() + dt.timedelta(days=self._int(1, 9)), DEMO_TODAY),
                    self._int(9, 16),
                    self._int(60),
                )
                if approved
                else None
            )
            pk = next(story_ids)
            story_rows.append(
                (
                    pk,
                    sid,
                    pupil.obj.pk,
                    text,
                    submitted,
                    submitted,
                    pupil.advisor_id if approved else None,
                    approved_at,
                )
            )
            state = {"body": text, "submitted_at": submitted.isoformat(), "approved_at": None}
            event(submitted, pupil.user_id, STORY_SAVED, "evidence.studentstory", pk, state)
            if approved_at:
                event(
                    approved_at,
                    pupil.advisor_id,
                    STORY_APPROVED,
                    "evidence.studentstory",
                    pk,
                    {"approved_at": approved_at.isoformat()},
                )
        comment_ids = iter(next_ids(TranscriptComment, 3 * len(published) + 3))
        for pupil in published:
            if pupil is not first and rng.random() > 0.75:
                continue
            awards = earned[pupil.obj.pk]
            if not awards:
                continue
            # Reviewed credits first: a panel's award is the kind an educator writes about.
            ranked = sorted(
                (a for a in awards if a[1] <= DEMO_TODAY - dt.timedelta(days=3)),
                key=lambda a: (not a[2], rng.random()),
            )
            for credit_id, day, _reviewed in ranked[: self._pick((1, 1, 2, 2, 3))]:
                credit = credit_by_id[credit_id]
                raters = [
                    last_rated[(pupil.number, c)]
                    for c in self.credit_items[credit_id][1]
                    if (pupil.number, c) in last_rated
                ]
                by_advisor = rng.random() < 0.3 or not raters
                author = pupil.advisor_id if by_advisor else max(raters)[1]
                bank = content.ADVISOR_COMMENTS if by_advisor else content.COMMENTS
                body = self._pick(bank).format(
                    name=pupil.obj.given_name,
                    credit=credit.title,
                    area=area_name[credit.area_id],
                )
                # Written before the day the transcripts are published.
                earliest = max(day + dt.timedelta(days=2), after if pupil is first else day)
                last = DEMO_TODAY - dt.timedelta(days=1)
                span = max(1, (last - earliest).days + 1)
                created = _at(
                    min(earliest + dt.timedelta(days=self._int(span)), last),
                    self._int(15, 21),
                    self._int(60),
                )
                pk = next(comment_ids)
                comment_rows.append(
                    (
                        pk,
                        sid,
                        pupil.obj.pk,
                        credit_id,
                        author,
                        names[author],
                        "Advisor" if by_advisor else "Teacher",
                        body,
                        created,
                    )
                )
                event(
                    created,
                    author,
                    TRANSCRIPT_COMMENT_ADDED,
                    "transcripts.transcriptcomment",
                    pk,
                    {"student": pupil.obj.pk, "credit": credit_id, "body": body},
                )
        write_rows(
            StudentStory,
            (
                "id",
                "school_id",
                "student_id",
                "body",
                "updated_at",
                "submitted_at",
                "approved_by_id",
                "approved_at",
            ),
            story_rows,
        )
        write_rows(
            TranscriptComment,
            (
                "id",
                "school_id",
                "student_id",
                "credit_id",
                "author_id",
                "author_name",
                "author_role",
                "body",
                "created_at",
            ),
            comment_rows,
        )
        reset_sequences(StudentStory, TranscriptComment)

        # The registrar publishes the seniors' transcripts at the end of the school's today (after
        # that day's awards and approvals), in name order.
        versions = {}
        for k, pupil in enumerate(
            sorted(published, key=lambda p: (p.obj.family_name, p.obj.given_name, p.obj.pk))
        ):
            versions[pupil.number] = transcript_publish_as_of(
                actor=registrar,
                student=pupil.obj,
                on=DEMO_TODAY,
                at=_at(DEMO_TODAY, 18, 30 + k // 5),
                note="Mid-year transcripts for college applications",
            ).version

        # Share links: student1 always, a few others; they expire by the real clock.
        link_rows, view_rows = [], []
        expires_at = timezone.make_aware(
            dt.datetime.combine(timezone.localdate() + dt.timedelta(days=366), dt.time.min)
        )
        sharing = [first] + [p for p in published if p is not first and rng.random() < 0.2]
        link_ids = iter(next_ids(ShareLink, len(sharing)))
        recipients = content.SHARE_RECIPIENTS
        offset = sum(map(ord, spec.slug)) % len(recipients)
        for n, pupil in enumerate(sharing):
            version = versions[pupil.number]
            pk = next(link_ids)
            created = _at(DEMO_TODAY, 19 + n % 3, self._int(60))
            recipient = recipients[(offset + n) % len(recipients)]
            # The landing page opens student1's link, so its token is derived (see
            # demo_share_token); the others are random, like every real link.
            token = demo_share_token(pk) if pupil is first else secrets.token_urlsafe(32)
            link_rows.append(
                (
                    pk,
                    sid,
                    version.pk,
                    pupil.obj.pk,
                    ShareLink.hash_token(token),
                    recipient,
                    pupil.user_id,
                    created,
                    expires_at,
                )
            )
            event(
                created,
                pupil.user_id,
                SHARE_LINK_CREATED,
                "transcripts.sharelink",
                pk,
                {
                    "version": version.pk,
                    "recipient": recipient,
                    "expires_at": expires_at.isoformat(),
                },
            )
            keys = list(version.content["evidence"])
            opened = [("page", "")]
            if pupil is first:
                opened += [("evidence", keys[0])] if keys else []
                opened += [("pdf", "")]
            elif rng.random() < 0.5:
                opened = []
            at = created
            for kind, key in opened:
                at += dt.timedelta(minutes=self._int(3, 50))
                view_rows.append((sid, pk, kind, key, at, content.READER_AGENT))
                event(
                    at,
                    None,
                    SHARE_LINK_VIEWED,
                    "transcripts.sharelink",
                    pk,
                    {"kind": kind, "evidence": key or None},
                )
        write_rows(
            ShareLink,
            (
                "id",
                "school_id",
                "version_id",
                "student_id",
                "token_hash",
                "recipient",
                "created_by_id",
                "created_at",
                "expires_at",
            ),
            link_rows,
        )
        write_rows(
            ShareView,
            ("school_id", "link_id", "kind", "evidence_key", "viewed_at", "user_agent"),
            view_rows,
        )
        write_rows(
            AuditEvent,
            EVENT_COLUMNS,
            events,
        )
        reset_sequences(ShareLink)
        s = self.summary
        s.stories = sum(1 for _t, approved in stories.values() if approved)
        s.comments = len(comment_rows)
        s.published = len(versions)
        s.links = len(link_rows)

    def _story(
        self,
        pupil: _Pupil,
        awards: list[tuple[int, dt.date, bool]],
        outside: list[str],
        area_total: dict[int, int],
    ) -> str:
        """Compose a short story in the student's voice from what they really earned and did."""
        spec = self.spec
        credit_by_id = {c.pk: c for c in self.credits.values()}
        area_name = {a.pk: a.name for a in self.areas.values()}

        def bank(table: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
            return table.get(spec.slug, table[""])

        per_area: dict[int, list[MasteryCredit]] = defaultdict(list)
        advanced = []
        for credit_id, _day, _reviewed in awards:
            credit = credit_by_id[credit_id]
            (advanced if credit.level == "advanced" else per_area[credit.area_id]).append(credit)
        school = spec.short_name
        parts = [self._pick(bank(content.STORY_OPENINGS)).format(school=school)]
        strongest = None
        if per_area:
            # The strongest area: the largest share of its foundational credits earned.
            strongest = max(
                per_area,
                key=lambda a: (len(per_area[a]) / max(area_total[a], 1), self.rng.random()),
            )
            credit = self._pick(per_area[strongest])
            parts.append(
                self._pick(content.STORY_STRENGTHS).format(
                    area=area_name[strongest], credit=content.credit_words(credit.title)
                )
            )
        if advanced and self.rng.random() < 0.7:
            credit = self._pick(advanced)
            parts.append(
                self._pick(bank(content.STORY_ADVANCED)).format(
                    credit=credit.title, area=area_name[credit.area_id]
                )
            )
        if outside and self.rng.random() < 0.75:
            parts.append(content.STORY_OUTSIDE.get(self._pick(outside), ""))
        slowest = min(
            area_total,
            key=lambda a: (len(per_area.get(a, ())) / max(area_total[a], 1), self.rng.random()),
        )
        if slowest != strongest and self.rng.random() < 0.7:
            parts.append(self._pick(content.STORY_GROWTH).format(area=area_name[slowest]))
        closings = content.STORY_CLOSINGS[""] + content.STORY_CLOSINGS.get(spec.slug, ())
        parts.append(self._pick(closings))
        return " ".join(p for p in parts if p)
