"""Reads of educators' growth, always scoped to a school or one educator."""

from __future__ import annotations

from dataclasses import dataclass, field

from credo.accounts.models import STAFF_ROLES, LearnerKind, Membership, User
from credo.frameworks.models import Competency, Framework, FrameworkKind
from credo.growth.models import (
    Educator,
    GrowthPlan,
    Observation,
    PeerInvitation,
    Support,
    SupportKind,
)


def educator_framework(school) -> Framework | None:
    """Return the school's educator framework (the first, if it made more), or None."""
    return (
        Framework.objects.filter(
            school=school, kind=FrameworkKind.EDUCATOR, until_cohort__isnull=True
        )
        .select_related("scale")
        .order_by("id")
        .first()
    )


def competencies(school) -> list[Competency]:
    return list(
        Competency.objects.filter(school=school, framework__kind=FrameworkKind.EDUCATOR)
        .select_related("framework__scale", "scale")
        .order_by("framework_id", "sequence", "code")
    )


def micro_credentials(school) -> list:
    from credo.mastery.models import Audience, MasteryCredit

    return list(
        MasteryCredit.all_audiences.filter(school=school, area__audience=Audience.EDUCATORS)
        .select_related("area")
        .prefetch_related("items__competency")
        .order_by("order", "code")
    )


def micro_credential(school, credit_id):
    from credo.mastery.models import Audience, MasteryCredit

    try:
        return (
            MasteryCredit.all_audiences.filter(
                school=school, area__audience=Audience.EDUCATORS, pk=int(credit_id)
            )
            .select_related("area", "school")
            .first()
        )
    except (TypeError, ValueError):
        return None


@dataclass
class CompetencyRow:
    competency: Competency
    state: object = None  # MasteryState or None
    level_label: str = ""
    self_rating: object = None  # the latest self-assessment, or None
    in_plan: bool = False


@dataclass
class Record:
    educator: Educator
    rows: list[CompetencyRow]
    evidence: list
    observations: list
    feedback: list  # assessments with feedback, newest first
    plan: GrowthPlan | None
    supports: list
    credits: list  # (credit, progress, open review, award, credential)
    levels: dict = field(default_factory=dict)
    invitations: list = field(default_factory=list)  # open invitations to observe, oldest first


def _labels(scale) -> dict:
    return {lv.value: lv.label for lv in scale.levels.all()} if scale else {}


def record(educator: Educator) -> Record:
    """Return what the educator's record page shows: levels from the engine's mastery states,
    evidence, observations with their ratings, the latest plan, coaches and micro-credentials."""
    from credo.credentials.models import IssuedCredential
    from credo.evidence.models import Evidence
    from credo.mastery.models import (
        Assessment,
        AssessmentKind,
        CreditAward,
        CreditProgress,
        CreditReview,
        MasteryState,
    )

    school = educator.school
    framework = educator_framework(school)
    levels = _labels(framework.scale) if framework else {}
    comps = competencies(school)
    states = {
        s.competency_id: s for s in MasteryState.objects.filter(student_id=educator.learner_id)
    }
    selfs = {}
    for a in Assessment.objects.filter(
        student_id=educator.learner_id, kind=AssessmentKind.FORMATIVE, assessor_id=educator.user_id
    ).order_by("demonstrated_on", "assessed_at", "id"):
        selfs[a.competency_id] = a
    plan = (
        GrowthPlan.objects.filter(educator=educator)
        .select_related("agreed_with", "written_by")
        .prefetch_related("targets")
        .first()
    )
    targets = {c.pk for c in plan.targets.all()} if plan else set()
    rows = []
    for c in comps:
        state = states.get(c.pk)
        label = ""
        if state is not None and state.score is not None:
            label = levels.get(state.score, "") or f"{state.score}"
        rows.append(
            CompetencyRow(
                competency=c,
                state=state,
                level_label=label,
                self_rating=selfs.get(c.pk),
                in_plan=c.pk in targets,
            )
        )
    evidence = list(
        Evidence.objects.filter(student_id=educator.learner_id)
        .exclude(kind="observation")
        .select_related("revision_of", "responds_to")
        .prefetch_related("competency_tags__competency")
    )
    observations = list(
        Observation.objects.filter(educator=educator)
        .select_related("observer", "evidence")
        .prefetch_related("evidence__assessments__competency")
    )
    feedback = list(
        Assessment.objects.filter(student_id=educator.learner_id, evidence__isnull=False)
        .exclude(feedback="")
        .exclude(assessor_id=educator.user_id)
        .select_related("competency", "assessor", "evidence")
        .order_by("-demonstrated_on", "-assessed_at", "-id")
    )
    supports = list(
        Support.objects.filter(educator=educator, ended_on__isnull=True).select_related("supporter")
    )
    invitations = list(
        PeerInvitation.objects.filter(educator=educator, closed_at__isnull=True)
        .select_related("peer")
        .order_by("invited_at", "id")
    )
    progress = {
        p.credit_id: p for p in CreditProgress.objects.filter(student_id=educator.learner_id)
    }
    reviews = {
        r.credit_id: r
        for r in CreditReview.objects.filter(student_id=educator.learner_id, closed_at__isnull=True)
    }
    awards = {
        a.credit_id: a
        for a in CreditAward.objects.filter(student_id=educator.learner_id, revoked_at__isnull=True)
    }
    issued = {
        c.award_id: c
        for c in IssuedCredential.objects.filter(
            student_id=educator.learner_id, revoked_at__isnull=True, superseded_by__isnull=True
        )
    }
    credits = []
    for credit in micro_credentials(school):
        award = awards.get(credit.pk)
        credits.append(
            (
                credit,
                progress.get(credit.pk),
                reviews.get(credit.pk),
                award,
                issued.get(award.pk) if award else None,
            )
        )
    return Record(
        educator=educator,
        rows=rows,
        evidence=evidence,
        observations=observations,
        feedback=feedback,
        plan=plan,
        supports=supports,
        credits=credits,
        levels=levels,
        invitations=invitations,
    )


