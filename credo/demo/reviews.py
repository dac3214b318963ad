"""Stage four of a demo school: credits awarded automatically and credit reviews held."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from credo.accounts.access import system_actor
from credo.core.audit import EVENT_COLUMNS, event_row
from credo.core.bulkload import next_ids, reset_sequences, write_rows
from credo.core.models import AuditEvent
from credo.demo import content
from credo.demo.content import DEMO_TODAY
from credo.demo.simulation import AWARD_COLUMNS, _Ev
from credo.demo.tables import _at
from credo.mastery import bulk
from credo.mastery.events import (
    CREDIT_AWARDED,
    CREDIT_AWARDED_AUTOMATICALLY,
    CREDIT_REVIEW_DECIDED,
    CREDIT_REVIEW_REQUESTED,
    CREDIT_REVIEW_SCHEDULED,
    CREDIT_REVIEW_VOTED,
)
from credo.mastery.models import (
    CreditAward,
    CreditReview,
    CreditStatus,
    PanelSeat,
    ReviewDecision,
    ReviewEvidence,
    ReviewVote,
)


class _Reviews:
    """Award met credits that need no review; hold reviews for the others."""

    # --- reviews ------------------------------------------------------------------------------

    def award_automatically(self, result: bulk.Result) -> None:
        """Write the awards the engine makes on its own (met credits that need no review).

        The same rows and audit events `bulk.materialize` writes for them, dated by the latest
        demonstration; the loader then hands the engine a result with nothing left to award.
        """
        mine = {p.obj.pk for p in self.pupils}
        new = [(s, c, day) for s, c, day in result.new_awards if s in mine]
        ids = next_ids(CreditAward, len(new))
        sid = self.school.pk
        write_rows(
            CreditAward,
            (*AWARD_COLUMNS, "id"),
            [
                (sid, s, c, day, None, None, _at(day, 18), None, None, "", pk)
                for (s, c, day), pk in zip(new, ids, strict=True)
            ],
        )
        write_rows(
            AuditEvent,
            EVENT_COLUMNS,
            [
                event_row(
                    CREDIT_AWARDED_AUTOMATICALLY,
                    school_id=sid,
                    actor_id=None,
                    target_type="mastery.creditaward",
                    target_id=pk,
                    after={"student": s, "credit": c, "awarded_on": day.isoformat()},
                    note="bulk recompute",
                    at=_at(day, 18),
                )
                for (s, c, day), pk in zip(new, ids, strict=True)
            ],
        )
        reset_sequences(CreditAward)
        self.auto_awards = len(new)

    def hold_reviews(self, result: bulk.Result) -> None:
        """Turn credits that are ready for review into reviews: decided, returned or still open.

        Writes the rows the review services write: the review and its evidence bundle, the panel
        (staff, and often an outside guest), the decision, the award, and their audit events.
        """
        rng, sid = self.rng, self.school.pk
        mine = {p.obj.pk: p for p in self.pupils}
        ready = sorted(
            key
            for key, row in result.credits.items()
            if row.status == CreditStatus.READY and key[0] in mine
        )
        if not ready:
            return
        states = result.states
        shown_mask = states.status > 0
        last_shown = {
            (s, c): bulk.EPOCH + dt.timedelta(days=d)
            for s, c, d in zip(
                states.student[shown_mask].tolist(),
                states.competency[shown_mask].tolist(),
                states.last_day[shown_mask].tolist(),
                strict=True,
            )
            if s in mine
        }
        tagged: dict[tuple[int, int], list[_Ev]] = defaultdict(list)
        for credit_id, e in self.tags:
            tagged[(e.pupil.obj.pk, credit_id)].append(e)
        credit_by_id = {c.pk: c for c in self.credits.values()}
        staff = [u.pk for u in self.teacher_users]
        panel_people = [u.pk for u in self.reviewer_users + self.advisor_users]
        names = {u.pk: u.display_name for u in self.users}

        review_rows, bundle_rows, seat_rows, decision_rows, award_rows, events = (
            [],
            [],
            [],
            [],
            [],
            [],
        )
        vote_rows = []
        system = system_actor().pk
        review_ids = iter(next_ids(CreditReview, 10 * len(ready) + 10))
        seat_ids = iter(next_ids(PanelSeat, 40 * len(ready) + 40))
        decision_ids = iter(next_ids(ReviewDecision, 10 * len(ready) + 10))
        vote_ids = iter(next_ids(ReviewVote, 30 * len(ready) + 30))
        award_ids = iter(next_ids(CreditAward, 10 * len(ready) + 10))
        registrar = self.registrar.pk

        def event(at, actor, action, target_type, target_id, after):
            events.append(
                event_row(
                    action,
                    school_id=sid,
                    actor_id=actor,
                    target_type=target_type,
                    target_id=target_id,
                    after=after,
                    at=at,
                )
            )

        for student_id, credit_id in ready:
            pupil = mine[student_id]
            cspec, comp_ids = self.credit_items[credit_id]
            credit = credit_by_id[credit_id]
            shown = [last_shown[(student_id, c)] for c in comp_ids if (student_id, c) in last_shown]
            evidence = list(dict.fromkeys(tagged[(student_id, credit_id)]))
            approvals = [self.approved[e][1].date() for e in evidence if e in self.approved]
            ready_on = max(shown + approvals)
            age = (DEMO_TODAY - ready_on).days
            r = rng.random()
            senior = pupil.cohort == content.COHORTS[0]  # seniors press to finish before graduation
            steps = []  # (requested, decided or None, outcome)
            # Seniors ask at once and their panels meet within the week; others take a little longer.
            wait = 10 if senior else 21
            if age > wait and r < (0.99 if senior else 0.95):
                requested = ready_on + dt.timedelta(
                    days=self._int(1, 4) if senior else self._int(2, 10)
                )
                decided = requested + dt.timedelta(
                    days=self._int(3, 8) if senior else self._int(5, 15)
                )
                outcome = "award"
                recent = (DEMO_TODAY - decided).days < 45
                # Returned and then asked again; returned recently; or waiting for a panel.
                if r < 0.14 and decided + dt.timedelta(days=20) < DEMO_TODAY:
                    steps.append((requested, decided, "not_yet"))
                    requested = decided + dt.timedelta(days=self._int(14, 30))
                    decided = requested + dt.timedelta(days=self._int(5, 12))
                elif r < (0.18 if senior else 0.24) and recent:
                    outcome = "not_yet"
                elif r < (0.21 if senior else 0.3) and recent:
                    outcome = "open"
                if outcome == "open" or decided > DEMO_TODAY:
                    steps.append((min(requested, DEMO_TODAY), None, "open"))
                else:
                    steps.append((requested, decided, outcome))
            elif age <= wait and r < (0.8 if senior else 0.5):
                steps.append(
                    (min(ready_on + dt.timedelta(days=self._int(1, 6)), DEMO_TODAY), None, "open")
                )

            for requested, decided, outcome in steps:
                review_id = next(review_ids)
                requester = pupil.user_id if rng.random() < 0.8 else pupil.advisor_id
                requested_at = _at(requested, self._int(8, 16), self._int(60))
                if decided:
                    scheduled_at = _at(decided, self._pick((9, 10, 13, 14, 15)))
                elif rng.random() < 0.7:  # an upcoming panel
                    scheduled_at = _at(
                        DEMO_TODAY + dt.timedelta(days=self._int(3, 21)), self._pick((9, 13, 15))
                    )
                else:
                    scheduled_at = None
                review_rows.append(
                    (
                        review_id,
                        sid,
                        student_id,
                        credit_id,
                        requester,
                        requested_at,
                        self._pick(content.REVIEW_STATEMENTS).format(credit=credit.title),
                        cspec.review_format,
                        scheduled_at,
                        self.spec.review_location if scheduled_at else "",
                        _at(decided, 17) if decided else None,
                    )
                )
                bundle_rows += [(sid, review_id, e.obj) for e in evidence]
                event(
                    requested_at,
                    requester,
                    CREDIT_REVIEW_REQUESTED,
                    "mastery.creditreview",
                    review_id,
                    {
                        "student": student_id,
                        "credit": credit_id,
                        "evidence": [e.obj for e in evidence],
                    },
                )
                invited = requested_at + dt.timedelta(days=1)
                panel = list(dict.fromkeys((self._pick(staff), self._pick(panel_people))))
                seats = []
                for user_id in panel:
                    seats.append(next(seat_ids))
                    seat_rows.append(
                        (seats[-1], sid, review_id, user_id, "", "", "", invited, registrar)
                    )
                guest_seat, guest = None, None
                if rng.random() < 0.65:
                    guest = self._pick(self.spec.guests)
                    guest_seat = next(seat_ids)
                    seat_rows.append(
                        (
                            guest_seat,
                            sid,
                            review_id,
                            None,
                            guest.name,
                            guest.email,
                            guest.expertise,
                            invited,
                            registrar,
                        )
                    )
                if scheduled_at:
                    event(
                        requested_at + dt.timedelta(days=1),
                        registrar,
                        CREDIT_REVIEW_SCHEDULED,
                        "mastery.creditreview",
                        review_id,
                        {
                            "scheduled_at": scheduled_at.isoformat(),
                            "location": self.spec.review_location,
                            "panel": [names[u] for u in panel] + ([guest.name] if guest else []),
                        },
                    )
                if not decided:
                    continue
                # The panel decides by the credit's default policy: a majority of the seated
                # members, the staff member seated first among them (outside experts vote, but
                # never decide alone).
                all_seats = seats + ([guest_seat] if guest_seat else [])
                decider = panel[0]
                feedback = self._pick(
                    content.REVIEW_AWARD if outcome == "award" else content.REVIEW_NOT_YET
                )
                voted_at = _at(decided, 16, self._int(60))
                for seat_id in all_seats[: len(all_seats) // 2 + 1]:
                    vote_id = next(vote_ids)
                    vote_rows.append(
                        (vote_id, sid, review_id, seat_id, outcome, feedback, voted_at)
                    )
                    voter = next(
                        (u for s, u in zip(seats, panel, strict=True) if s == seat_id), None
                    )
                    event(
                        voted_at,
                        voter or system,
                        CREDIT_REVIEW_VOTED,
                        "mastery.reviewvote",
                        vote_id,
                        {"vote": outcome, "feedback": feedback, "seat": seat_id},
                    )
                decision_id = next(decision_ids)
                decision_rows.append(
                    (
                        decision_id,
                        sid,
                        review_id,
                        outcome,
                        feedback,
                        decider,
                        None,
                        voted_at,
                    )
                )
                if outcome == "award":
                    award_id = next(award_ids)
                    award_rows.append(
                        (
                            sid,
                            student_id,
                            credit_id,
                            decided,
                            review_id,
                            decider,
                            _at(decided, 17),
                            None,
                            None,
                            "",
                            award_id,
                        )
                    )
                    event(
                        _at(decided, 17),
                        decider,
                        CREDIT_AWARDED,
                        "mastery.creditaward",
                        award_id,
                        {"student": student_id, "credit": credit_id, "review": review_id},
                    )
                event(
                    _at(decided, 17),
                    decider,
                    CREDIT_REVIEW_DECIDED,
                    "mastery.reviewdecision",
                    decision_id,
                    {"decision": outcome, "feedback": feedback, "policy": "majority"},
                )

        write_rows(
            CreditReview,
            (
                "id",
                "school_id",
                "student_id",
                "credit_id",
                "requested_by_id",
                "requested_at",
                "statement",
                "format",
                "scheduled_at",
                "location",
                "closed_at",
            ),
            review_rows,
        )
        write_rows(ReviewEvidence, ("school_id", "review_id", "evidence_id"), bundle_rows)
        write_rows(
            PanelSeat,
            (
                "id",
                "school_id",
                "review_id",
                "user_id",
                "guest_name",
                "guest_email",
                "guest_expertise",
                "invited_at",
                "invited_by_id",
            ),
            seat_rows,
        )
        write_rows(
            ReviewDecision,
            (
                "id",
                "school_id",
                "review_id",
                "decision",
                "feedback",
                "decided_by_id",
                "decided_by_guest_id",
                "decided_at",
            ),
            decision_rows,
        )
        write_rows(
            ReviewVote,
            ("id", "school_id", "review_id", "seat_id", "vote", "feedback", "voted_at"),
            vote_rows,
        )
        write_rows(CreditAward, (*AWARD_COLUMNS, "id"), award_rows)
        write_rows(
            AuditEvent,
            EVENT_COLUMNS,
            events,
        )
        reset_sequences(CreditReview, PanelSeat, ReviewDecision, ReviewVote, CreditAward)
        self.summary.reviews = len(review_rows)
