"""Reads for families: the school's texts in the reader's language, and the family progress report.

Every read is scoped to one student (and so to their school). Words, never bare numbers: a level is
given by its label and description, because a "3" reads as a letter grade to many parents."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _

from credo.families.models import CreditText, FamilyReport, LevelText
from credo.frameworks.models import ScaleLevel
from credo.mastery import selectors as mastery
from credo.mastery.gradebook import Pace, graduation_pace
from credo.mastery.models import CreditStatus, MasteryStatus

#: How many lines of what the student has shown a report lists (the newest first).
SHOWN_LIMIT = 12
#: How many pieces of the teachers' latest feedback a report quotes.
FEEDBACK_LIMIT = 3

IN_PROGRESS = (
    CreditStatus.IN_PROGRESS,
    CreditStatus.MET,
    CreditStatus.READY,
    CreditStatus.UNDER_REVIEW,
    CreditStatus.RETURNED,
)


def school_language(school) -> str:
    """Return the language the school writes its records in (its transcript's language)."""
    return settings.LANGUAGE_CODE


def other_languages(school) -> list[tuple[str, str]]:
    """Return the (code, name) of every language a school's texts may be given in besides its own."""
    own = school_language(school)
    return [(code, name) for code, name in settings.LANGUAGES if code != own]


# --- the school's texts in the reader's language ------------------------------------------------


@dataclass(frozen=True)
class LevelWords:
    label: str
    description: str


def level_words(levels, language: str) -> dict[int, LevelWords]:
    """Return {level id: its words in `language`}, each part falling back to the school's own."""
    levels = list(levels)
    given = {
        t.level_id: t
        for t in LevelText.objects.filter(level__in=[lv.pk for lv in levels], language=language)
    }
    out = {}
    for lv in levels:
        t = given.get(lv.pk)
        out[lv.pk] = LevelWords(
            (t.label if t and t.label else lv.label),
            (t.description if t and t.description else lv.description),
        )
    return out


def credit_words(credits, language: str) -> dict[int, tuple[str, str]]:
    """Return {credit id: (title, standard)} in `language`, falling back to the school's own."""
    credits = list(credits)
    given = {
        t.credit_id: t
        for t in CreditText.objects.filter(credit__in=[c.pk for c in credits], language=language)
    }
    out = {}
    for c in credits:
        t = given.get(c.pk)
        out[c.pk] = (
            t.title if t and t.title else c.title,
            t.standard if t and t.standard else c.standard,
        )
    return out


def level_of(levels: list[ScaleLevel], score) -> ScaleLevel | None:
    """Return the highest level of a scale (levels in ascending order) that `score` reaches."""
    if score is None:
        return None
    found = None
    for lv in levels:
        if lv.value <= score:
            found = lv
    return found


# --- the family progress report ----------------------------------------------------------------


@dataclass
class Shown:
    """One competency and the level the student has shown on it, in words."""

    statement: str
    level: str
    description: str
    on: dt.date | None
    proficient: bool


@dataclass
class CreditWords:
    title: str
    standard: str
    area: str
    status: str
    awarded_on: dt.date | None = None
    parts_done: int = 0
    parts: int = 0
    new: bool = False


@dataclass
class FamilyReportData:
    student: object
    school: object
    language: str
    as_of: dt.date
    since: dt.date | None
    shown: list[Shown] = field(default_factory=list)
    shown_more: int = 0
    habits: list[Shown] = field(default_factory=list)
    earned: list[CreditWords] = field(default_factory=list)
    in_progress: list[CreditWords] = field(default_factory=list)
    pace: Pace | None = None
    requirements_left: list[tuple[str, int]] = field(default_factory=list)
    feedback: list = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)


def last_report_on(student) -> dt.date | None:
    """Return the day the student's latest family report covered up to, if one was sent."""
    return (
        FamilyReport.objects.filter(student=student, school_id=student.school_id)
        .order_by("-as_of")
        .values_list("as_of", flat=True)
        .first()
    )


