"""Who may read the school's improvement pages, and over which students.

Admins and registrars (the school's managers) read the whole school and may compare teachers.
Teachers read only the students of their own sections, never a comparison between teachers.
Students, guardians, advisors (by that role alone), reviewers and other schools are refused.
Only aggregates leave these pages, each hidden below the school's smallest group size.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404

from credo.accounts.access import is_manager, roles_in
from credo.accounts.models import Role


def can_see_improvement(user, school) -> bool:
    """Return whether `user` may read `school`'s improvement pages (managers and teachers)."""
    roles = roles_in(user, school)
    return is_manager(user, school) or Role.TEACHER in roles


def can_compare_teachers(user, school) -> bool:
    """Return whether `user` may see results broken down by teacher: the school's managers only."""
    return is_manager(user, school)


def require_improvement(user, school) -> None:
    """Refuse (403) a member of the school who may not read the improvement pages."""
    if not can_see_improvement(user, school):
        raise PermissionDenied(
            "Only the school's admins, registrars and teachers see the improvement pages."
        )


def teacher_section_ids(user, school) -> list[int]:
    """Return the ids of the sections `user` teaches in `school`."""
    from credo.schools.models import SectionTeacher

    return sorted(
        SectionTeacher.objects.filter(school=school, user=user).values_list("section_id", flat=True)
    )


@dataclass(frozen=True)
class Scope:
    """Which students and which targets or credits an improvement page reads.

    `sections` limits the students to those enrolled in these sections (a teacher's own, or the
    one chosen); None means the whole school.
    """

    school: object
    framework: object = None
    area: object = None
    credit: object = None
    cohort: int | None = None
    section: object = None
    sections: tuple[int, ...] | None = None
    whole_school: bool = True

    def describe(self) -> str:
        parts = []
        if self.credit is not None:
            parts.append(f"credit {self.credit.code}")
        elif self.area is not None:
            parts.append(f"credit area {self.area.name}")
        elif self.framework is not None:
            parts.append(f"framework {self.framework.name}")
        if self.cohort:
            parts.append(f"class of {self.cohort}")
        if self.section is not None:
            parts.append(f"section {self.section.name}")
        elif not self.whole_school:
            parts.append("your sections")
        return ", ".join(parts) or "the whole school"

    def query(self) -> dict:
        """Return the query string that names this scope again (for links and the CSV)."""
        out = {}
        for key in ("framework", "area", "credit", "section"):
            obj = getattr(self, key)
            if obj is not None:
                out[key] = obj.pk
        if self.cohort:
            out["cohort"] = self.cohort
        return out


def _pick(model, raw, school, what: str):
    if raw in (None, ""):
        return None
    try:
        return model.objects.get(pk=int(raw), school=school)
    except (ValueError, TypeError, OverflowError, model.DoesNotExist):
        raise Http404(f"No such {what}.") from None


def access_scope(*, user, school, params) -> Scope:
    """Read a scope from `params` (a query dict) for `user`; 403 for a refused role, 404 for an
    unknown or unreachable framework, area, credit or section (a teacher reaches only their own)."""
    from credo.frameworks.models import Framework
    from credo.mastery.models import CreditArea, MasteryCredit
    from credo.schools.models import Section

    require_improvement(user, school)
    framework = _pick(Framework, params.get("framework"), school, "framework")
    area = _pick(CreditArea, params.get("area"), school, "credit area")
    credit = _pick(MasteryCredit, params.get("credit"), school, "credit")
    section = _pick(Section, params.get("section"), school, "section")
    cohort = None
    raw = params.get("cohort")
    if raw not in (None, ""):
        try:
            cohort = int(raw)
        except (TypeError, ValueError):
            raise Http404("No such class.") from None
        if not 1900 <= cohort <= 2200:
            raise Http404("No such class.")
    if is_manager(user, school):
        sections = None if section is None else (section.pk,)
        return Scope(school, framework, area, credit, cohort, section, sections, section is None)
    own = teacher_section_ids(user, school)
    if section is not None and section.pk not in own:
        raise Http404("No such section.")
    sections = (section.pk,) if section is not None else tuple(own)
    return Scope(school, framework, area, credit, cohort, section, sections, False)


# --- moderation sessions --------------------------------------------------------------------


def may_run_moderation(user, school) -> bool:
    """Return whether `user` may start and close moderation sessions: the school's managers."""
    return is_manager(user, school)


def is_session_assessor(user, session) -> bool:
    from credo.improve.models import ModerationAssessor

    if user is None or not user.is_authenticated:
        return False
    return ModerationAssessor.objects.filter(session=session, user=user).exists()


def sessions_visible_to(user, school):
    """Return the moderation sessions `user` may open: all for managers, else those they score."""
    from credo.improve.models import ModerationSession

    qs = ModerationSession.objects.filter(school=school).select_related("competency")
    if may_run_moderation(user, school):
        return qs
    if not can_see_improvement(user, school):
        return qs.none()
    return qs.filter(assessors__user=user)


def access_session(*, user, school, session_id, lock: bool = False):
    """Return a moderation session `user` may open (a manager, or one of its assessors); refuse
    other roles with 403 and unknown or unreachable sessions with 404."""
    from credo.improve.models import ModerationSession

    require_improvement(user, school)
    qs = sessions_visible_to(user, school)
    if lock:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=int(session_id))
    except (ValueError, TypeError, OverflowError, ModerationSession.DoesNotExist):
        raise Http404("No such moderation session.") from None


def can_see_all_scores(user, session) -> bool:
    """Others' scores are shown only once the session is closed, and then to its managers and
    assessors; while it is open each assessor sees only their own."""
    if session.is_open:
        return False
    return may_run_moderation(user, session.school) or is_session_assessor(user, session)
