"""Consequential setup changes: see their effect first, apply it only as previewed.

A setup change (a credit, its requirement, a calculation method, a scale, a graduation rule,
retiring a credit or framework) is written and the school recomputed through the engine inside one
transaction, exactly as when it is applied. `consequential` compares every student's credits,
awards and graduation status before and after, by cohort, and then either

- commits, when nothing any student holds changes, or the caller confirms the effect by its
  fingerprint (and, for a class in its final year or with published transcripts, says so), or
- rolls everything back and raises `NeedsConfirmation` carrying the `Effect`.

So a preview is the very writes that applying makes, rolled back: preview == apply by
construction. An effect that changed between preview and confirmation (new evidence meanwhile)
has another fingerprint and is shown again, never applied blind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count

from credo.core.audit import audit_record
from credo.core.errors import ValidationError
from credo.mastery.events import SETUP_CHANGE_APPLIED
from credo.mastery.models import (
    CreditAward,
    CreditProgress,
    CreditStatus,
    GraduationStatus,
    MasteryCredit,
)

# Progress that says the requirement is met, whether or not the credit is awarded yet.
MET = frozenset({CreditStatus.MET, CreditStatus.READY, CreditStatus.UNDER_REVIEW})


class Kind:
    MET = "met"
    AWARDED = "awarded"
    LOST = "lost"
    GRADUATION = "graduation"


@dataclass(frozen=True)
class Change:
    """One thing that changes for one student."""

    kind: str
    student_id: int
    name: str
    cohort: int
    credit: str  # the credit's code ("" for a graduation change)
    before: str
    after: str

    def key(self) -> tuple:
        return (self.kind, self.student_id, self.credit, self.before, self.after)


@dataclass
class CohortEffect:
    """What a change does to one class (graduation year)."""

    cohort: int
    students: int
    final_year: bool  # in its final year, or already graduated
    graduated: bool
    published: int  # students of the class with a published transcript
    changes: dict[str, list[Change]] = field(default_factory=lambda: defaultdict(list))

    @property
    def protected(self) -> bool:
        """A class in its final year (or graduated) or with published transcripts."""
        return self.final_year or self.published > 0

    def of(self, kind: str) -> list[Change]:
        return self.changes.get(kind, [])

    @property
    def newly_met(self) -> list[Change]:
        return self.of(Kind.MET)

    @property
    def newly_awarded(self) -> list[Change]:
        return self.of(Kind.AWARDED)

    @property
    def lost(self) -> list[Change]:
        return self.of(Kind.LOST)

    @property
    def graduation(self) -> list[Change]:
        return self.of(Kind.GRADUATION)

    @property
    def why_protected(self) -> str:
        reasons = []
        if self.graduated:
            reasons.append("graduated")
        elif self.final_year:
            reasons.append("in its final year")
        if self.published:
            reasons.append(
                f"{self.published} published transcript{'s' if self.published != 1 else ''}"
            )
        return ", ".join(reasons)


@dataclass
class Effect:
    """Every student change of one setup change, by cohort, and the fingerprint of it all."""

    description: str
    cohorts: list[CohortEffect]
    fingerprint: str
    warnings: list[str] = field(default_factory=list)

    @property
    def changes(self) -> list[Change]:
        return [c for cohort in self.cohorts for kind in cohort.changes.values() for c in kind]

    @property
    def is_empty(self) -> bool:
        return not self.changes

    @property
    def protected(self) -> list[CohortEffect]:
        """The classes reached that need an explicit choice."""
        return [c for c in self.cohorts if c.protected]

    def summary(self) -> dict:
        """Return counts per class, for the audit log and the API."""
        return {
            "fingerprint": self.fingerprint,
            "cohorts": {
                str(c.cohort): {
                    "newly_met": len(c.newly_met),
                    "newly_awarded": len(c.newly_awarded),
                    "lost": len(c.lost),
                    "graduation_changes": len(c.graduation),
                    "protected": c.protected,
                }
                for c in self.cohorts
            },
        }


class NeedsConfirmation(ValidationError):
    """The change would alter students' records: nothing was written; here is what it would do."""

    def __init__(self, effect: Effect, message: str, field_name: str = "confirm"):
        super().__init__({field_name: [message]})
        self.effect = effect


# Give this as `confirm` to see a change's effect whatever it is; nothing is ever written.
PREVIEW = "preview"


def preview_of(service, /, **kwargs) -> Effect:
    """Return the effect `service(**kwargs)` would have, writing nothing.

    Validation errors and refusals propagate as the service raises them.
    """
    try:
        service(**kwargs, confirm=PREVIEW)
    except NeedsConfirmation as exc:
        return exc.effect
    raise RuntimeError(f"{service.__name__} is not a previewed change")


def final_year_cohort(today: dt.date) -> int:
    """Return the graduation year of the class in its final year on `today` (years start in August)."""
    return today.year + 1 if today.month >= 8 else today.year