def _status_words() -> dict[str, str]:
    return {
        CreditStatus.IN_PROGRESS: _("Under way"),
        CreditStatus.MET: _("Everything needed has been shown; the school will confirm it"),
        CreditStatus.READY: _("Ready for a review"),
        CreditStatus.UNDER_REVIEW: _("Being reviewed"),
        CreditStatus.RETURNED: _("Returned with feedback to work on"),
        CreditStatus.AWARDED: _("Earned"),
    }


def family_report(student, *, language: str, as_of: dt.date | None = None) -> FamilyReportData:
    """Return the student's family report in `language` (the caller has activated it, so the
    sentences built here speak it too): what they have shown since the last report, their
    credits, their pace toward graduation, their habits apart, the latest feedback, next steps."""
    school = student.school
    as_of = as_of or school.today()
    since = last_report_on(student)
    report = FamilyReportData(student, school, language, as_of, since)

    states = [
        line.state
        for line in mastery.competency_lines(student)
        if line.state.score is not None or line.state.status != MasteryStatus.NOT_YET
    ]
    scale_ids = {s.competency.scale_id or s.competency.framework.scale_id for s in states}
    levels_by_scale: dict[int, list[ScaleLevel]] = {}
    for lv in ScaleLevel.objects.filter(scale_id__in=scale_ids).order_by("scale_id", "value"):
        levels_by_scale.setdefault(lv.scale_id, []).append(lv)
    words = level_words([lv for lvs in levels_by_scale.values() for lv in lvs], language)

    def shown_of(state) -> Shown | None:
        c = state.competency
        lv = level_of(levels_by_scale.get(c.scale_id or c.framework.scale_id, []), state.score)
        if lv is None:
            return None
        w = words[lv.pk]
        return Shown(
            c.statement,
            w.label,
            w.description,
            state.last_demonstrated_on,
            state.status != MasteryStatus.NOT_YET,
        )

    academic = [s for s in states if s.competency.framework.kind == "academic"]
    recent = [
        s
        for s in academic
        if s.last_demonstrated_on
        and s.last_demonstrated_on <= as_of
        and (since is None or s.last_demonstrated_on > since)
    ]
    recent.sort(key=lambda s: (s.last_demonstrated_on, s.pk), reverse=True)
    for s in recent:
        line = shown_of(s)
        if line is None:
            continue
        if len(report.shown) < SHOWN_LIMIT:
            report.shown.append(line)
        else:
            report.shown_more += 1
    report.habits = [
        line
        for line in (shown_of(s) for s in states if s.competency.framework.kind == "habits")
        if line is not None
    ]

    areas = mastery.credit_progress_by_area(student)
    lines = [(a.area, line) for a in areas for line in [*a.foundational, *a.advanced]]
    titles = credit_words([line.credit for _, line in lines], language)
    status_words = _status_words()
    for area, credit_line in lines:
        title, standard = titles[credit_line.credit.pk]
        item = CreditWords(
            title,
            standard,
            area.name,
            status_words.get(credit_line.status, ""),
            credit_line.awarded_on,
            credit_line.proficient_count,
            credit_line.item_count,
        )
        if credit_line.status == CreditStatus.AWARDED:
            item.new = bool(
                credit_line.awarded_on and (since is None or credit_line.awarded_on > since)
            )
            report.earned.append(item)
        elif credit_line.status in IN_PROGRESS:
            report.in_progress.append(item)
    report.earned.sort(key=lambda c: c.awarded_on or dt.date.min, reverse=True)

    graduation = mastery.graduation_of(student)
    report.pace = graduation_pace(graduation, student.graduation_year, as_of)
    for rule in (graduation.detail if graduation else None) or []:
        need = max(int(rule.get("need") or 0), 0)
        have = min(int(rule.get("have") or 0), need)
        if not rule.get("met") and need > have:
            report.requirements_left.append((rule.get("description") or "", need - have))

    report.feedback = [
        a
        for a in mastery.recent_feedback(student, limit=FEEDBACK_LIMIT)
        if a.demonstrated_on is None or a.demonstrated_on <= as_of
    ]
    report.next_steps = _next_steps(report, academic, shown_of)
    return report


