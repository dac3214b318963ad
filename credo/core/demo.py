"""Load the demo network: three schools, about 600 students and their learning since ninth grade.

`load_demo` turns the specs in `credo.schools.demo_content` into rows, in one transaction. It is a
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
with a college (the landing page links to it). The journey app's demo (`credo.journey.demo`) then
gives each school its self-assessment.

The same seed gives the same data, row for row: every random choice comes from one `random.Random`
per school, and every date is measured from `DEMO_TODAY`, never from the clock (only audit
timestamps and the `updated_at` of materialized rows are the clock's, and so are what must stay
unguessable or working: share-link tokens, their expiry and published versions' public ids).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import random
import secrets
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from credo.accounts.access import system_actor
from credo.accounts.models import GuardianLink, Membership, Role, Student, User
from credo.core.audit import EVENT_COLUMNS, audit_record
from credo.core.models import AuditEvent
from credo.evidence.models import Evidence, EvidenceCompetency, EvidenceCredit, PeerFeedback
from credo.frameworks.models import Competency, Framework, Outcome, ProficiencyScale, ScaleLevel
from credo.mastery import bulk
from credo.mastery.models import (
    Assessment,
    CreditArea,
    CreditAward,
    CreditRequirementItem,
    CreditReview,
    CreditStatus,
    GraduationRule,
    GraduationRuleCredit,
    MasteryCredit,
    PanelSeat,
    ReviewDecision,
    ReviewEvidence,
    ReviewVote,
)
from credo.mastery.sql import ASSESSMENT_COLUMNS
from credo.schools import demo_content as content
from credo.schools.demo_content import DEMO_TODAY, ExperienceSpec, NetworkSpec, SchoolSpec
from credo.schools.models import (
    Enrollment,
    ExperienceAlignment,
    LearningExperience,
    Network,
    NetworkLead,
    School,
    Section,
    SectionTeacher,
    Term,
)

PASSWORD = "credo-demo"  # noqa: S105 -- the published password of every demo account
LEAD_USERNAME = "lead@network"
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

Progress = Callable[[str], None]


# --- what the loader reports ------------------------------------------------------------------


@dataclass(frozen=True)
class Account:
    """A sign-in account worth printing: which school, which role, the username and the name."""

    school: str
    role: str
    username: str
    name: str


@dataclass
class SchoolSummary:
    """What the loader made for one school."""

    slug: str
    name: str
    students: int = 0
    users: int = 0
    competencies: int = 0
    assessable: int = 0
    credits: int = 0
    foundational: int = 0
    advanced: int = 0
    experiences: int = 0
    sections: int = 0
    assessments: int = 0
    corrections: int = 0
    retractions: int = 0
    evidence: int = 0
    outside_evidence: int = 0
    reviews: int = 0
    awards: int = 0
    eligible: int = 0
    stories: int = 0
    comments: int = 0
    published: int = 0
    links: int = 0


@dataclass
class DemoSummary:
    """What `load_demo` made, the accounts to sign in with, and how long it took."""

    network: str
    seed: int
    today: dt.date
    schools: list[SchoolSummary]
    accounts: list[Account]
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def students(self) -> int:
        return sum(s.students for s in self.schools)

    @property
    def assessments(self) -> int:
        return sum(s.assessments for s in self.schools)


class DemoError(Exception):
    """The demo cannot be loaded as asked (for instance: it is already there)."""


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
                action="demo.reset",
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


def demo_share_token(link_id: int) -> str:
    """Return the token of the demo link `link_id` that the landing page opens.

    Only the hash of a share link's token is stored, so the landing page cannot read it back; for
    the demo's own links it derives the token again from the installation's secret key (an HMAC
    of the link's id), which nobody without that key can do. Real links are always random.
    """
    import base64
    import hashlib
    import hmac

    from django.conf import settings

    mac = hmac.new(
        settings.SECRET_KEY.encode(), f"credo.demo.share-link:{link_id}".encode(), hashlib.sha256
    )
    return base64.urlsafe_b64encode(mac.digest()).decode().rstrip("=")


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
    indexes = _drop_indexes(Assessment, Evidence, EvidenceCompetency)
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
    _create_indexes(indexes)

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


WAITING_PER_SECTION = 4


def leave_work_waiting(school: School, *, per_section: int = WAITING_PER_SECTION) -> int:
    """Have a few students of `teacher1`'s running sections revise work in answer to feedback, in
    the last days of the records, and leave the revisions unassessed: on a fresh demo the teacher's
    "to assess" list shows what a Monday morning looks like. Rows and audit events are written as
    `evidence_submit` writes them. Return how many revisions were left."""
    from credo.mastery.models import Assessment
    from credo.notify.models import Kind
    from credo.notify.services import notify_event

    teacher = User.objects.filter(username=f"teacher1@{school.slug}").first()
    today = school.today()
    if teacher is None:
        return 0
    made, revisions = 0, []
    sections = Section.objects.filter(
        school=school,
        teacher_links__user=teacher,
        term__starts_on__lte=today,
        term__ends_on__gte=today,
    ).select_related("term")
    for section in sections.order_by("pk")[:2]:
        recent = (
            Assessment.objects.filter(
                school=school,
                student__enrollments__section=section,
                competency__alignments__experience_id=section.experience_id,
                evidence__isnull=False,
                replaced_by__isnull=True,
                retraction=False,
                # The feedback may come from the term before, on the same course.
                demonstrated_on__gte=today - dt.timedelta(days=120),
            )
            .exclude(feedback="")
            .select_related("evidence", "student__user", "competency")
            .order_by("-demonstrated_on", "-id")
        )
        # Work from this course first; a small demo may have none, then work on its targets.
        prompts = list(recent.filter(evidence__experience_id=section.experience_id)[:400]) or list(
            recent[:400]
        )
        seen: set[int] = set()
        for prompt in prompts:
            if prompt.student_id in seen or prompt.student.user_id is None:
                continue
            seen.add(prompt.student_id)
            # After the feedback it answers, within the running term, never after the school's today.
            day = max(
                _weekday(today - dt.timedelta(days=len(seen))),
                section.term.starts_on,
                prompt.demonstrated_on + dt.timedelta(days=1),
            )
            if day > today:
                continue
            revision = Evidence.objects.create(
                school=school,
                student=prompt.student,
                kind="text",
                title=f"{prompt.evidence.title.removesuffix(' (revised)')} (revised)",
                body=f"I reworked this after your feedback on {prompt.competency.code}.",
                demonstrated_on=day,
                section=section,
                experience_id=section.experience_id,
                revision_of=prompt.evidence,
                responds_to=prompt,
                submitted_by=prompt.student.user,
            )
            Evidence.objects.filter(pk=revision.pk).update(submitted_at=_at(day, 19))
            EvidenceCompetency.objects.create(
                school=school, evidence=revision, competency=prompt.competency
            )
            audit_record(
                actor=prompt.student.user,
                school=school.pk,
                action="evidence.submitted",
                target=revision,
                after={
                    "student_id": prompt.student_id,
                    "kind": "text",
                    "title": revision.title,
                    "demonstrated_on": day.isoformat(),
                    "section_id": section.pk,
                    "revision_of_id": prompt.evidence_id,
                    "responds_to_id": prompt.pk,
                    "competencies": [prompt.competency_id],
                    "credits": [],
                },
            )
            made += 1
            revisions.append(revision.pk)
            if len(seen) >= per_section:
                break
    # The teacher hears of them as the task queue would have told them (the loader writes directly).
    notify_event(kind=Kind.NEW_WORK, source_ids=revisions)
    return made


# --- helpers ----------------------------------------------------------------------------------


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _weekday(day: dt.date) -> dt.date:
    """Return the day, moved back to Friday when it falls on a weekend."""
    wd = day.weekday()
    return day - dt.timedelta(days=wd - 4) if wd > 4 else day


def _insert(model, objs: list, batch_size: int = 2000) -> list:
    if objs:
        model.objects.bulk_create(objs, batch_size=batch_size)
    return objs


def _next_ids(model, n: int, *, after: int = 0) -> range:
    """Return `n` fresh primary keys for `model`, skipping `after` keys already handed out."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MAX(id) FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        (top,) = cursor.fetchone()
    first = (top or 0) + 1 + after
    return range(first, first + n)


def _write_rows(model, attnames: tuple[str, ...], rows: list[tuple], batch: int = 5000) -> None:
    """Insert plain rows into `model`'s table with executemany: the fast path for the big tables.

    Dates, times and JSON are adapted the way the backend stores them; primary keys, when given, come
    from `_next_ids`, and PostgreSQL's sequences are moved past them (`_reset_sequences`).
    """
    if not rows:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    ops = connection.ops
    adapt_datetime = (
        _sqlite_datetime if connection.vendor == "sqlite" else ops.adapt_datetimefield_value
    )
    adapters: list[tuple[int, Callable]] = []
    for i, name in enumerate(attnames):
        f = fields[name]
        internal = f.get_internal_type()
        if internal == "DateTimeField":
            adapters.append((i, adapt_datetime))
        elif internal == "DateField":
            cache: dict = {}

            def adapt_date(d, cache=cache):
                if d not in cache:
                    cache[d] = ops.adapt_datefield_value(d)
                return cache[d]

            adapters.append((i, adapt_date))
        elif internal == "JSONField":
            adapters.append((i, lambda v, f=f: f.get_db_prep_save(v, connection)))
    if adapters:
        adapted = []
        for row in rows:
            row = list(row)
            for i, adapt in adapters:
                if row[i] is not None:
                    row[i] = adapt(row[i])
            adapted.append(row)
        rows = adapted
    columns = ", ".join(ops.quote_name(fields[name].column) for name in attnames)
    sql = (
        f"INSERT INTO {ops.quote_name(model._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(attnames))})"
    )
    with connection.cursor() as cursor:
        for i in range(0, len(rows), batch):
            cursor.executemany(sql, rows[i : i + batch])


def _journeys(schools: list[School], network: Network, *, seed: int) -> dict[str, dict]:
    """Give each school its journey self-assessment (`credo.journey.demo`), where the journey app has one."""
    try:
        from credo.journey.demo import load_demo_journeys
    except ImportError:  # the journey app ships its demo separately
        return {}
    return load_demo_journeys(schools, network, seed=seed)


def _growth(network: NetworkSpec) -> None:
    """Educators' growth (`credo.growth.demo`), through its services, once the loader has committed."""
    from credo.growth.demo import load_demo_growth

    load_demo_growth(School.objects.filter(pk__in=demo_school_ids(network)).order_by("pk"))


def _loaded_tables() -> list[str]:
    """Return the tables the loader writes to (the apps of people, schools, frameworks and mastery)."""
    from django.apps import apps

    labels = {
        "core",
        "accounts",
        "schools",
        "frameworks",
        "evidence",
        "mastery",
        "journey",
        "transcripts",
        "interop",
    }
    return [m._meta.db_table for m in apps.get_models() if m._meta.app_label in labels]


def _drop_indexes(*models) -> list[str]:
    """On SQLite, drop the secondary indexes of these tables and return the SQL that recreates them.

    Building an index once over the loaded rows is several times faster than updating it row by row.
    The drop and the rebuild happen inside the load's transaction, so nobody sees the tables without
    them. PostgreSQL keeps its indexes.
    """
    if connection.vendor != "sqlite":
        return []
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        placeholders = ", ".join(["%s"] * len(tables))
        sql = f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({placeholders}) ORDER BY name"  # noqa: S608
        cursor.execute(sql, tables)
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [sql for _name, sql in found]


def _create_indexes(statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _sqlite_datetime(value: dt.datetime) -> str:
    """Return an aware datetime as SQLite stores it for Django: naive UTC text (as `adapt_datetimefield_value`)."""
    if value.tzinfo is UTC:
        return value.isoformat(" ")[:-6]  # drop "+00:00"
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")


def _reset_sequences(*models) -> None:
    """Move PostgreSQL's id sequences past the keys the loader chose itself (SQLite needs nothing)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _purge_schools(school_ids: list[int]) -> None:
    """Delete every row the schools own, table by table (tenant rows all carry `school_id`).

    Foreign keys are checked at commit, so the order of the deletes does not matter. Rows that
    point at a school's rows without carrying `school_id` themselves follow their parent.
    """
    from django.apps import apps

    ids = ",".join(str(int(i)) for i in school_ids)
    qn = connection.ops.quote_name
    school_fk: dict = {}
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if f.is_relation and f.related_model is School:
                school_fk.setdefault(model, []).append(f)
    tenant_tables = {m: fs for m, fs in school_fk.items() if any(f.name == "school" for f in fs)}
    with connection.cursor() as cursor:
        # Rows outside the tenant tables that point at tenant rows (many-to-many tables too).
        for model in apps.get_models(include_auto_created=True):
            if model in tenant_tables:
                continue
            for f in model._meta.concrete_fields:
                target = f.related_model if f.is_relation else None
                if target is None or target not in tenant_tables or target is School:
                    continue
                sub = f"SELECT id FROM {qn(target._meta.db_table)} WHERE school_id IN ({ids})"  # noqa: S608
                if f.null and f.remote_field.on_delete.__name__ == "SET_NULL":
                    cursor.execute(
                        f"UPDATE {qn(model._meta.db_table)} SET {qn(f.column)} = NULL "  # noqa: S608
                        f"WHERE {qn(f.column)} IN ({sub})"
                    )
                else:
                    cursor.execute(
                        f"DELETE FROM {qn(model._meta.db_table)} "  # noqa: S608
                        f"WHERE {qn(f.column)} IN ({sub})"
                    )
        for model, fks in school_fk.items():
            for f in fks:
                table, column = qn(model._meta.db_table), qn(f.column)
                if model is AuditEvent:  # the demo's own history goes with it
                    cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({ids})")  # noqa: S608
                elif f.null and f.remote_field.on_delete.__name__ == "SET_NULL":
                    cursor.execute(f"UPDATE {table} SET {column} = NULL WHERE {column} IN ({ids})")  # noqa: S608
                else:
                    cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({ids})")  # noqa: S608
        cursor.execute(f"DELETE FROM {qn(School._meta.db_table)} WHERE id IN ({ids})")  # noqa: S608


# --- one school -------------------------------------------------------------------------------


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


class _SchoolBuilder:
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

    # --- structure -------------------------------------------------------------------------

    def build_structure(self) -> None:
        spec = self.spec
        self.school = School.objects.create(
            name=spec.name,
            short_name=spec.short_name,
            slug=spec.slug,
            network=self.network,
            mission=spec.mission,
            context=spec.context,
            credit_policy=spec.credit_policy,
            city=spec.city,
            website=spec.website,
            enrollment_size=spec.enrollment_size,
            school_code=spec.school_code,
            counselor_name=spec.counselor[0],
            counselor_email=spec.counselor[1],
            counselor_phone=spec.counselor[2],
            as_of=DEMO_TODAY,  # its records end that day; its pages read as they did then
        )
        self._frameworks()
        self._credits()
        self._experiences()
        self._terms()
        self._people()

    def _frameworks(self) -> None:
        spec, school = self.spec, self.school
        self.scales: dict[str, ProficiencyScale] = {}
        self.sim_scales: dict[str, _Scale] = {}
        for s in spec.scales:
            self.scales[s.key] = ProficiencyScale.objects.create(
                school=school,
                name=s.name,
                mastery_threshold=s.mastery_threshold,
                exceeds_threshold=s.exceeds_threshold,
                min_value=s.min_value,
                max_value=s.max_value,
            )
            self.sim_scales[s.key] = _Scale(s)
        _insert(
            ScaleLevel,
            [
                ScaleLevel(
                    school=school,
                    scale=self.scales[s.key],
                    value=lv.value,
                    label=lv.label,
                    description=lv.description,
                )
                for s in spec.scales
                for lv in s.levels
            ],
        )
        advanced_only = self._advanced_only_codes()
        self.comp_by_code: dict[str, Competency] = {}
        self.sim: dict[str, _Comp] = {}
        self.frameworks: dict[str, Framework] = {}
        for fw in spec.frameworks:
            framework = Framework.objects.create(
                school=school,
                name=fw.name,
                kind=fw.kind,
                description=fw.description,
                scale=self.scales[fw.scale],
                calculation_method=fw.method,
                calculation_param=fw.param,
                counts_formative=fw.counts_formative,
                version=fw.version,
            )
            self.frameworks[fw.key] = framework
            outcomes = {
                o.code: o
                for o in _insert(
                    Outcome,
                    [
                        Outcome(
                            school=school,
                            framework=framework,
                            code=o.code,
                            title=o.title,
                            description=o.description,
                            order=i,
                        )
                        for i, o in enumerate(fw.outcomes, start=1)
                    ],
                )
            }
            # Insert level by level so every parent has its key before its children.
            level = [
                (node, None, outcome)
                for node, _parent, outcome in content.walk(fw.competencies)
                if _parent is None
            ]
            sequence = 0
            while level:
                rows = []
                for node, parent, outcome in level:
                    sequence += 1
                    rows.append(
                        Competency(
                            school=school,
                            framework=framework,
                            parent=parent,
                            kind=node.kind,
                            code=node.code,
                            statement=node.statement,
                            sequence=sequence,
                            outcome=outcomes.get(outcome) if outcome else None,
                            calculation_method=node.method,
                            calculation_param=node.param,
                        )
                    )
                _insert(Competency, rows)
                nxt = []
                for (node, _parent, outcome), row in zip(level, rows, strict=True):
                    self.comp_by_code[node.code] = row
                    if node.is_assessable:
                        difficulty = self.rng.gauss(0.0, 0.2) + (
                            self.advanced_difficulty if node.code in advanced_only else 0
                        )
                        self.sim[node.code] = _Comp(
                            row.pk,
                            node.code,
                            fw.kind == "habits",
                            self.sim_scales[fw.scale],
                            difficulty,
                            node.method or fw.method,
                            node.param if node.method else fw.param,
                        )
                    nxt += [(child, row, child.outcome or outcome) for child in node.children]
                level = nxt
        self.by_id = {c.id: c for c in self.sim.values()}
        self.summary.competencies = len(self.comp_by_code)
        self.summary.assessable = len(self.sim)
        self.habit_codes = [c.code for c in self.sim.values() if c.habit]

    def _advanced_only_codes(self) -> set[str]:
        foundational = {
            i.competency for c in self.spec.credits if c.level == "foundational" for i in c.items
        }
        return {
            i.competency for c in self.spec.credits if c.level == "advanced" for i in c.items
        } - foundational

    def _credits(self) -> None:
        spec, school = self.spec, self.school
        self.areas = {
            a.code: a
            for a in _insert(
                CreditArea,
                [
                    CreditArea(
                        school=school,
                        code=a.code,
                        name=a.name,
                        colour=a.colour,
                        order=a.order,
                        description=a.description,
                    )
                    for a in spec.areas
                ],
            )
        }
        self.credit_specs = {c.code: c for c in spec.credits}
        self.credits = {
            c.code: c
            for c in _insert(
                MasteryCredit,
                [
                    MasteryCredit(
                        school=school,
                        area=self.areas[c.area],
                        level=c.level,
                        code=c.code,
                        title=c.title,
                        standard=c.standard,
                        rule=c.rule,
                        rule_n=c.rule_n,
                        min_evidence=c.min_evidence,
                        review_required=c.review_required,
                        order=c.order,
                    )
                    for c in spec.credits
                ],
            )
        }
        _insert(
            CreditRequirementItem,
            [
                CreditRequirementItem(
                    school=school,
                    credit=self.credits[c.code],
                    competency=self.comp_by_code[i.competency],
                    points=i.points,
                    required=i.required,
                )
                for c in spec.credits
                for i in c.items
            ],
        )
        # A credit serves the graduate-profile outcomes its competencies belong to.
        served = MasteryCredit.outcomes.through
        served.objects.bulk_create(
            served(masterycredit_id=self.credits[c.code].pk, outcome_id=outcome_id)
            for c in spec.credits
            for outcome_id in sorted(
                {self.comp_by_code[i.competency].outcome_id for i in c.items} - {None}
            )
        )
        rules = []
        for r in spec.graduation_rules:
            for cohort in r.cohorts or (None,):
                rules.append(
                    (
                        r,
                        GraduationRule(
                            school=school,
                            from_cohort=cohort,
                            until_cohort=cohort,
                            kind=r.kind,
                            level=r.level,
                            area=self.areas[r.area] if r.area else None,
                            n=r.n,
                            # One rule per cohort, each worded for its own class.
                            description=r.description.format(cohort=cohort),
                        ),
                    )
                )
        _insert(GraduationRule, [row for _, row in rules])
        _insert(
            GraduationRuleCredit,
            [
                GraduationRuleCredit(school=school, rule=row, credit=self.credits[code])
                for r, row in rules
                for code in r.credits
            ],
        )
        self.summary.credits = len(spec.credits)
        self.summary.foundational = sum(1 for c in spec.credits if c.level == "foundational")
        self.summary.advanced = self.summary.credits - self.summary.foundational
        # credit id -> (spec, competency ids)
        self.credit_items = {
            self.credits[c.code].pk: (c, [self.comp_by_code[i.competency].pk for i in c.items])
            for c in spec.credits
        }

    def _experiences(self) -> None:
        spec, school = self.spec, self.school
        self.experiences = {
            e.code: e
            for e in _insert(
                LearningExperience,
                [
                    LearningExperience(
                        school=school,
                        kind=e.kind,
                        code=e.code,
                        title=e.title,
                        description=e.description,
                    )
                    for e in spec.experiences
                ],
            )
        }
        self.leaves: dict[str, list[_Comp]] = {}
        rows = []
        for e in spec.experiences:
            codes = list(
                dict.fromkeys(c for code in e.aligned for c in content.assessable_under(spec, code))
            )
            self.leaves[e.code] = [self.sim[c] for c in codes]
            rows += [
                ExperienceAlignment(
                    school=school,
                    experience=self.experiences[e.code],
                    competency=self.comp_by_code[c],
                )
                for c in codes
            ]
        _insert(ExperienceAlignment, rows)
        self.summary.experiences = len(spec.experiences)

    def _terms(self) -> None:
        rows = []
        for year in content.SCHOOL_YEARS:
            label = f"{year}–{str(year + 1)[2:]}"
            for t in self.spec.terms:
                start, end = t.dates(year)
                if start <= DEMO_TODAY:
                    rows.append(
                        Term(
                            school=self.school,
                            name=f"{t.name} {label}",
                            school_year=f"{year}-{str(year + 1)[2:]}",
                            starts_on=start,
                            ends_on=end,
                        )
                    )
        self.terms = _insert(Term, rows)

    def _user(self, local: str, name: str, joined: dt.date) -> User:
        first, *_rest = name.split()
        user = User(
            username=f"{local}@{self.spec.slug}",
            password=self.password,
            display_name=name,
            first_name=first,
            last_name=name.split()[-1] if " " in name else "",
            email=f"{local}@{self.spec.slug}.example.org",
            date_joined=_at(joined, 8),
        )
        self.users.append(user)
        return user

    def _people(self) -> None:
        spec, rng, school = self.spec, self.rng, self.school
        start = dt.date(content.SCHOOL_YEARS[0], 8, 1)
        self.admin = self._user("admin", spec.admin.name, start)
        self.registrar = self._user("registrar", spec.registrar.name, start)
        self.teacher_users = [
            self._user(f"teacher{i}", s.name, start) for i, s in enumerate(spec.teachers, start=1)
        ]
        self.advisor_users = [
            self._user(f"advisor{i}", s.name, start) for i, s in enumerate(spec.advisors, start=1)
        ]
        self.reviewer_users = [
            self._user(f"reviewer{i}", s.name, start) for i, s in enumerate(spec.reviewers, start=1)
        ]

        # Students: numbered so that student1 is a senior, student2 a junior, and so on.
        names = spec.names
        seen: set[tuple[str, str]] = set()
        plans = []
        for number in range(1, self.n_students + 1):
            cohort = content.COHORTS[(number - 1) % len(content.COHORTS)]
            sibling = None
            if number > 8 and rng.random() < 0.06:
                sibling = plans[self._int(len(plans))]
            family = sibling["family"] if sibling else self._pick(names.family)
            given = self._pick(names.given)
            while (given, family) in seen:
                given = self._pick(names.given)
            seen.add((given, family))
            r = rng.random()
            if (
                number <= 4
            ):  # the first accounts on the landing page show a steady, successful record
                ability = (0.35, 0.2, 0.15, 0.3)[number - 1]
            elif r < 0.06:  # struggling
                ability = rng.gauss(-0.85, 0.15)
            elif r < 0.12:  # fast
                ability = rng.gauss(0.65, 0.12)
            else:
                ability = rng.gauss(0.0, 0.32)
            plans.append(
                {
                    "number": number,
                    "cohort": cohort,
                    "given": given,
                    "family": family,
                    "sibling": sibling,
                    "ability": ability,
                }
            )
        student_users = [
            self._user(
                f"student{p['number']}",
                f"{p['given']} {p['family']}",
                dt.date(max(p["cohort"] - 4, content.SCHOOL_YEARS[0]), 8, 20),
            )
            for p in plans
        ]

        guardians: list[list[User]] = []
        guardian_number = 0
        self.guardian_links: list[tuple[User, int, str]] = []
        for p, su in zip(plans, student_users, strict=True):
            if p["sibling"] is not None:
                mine = guardians[p["sibling"]["number"] - 1]
            else:
                mine = []
                for k in range(2 if rng.random() < 0.55 else 1):
                    guardian_number += 1
                    family = (
                        p["family"] if k == 0 or rng.random() < 0.7 else self._pick(names.family)
                    )
                    mine.append(
                        self._user(
                            f"guardian{guardian_number}",
                            f"{self._pick(names.guardian_given)} {family}",
                            su.date_joined.date(),
                        )
                    )
            guardians.append(mine)
        _insert(User, self.users)

        advisors = self.advisor_users
        students = []
        for p, su in zip(plans, student_users, strict=True):
            born = dt.date(p["cohort"] - 18, 9, 1) + dt.timedelta(days=self._int(365))
            students.append(
                Student(
                    school=school,
                    user=su,
                    given_name=p["given"],
                    family_name=p["family"],
                    student_number=f"{spec.slug[:2].upper()}{p['cohort'] % 100:02d}{p['number']:04d}",
                    graduation_year=p["cohort"],
                    birth_date=born,
                    advisor=advisors[(p["number"] - 1) // 4 % len(advisors)],
                )
            )
        _insert(Student, students)

        self.pupils: list[_Pupil] = []
        plan_by_number = {}
        for p, s, su in zip(plans, students, student_users, strict=True):
            accommodated = rng.random() < 0.08
            pupil = _Pupil(
                number=p["number"],
                obj=s,
                user_id=su.pk,
                cohort=p["cohort"],
                ability=p["ability"],
                habit=0.6 * p["ability"] + rng.gauss(0, 0.3),
                persistence=min(0.85, max(0.1, 0.45 + 0.4 * p["ability"] + rng.gauss(0, 0.12))),
                accommodated=accommodated,
                modified=accommodated and rng.random() < 0.2,
                advisor_id=s.advisor_id,
            )
            self.pupils.append(pupil)
            plan_by_number[p["number"]] = pupil
        self._demographics(self.seed)
        for p, mine in zip(plans, guardians, strict=True):
            for k, g in enumerate(mine):
                relationship = (
                    ("mother", "father")[k % 2]
                    if rng.random() < 0.7
                    else self._pick(content.RELATIONSHIPS)
                )
                self.guardian_links.append((g, plan_by_number[p["number"]].obj.pk, relationship))

        m = [
            Membership(school=school, user=self.admin, role=Role.ADMIN),
            Membership(school=school, user=self.registrar, role=Role.REGISTRAR),
        ]
        m += [Membership(school=school, user=u, role=Role.TEACHER) for u in self.teacher_users]
        m += [Membership(school=school, user=u, role=Role.ADVISOR) for u in self.advisor_users]
        m += [Membership(school=school, user=u, role=Role.REVIEWER) for u in self.reviewer_users]
        m += [Membership(school=school, user=u, role=Role.STUDENT) for u in student_users]
        seen_guardians: set[int] = set()
        for g, _sid, _rel in self.guardian_links:
            if g.pk not in seen_guardians:
                seen_guardians.add(g.pk)
                m.append(Membership(school=school, user=g, role=Role.GUARDIAN))
        _insert(Membership, m)
        _insert(
            GuardianLink,
            [
                GuardianLink(school=school, guardian=g, student_id=sid, relationship=rel)
                for g, sid, rel in self.guardian_links
            ],
        )
        self.summary.students = len(students)
        self.summary.users = len(self.users)

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
        _write_rows(
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
        for e, pk in zip(ordered, _next_ids(Evidence, len(ordered)), strict=True):
            e.obj = pk
        no_approval = (None, None)
        _write_rows(
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
        _write_rows(
            EvidenceCompetency,
            ("school_id", "evidence_id", "competency_id"),
            [(sid, e.obj, c) for e in ordered for c in e.comps],
        )
        _write_rows(
            EvidenceCredit,
            ("school_id", "evidence_id", "credit_id"),
            [(sid, e.obj, credit_id) for credit_id, e in self.tags],
        )

        columns = ASSESSMENT_COLUMNS
        rows = []
        for a, pk in zip(
            self.assessments, _next_ids(Assessment, len(self.assessments)), strict=True
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
            _next_ids(Assessment, len(self.corrections), after=len(rows)),
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
        _write_rows(Assessment, columns, rows + fixes)
        _reset_sequences(Evidence, Assessment)
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
        _write_rows(
            PeerFeedback, ("school_id", "evidence_id", "author_id", "body", "created_at"), rows
        )

    # --- reviews ------------------------------------------------------------------------------

    def award_automatically(self, result: bulk.Result) -> None:
        """Write the awards the engine makes on its own (met credits that need no review).

        The same rows and audit events `bulk.materialize` writes for them, dated by the latest
        demonstration; the loader then hands the engine a result with nothing left to award.
        """
        mine = {p.obj.pk for p in self.pupils}
        new = [(s, c, day) for s, c, day in result.new_awards if s in mine]
        ids = _next_ids(CreditAward, len(new))
        sid = self.school.pk
        _write_rows(
            CreditAward,
            (*AWARD_COLUMNS, "id"),
            [
                (sid, s, c, day, None, None, _at(day, 18), None, None, "", pk)
                for (s, c, day), pk in zip(new, ids, strict=True)
            ],
        )
        _write_rows(
            AuditEvent,
            ("school_id", "actor_id", "action", "target_type", "target_id", "after", "note", "at"),
            [
                (
                    sid,
                    None,
                    "credit.awarded_automatically",
                    "mastery.creditaward",
                    str(pk),
                    {"student": s, "credit": c, "awarded_on": day.isoformat()},
                    "bulk recompute",
                    _at(day, 18),
                )
                for (s, c, day), pk in zip(new, ids, strict=True)
            ],
        )
        _reset_sequences(CreditAward)
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
        review_ids = iter(_next_ids(CreditReview, 10 * len(ready) + 10))
        seat_ids = iter(_next_ids(PanelSeat, 40 * len(ready) + 40))
        decision_ids = iter(_next_ids(ReviewDecision, 10 * len(ready) + 10))
        vote_ids = iter(_next_ids(ReviewVote, 30 * len(ready) + 30))
        award_ids = iter(_next_ids(CreditAward, 10 * len(ready) + 10))
        registrar = self.registrar.pk

        def event(at, actor, action, target_type, target_id, after):
            events.append((sid, actor, action, target_type, str(target_id), None, after, "", at))

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
                    "credit_review.requested",
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
                        "credit_review.scheduled",
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
                        "credit_review.voted",
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
                        "credit.awarded",
                        "mastery.creditaward",
                        award_id,
                        {"student": student_id, "credit": credit_id, "review": review_id},
                    )
                event(
                    _at(decided, 17),
                    decider,
                    "credit_review.decided",
                    "mastery.reviewdecision",
                    decision_id,
                    {"decision": outcome, "feedback": feedback, "policy": "majority"},
                )

        _write_rows(
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
        _write_rows(ReviewEvidence, ("school_id", "review_id", "evidence_id"), bundle_rows)
        _write_rows(
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
        _write_rows(
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
        _write_rows(
            ReviewVote,
            ("id", "school_id", "review_id", "seat_id", "vote", "feedback", "voted_at"),
            vote_rows,
        )
        _write_rows(CreditAward, (*AWARD_COLUMNS, "id"), award_rows)
        _write_rows(
            AuditEvent,
            EVENT_COLUMNS,
            events,
        )
        _reset_sequences(CreditReview, PanelSeat, ReviewDecision, ReviewVote, CreditAward)
        self.summary.reviews = len(review_rows)

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
            events.append((sid, actor, action, target_type, str(target_id), None, after_, "", at))

        story_ids = iter(_next_ids(StudentStory, len(stories)))
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
            event(submitted, pupil.user_id, "story.saved", "evidence.studentstory", pk, state)
            if approved_at:
                event(
                    approved_at,
                    pupil.advisor_id,
                    "story.approved",
                    "evidence.studentstory",
                    pk,
                    {"approved_at": approved_at.isoformat()},
                )
        comment_ids = iter(_next_ids(TranscriptComment, 3 * len(published) + 3))
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
                    "transcript_comment.added",
                    "transcripts.transcriptcomment",
                    pk,
                    {"student": pupil.obj.pk, "credit": credit_id, "body": body},
                )
        _write_rows(
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
        _write_rows(
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
        _reset_sequences(StudentStory, TranscriptComment)

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
        link_ids = iter(_next_ids(ShareLink, len(sharing)))
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
                "share_link.created",
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
                    "share_link.viewed",
                    "transcripts.sharelink",
                    pk,
                    {"kind": kind, "evidence": key or None},
                )
        _write_rows(
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
        _write_rows(
            ShareView,
            ("school_id", "link_id", "kind", "evidence_key", "viewed_at", "user_agent"),
            view_rows,
        )
        _write_rows(
            AuditEvent,
            EVENT_COLUMNS,
            events,
        )
        _reset_sequences(ShareLink)
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

    # --- the end ------------------------------------------------------------------------------

    def finish(self, *, seed: int, journey: dict | None = None) -> SchoolSummary:
        from credo.mastery.models import GraduationStatus

        s = self.summary
        s.awards = CreditAward.objects.filter(school=self.school, revoked_at__isnull=True).count()
        s.eligible = GraduationStatus.objects.filter(school=self.school, eligible=True).count()
        audit_record(
            actor=system_actor(),
            school=self.school,
            action="demo.loaded",
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
