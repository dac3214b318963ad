"""Who may see and do what in an educator's growth: the one home of those answers.

- An educator sees their own record; their active coaches and mentors see it; the school's leaders
  (admins) see every educator's. Nobody else does, a fellow teacher included: another
  educator's record answers 404.
- Observing (notes and ratings on the educator's competencies): their coaches and mentors, the
  school's leaders, and a colleague the educator invited to observe them. Never oneself: an
  educator rates themselves only by self-assessment, which counts for nothing on its own
  (formative).
- Evidence and self-assessment: the educator alone. Growth plan: the educator, their coach or
  mentor, a leader.
- Setting up the educator framework, adding educators, naming coaches and mentors (and ending
  that), issuing the school's credential for a micro-credential and the staff overview: leaders.
- Closing a peer's invitation to observe: the educator who sent it, or a leader.
- Micro-credential reviews are the mastery engine's own (`mastery.access`): the educator may ask
  for one (they are the learner), panel formers seat the panel, its members vote.
"""

from __future__ import annotations

from django.http import Http404

from credo.accounts.access import is_staff_of, is_student_self, roles_in
from credo.accounts.models import Role
from credo.frameworks.models import FrameworkKind
from credo.growth.models import Educator, ObserverRole, PeerInvitation, Support


def is_leader(user, school) -> bool:
    """Return whether `user` leads `school` (its admins; a superuser counts as one)."""
    return bool(user is not None and Role.ADMIN in roles_in(user, school))


def is_self(user, educator: Educator) -> bool:
    return is_student_self(user, educator)


def supports(user, educator: Educator) -> bool:
    """Return whether `user` coaches or mentors `educator` now."""
    if user is None or not user.is_authenticated:
        return False
    return Support.objects.filter(educator=educator, supporter=user, ended_on__isnull=True).exists()


def invited_peer(user, educator: Educator) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return PeerInvitation.objects.filter(
        educator=educator, peer=user, closed_at__isnull=True
    ).exists()


def can_see(user, educator: Educator) -> bool:
    return (
        is_self(user, educator) or is_leader(user, educator.school_id) or supports(user, educator)
    )


def can_observe(user, educator: Educator) -> bool:
    if is_self(user, educator) or not is_staff_of(user, educator.school_id):
        return False
    return (
        is_leader(user, educator.school_id)
        or supports(user, educator)
        or invited_peer(user, educator)
    )


def observer_role(user, educator: Educator) -> ObserverRole:
    """Return how `user` observes `educator`: coach, leader or peer (ask `can_observe` first)."""
    if supports(user, educator):
        return ObserverRole.COACH
    if is_leader(user, educator.school_id):
        return ObserverRole.LEADER
    return ObserverRole.PEER


def can_add_evidence(user, educator: Educator) -> bool:
    return is_self(user, educator)


def can_plan(user, educator: Educator) -> bool:
    return can_see(user, educator)


def can_manage(user, school) -> bool:
    """Set up the framework, add educators, name coaches and mentors, issue credentials."""
    return is_leader(user, school)


def can_observe_on(user, learner, competency) -> bool:
    """The rule mastery asks (`mastery.access.LEARNER_ASSESSORS`) before any assessment of an
    educator's learner record: their observers, or the educator on themselves (self-assessment),
    and only on the school's educator competencies."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if competency is not None and competency.framework.kind != FrameworkKind.EDUCATOR:
        return False
    educator = Educator.objects.filter(learner_id=learner.pk).first()
    if educator is None:
        return False
    return is_self(user, educator) or can_observe(user, educator)


def educators_visible_to(user, school):
    """Return the queryset of `school`'s educators whose records `user` may open."""
    qs = Educator.objects.filter(school=school).select_related("user", "learner")
    if user is None or not user.is_authenticated:
        return qs.none()
    if is_leader(user, school):
        return qs
    supported = Support.objects.filter(school=school, supporter=user, ended_on__isnull=True).values(
        "educator_id"
    )
    from django.db.models import Q

    return qs.filter(Q(user=user) | Q(pk__in=supported))


def access_educator(*, user, school, educator_id) -> Educator:
    """Return the school's educator if `user` may see their record; else Http404."""
    try:
        return educators_visible_to(user, school).get(pk=educator_id)
    except (Educator.DoesNotExist, ValueError, TypeError):
        raise Http404("No such educator.") from None


def access_observable(*, user, school, educator_id) -> Educator:
    """Return the school's educator if `user` may observe them (an invited peer included)."""
    educator = (
        Educator.objects.filter(school=school, pk=educator_id).select_related("user").first()
        if isinstance(educator_id, int)
        else None
    )
    if educator is None or not can_observe(user, educator):
        raise Http404("No such educator.")
    return educator


def own_record(user, school) -> Educator | None:
    if user is None or not user.is_authenticated:
        return None
    return Educator.objects.filter(school=school, user=user).select_related("learner").first()


def can_close_invitation(user, invitation: PeerInvitation) -> bool:
    """The educator who invited the peer, or a leader, may close the invitation."""
    return is_self(user, invitation.educator) or is_leader(user, invitation.school_id)


def access_support(*, user, educator: Educator, support_id) -> Support:
    """Return the educator's current coach or mentor `support_id` if `user` may end it: Http404
    for another educator's or an ended one, PermissionDenied for anyone but a leader."""
    from django.core.exceptions import PermissionDenied

    support = (
        Support.objects.filter(educator=educator, pk=support_id, ended_on__isnull=True)
        .select_related("supporter")
        .first()
        if isinstance(support_id, int)
        else None
    )
    if support is None:
        raise Http404("No such coach or mentor.")
    if not can_manage(user, educator.school_id):
        raise PermissionDenied("Only the school's leaders end coaching or mentoring.")
    return support


def access_invitation(*, user, educator: Educator, invitation_id) -> PeerInvitation:
    """Return the educator's open invitation `invitation_id` if `user` may close it: Http404 for
    another educator's or a closed one, PermissionDenied for anyone but the educator or a leader."""
    from django.core.exceptions import PermissionDenied

    invitation = (
        PeerInvitation.objects.filter(educator=educator, pk=invitation_id, closed_at__isnull=True)
        .select_related("peer", "educator")
        .first()
        if isinstance(invitation_id, int)
        else None
    )
    if invitation is None:
        raise Http404("No such invitation.")
    if not can_close_invitation(user, invitation):
        raise PermissionDenied("Only the educator or a leader closes an invitation to observe.")
    return invitation