def _next_steps(report: FamilyReportData, academic, shown_of) -> list[str]:
    """A few plain sentences on what comes next, most pressing first."""
    steps = []
    pace = report.pace
    if pace is not None and pace.state == "behind":
        steps.append(
            _(
                "%(name)s is behind the pace needed to graduate on time. Ask the advisor for a "
                "plan: which credits to work on first, and what help the school offers."
            )
            % {"name": report.student}
        )
    closest = sorted(
        (c for c in report.in_progress if c.parts),
        key=lambda c: (c.parts - c.parts_done, c.title),
    )[:2]
    for c in closest:
        left = c.parts - c.parts_done
        if left > 0:
            steps.append(
                _("%(credit)s: %(left)s more part(s) to show before the credit is earned.")
                % {"credit": c.title, "left": left}
            )
    not_yet = [s for s in academic if s.status == MasteryStatus.NOT_YET and s.score is not None]
    not_yet.sort(key=lambda s: s.last_demonstrated_on or dt.date.min, reverse=True)
    for s in not_yet[:2]:
        line = shown_of(s)
        if line is not None:
            steps.append(
                _("Keep practising: %(statement)s (now at “%(level)s”).")
                % {"statement": line.statement, "level": line.level}
            )
    if not steps:
        steps.append(
            _("Ask %(name)s to show you a recent piece of work and talk about what comes next.")
            % {"name": report.student}
        )
    return steps


def reading_copy(version, *, language: str) -> dict:
    """Return a published transcript's content with the school's texts in `language` where given
    (credit titles and standards, the scales' level names and meanings); everything else as
    published. For reading only: the published content itself is never changed."""
    from credo.mastery.models import MasteryCredit

    content = version.content or {}
    school_id = version.school_id
    codes = {c["code"] for a in content.get("areas", []) for c in a.get("credits", [])}
    credits = MasteryCredit.objects.filter(school_id=school_id, code__in=codes)
    by_code = {c.code: c for c in credits}
    words = credit_words(credits, language)
    areas = []
    for area in content.get("areas", []):
        rows = []
        for c in area.get("credits", []):
            credit = by_code.get(c.get("code"))
            title, standard = (
                words[credit.pk] if credit else (c.get("title", ""), c.get("standard", ""))
            )
            rows.append(
                {
                    "code": c.get("code", ""),
                    "title": title,
                    "standard": standard,
                    "level": c.get("level", ""),
                    "earned": bool(c.get("awarded_on")),
                    "awarded_on": _day(c.get("awarded_on")),
                }
            )
        areas.append({"name": area.get("name", ""), "credits": rows})
    scale_levels = {
        (lv.scale.name, f"{lv.value.normalize():f}"): lv
        for lv in ScaleLevel.objects.filter(school_id=school_id).select_related("scale")
    }
    level_ids = [lv for lv in scale_levels.values()]
    given = level_words(level_ids, language)
    scales = []
    for scale in content.get("scales", []):
        levels = []
        for lv in scale.get("levels", []):
            row = scale_levels.get((scale.get("name"), lv.get("level")))
            w = given.get(row.pk) if row else None
            levels.append(
                {
                    "name": w.label if w else lv.get("name", ""),
                    "meaning": w.description if w else lv.get("meaning", ""),
                }
            )
        scales.append({"name": scale.get("name", ""), "levels": levels})
    story = content.get("story") or {}
    return {
        "student": (content.get("student") or {}).get("name", ""),
        "school": (content.get("school") or {}).get("name", ""),
        "areas": areas,
        "scales": scales,
        "story": story.get("text", ""),
    }


def _day(text):
    try:
        return dt.date.fromisoformat(text) if text else None
    except (TypeError, ValueError):
        return None


def reports_sent(school, *, limit: int = 50):
    """Return the school's latest family reports sent, newest first."""
    return (
        FamilyReport.objects.filter(school=school)
        .select_related("student", "recipient")
        .order_by("-sent_at", "-id")[:limit]
    )


def cohorts(school) -> list[int]:
    """Return the graduation years of the school's active students, soonest first."""
    from credo.accounts.models import Student

    return sorted(
        set(
            Student.objects.filter(school=school, active=True).values_list(
                "graduation_year", flat=True
            )
        )
    )