# --- what every student holds ------------------------------------------------------------------


@dataclass
class Outcomes:
    progress: dict[tuple[int, int], str]
    awards: dict[tuple[int, int], dt.date]
    graduation: dict[int, tuple]


def outcomes(school_id: int) -> Outcomes:
    """Return the credit statuses, active awards and graduation statuses of every student.

    Students only: educators' own learner records (credo/growth) are recomputed with everyone's,
    but what a setup change does to them is not a student's effect to confirm.
    """
    students = {"school_id": school_id, "student__kind": "student"}
    return Outcomes(
        progress={
            (s, c): st
            for s, c, st in CreditProgress.objects.filter(**students).values_list(
                "student_id", "credit_id", "status"
            )
        },
        awards={
            (s, c): d
            for s, c, d in CreditAward.objects.filter(
                **students, revoked_at__isnull=True
            ).values_list("student_id", "credit_id", "awarded_on")
        },
        graduation={
            s: (eligible, met, total, detail)
            for s, eligible, met, total, detail in GraduationStatus.objects.filter(
                **students
            ).values_list("student_id", "eligible", "rules_met", "rules_total", "detail")
        },
    )


def _graduation_text(row: tuple | None) -> str:
    if row is None:
        return "no status"
    eligible, met, total, _ = row
    return f"{met} of {total} rules met" + (", eligible" if eligible else "")


def _rule_lines(row: tuple | None) -> dict[str, str]:
    if row is None:
        return {}
    return {
        str(d.get("description")): f"{d.get('have')} of {d.get('need')}" for d in (row[3] or [])
    }


def _graduation_change(before: tuple | None, after: tuple | None) -> tuple[str, str] | None:
    """Return (before, after) texts when a graduation status changes; None when it does not."""
    if before is None and after is None:
        return None
    if (
        before is not None
        and after is not None
        and before[:3] == after[:3]
        and _rule_lines(before) == _rule_lines(after)
    ):
        return None
    old, new = _graduation_text(before), _graduation_text(after)
    a, b = _rule_lines(before), _rule_lines(after)
    moved = [
        f"{rule}: {a.get(rule, '—')} → {b.get(rule, '—')}" for rule in b if a.get(rule) != b[rule]
    ]
    moved += [f"{rule}: no longer applies" for rule in a if rule not in b]
    if moved:
        new = f"{new} ({'; '.join(moved)})"
    return old, new


def diff(school, before: Outcomes, after: Outcomes, *, description: str, change: dict) -> Effect:
    """Return the effect of going from `before` to `after`, by cohort, with its fingerprint."""
    from credo.accounts.models import Student
    from credo.transcripts.models import TranscriptVersion

    codes = dict(MasteryCredit.objects.filter(school=school).values_list("id", "code"))
    found: list[tuple] = []  # (kind, student, credit id, before, after)
    for key in sorted(set(before.awards) | set(after.awards)):
        if key in after.awards and key not in before.awards:
            found.append((Kind.AWARDED, key[0], key[1], "", f"awarded {after.awards[key]}"))
    for key in sorted(set(before.progress) | set(after.progress)):
        was = before.progress.get(key, CreditStatus.NOT_STARTED)
        now = after.progress.get(key, CreditStatus.NOT_STARTED)
        if key in after.awards and key not in before.awards:
            continue  # reported as awarded
        if now in MET and was not in MET:
            found.append((Kind.MET, key[0], key[1], was, now))
        elif was in MET and now not in MET and now != CreditStatus.AWARDED:
            found.append((Kind.LOST, key[0], key[1], was, now))
    for student_id in sorted(set(before.graduation) | set(after.graduation)):
        texts = _graduation_change(
            before.graduation.get(student_id), after.graduation.get(student_id)
        )
        if texts:
            found.append((Kind.GRADUATION, student_id, None, *texts))

    warnings = _wording_warnings(before, after, found)
    ids = {f[1] for f in found}
    students = {s.pk: s for s in Student.objects.filter(school=school, pk__in=ids)}
    cohort_sizes = dict(
        Student.objects.filter(school=school).values_list("graduation_year").annotate(n=Count("id"))
    )
    final = final_year_cohort(school.today())
    reached = sorted({students[i].graduation_year for i in ids})
    published = dict(
        TranscriptVersion.objects.filter(school=school, student__graduation_year__in=reached)
        .values_list("student__graduation_year")
        .annotate(n=Count("student", distinct=True))
    )
    cohorts = {
        year: CohortEffect(
            cohort=year,
            students=cohort_sizes.get(year, 0),
            final_year=year <= final,
            graduated=year < final,
            published=published.get(year, 0),
        )
        for year in reached
    }
    for kind, student_id, credit_id, was, now in found:
        student = students[student_id]
        cohorts[student.graduation_year].changes[kind].append(
            Change(
                kind=kind,
                student_id=student_id,
                name=student.full_name,
                cohort=student.graduation_year,
                credit=codes.get(credit_id, "") if credit_id else "",
                before=str(was),
                after=str(now),
            )
        )
    for cohort in cohorts.values():
        cohort.changes = dict(cohort.changes)
    # Credit codes, not ids: a new credit has no id until it is applied.
    payload = json.dumps(
        {
            "school": school.pk,
            "change": change,
            "effect": sorted(
                [k, s, codes.get(c, "") if c else "", str(b), str(a)] for k, s, c, b, a in found
            ),
        },
        sort_keys=True,
        default=str,
    )
    return Effect(
        description=description,
        cohorts=[cohorts[y] for y in reached],
        fingerprint=hashlib.sha256(payload.encode()).hexdigest()[:32],
        warnings=warnings,
    )


