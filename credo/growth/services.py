"""Every write of educators' growth. Keyword-only, validated, one transaction, audited.

Assessments, evidence, reviews and awards are written by their own domains' services (the
mastery engine and evidence), asked here for an educator's learner record; this module adds
the framework's installation, educators' records, coaching, observations and growth plans.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from credo.accounts.access import is_staff_of
from credo.accounts.models import LearnerKind, Student
from credo.core.audit import Event, audit_record
from credo.core.errors import NotAllowed, refuse
from credo.core.limits import LONG_TEXT_LIMIT, TEXT_LIMIT, clean_text
from credo.evidence.models import EvidenceKind
from credo.frameworks.models import Competency, Framework, FrameworkKind
from credo.growth import access, selectors, starter
from credo.growth.events import (
    GROWTH_EDUCATOR_ADDED,
    GROWTH_EVIDENCE_ADDED,
    GROWTH_FRAMEWORK_INSTALLED,
    GROWTH_OBSERVED,
    GROWTH_PEER_CLOSED,
    GROWTH_PEER_INVITED,
    GROWTH_PLAN_SAVED,
    GROWTH_SUPPORT_ASSIGNED,
    GROWTH_SUPPORT_ENDED,
)
from credo.growth.models import (
    Educator,
    GrowthPlan,
    Observation,
    ObserverRole,
    PeerInvitation,
    Support,
    SupportKind,
)

EDUCATOR_YEAR = 0  # educators' learner records belong to no class


def _require_manage(actor, school, what: str) -> None:
    if not access.can_manage(actor, school):
        raise NotAllowed(f"Only the school's leaders may {what}.")


# --- the framework --------------------------------------------------------------------------------


def educator_framework_install(*, actor, school) -> Framework:
    """Give the school the starter educator framework: its scale, competencies and the
    micro-credentials (credits of an educators' area, each decided by a review panel)."""
    from credo.frameworks.models import ProficiencyScale, ScaleLevel
    from credo.mastery.models import (
        Audience,
        CreditArea,
        CreditRequirementItem,
        MasteryCredit,
    )

    _require_manage(actor, school, "set up the educator framework")
    with transaction.atomic(durable=True):
        if selectors.educator_framework(school) is not None:
            refuse(None, "The school already has an educator framework; adapt it instead.")
        scale = ProficiencyScale.objects.create(
            school=school,
            name=starter.SCALE_NAME,
            mastery_threshold=Decimal(starter.THRESHOLD),
            exceeds_threshold=Decimal(starter.EXCEEDS),
            min_value=Decimal(starter.LEVELS[0][0]),
            max_value=Decimal(starter.LEVELS[-1][0]),
        )
        ScaleLevel.objects.bulk_create(
            ScaleLevel(school=school, scale=scale, value=Decimal(v), label=lab, description=d)
            for v, lab, d in starter.LEVELS
        )
        framework = Framework.objects.create(
            school=school,
            name=starter.FRAMEWORK_NAME,
            kind=FrameworkKind.EDUCATOR,
            description=starter.FRAMEWORK_DESCRIPTION,
            scale=scale,
            calculation_method=starter.METHOD,
        )
        by_code = {}
        for n, (code, statement) in enumerate(starter.COMPETENCIES, start=1):
            by_code[code] = Competency.objects.create(
                school=school, framework=framework, code=code, statement=statement, sequence=n
            )
        code, name = starter.AREA
        area = CreditArea.all_audiences.filter(school=school, code=code).first()
        if area is None:
            area = CreditArea.all_audiences.create(
                school=school, code=code, name=name, audience=Audience.EDUCATORS, order=99
            )
        for n, (ccode, title, standard, comps) in enumerate(starter.MICRO_CREDENTIALS):
            credit = MasteryCredit.all_audiences.create(
                school=school,
                area=area,
                code=ccode,
                title=title,
                standard=standard,
                review_required=True,
                order=n,
                available_on=school.today(),
            )
            CreditRequirementItem.objects.bulk_create(
                CreditRequirementItem(school=school, credit=credit, competency=by_code[c])
                for c in comps
            )
        audit_record(
            actor=actor,
            school=school,
            action=GROWTH_FRAMEWORK_INSTALLED,
            target=framework,
            after={
                "competencies": list(by_code),
                "micro_credentials": [m[0] for m in starter.MICRO_CREDENTIALS],
            },
        )
    return framework


# --- educators, coaches and mentors ---------------------------------------------------------------


def educator_add(
    *, actor, school, user, new_hire: bool = False, joined_on: dt.date | None = None
) -> Educator:
    """Open a staff member's growth record: an educator's learner record the engine keys on."""
    from credo.mastery import engine

    _require_manage(actor, school, "add educators")
    if user is None or not is_staff_of(user, school):
        refuse("user", "Choose a member of the school's staff.")
    if Educator.objects.filter(school=school, user=user).exists():
        refuse("user", f"{user} already has a growth record here.")
    if Student.learners.filter(user=user).exists():
        refuse("user", f"{user} already has a learner record (as a student, or in another school).")
    given = (user.first_name or user.display_name or user.username)[:100]
    family = (user.last_name or "")[:100]
    with transaction.atomic(durable=True):
        learner = Student.learners.create(
            school=school,
            kind=LearnerKind.EDUCATOR,
            user=user,
            given_name=given,
            family_name=family,
            preferred_name=(user.display_name or "")[:100],
            student_number=f"educator-{user.pk}",
            graduation_year=EDUCATOR_YEAR,
        )
        educator = Educator.objects.create(
            school=school, user=user, learner=learner, new_hire=new_hire, joined_on=joined_on
        )
        engine.refresh_graduation(learner)  # every learner has one, as the bulk path makes
        audit_record(
            actor=actor,
            school=school,
            action=GROWTH_EDUCATOR_ADDED,
            target=educator,
            after={"user": user.pk, "learner": learner.pk, "new_hire": new_hire},
        )
    return educator


def support_assign(*, actor, educator: Educator, supporter, kind: str) -> Support:
    """Name a coach or mentor for an educator (a mentor is usually for a new hire)."""
    _require_manage(actor, educator.school_id, "name coaches and mentors")
    if kind not in SupportKind.values:
        refuse("kind", "Choose coach or mentor.")
    if supporter is None or not is_staff_of(supporter, educator.school_id):
        refuse("supporter", "Choose a member of the school's staff.")
    if supporter.pk == educator.user_id:
        refuse("supporter", "An educator cannot coach or mentor themselves.")
    try:
        with transaction.atomic(durable=True):
            support = Support.objects.create(
                school_id=educator.school_id,
                educator=educator,
                supporter=supporter,
                kind=kind,
                started_on=timezone.localdate(),
                assigned_by=actor,
            )
            audit_record(
                actor=actor,
                school=educator.school_id,
                action=GROWTH_SUPPORT_ASSIGNED,
                target=support,
                after={"educator": educator.pk, "supporter": supporter.pk, "kind": kind},
            )
    except IntegrityError:
        refuse("supporter", f"{supporter} is already {educator}'s {kind}.")
    return support


def _end_once(obj, field: str, value, *, actor, action: Event, already: str):
    """Set `obj.field` (an end date or time, empty while open) to `value`, audited. A conditional
    UPDATE: when two people end it at once, the second is refused with `already`."""
    model = type(obj)
    with transaction.atomic(durable=True):
        ended = model.objects.filter(pk=obj.pk, **{f"{field}__isnull": True}).update(
            **{field: value}
        )
        if not ended:
            refuse(None, already)
        obj.refresh_from_db(fields=[field])
        audit_record(
            actor=actor,
            school=obj.school_id,
            action=action,
            target=obj,
            before={field: None},
            after={field: getattr(obj, field)},
        )
    return obj


def support_end(*, actor, support: Support) -> Support:
    """End a coaching or mentoring relationship today: the supporter no longer sees the record."""
    _require_manage(actor, support.school_id, "end coaching or mentoring")
    return _end_once(
        support,
        "ended_on",
        timezone.localdate(),
        actor=actor,
        action=GROWTH_SUPPORT_ENDED,
        already="That has already ended.",
    )


def peer_invite(*, actor, educator: Educator, peer) -> PeerInvitation:
    """The educator invites a colleague to observe them (and rate what they see, formatively)."""
    if not access.is_self(actor, educator):
        raise NotAllowed("Only the educator invites peers to observe them.")
    if peer is None or not is_staff_of(peer, educator.school_id) or peer.pk == actor.pk:
        refuse("peer", "Choose a colleague on the school's staff.")
    if PeerInvitation.objects.filter(educator=educator, peer=peer, closed_at__isnull=True).exists():
        refuse("peer", f"{peer} is already invited.")
    try:
        with transaction.atomic(durable=True):
            invitation = PeerInvitation.objects.create(
                school_id=educator.school_id, educator=educator, peer=peer
            )
            audit_record(
                actor=actor,
                school=educator.school_id,
                action=GROWTH_PEER_INVITED,
                target=invitation,
                after={"educator": educator.pk, "peer": peer.pk},
            )
    except IntegrityError:  # the same invitation sent twice at once: one open invitation a peer
        refuse("peer", f"{peer} is already invited.")
    return invitation


def peer_invitation_close(*, actor, invitation: PeerInvitation) -> PeerInvitation:
    """Close an invitation to observe: the peer can no longer observe; what they wrote stays."""
    if not access.can_close_invitation(actor, invitation):
        raise NotAllowed("Only the educator or a leader closes an invitation to observe.")
    return _end_once(
        invitation,
        "closed_at",
        timezone.now(),
        actor=actor,
        action=GROWTH_PEER_CLOSED,
        already="That invitation is already closed.",
    )


# --- evidence, self-assessment, observation -------------------------------------------------------


def _educator_competencies(educator: Educator, ids: Iterable) -> list[Competency]:
    try:
        wanted = {int(i) for i in ids}
    except (TypeError, ValueError):
        refuse("competencies", "Choose competencies from the list.")
    found = list(
        Competency.objects.filter(
            school_id=educator.school_id, framework__kind=FrameworkKind.EDUCATOR, pk__in=wanted
        ).select_related("framework__scale", "scale")
    )
    if len(found) != len(wanted):
        refuse("competencies", "Choose the school's educator competencies only.")
    return found


def growth_evidence_add(
    *,
    actor,
    educator: Educator,
    kind: str,
    title: str,
    demonstrated_on: dt.date | None,
    body: str = "",
    url: str = "",
    file=None,
    competency_ids: Iterable = (),
    responds_to_id: int | None = None,
):
    """Add the educator's own evidence (a lesson plan, a recording's link or file, students' work,
    a reflection). Answering an observation's feedback makes it a revision of that observation's
    evidence, pointing at the feedback it acts on."""
    from credo.evidence.services import evidence_submit
    from credo.mastery.models import Assessment

    if not access.can_add_evidence(actor, educator):
        raise NotAllowed("Only the educator adds evidence to their own record.")
    if kind == EvidenceKind.OBSERVATION:
        refuse("kind", "Observations are written by observers; choose another kind.")
    competencies = _educator_competencies(educator, competency_ids)
    responds_to = None
    if responds_to_id:
        responds_to = (
            Assessment.objects.filter(
                student_id=educator.learner_id, pk=responds_to_id, evidence__isnull=False
            )
            .select_related("evidence")
            .first()
        )
        if responds_to is None:
            refuse("responds_to", "Choose feedback given to you.")
    with transaction.atomic(durable=True):
        evidence = evidence_submit(
            actor=actor,
            student=educator.learner,
            kind=kind,
            title=title,
            demonstrated_on=demonstrated_on,
            body=body,
            url=url,
            file=file,
            competencies=competencies,
            revision_of=responds_to.evidence if responds_to else None,
            responds_to=responds_to,
            within_transaction=True,
        )
        audit_record(
            actor=actor,
            school=educator.school_id,
            action=GROWTH_EVIDENCE_ADDED,
            target=evidence,
            after={"educator": educator.pk, "responds_to": responds_to_id or None},
        )
    return evidence


def self_assess(
    *, actor, educator: Educator, competency_id, value, note: str = "", on: dt.date | None = None
):
    """Record the educator's own rating of themselves: formative, so it informs and never
    counts toward their level (the framework counts summative ratings only)."""
    from credo.mastery.models import AssessmentKind
    from credo.mastery.services import assessment_record

    if not access.is_self(actor, educator):
        raise NotAllowed("Only the educator assesses themselves.")
    (competency,) = _educator_competencies(educator, [competency_id])
    return assessment_record(
        assessor=actor,
        student=educator.learner,
        competency=competency,
        value=value,
        demonstrated_on=on or educator.school.today(),
        kind=AssessmentKind.FORMATIVE,
        feedback=note,
        task="Self-assessment",
    )


def observation_record(
    *,
    actor,
    educator: Educator,
    observed_on: dt.date | None,
    notes: str,
    ratings: Mapping,
    feedback: str,
) -> Observation:
    """Record an observation: the notes as evidence of the educator's record, and a rating on
    each competency observed, with the feedback. A coach's or leader's ratings are summative
    (they set the educator's level through the engine); a peer's are formative."""
    from credo.evidence.services import evidence_submit
    from credo.mastery.models import AssessmentKind
    from credo.mastery.services import assessment_record, lock_students

    if not access.can_observe(actor, educator):
        raise NotAllowed(
            "Only the educator's coaches and mentors, the school's leaders and colleagues they "
            "invited may observe them."
        )
    notes = clean_text(notes, field="notes", limit=LONG_TEXT_LIMIT)
    feedback = clean_text(feedback, field="feedback", limit=TEXT_LIMIT)
    if not notes:
        refuse("notes", "Write what you saw.")
    if not feedback:
        refuse("feedback", "Write feedback the educator can act on.")
    chosen: dict[int, object] = {}
    for key, value in ratings.items():
        if value in ("", None):
            continue
        try:
            chosen[int(key)] = value
        except (TypeError, ValueError):
            refuse("ratings", "Rate the competencies on the form.")
    if not chosen:
        refuse("ratings", "Rate at least one competency you observed.")
    competencies = _educator_competencies(educator, chosen)
    role = access.observer_role(actor, educator)
    kind = AssessmentKind.FORMATIVE if role == ObserverRole.PEER else AssessmentKind.SUMMATIVE
    day = observed_on or educator.school.today()
    with transaction.atomic(durable=True):
        lock_students([educator.learner_id])
        evidence = evidence_submit(
            actor=actor,
            student=educator.learner,
            kind=EvidenceKind.OBSERVATION,
            title=f"Observation by {actor} ({role.label.lower()})",
            demonstrated_on=observed_on,
            body=notes,
            competencies=competencies,
            within_transaction=True,
        )
        observation = Observation.objects.create(
            school_id=educator.school_id,
            educator=educator,
            observer=actor,
            role=role,
            evidence=evidence,
            observed_on=day,
        )
        for competency in competencies:
            assessment_record(
                assessor=actor,
                student=educator.learner,
                competency=competency,
                value=chosen[competency.pk],
                demonstrated_on=day,
                kind=kind,
                feedback=feedback,
                evidence=evidence,
                task="Observation",
                within_transaction=True,
            )
        audit_record(
            actor=actor,
            school=educator.school_id,
            action=GROWTH_OBSERVED,
            target=observation,
            after={
                "educator": educator.pk,
                "role": role,
                "ratings": {c.code: str(chosen[c.pk]) for c in competencies},
            },
        )
    return observation


# --- growth plans -------------------------------------------------------------------------------


def plan_save(*, actor, educator: Educator, target_ids: Iterable, next_steps: str) -> GrowthPlan:
    """Write the educator's growth plan (a new row; the latest is the plan): the competencies
    they target next and the steps agreed. Written by the educator or with their coach."""
    if not access.can_plan(actor, educator):
        raise NotAllowed("Only the educator, their coach or mentor, or a leader writes the plan.")
    next_steps = clean_text(next_steps, field="next_steps", limit=TEXT_LIMIT)
    if not next_steps:
        refuse("next_steps", "Write the next steps.")
    targets = _educator_competencies(educator, target_ids)
    if not targets:
        refuse("targets", "Choose at least one competency to work on.")
    if access.is_self(actor, educator):  # agreed with their coach (or mentor), if they have one
        support = (
            Support.objects.filter(educator=educator, ended_on__isnull=True)
            .select_related("supporter")
            .order_by("kind", "id")
            .first()
        )
        agreed_with = support.supporter if support else None
    else:
        agreed_with = actor
    with transaction.atomic(durable=True):
        plan = GrowthPlan.objects.create(
            school_id=educator.school_id,
            educator=educator,
            next_steps=next_steps,
            agreed_with=agreed_with,
            written_by=actor,
        )
        plan.targets.set(targets)
        audit_record(
            actor=actor,
            school=educator.school_id,
            action=GROWTH_PLAN_SAVED,
            target=plan,
            after={"targets": [c.code for c in targets], "next_steps": next_steps},
        )
    return plan


# --- micro-credentials --------------------------------------------------------------------------


def microcredential_request(
    *, actor, educator: Educator, credit_id, statement: str = "", evidence_ids: Iterable = ()
):
    """Ask a panel to review one of the school's micro-credentials for the educator: the mastery
    engine's own review (its authorization, requirement check and panel included)."""
    from credo.mastery.services import credit_review_request

    if not access.can_see(actor, educator):
        raise NotAllowed("You may not request reviews for this educator.")
    credit = selectors.micro_credential(educator.school_id, credit_id)
    if credit is None:
        refuse("credit", "Choose one of the school's educator micro-credentials.")
    return credit_review_request(
        actor=actor,
        student=educator.learner,
        credit=credit,
        statement=statement,
        evidence_ids=[int(i) for i in evidence_ids if str(i).isdigit()],
    )


def microcredential_issue(*, actor, educator: Educator, award_id):
    """Sign the school's Open Badges 3.0 credential of an awarded micro-credential (leaders)."""
    from credo.credentials.services import award_credential_issue_direct
    from credo.mastery.models import CreditAward

    _require_manage(actor, educator.school_id, "issue the school's credentials")
    award = (
        CreditAward.objects.filter(student_id=educator.learner_id, pk=award_id)
        .select_related("credit__area", "review", "student__school")
        .first()
        if isinstance(award_id, int)
        else None
    )
    if award is None:
        refuse("award", "Choose one of this educator's awards.")
    review = None
    if (decided := award.review) is not None:
        decision = decided.decisions.order_by("-decided_at").first()
        review = {
            "format": decided.get_format_display(),
            "panel": decided.panel.count(),
            "outside_experts": decided.panel.filter(user__isnull=True).count(),
            "decided_on": decision.decided_at.date().isoformat() if decision else None,
        }
    return award_credential_issue_direct(actor=actor, award=award, review=review)


# --- the school's journey -----------------------------------------------------------------------


def journey_link(*, actor, school) -> list:
    """Link the staff growth overview, as evidence, to the school's open journey self-assessment
    on the competencies educators' growth speaks to (shared vision, professional excellence,
    mentoring). A link, not a copy: the page shows the numbers as they are when opened."""
    from credo.journey.access import open_assessment
    from credo.journey.models import JourneyCompetency, JourneyEvidence
    from credo.journey.services import journey_evidence_add

    _require_manage(actor, school, "link staff growth to the journey")
    assessment = open_assessment(school)
    if assessment is None:
        refuse(None, "The school has no open journey self-assessment to link to.")
    url = settings.CREDO_BASE_URL.rstrip("/") + reverse("growth:staff", args=[school.slug])
    made = []
    for competency in JourneyCompetency.objects.filter(
        framework=assessment.framework, code__in=starter.JOURNEY_CODES
    ).order_by("code"):
        if JourneyEvidence.objects.filter(
            assessment=assessment, competency=competency, url=url, withdrawn_at__isnull=True
        ).exists():
            continue
        made.append(
            journey_evidence_add(
                actor=actor,
                assessment=assessment,
                competency=competency,
                title="Educators' growth on the educator framework (staff overview)",
                url=url,
            )
        )
    if not made:
        refuse(None, "The staff overview is already linked to those journey competencies.")
    return made
