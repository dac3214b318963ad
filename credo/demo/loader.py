"""Load the demo network: three schools, about 600 students and their learning since ninth grade.

`load_demo` turns the specs in `credo.demo.content` into rows, in one transaction. It is a
bulk loader, not a user write, so it goes straight to the tables: `bulk_create` for the structure
(frameworks, credits, people, sections) and plain `executemany` batches with keys chosen up front for
the big tables (assessments, evidence and their tags, enrollments, reviews), with SQLite's foreign
keys checked once at the end as `loaddata` does. It records one `demo.loaded` audit event per school
that counts what it made (reviews also get the events their services would record).

Mastery is the engine's: `credo.mastery.bulk.compute` reads the assessments, the awards it would make
for met credits that need no review are written in one batch, credits ready for review get reviews
(decided, returned with feedback, or still open before a panel that often includes an outside
guest), and a second `compute` is stored with `bulk.materialize`, so `credo check` finds nothing to
correct. Then the transcript, as an admissions reader meets it: the class of 2026 (and a few of
2027) write their stories from a bank of sentences chosen by what each really earned and did, their
advisors approve them, educators comment on some earned credits, the registrar publishes the
seniors' transcripts through the publishing service, and `student1` of each school shares theirs
with a college (the landing page links to it). The journey app's demo (`credo.demo.journeys`) then
gives each school its self-assessment.

Each school is built by `builder._SchoolBuilder`, stage by stage, one module per stage:
`structure` (school, frameworks, credits, courses, terms, people), `learning` (the simulated
history, in memory), `records` (evidence and assessments written as rows), `reviews` (automatic
awards and credit reviews), `transcripts` (stories, comments, publishing, sharing), then `waiting`
(revisions left to assess); `tables` writes and purges rows, `simulation` holds the tuning.

The same seed gives the same data, row for row: every random choice comes from one `random.Random`
per school, and every date is measured from `DEMO_TODAY`, never from the clock (only audit
timestamps and the `updated_at` of materialized rows are the clock's, and so are what must stay
unguessable or working: share-link tokens, their expiry and published versions' public ids).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction

from credo.accounts.access import system_actor
from credo.accounts.models import User
from credo.core.audit import audit_record
from credo.core.bulkload import create_indexes, drop_indexes
from credo.demo import content
from credo.demo.builder import _SchoolBuilder
from credo.demo.content import DEMO_TODAY, NetworkSpec
from credo.demo.events import DEMO_RESET
from credo.demo.report import Account, DemoError, DemoSummary, Progress, SchoolSummary
from credo.demo.tables import _at, _loaded_tables, _purge_schools
from credo.demo.waiting import leave_work_waiting
from credo.evidence.models import Evidence, EvidenceCompetency
from credo.mastery import bulk
from credo.mastery.models import Assessment
from credo.schools.models import Network, NetworkLead, School

PASSWORD = "credo-demo"  # noqa: S105 -- the published password of every demo account
LEAD_USERNAME = "lead@network"


# --- public API -------------------------------------------------------------------------------


def demo_school_ids(network: NetworkSpec = content.NETWORK) -> list[int]:
    """Return the ids of the demo schools present in the database."""
    return list(
        School.objects.filter(slug__in=[s.slug for s in network.schools])
        .order_by("id")
        .values_list("id", flat=True)
    )


def demo_loaded(network: NetworkSpec = content.NETWORK) -> bool:
    """Return whether the demo schools are in the database."""
    return bool(demo_school_ids(network))


def demo_accounts(network: NetworkSpec = content.NETWORK) -> list[Account]:
    """Return one account per role and school (and the network lead), as stored."""
    wanted: list[tuple[str, str, str]] = []
    for spec in network.schools:
        for role, local in (
            ("School admin", "admin"),
            ("Registrar", "registrar"),
            ("Teacher", "teacher1"),
            ("Advisor", "advisor1"),
            ("Student", "student1"),
            ("Guardian", "guardian1"),
            ("Reviewer", "reviewer1"),
        ):
            wanted.append((spec.short_name, role, f"{local}@{spec.slug}"))
    wanted.append((network.name, "Network lead", LEAD_USERNAME))
    names = {u.username: str(u) for u in User.objects.filter(username__in=[w[2] for w in wanted])}
    return [
        Account(school, role, username, names[username])
        for school, role, username in wanted
        if username in names
    ]


def step_count(network: NetworkSpec = content.NETWORK) -> int:
    """Return how many times `load_demo` reports progress."""
    return 1 + 3 * len(network.schools) + 7


def reset_demo(network: NetworkSpec = content.NETWORK) -> int:
    """Delete the demo schools, their people and the demo network; return how many schools went."""
    ids = demo_school_ids(network)
    atomic = (
        transaction.atomic() if connection.in_atomic_block else transaction.atomic(durable=True)
    )
    with atomic:
        if ids:
            from credo.transcripts.guard import erasing_whole_schools

            with erasing_whole_schools(connection):
                _purge_schools(ids)
            audit_record(
                actor=system_actor(),
                school=None,
                action=DEMO_RESET,
                target_type="schools.network",
                target_id=network.slug,
                before={"schools": ids},
                note="The demo schools, their people and their history were dropped to reload the demo.",
            )
        usernames = [LEAD_USERNAME]
        q = User.objects.filter(username__in=usernames)
        for spec in network.schools:
            q = q | User.objects.filter(username__endswith=f"@{spec.slug}")
        q.delete()
        Network.objects.filter(slug=network.slug).delete()
    return len(ids)


def load_demo(
    *,
    seed: int = 2026,
    students_per_school: int = 200,
    progress: Progress | None = None,
    network: NetworkSpec = content.NETWORK,
) -> DemoSummary:
    """Load the demo network in one transaction and return what was made.

    Raise DemoError when the demo is already loaded (`reset_demo` first to reload it).
    """
    if students_per_school < 4:
        raise DemoError("The demo needs at least four students per school, one in each cohort.")
    if demo_loaded(network):
        raise DemoError("The demo is already loaded; reset it first to load it again.")
    t0 = time.perf_counter()
    # Like `loaddata`: on SQLite, foreign keys are checked once over the loaded tables at the end
    # instead of row by row (the pragma only takes effect outside a transaction).
    outside = not connection.in_atomic_block
    checks_off = connection.constraint_checks_disabled() if outside else contextlib.nullcontext()
    with checks_off, transaction.atomic(durable=outside):
        summary = _load(
            network, seed=seed, students=students_per_school, say=progress or (lambda _msg: None)
        )
        if outside:
            connection.check_constraints(table_names=_loaded_tables())
    _growth(network)
    summary.seconds = time.perf_counter() - t0
    summary.accounts = demo_accounts(network)
    return summary


def _load(network: NetworkSpec, *, seed: int, students: int, say: Progress) -> DemoSummary:
    timings: dict[str, float] = {}
    password = make_password(PASSWORD)  # hashed once: the hash is shared by every demo account
    say(f"Creating {network.name} and its lead")
    reset_demo(network)  # clears leftovers (accounts, an empty network) of an earlier demo
    net = Network.objects.create(
        name=network.name, slug=network.slug, description=network.description
    )
    lead = User.objects.create(
        username=LEAD_USERNAME,
        password=password,
        display_name=network.lead.name,
        first_name=network.lead.name.split()[0],
        last_name=network.lead.name.split()[-1],
        email=f"lead@{network.slug}.example.org",
        date_joined=_at(dt.date(content.SCHOOL_YEARS[0], 8, 1), 9),
    )
    NetworkLead.objects.create(network=net, user=lead)
    builders = []
    indexes = drop_indexes(Assessment, Evidence, EvidenceCompetency)
    for spec in network.schools:
        t = time.perf_counter()
        builder = _SchoolBuilder(spec, net, seed=seed, students=students, password=password)
        say(f"{spec.short_name}: frameworks, credits and people")
        builder.build_structure()
        say(f"{spec.short_name}: every student's learning since ninth grade")
        builder.simulate()
        say(
            f"{spec.short_name}: writing {len(builder.assessments):,} assessments and their evidence"
        )
        builder.write_learning()
        builders.append(builder)
        timings[f"{spec.slug}_s"] = time.perf_counter() - t
    school_ids = [b.school.pk for b in builders]
    create_indexes(indexes)

    say("Computing mastery and credits (the engine's bulk path)")
    t = time.perf_counter()
    first = bulk.compute(school_ids)
    for builder in builders:
        builder.award_automatically(first)
    timings["compute_s"] = time.perf_counter() - t

    say("Holding credit reviews")
    t = time.perf_counter()
    for builder in builders:
        builder.hold_reviews(first)
    timings["reviews_s"] = time.perf_counter() - t

    say("Storing mastery states, credit progress and graduation status")
    t = time.perf_counter()
    final = bulk.compute(school_ids)
    # Nothing should be left to award after the first pass; if something is, write it the same way.
    if final.new_awards:
        for builder in builders:
            builder.award_automatically(final)
        final.new_awards = []
    bulk.materialize(school_ids, final)
    timings["materialize_s"] = time.perf_counter() - t

    say("Writing the seniors' stories and comments, publishing and sharing their transcripts")
    t = time.perf_counter()
    for builder in builders:
        builder.write_transcripts()
    timings["transcripts_s"] = time.perf_counter() - t

    say("Leaving the last days' revisions waiting for their teachers")
    for builder in builders:
        leave_work_waiting(builder.school)

    say("Giving each school its journey toward mastery learning")
    t = time.perf_counter()
    journeys = _journeys([b.school for b in builders], net, seed=seed)
    timings["journeys_s"] = time.perf_counter() - t

    from credo.families.demo import demo_families  # a Spanish-speaking family (issue 18)

    demo_families([b.school for b in builders], today=DEMO_TODAY)

    say("Recording what was loaded")
    summaries = [
        builder.finish(seed=seed, journey=journeys.get(builder.spec.slug)) for builder in builders
    ]
    return DemoSummary(
        network=network.name,
        seed=seed,
        today=DEMO_TODAY,
        schools=summaries,
        accounts=[],
        timings=timings,
    )


def _growth(network: NetworkSpec) -> None:
    """Educators' growth (`credo.growth.demo`), through its services, once the loader has committed."""
    from credo.growth.demo import load_demo_growth

    load_demo_growth(School.objects.filter(pk__in=demo_school_ids(network)).order_by("pk"))


def _journeys(schools: list[School], network: Network, *, seed: int) -> dict[str, dict]:
    """Give each school its journey self-assessment (`credo.demo.journeys`)."""
    from credo.demo.journeys import load_demo_journeys

    return load_demo_journeys(schools, network, seed=seed)


def cohort_spread(school_id: int) -> dict[int, tuple[int, float, int]]:
    """Return {graduation year: (students, mean foundational credits awarded, eligible)} for a school."""
    from django.db.models import Avg, Count, Q

    from credo.mastery.models import GraduationStatus

    rows = (
        GraduationStatus.objects.filter(school_id=school_id)
        .values("student__graduation_year")
        .annotate(
            n=Count("id"),
            mean=Avg("foundational_awarded"),
            eligible=Count("id", filter=Q(eligible=True)),
        )
        .order_by("student__graduation_year")
    )
    return {
        r["student__graduation_year"]: (r["n"], float(r["mean"] or 0), r["eligible"]) for r in rows
    }


__all__ = [
    "PASSWORD",
    "Account",
    "DemoError",
    "DemoSummary",
    "SchoolSummary",
    "cohort_spread",
    "demo_accounts",
    "demo_loaded",
    "demo_school_ids",
    "load_demo",
    "reset_demo",
    "step_count",
]
