"""How the demo simulates learning: the tuning of ratings, and the light records (scales,
competencies, pupils, evidence, assessments) the builder keeps before writing rows.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal

from credo.accounts.models import Student
from credo.demo import content

AWARD_COLUMNS = (
    "school_id",
    "student_id",
    "credit_id",
    "awarded_on",
    "review_id",
    "awarded_by_id",
    "created_at",
    "revoked_at",
    "revoked_by_id",
    "revoke_reason",
)
SECTION_SIZE = 22
UTC = dt.UTC

# How a student's ratings move (in scale points, relative to the mastery threshold).
BASE = -1.3  # a new ninth grader's first attempt
GROWTH = 0.5  # per year in high school
PRACTICE = 0.3  # per earlier summative attempt on the same competency (up to four)
NOISE = 0.45
# Each school's methods and scales read the same work differently. Per school: a shift of every
# rating, retakes per student in a full term, and the chance a competency comes back in a second
# piece of work in the same term (n_mastery needs several ratings at mastery). Tuned so that
# seniors are close to graduating and freshmen just starting.
TUNING = {
    "wayfinder": {"offset": 0.6, "retakes": 7, "second": 0.2, "advanced": 0.7},
    "hartwell": {"offset": 0.95, "retakes": 8, "second": 0.6, "advanced": 1.5},
    "juniper-valley": {"offset": 0.1, "retakes": 4, "second": 0.2, "advanced": 0.7},
}
DEFAULT_TUNING = {"offset": 0.3, "retakes": 5, "second": 0.3, "advanced": 0.7}
CORRECTION_RATE = 0.012
RETRACTION_RATE = 0.0025


class _Scale:
    """A scale as the simulation uses it: quantize a latent level into a rating."""

    def __init__(self, spec: content.ScaleSpec):
        self.low = float(spec.min_value)
        self.step = float(spec.step)
        self.threshold = float(spec.mastery_threshold)
        self.exceeds = float(spec.exceeds_threshold) if spec.exceeds_threshold is not None else None
        n = round((float(spec.max_value) - self.low) / self.step)
        self.values = [
            Decimal(str(self.low + k * self.step)).quantize(Decimal("0.01")) for k in range(n + 1)
        ]
        self.floats = [float(v) for v in self.values]

    def rate(self, level: float) -> int:
        """Return the index of the rating closest to `level`, clamped to the scale."""
        k = round((level - self.low) / self.step)
        return min(max(k, 0), len(self.values) - 1)


@dataclass
class _Comp:
    id: int
    code: str
    habit: bool
    scale: _Scale
    difficulty: float
    method: str = "latest"
    param: int | None = None

    def score(self, values: list[float]) -> float | None:
        """Return roughly what the engine will compute from these summative values (in floats)."""
        if not values:
            return None
        m, p = self.method, self.param
        if m == "decaying_average":
            w = (p or 65) / 100
            d = values[0]
            for v in values[1:]:
                d = (1 - w) * d + w * v
            return d
        if m == "weighted_average":
            w = (p or 65) / 100
            return (
                values[0]
                if len(values) == 1
                else w * values[-1] + (1 - w) * sum(values[:-1]) / (len(values) - 1)
            )
        if m == "n_mastery":
            good = [v for v in values if v >= self.scale.threshold]
            return sum(good) / len(good) if len(good) >= (p or 5) else None
        if m == "power_law":
            return _power_law(values, self.scale)
        if m == "highest":
            return max(values)
        if m == "average":
            return sum(values) / len(values)
        return values[-1]


def _power_law(values: list[float], scale: _Scale) -> float:
    k = len(values)
    if k == 1:
        return values[0]
    xs = [math.log(i) for i in range(1, k + 1)]
    ys = [math.log(v - scale.low + 1) for v in values]
    mx, my = sum(xs) / k, sum(ys) / k
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    predicted = math.exp(my - b * mx + b * xs[-1]) + scale.low - 1
    return min(max(predicted, scale.low), scale.floats[-1])


@dataclass
class _Pupil:
    number: int
    obj: Student
    user_id: int
    cohort: int
    ability: float
    habit: float
    persistence: float
    accommodated: bool
    modified: bool
    advisor_id: int
    attempts: dict[int, int] = field(default_factory=dict)
    history: dict[int, list[float]] = field(default_factory=dict)
    done: dict[int, bool] = field(default_factory=dict)
    taken: dict[str, int] = field(default_factory=dict)
    teachers: list[int] = field(default_factory=list)
    disadvantaged: bool = False

    @property
    def entry(self) -> int:
        return self.cohort - 4


class _Ev:
    """Evidence while it is being made; `obj` becomes its primary key once keys are handed out."""

    __slots__ = (
        "pupil",
        "kind",
        "title",
        "body",
        "url",
        "day",
        "section_id",
        "experience_id",
        "outside",
        "vouched_by",
        "revision_of",
        "submitted_by",
        "shared",
        "comps",
        "teacher_id",
        "obj",
    )

    def __init__(
        self,
        pupil,
        kind,
        title,
        body,
        url,
        day,
        section_id,
        experience_id,
        submitted_by,
        teacher_id,
        *,
        outside=False,
        vouched_by="",
        revision_of=None,
        shared=False,
    ):
        self.pupil = pupil
        self.kind = kind
        self.title = title
        self.body = body
        self.url = url
        self.day = day
        self.section_id = section_id  # an index into the builder's sections until they are written
        self.experience_id = experience_id
        self.outside = outside
        self.vouched_by = vouched_by
        self.revision_of = revision_of
        self.submitted_by = submitted_by
        self.shared = shared
        self.comps: dict[int, float] = {}  # competency id -> best rating this piece received
        self.teacher_id = teacher_id
        self.obj = None


class _As:
    """An assessment while it is being made; `obj` becomes its primary key."""

    __slots__ = (
        "pupil",
        "comp",
        "ev",
        "assessor",
        "rating",
        "day",
        "at",
        "kind",
        "feedback",
        "task",
        "obj",
    )

    def __init__(self, pupil, comp, ev, assessor, rating, day, at, kind, feedback, task):
        self.pupil = pupil
        self.comp = comp
        self.ev = ev
        self.assessor = assessor
        self.rating = rating  # an index into the competency's scale values
        self.day = day
        self.at = at
        self.kind = kind
        self.feedback = feedback
        self.task = task
        self.obj = None