def _wording_warnings(before: Outcomes, after: Outcomes, found: list[tuple]) -> list[str]:
    """Return a warning for each graduation rule whose own words name a number it no longer needs.

    "All 26 foundational credits" must not stay the rule's text once a 27th credit applies.
    """
    moved: dict[str, tuple[set, set]] = {}
    for kind, student_id, *_ in found:
        if kind != Kind.GRADUATION:
            continue
        old = before.graduation.get(student_id)
        new = after.graduation.get(student_id)
        old_need = {str(d.get("rule")): d.get("need") for d in (old[3] if old else []) or []}
        for d in (new[3] if new else []) or []:
            rule = str(d.get("rule"))
            if rule in old_need and old_need[rule] != d.get("need"):
                was, now = moved.setdefault(str(d.get("description")), (set(), set()))
                was.add(old_need[rule])
                now.add(d.get("need"))
    warnings = []
    for text, (was, now) in sorted(moved.items()):
        named = {int(n) for n in re.findall(r"\b\d+\b", text)}
        if named & was and not named & now:
            needs = ", ".join(str(n) for n in sorted(now))
            warnings.append(
                f"The graduation rule “{text}” would need {needs}: its wording names a number it "
                "no longer asks for. Change its wording too."
            )
    return warnings


@contextmanager
def consequential(
    *,
    actor,
    school,
    description: str,
    change: dict,
    confirm: str = "",
    reach_protected: bool = False,
) -> Iterator[None]:
    """Run the writes in the block, and the recompute they trigger, as one previewed change.

    Commit when no student's credits, awards or graduation status change, or when `confirm` is
    the fingerprint of exactly this effect (and `reach_protected` is given for a class in its
    final year or with published transcripts). Otherwise (and always when `confirm` is PREVIEW)
    roll back and raise NeedsConfirmation.
    """
    with transaction.atomic(durable=True):
        before = outcomes(school.pk)
        yield
        effect = diff(school, before, outcomes(school.pk), description=description, change=change)
        if confirm == PREVIEW:
            raise NeedsConfirmation(effect, "Preview only: nothing was written.")
        if effect.is_empty:
            return
        if confirm != effect.fingerprint:
            raise NeedsConfirmation(
                effect,
                (
                    "What this change does has changed since the preview (new records arrived); "
                    "look at it again before applying."
                )
                if confirm
                else "This change alters students' records; look at its effect and confirm it.",
            )
        if effect.protected and not reach_protected:
            years = ", ".join(f"{c.cohort} ({c.why_protected})" for c in effect.protected)
            raise NeedsConfirmation(
                effect,
                f"This change reaches the class of {years}. Choose explicitly to change their "
                "records, or limit the change to later classes.",
                "reach_protected",
            )
        audit_record(
            actor=actor,
            school=school,
            action=SETUP_CHANGE_APPLIED,
            after={"change": description, **effect.summary()},
            note=description,
        )


def describe(effect: Effect) -> str:
    """Return the effect as plain text, one line per class and one per student change."""
    if effect.is_empty:
        return f"{effect.description}: no student's credits, awards or graduation status change."
    lines = [f"{effect.description}:", *(f"  warning: {w}" for w in effect.warnings)]
    for c in effect.cohorts:
        lines.append(
            f"  class of {c.cohort} ({c.students} students"
            + (f"; needs a choice: {c.why_protected}" if c.protected else "")
            + f"): {len(c.newly_met)} newly meeting, {len(c.newly_awarded)} newly awarded, "
            f"{len(c.lost)} no longer meeting, {len(c.graduation)} graduation status changes"
        )
        for kind in (Kind.MET, Kind.AWARDED, Kind.LOST, Kind.GRADUATION):
            for ch in c.of(kind):
                what = f"{ch.credit}: " if ch.credit else ""
                was = f"{ch.before} → " if ch.before else ""
                lines.append(f"    {kind:<10} {ch.name}: {what}{was}{ch.after}")
    lines.append(f"fingerprint {effect.fingerprint}")
    return "\n".join(lines)
