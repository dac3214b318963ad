"""One demo school, built stage by stage (each stage is a mixin in its own module)."""

from __future__ import annotations

import random

from credo.accounts.access import system_actor
from credo.accounts.models import User
from credo.core.audit import audit_record
from credo.demo.content import DEMO_TODAY, SchoolSpec
from credo.demo.events import DEMO_LOADED
from credo.demo.learning import _Learning
from credo.demo.records import _Records
from credo.demo.report import SchoolSummary
from credo.demo.reviews import _Reviews
from credo.demo.simulation import DEFAULT_TUNING, TUNING, _As, _Ev
from credo.demo.structure import _Structure
from credo.demo.transcripts import _Transcripts
from credo.mastery.models import CreditAward
from credo.schools.models import Network


class _SchoolBuilder(_Structure, _Learning, _Records, _Reviews, _Transcripts):
    """Build one demo school: structure first, then the students' learning, then reviews."""

    def __init__(
        self, spec: SchoolSpec, network: Network, *, seed: int, students: int, password: str
    ):
        self.spec = spec
        self.network = network
        self.rng = random.Random(f"{seed}:{spec.slug}")
        self.seed = seed
        self.n_students = students
        self.password = password
        self.users: list[User] = []
        self.assessments: list[_As] = []
        self.evidence: list[_Ev] = []
        self.summary = SchoolSummary(slug=spec.slug, name=spec.name)
        tuning = TUNING.get(spec.slug, DEFAULT_TUNING)
        self.offset = tuning["offset"]
        self.retakes = tuning["retakes"]
        self.second_piece = tuning["second"]
        self.advanced_difficulty = tuning["advanced"]  # for what only advanced credits list

    def _int(self, a: int, b: int | None = None) -> int:
        """Return a random integer in [a, b) (or [0, a)): `randrange`, but cheaper."""
        if b is None:
            a, b = 0, a
        return a + int(self.rng.random() * (b - a))

    def _pick(self, seq):
        return seq[int(self.rng.random() * len(seq))]

    # --- the end ------------------------------------------------------------------------------

    def finish(self, *, seed: int, journey: dict | None = None) -> SchoolSummary:
        from credo.mastery.models import GraduationStatus

        s = self.summary
        s.awards = CreditAward.objects.filter(school=self.school, revoked_at__isnull=True).count()
        s.eligible = GraduationStatus.objects.filter(school=self.school, eligible=True).count()
        audit_record(
            actor=system_actor(),
            school=self.school,
            action=DEMO_LOADED,
            target=self.school,
            after={
                "seed": seed,
                "today": DEMO_TODAY,
                "network": self.network.slug,
                "journey": journey or {},
                **{k: v for k, v in vars(s).items() if k not in ("slug", "name")},
            },
            note="Demo data written in bulk by `credo demo`, not through the services; every person is invented.",
        )
        return s