@dataclass
class StaffRow:
    competency: Competency
    begun: int
    proficient: int
    hidden: bool


def staff_overview(school) -> dict:
    """Return growth across the staff: per competency, how many educators have been rated and how
    many are proficient, small cells hidden as on the improvement pages (`improve.stats`)."""
    from django.db.models import Count, Q

    from credo.improve.stats import suppress
    from credo.mastery.models import MasteryState

    min_n = school.improve_min_cell
    comps = competencies(school)
    counts = {
        row["competency_id"]: row
        for row in MasteryState.objects.filter(
            school=school, student__kind=LearnerKind.EDUCATOR, competency__in=comps
        )
        .values("competency_id")
        .annotate(
            begun=Count("id"),
            proficient=Count("id", filter=Q(status__in=["proficient", "exceeds"])),
        )
    }
    rows = []
    for c in comps:
        got = counts.get(c.pk, {"begun": 0, "proficient": 0})
        begun, proficient = got["begun"], got["proficient"]
        cut = suppress([proficient, begun - proficient], min_n)
        rows.append(StaffRow(c, begun, proficient, hidden=cut.any or 0 < begun < min_n))
    educators = Educator.objects.filter(school=school)
    return {
        "rows": rows,
        "min_n": min_n,
        "educators": educators.count(),
        "observations": Observation.objects.filter(school=school).count(),
        "plans": educators.filter(plans__isnull=False).distinct().count(),
        "new_hires_mentored": educators.filter(
            new_hire=True, supports__kind=SupportKind.MENTOR, supports__ended_on__isnull=True
        )
        .distinct()
        .count(),
        "new_hires": educators.filter(new_hire=True).count(),
        "awards": _award_count(school),
    }


def _award_count(school) -> int:
    from credo.mastery.models import CreditAward

    return CreditAward.objects.filter(
        school=school, student__kind=LearnerKind.EDUCATOR, revoked_at__isnull=True
    ).count()


def staff_list(school) -> list:
    """Return every educator with their coaches and mentors (leaders' view)."""
    return list(
        Educator.objects.filter(school=school)
        .select_related("user")
        .prefetch_related("supports__supporter")
    )


def staff_members(school, *, exclude=None) -> list:
    """The school's active staff (admins, registrars, teachers, advisors), by name: who may coach,
    mentor, observe as a peer or be given a growth record."""
    qs = User.objects.filter(
        pk__in=Membership.objects.filter(school=school, role__in=STAFF_ROLES).values("user_id"),
        is_active=True,
    ).order_by("last_name", "first_name", "id")
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs)


def staff_member(school, user_id):
    """One active staff member of the school by id (None for anyone else or a malformed id)."""
    if user_id is None:
        return None
    return (
        User.objects.filter(
            pk=user_id,
            is_active=True,
            pk__in=Membership.objects.filter(school=school, role__in=STAFF_ROLES).values("user_id"),
        )
        .order_by()
        .first()
    )
