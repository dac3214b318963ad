"""The school's setup, for admins and registrars: the school's profile and settings, proficiency
scales, frameworks and competencies, credit areas, mastery credits and their requirements, graduation
rules, terms, learning experiences, sections and people. Every form writes through a service."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from credo.accounts import services as people
from credo.accounts.http import require_manager, school_page
from credo.accounts.models import GuardianLink, Membership, Role, Student, User
from credo.core.errors import NotAllowed, ValidationError, refuse
from credo.core.http import apply_errors, page, save_form
from credo.frameworks import services as frameworks
from credo.frameworks.access import access_outcome
from credo.frameworks.models import Competency, Framework, Outcome, ProficiencyScale
from credo.mastery import services as mastery
from credo.mastery.changes import NeedsConfirmation
from credo.mastery.engine import rule_description
from credo.mastery.models import (
    CreditArea,
    CreditRequirementItem,
    GraduationRule,
    GraduationRuleCredit,
    MasteryCredit,
)
from credo.schools import services as schools
from credo.schools.models import LearningExperience, Section, Term
from credo.schools.selectors import sections_of_school
from credo.web.forms import manage as f
from credo.web.views.accounts import SIGNIN_LINKS_PER_PERSON, signin_links_limited


def manager_page(view):
    """A page of the school's setup: signed in, a member of the school (else 404), a manager (else 403)."""
    view = require_http_methods(["GET", "POST"])(view)

    def checked(request, school, *args, **kwargs):
        require_manager(request)
        return view(request, school, *args, **kwargs)

    checked.__name__, checked.__doc__ = view.__name__, view.__doc__
    return login_required(school_page(checked))


def _get(model, school, pk, **related):
    """Return the school's row `pk` of `model` (None for a new one); Http404 for another school's."""
    if pk is None:
        return None
    obj = (
        model.objects.filter(pk=pk, school=school)
        .select_related(*related.get("select", ()))
        .first()
    )
    if obj is None:
        raise Http404("Not found.")
    return obj


def _done(request, message: str, url_name: str, school, *args):
    messages.success(request, message)
    return redirect(url_name, school.slug, *args)


def _form_page(
    request,
    form,
    *,
    title: str,
    back: str,
    intro: str = "",
    template: str = "web/manage/form.html",
    **extra,
):
    return page(
        request, template, {"form": form, "title": title, "back": back, "intro": intro, **extra}
    )


# --- consequential changes: preview, then confirm --------------------------------------------------

# Posted fields that steer the preview rather than describe the change.
PREVIEW_FIELDS = {"csrfmiddlewaretoken", "confirm", "reach_protected", "edit"}


class Preview:
    """A change that was not applied: its effect, why, and the posted change to re-post."""

    def __init__(self, request, exc: NeedsConfirmation):
        self.effect = exc.effect
        self.messages = exc.messages
        self.needs_choice = "reach_protected" in exc.message_dict
        self.fields = [
            (key, value)
            for key, values in request.POST.lists()
            if key not in PREVIEW_FIELDS
            for value in values
        ]


def save_previewed(request, form, save):
    """Like `save_form`, for a change that may alter students' records.

    `save(cleaned_data, confirm=..., reach_protected=...)` calls a previewed service. Return its
    result when applied, a Preview when the effect must be shown (and confirmed) first, or None
    when the form or the service refused the input. "Change it" on the preview posts `edit`,
    which shows the form again with what was entered.
    """
    if not form.is_valid() or request.POST.get("edit"):
        return None
    try:
        return save(
            form.cleaned_data,
            confirm=request.POST.get("confirm", ""),
            reach_protected=request.POST.get("reach_protected") == "yes",
        )
    except NeedsConfirmation as exc:
        return Preview(request, exc)
    except NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


def preview_page(request, preview: Preview, *, title: str, back: str):
    """Show what a change would do, by class, with a button that applies exactly that."""
    return page(
        request,
        "web/manage/preview.html",
        {"preview": preview, "effect": preview.effect, "title": title, "back": back},
        status=200,
    )


# --- index and school -------------------------------------------------------------------------------


@manager_page
def index(request, school):
    """The setup, section by section, with how much of each there is."""
    counts = {
        "scales": ProficiencyScale.objects.filter(school=school).count(),
        "frameworks": Framework.objects.filter(school=school).count(),
        "competencies": Competency.objects.filter(school=school).count(),
        "areas": CreditArea.objects.filter(school=school).count(),
        "credits": MasteryCredit.objects.filter(school=school).count(),
        "rules": GraduationRule.objects.filter(school=school).count(),
        "terms": Term.objects.filter(school=school).count(),
        "experiences": LearningExperience.objects.filter(school=school).count(),
        "sections": Section.objects.filter(school=school).count(),
        "people": User.objects.filter(memberships__school=school).distinct().count(),
        "students": Student.objects.filter(school=school).count(),
    }
    return page(request, "web/manage/index.html", {"counts": counts})


@manager_page
def school_settings(request, school):
    fields = [
        "name",
        "short_name",
        "mission",
        "context",
        "credit_policy",
        "city",
        "website",
        "enrollment_size",
        "not_progressing_days",
        "panel_formers",
        "two_factor_required",
        "support_stalls",
        "support_window_days",
        "improve_min_cell",
        "judgment_enabled",
    ]
    form = f.SchoolSettingsForm(
        request.POST or None, initial={k: getattr(school, k) for k in fields}
    )
    if request.method == "POST" and save_form(
        form,
        lambda d: schools.school_settings_save(
            actor=request.user,
            school=school,
            **{**d, "panel_formers": d["panel_formers"] or None},
        ),
    ):
        return _done(request, gettext("School settings saved."), "web:manage", school)
    return _form_page(
        request,
        form,
        title=gettext("School profile and settings"),
        back=reverse("web:manage", args=[school.slug]),
        intro=gettext(
            "The profile admissions readers see, and the settings the school's pages use."
        ),
    )


# --- scales --------------------------------------------------------------------------------------------


@manager_page
def scales(request, school):
    rows = (
        ProficiencyScale.objects.filter(school=school)
        .prefetch_related("levels")
        .annotate(framework_count=Count("frameworks", distinct=True))
        .order_by("name")
    )
    return page(request, "web/manage/scales.html", {"scales": rows})


@manager_page
def scale(request, school, scale_id=None):
    obj = _get(ProficiencyScale, school, scale_id)
    initial = {}
    if obj:
        initial = {
            "name": obj.name,
            "mastery_threshold": obj.mastery_threshold,
            "exceeds_threshold": obj.exceeds_threshold or "",
            "level_rows": [
                (lv.value, lv.label, lv.description) for lv in obj.levels.order_by("value")
            ],
        }
    form = f.ScaleForm(request.POST or None, initial=initial)
    saved = request.method == "POST" and save_previewed(
        request,
        form,
        lambda d, **confirm: frameworks.scale_save(
            actor=request.user,
            school=school,
            name=d["name"],
            mastery_threshold=d["mastery_threshold"],
            exceeds_threshold=d["exceeds_threshold"],
            levels=form.levels_data(),
            scale=obj,
            **confirm,
        ),
    )
    if isinstance(saved, Preview):
        return preview_page(
            request,
            saved,
            title=gettext("Scale: %(name)s") % {"name": obj}
            if obj
            else gettext("New proficiency scale"),
            back=reverse("web:manage_scales", args=[school.slug]),
        )
    if saved:
        return _done(request, gettext("Scale saved."), "web:manage_scales", school)
    return _form_page(
        request,
        form,
        title=gettext("Scale: %(name)s") % {"name": obj}
        if obj
        else gettext("New proficiency scale"),
        back=reverse("web:manage_scales", args=[school.slug]),
        template="web/manage/scale_form.html",
    )


# --- frameworks and competencies --------------------------------------------------------------------------


@manager_page
def framework_list(request, school):
    rows = (
        Framework.objects.filter(school=school)
        .select_related("scale")
        .annotate(competency_count=Count("competencies", distinct=True))
    )
    return page(request, "web/manage/frameworks.html", {"frameworks": rows})


@manager_page
def framework(request, school, framework_id=None):
    obj = _get(Framework, school, framework_id, select=["scale"])
    names = [
        "name",
        "kind",
        "scale",
        "description",
        "calculation_method",
        "calculation_param",
        "counts_formative",
    ]
    initial = (
        {k: getattr(obj, k) for k in names}
        if obj
        else {"kind": "academic", "calculation_method": "decaying_average"}
    )
    form = f.FrameworkForm(
        request.POST or None, scales=ProficiencyScale.objects.filter(school=school), initial=initial
    )
    saved = request.method == "POST" and save_previewed(
        request,
        form,
        lambda d, **confirm: frameworks.framework_save(
            actor=request.user, school=school, framework=obj, **d, **confirm
        ),
    )
    if isinstance(saved, Preview):
        return preview_page(
            request,
            saved,
            title=gettext("Framework: %(name)s") % {"name": obj}
            if obj
            else gettext("New framework"),
            back=reverse("web:manage_frameworks", args=[school.slug]),
        )
    if saved:
        return _done(request, gettext("Framework saved."), "web:manage_framework", school, saved.pk)
    competencies = (
        Competency.objects.filter(framework=obj)
        .select_related("parent", "scale")
        .order_by("sequence", "code")
        if obj
        else []
    )
    return _form_page(
        request,
        form,
        title=gettext("Framework: %(name)s") % {"name": obj} if obj else gettext("New framework"),
        back=reverse("web:manage_frameworks", args=[school.slug]),
        template="web/manage/framework.html",
        framework=obj,
        competencies=competencies,
    )


@manager_page
def competency(request, school, framework_id, competency_id=None):
    fw = _get(Framework, school, framework_id)
    obj = _get(Competency, school, competency_id)
    if obj is not None and obj.framework_id != fw.pk:
        raise Http404("Not found.")
    names = [
        "code",
        "statement",
        "kind",
        "parent",
        "outcome",
        "sequence",
        "scale",
        "calculation_method",
        "calculation_param",
        "case_identifier",
    ]
    initial = {k: getattr(obj, k) for k in names} if obj else {"kind": "target"}
    form = f.CompetencyForm(
        request.POST or None,
        initial=initial,
        parents=Competency.objects.filter(framework=fw)
        .exclude(pk=obj.pk if obj else None)
        .order_by("sequence", "code"),
        outcomes=Outcome.objects.filter(framework=fw),
        scales=ProficiencyScale.objects.filter(school=school),
    )
    saved = request.method == "POST" and save_previewed(
        request,
        form,
        lambda d, **confirm: frameworks.competency_save(
            actor=request.user,
            school=school,
            framework=fw,
            competency=obj,
            **{**d, "sequence": d["sequence"] or 0},
            **confirm,
        ),
    )
    if isinstance(saved, Preview):
        return preview_page(
            request,
            saved,
            title=gettext("Competency %(code)s") % {"code": obj.code}
            if obj
            else gettext("New competency in %(framework)s") % {"framework": fw},
            back=reverse("web:manage_framework", args=[school.slug, fw.pk]),
        )
    if saved:
        return _done(request, gettext("Competency saved."), "web:manage_framework", school, fw.pk)
    return _form_page(
        request,
        form,
        title=gettext("Competency %(code)s") % {"code": obj.code}
        if obj
        else gettext("New competency in %(framework)s") % {"framework": fw},
        back=reverse("web:manage_framework", args=[school.slug, fw.pk]),
    )


# --- credit areas, credits and graduation rules ---------------------------------------------------------


@manager_page
def areas(request, school):
    rows = CreditArea.objects.filter(school=school).annotate(credit_count=Count("credits"))
    return page(request, "web/manage/areas.html", {"areas": rows})


@manager_page
def area(request, school, area_id=None):
    obj = _get(CreditArea, school, area_id)
    initial = (
        {k: getattr(obj, k) for k in ["code", "name", "colour", "order", "description"]}
        if obj
        else {}
    )
    form = f.AreaForm(request.POST or None, initial=initial)
    if request.method == "POST" and save_form(
        form,
        lambda d: mastery.credit_area_save(
            actor=request.user, school=school, area=obj, **{**d, "order": d["order"] or 0}
        ),
    ):
        return _done(request, gettext("Credit area saved."), "web:manage_areas", school)
    return _form_page(
        request,
        form,
        title=gettext("Area: %(name)s") % {"name": obj} if obj else gettext("New credit area"),
        back=reverse("web:manage_areas", args=[school.slug]),
    )


# --- the graduate profile ------------------------------------------------------------------------


@manager_page
def outcomes(request, school):
    """The school's graduate profile: its outcomes, how many credits serve each, retired ones last."""
    rows = (
        Outcome.objects.filter(school=school)
        .select_related("framework")
        .annotate(credit_count=Count("credits"))
        .order_by(F("retired_on").asc(nulls_first=True), "order", "code")
    )
    return page(request, "web/manage/outcomes.html", {"outcomes": rows})


@manager_page
def outcome(request, school, outcome_id=None):
    """Add or edit an outcome and choose the credits that serve it; retire or restore it."""
    obj = (
        access_outcome(user=request.user, school=school, outcome_id=outcome_id)
        if outcome_id is not None
        else None
    )
    if (
        obj is not None
        and request.method == "POST"
        and request.POST.get("action")
        in (
            "retire",
            "restore",
        )
    ):
        retired = request.POST["action"] == "retire"
        frameworks.outcome_retire(actor=request.user, outcome=obj, retired=retired)
        return _done(
            request,
            gettext("Outcome retired.") if retired else gettext("Outcome back in use."),
            "web:manage_outcomes",
            school,
        )
    framework_rows = Framework.objects.filter(school=school)
    initial = (
        {
            "framework": obj.framework,
            "code": obj.code,
            "title": obj.title,
            "description": obj.description,
            "order": obj.order,
            "credits": list(obj.credits.all()),
        }
        if obj
        else {"framework": framework_rows.filter(kind="academic").first()}
    )
    form = f.OutcomeForm(
        request.POST or None,
        initial=initial,
        frameworks=framework_rows,
        credits=MasteryCredit.objects.filter(school=school).order_by(
            "area__order", "level", "code"
        ),
    )

    def save(d):
        saved = frameworks.outcome_save(
            actor=request.user,
            school=school,
            framework=d["framework"],
            code=d["code"],
            title=d["title"],
            description=d["description"],
            order=d["order"] or 0,
            outcome=obj,
        )
        return frameworks.outcome_credits_set(
            actor=request.user, outcome=saved, credits=d["credits"]
        )

    if request.method == "POST" and save_form(form, save):
        return _done(request, gettext("Outcome saved."), "web:manage_outcomes", school)
    return _form_page(
        request,
        form,
        title=gettext("Outcome: %(name)s") % {"name": obj}
        if obj
        else gettext("New graduate-profile outcome"),
        back=reverse("web:manage_outcomes", args=[school.slug]),
        intro=gettext(
            "What the school means every graduate to know and be able to do. Transcripts "
            "published after you save show it in their reading guide and beside each credit that "
            "serves it."
        ),
        template="web/manage/outcome_form.html",
        outcome=obj,
    )


@manager_page
def credits(request, school):
    rows = (
        MasteryCredit.objects.filter(school=school)
        .select_related("area")
        .prefetch_related(
            Prefetch("items", queryset=CreditRequirementItem.objects.select_related("competency"))
        )
    )
    return page(request, "web/manage/credits.html", {"credits": rows})


@manager_page
def credit(request, school, credit_id=None):
    obj = _get(MasteryCredit, school, credit_id)
    competencies = list(
        Competency.objects.filter(school=school)
        .exclude(kind="domain")
        .select_related("framework")
        .order_by("framework__kind", "framework_id", "sequence", "code")
    )
    initial = {"level": "foundational", "rule": "all", "decision_policy": "majority"}
    if obj:
        names = [
            "area",
            "level",
            "code",
            "title",
            "standard",
            "rule",
            "rule_n",
            "min_evidence",
            "review_required",
            "decision_policy",
            "decision_min_staff",
            "order",
            "from_cohort",
            "until_cohort",
        ]
        initial = {k: getattr(obj, k) for k in names}
        initial["item_rows"] = [
            (i.competency_id, i.points.normalize(), i.required) for i in obj.items.order_by("id")
        ]
    form = f.CreditForm(
        request.POST or None,
        areas=CreditArea.objects.filter(school=school),
        competencies=competencies,
        initial=initial,
    )
    if request.method == "POST":
        by_id = {str(c.pk): c for c in competencies}
        items, unknown = [], False
        for _, cid, points, required in form.item_rows():
            if not cid:
                continue
            if cid not in by_id:
                unknown = True
                continue
            items.append((by_id[cid], points or "0", required))

        def save(d, **confirm):
            if unknown:
                refuse("items", "Choose competencies from the list.")
            return mastery.credit_save(
                actor=request.user,
                school=school,
                credit=obj,
                area=d["area"],
                code=d["code"].strip(),
                title=d["title"].strip(),
                standard=d["standard"].strip(),
                level=d["level"],
                rule=d["rule"],
                rule_n=d["rule_n"],
                min_evidence=d["min_evidence"] or 0,
                review_required=d["review_required"],
                decision_policy=d["decision_policy"] or "majority",
                decision_min_staff=d["decision_min_staff"] or 1,
                items=items,
                order=d["order"] or 0,
                from_cohort=d["from_cohort"],
                until_cohort=d["until_cohort"],
                **confirm,
            )

        saved = save_previewed(request, form, save)
        if isinstance(saved, Preview):
            return preview_page(
                request,
                saved,
                title=gettext("Credit: %(name)s") % {"name": obj}
                if obj
                else gettext("New mastery credit"),
                back=reverse("web:manage_credits", args=[school.slug]),
            )
        if saved:
            return _done(
                request,
                gettext("Credit saved; progress on it has been recomputed."),
                "web:manage_credits",
                school,
            )
    return _form_page(
        request,
        form,
        title=gettext("Credit: %(name)s") % {"name": obj} if obj else gettext("New mastery credit"),
        back=reverse("web:manage_credits", args=[school.slug]),
        template="web/manage/credit_form.html",
        competencies=competencies,
        credit=obj,
    )


def _retire_page(request, school, *, service, target, kwargs, title, back, done):
    """Retire a credit or framework for later classes: a previewed change, by registrars."""
    form = f.RetireForm(request.POST or None)
    if request.method == "POST":
        saved = save_previewed(
            request,
            form,
            lambda d, **confirm: service(
                actor=request.user,
                last_cohort=d["last_cohort"],
                reason=d["reason"],
                **kwargs,
                **confirm,
            ),
        )
        if isinstance(saved, Preview):
            return preview_page(request, saved, title=title, back=back)
        if saved:
            messages.success(request, done)
            return redirect(back)
    return _form_page(
        request,
        form,
        title=title,
        back=back,
        intro=(
            gettext(
                "%(target)s stays on the record of every class up to the one you name; later "
                "classes no longer earn or need it. Awards already made stay. You will see the "
                "effect, class by class, before anything changes. Only a registrar may retire."
            )
            % {"target": target}
        ),
    )


@manager_page
def credit_retire(request, school, credit_id):
    obj = _get(MasteryCredit, school, credit_id)
    return _retire_page(
        request,
        school,
        service=mastery.credit_retire,
        target=f"The credit {obj.code} ({obj})",
        kwargs={"credit": obj},
        title=gettext("Retire credit %(code)s") % {"code": obj.code},
        back=reverse("web:manage_credits", args=[school.slug]),
        done=gettext("Credit %(code)s retired for later classes.") % {"code": obj.code},
    )


@manager_page
def framework_retire(request, school, framework_id):
    obj = _get(Framework, school, framework_id)
    return _retire_page(
        request,
        school,
        service=mastery.framework_retire,
        target=f"The framework {obj} (and every credit drawing on it)",
        kwargs={"framework": obj},
        title=gettext("Retire framework %(name)s") % {"name": obj},
        back=reverse("web:manage_frameworks", args=[school.slug]),
        done=gettext("Framework %(name)s retired for later classes.") % {"name": obj},
    )


@manager_page
def rules(request, school):
    names = dict(CreditArea.objects.filter(school=school).values_list("id", "name"))
    rows = [(r, rule_description(r, names)) for r in GraduationRule.objects.filter(school=school)]
    return page(request, "web/manage/rules.html", {"rules": rows})


@manager_page
def rule(request, school, rule_id=None):
    obj = _get(GraduationRule, school, rule_id)
    initial = {}
    if obj:
        initial = {
            k: getattr(obj, k)
            for k in ["kind", "level", "area", "n", "from_cohort", "until_cohort", "description"]
        }
        initial["credits"] = list(
            GraduationRuleCredit.objects.filter(rule=obj).values_list("credit_id", flat=True)
        )
    form = f.GraduationRuleForm(
        request.POST or None,
        initial=initial,
        areas=CreditArea.objects.filter(school=school),
        credits=MasteryCredit.objects.filter(school=school),
    )
    saved = request.method == "POST" and save_previewed(
        request,
        form,
        lambda d, **confirm: mastery.graduation_rule_save(
            actor=request.user,
            school=school,
            rule=obj,
            kind=d["kind"],
            level=d["level"],
            area=d["area"],
            n=d["n"],
            credits=list(d["credits"]),
            from_cohort=d["from_cohort"],
            until_cohort=d["until_cohort"],
            description=d["description"].strip(),
            **confirm,
        ),
    )
    if isinstance(saved, Preview):
        return preview_page(
            request,
            saved,
            title=gettext("Graduation rule") if obj else gettext("New graduation rule"),
            back=reverse("web:manage_rules", args=[school.slug]),
        )
    if saved:
        return _done(
            request,
            gettext("Graduation rule saved; every student's status has been recomputed."),
            "web:manage_rules",
            school,
        )
    return _form_page(
        request,
        form,
        title=gettext("Graduation rule") if obj else gettext("New graduation rule"),
        back=reverse("web:manage_rules", args=[school.slug]),
    )


# --- terms, experiences, sections --------------------------------------------------------------------------


@manager_page
def terms(request, school):
    rows = (
        Term.objects.filter(school=school)
        .annotate(section_count=Count("sections"))
        .order_by("-starts_on")
    )
    return page(request, "web/manage/terms.html", {"terms": rows})


@manager_page
def term(request, school, term_id=None):
    obj = _get(Term, school, term_id)
    initial = (
        {k: getattr(obj, k) for k in ["name", "school_year", "starts_on", "ends_on"]} if obj else {}
    )
    form = f.TermForm(request.POST or None, initial=initial)
    if request.method == "POST" and save_form(
        form, lambda d: schools.term_save(actor=request.user, school=school, term=obj, **d)
    ):
        return _done(request, gettext("Term saved."), "web:manage_terms", school)
    return _form_page(
        request,
        form,
        title=gettext("Term: %(name)s") % {"name": obj} if obj else gettext("New term"),
        back=reverse("web:manage_terms", args=[school.slug]),
    )


@manager_page
def experiences(request, school):
    rows = LearningExperience.objects.filter(school=school).annotate(
        alignment_count=Count("alignments", distinct=True),
        section_count=Count("sections", distinct=True),
    )
    return page(request, "web/manage/experiences.html", {"experiences": rows})


@manager_page
def experience(request, school, experience_id=None):
    obj = _get(LearningExperience, school, experience_id)
    initial = {}
    if obj:
        initial = {k: getattr(obj, k) for k in ["kind", "code", "title", "description"]}
        initial["competencies"] = list(obj.alignments.values_list("competency_id", flat=True))
    form = f.ExperienceForm(
        request.POST or None,
        initial=initial,
        competencies=Competency.objects.filter(school=school)
        .exclude(kind="domain")
        .order_by("framework__kind", "framework_id", "sequence", "code"),
    )
    if request.method == "POST" and save_form(
        form,
        lambda d: schools.experience_save(actor=request.user, school=school, experience=obj, **d),
    ):
        return _done(
            request, gettext("Learning experience saved."), "web:manage_experiences", school
        )
    return _form_page(
        request,
        form,
        title=gettext("Experience: %(name)s") % {"name": obj}
        if obj
        else gettext("New learning experience"),
        back=reverse("web:manage_experiences", args=[school.slug]),
    )


@manager_page
def section_list(request, school):
    return page(request, "web/manage/sections.html", {"sections": sections_of_school(school)})


def _staff_with(school, role):
    return (
        User.objects.filter(memberships__school=school, memberships__role=role)
        .distinct()
        .order_by("display_name", "username")
    )


@manager_page
def section(request, school, section_id=None):
    obj = _get(Section, school, section_id)
    initial = {}
    if obj:
        initial = {
            "experience": obj.experience_id,
            "term": obj.term_id,
            "name": obj.name,
            "teachers": list(obj.teacher_links.values_list("user_id", flat=True)),
            "students": list(obj.enrollments.values_list("student_id", flat=True)),
        }
    form = f.SectionForm(
        request.POST or None,
        initial=initial,
        experiences=LearningExperience.objects.filter(school=school),
        terms=Term.objects.filter(school=school).order_by("-starts_on"),
        teachers=_staff_with(school, Role.TEACHER),
        students=Student.objects.filter(school=school, active=True),
    )
    if request.method == "POST" and save_form(
        form,
        lambda d: schools.section_save(
            actor=request.user,
            school=school,
            section=obj,
            experience=d["experience"],
            term=d["term"],
            name=d["name"],
            teachers=list(d["teachers"]),
            students=list(d["students"]),
        ),
    ):
        return _done(request, gettext("Section saved."), "web:manage_sections", school)
    return _form_page(
        request,
        form,
        title=gettext("Section: %(name)s") % {"name": obj} if obj else gettext("New section"),
        back=reverse("web:manage_sections", args=[school.slug]),
    )


# --- people ---------------------------------------------------------------------------------------------


LIST_PAGE = 50  # people or students per page of a setup list


def _query(request) -> dict:
    """The search and filter of a setup list, as given (stripped), for the form and the links."""
    return {k: request.GET.get(k, "").strip()[:100] for k in ("q", "role", "year")}


@manager_page
def people_list(request, school):
    query = _query(request)
    users = User.objects.filter(memberships__school=school)
    if query["q"]:
        users = users.filter(
            Q(display_name__icontains=query["q"])
            | Q(username__icontains=query["q"])
            | Q(email__icontains=query["q"])
            | Q(first_name__icontains=query["q"])
            | Q(last_name__icontains=query["q"])
        )
    if query["role"] in Role.values:
        users = users.filter(memberships__school=school, memberships__role=query["role"])
    users = (
        users.distinct()
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(school=school),
                to_attr="school_memberships",
            )
        )
        .order_by("display_name", "username")
    )
    return page(
        request,
        "web/manage/people.html",
        {
            "people": Paginator(users, LIST_PAGE).get_page(request.GET.get("page")),
            "query": query,
            "role_choices": Role.choices,
        },
    )


@manager_page
def person_new(request, school):
    form = f.PersonForm(request.POST or None)
    if request.method == "POST" and save_form(
        form, lambda d: people.person_create(actor=request.user, school=school, **d)
    ):
        return _done(request, gettext("Person added."), "web:manage_people", school)
    return _form_page(
        request,
        form,
        title=gettext("New person"),
        back=reverse("web:manage_people", args=[school.slug]),
        intro=gettext("Staff, guardians and reviewers. Add students under Students."),
    )


def _person(school, user_id):
    user = User.objects.filter(pk=user_id, memberships__school=school).distinct().first()
    if user is None:
        raise Http404("Not found.")
    return user


def _roles_form(school, user, data=None):
    """The person's roles in this school, as a form filled with what they hold now."""
    roles = list(Membership.objects.filter(school=school, user=user).values_list("role", flat=True))
    return f.RolesForm(data, initial={"roles": roles})


def _person_page(request, school, user, form, **extra):
    from credo.accounts.signin import lockout_state

    return _form_page(
        request,
        form,
        title=gettext("Roles of %(user)s") % {"user": user},
        back=reverse("web:manage_people", args=[school.slug]),
        template="web/manage/person.html",
        person=user,
        lockout=lockout_state(user),
        **extra,
    )


@manager_page
def person(request, school, user_id):
    user = _person(school, user_id)
    form = _roles_form(school, user, request.POST or None)
    if request.method == "POST" and save_form(
        form,
        lambda d: people.memberships_set(
            actor=request.user, school=school, user=user, roles=d["roles"]
        ),
    ):
        return _done(
            request,
            gettext("Roles of %(user)s saved.") % {"user": user},
            "web:manage_people",
            school,
        )
    return _person_page(request, school, user, form)


@manager_page
def person_signin_link(request, school, user_id):
    """Make a one-time link with which the person chooses their password (e-mailed when possible)."""
    user = _person(school, user_id)
    if request.method != "POST":
        return redirect("web:manage_person", school.slug, user.pk)
    form = _roles_form(school, user)
    if signin_links_limited(request, user):
        return _person_page(
            request,
            school,
            user,
            form,
            link_error=f"{user} has been sent {SIGNIN_LINKS_PER_PERSON} links in the last hour; "
            "wait an hour before making another, or hand over the last one.",
        )
    try:
        path, emailed = people.signin_link_create(actor=request.user, school=school, user=user)
    except ValidationError as exc:
        return _person_page(request, school, user, form, link_error=" ".join(exc.messages))
    return _person_page(
        request, school, user, form, link=request.build_absolute_uri(path), emailed=emailed
    )


@manager_page
def person_lockout_lift(request, school, user_id):
    """Lift the lockout django-axes put on the person's account after failed sign-ins."""
    user = _person(school, user_id)
    if request.method == "POST":
        people.signin_lockout_lift(actor=request.user, school=school, user=user)
        messages.success(request, gettext("%(user)s can sign in again.") % {"user": user})
    return redirect("web:manage_person", school.slug, user.pk)


@manager_page
def person_two_factor_reset(request, school, user_id):
    """Remove the second factor of a person who lost their phone and their recovery codes."""
    user = _person(school, user_id)
    if request.method == "POST":
        try:
            people.two_factor_reset(actor=request.user, school=school, user=user)
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        messages.success(
            request,
            gettext(
                "%(user)s's two-step sign-in is removed: they sign in with their password and set "
                "it up again."
            )
            % {"user": user},
        )
    return redirect("web:manage_person", school.slug, user.pk)


@manager_page
def students(request, school):
    query = _query(request)
    rows = Student.objects.filter(school=school)
    years = sorted(rows.order_by().values_list("graduation_year", flat=True).distinct())
    if query["q"]:
        rows = rows.filter(
            Q(given_name__icontains=query["q"])
            | Q(family_name__icontains=query["q"])
            | Q(preferred_name__icontains=query["q"])
            | Q(student_number__icontains=query["q"])
        )
    if query["year"].isdigit():
        rows = rows.filter(graduation_year=int(query["year"]))
    rows = rows.select_related("advisor", "user", "graduation").order_by(
        "graduation_year", "family_name", "given_name", "id"
    )
    return page(
        request,
        "web/manage/students.html",
        {
            "students": Paginator(rows, LIST_PAGE).get_page(request.GET.get("page")),
            "query": query,
            "years": years,
        },
    )


@manager_page
def student_new(request, school):
    form = f.NewStudentForm(request.POST or None, advisors=_staff_with(school, Role.ADVISOR))
    if request.method == "POST" and save_form(
        form, lambda d: people.student_enrol(actor=request.user, school=school, **d)
    ):
        return _done(request, gettext("Student added."), "web:manage_students", school)
    return _form_page(
        request,
        form,
        title=gettext("New student"),
        back=reverse("web:manage_students", args=[school.slug]),
    )


@manager_page
def student(request, school, student_id):
    obj = _get(Student, school, student_id)
    names = ["given_name", "family_name", "preferred_name", "graduation_year", "advisor", "active"]
    action = request.POST.get("action", "student")
    form = f.EditStudentForm(
        request.POST if action == "student" else None,
        advisors=_staff_with(school, Role.ADVISOR),
        initial={k: getattr(obj, k) for k in names},
    )
    guardian_form = f.GuardianForm(
        request.POST if action == "guardian" else None, guardians=_staff_with(school, Role.GUARDIAN)
    )
    if request.method == "POST":
        if action == "student" and save_form(
            form, lambda d: people.student_update(actor=request.user, student=obj, **d)
        ):
            return _done(request, gettext("Student saved."), "web:manage_students", school)
        if action == "guardian" and save_form(
            guardian_form,
            lambda d: people.guardian_link(
                actor=request.user,
                student=obj,
                guardian=d["guardian"],
                relationship=d["relationship"].strip(),
            ),
        ):
            return _done(request, gettext("Guardian linked."), "web:manage_student", school, obj.pk)
    links = GuardianLink.objects.filter(student=obj).select_related("guardian")
    return _form_page(
        request,
        form,
        title=gettext("Student: %(name)s") % {"name": obj},
        back=reverse("web:manage_students", args=[school.slug]),
        template="web/manage/student_form.html",
        student=obj,
        guardian_form=guardian_form,
        links=links,
    )


urlpatterns = [
    path("", index, name="manage"),
    path("school/", school_settings, name="manage_school"),
    path("scales/", scales, name="manage_scales"),
    path("scales/new/", scale, name="manage_scale_new"),
    path("scales/<int:scale_id>/", scale, name="manage_scale"),
    path("frameworks/", framework_list, name="manage_frameworks"),
    path("frameworks/new/", framework, name="manage_framework_new"),
    path("frameworks/<int:framework_id>/", framework, name="manage_framework"),
    path("frameworks/<int:framework_id>/retire/", framework_retire, name="manage_framework_retire"),
    path(
        "frameworks/<int:framework_id>/competencies/new/", competency, name="manage_competency_new"
    ),
    path(
        "frameworks/<int:framework_id>/competencies/<int:competency_id>/",
        competency,
        name="manage_competency",
    ),
    path("areas/", areas, name="manage_areas"),
    path("areas/new/", area, name="manage_area_new"),
    path("areas/<int:area_id>/", area, name="manage_area"),
    path("outcomes/", outcomes, name="manage_outcomes"),
    path("outcomes/new/", outcome, name="manage_outcome_new"),
    path("outcomes/<int:outcome_id>/", outcome, name="manage_outcome"),
    path("credits/", credits, name="manage_credits"),
    path("credits/new/", credit, name="manage_credit_new"),
    path("credits/<int:credit_id>/", credit, name="manage_credit"),
    path("credits/<int:credit_id>/retire/", credit_retire, name="manage_credit_retire"),
    path("graduation/", rules, name="manage_rules"),
    path("graduation/new/", rule, name="manage_rule_new"),
    path("graduation/<int:rule_id>/", rule, name="manage_rule"),
    path("terms/", terms, name="manage_terms"),
    path("terms/new/", term, name="manage_term_new"),
    path("terms/<int:term_id>/", term, name="manage_term"),
    path("experiences/", experiences, name="manage_experiences"),
    path("experiences/new/", experience, name="manage_experience_new"),
    path("experiences/<int:experience_id>/", experience, name="manage_experience"),
    path("sections/", section_list, name="manage_sections"),
    path("sections/new/", section, name="manage_section_new"),
    path("sections/<int:section_id>/", section, name="manage_section"),
    path("people/", people_list, name="manage_people"),
    path("people/new/", person_new, name="manage_person_new"),
    path("people/<int:user_id>/", person, name="manage_person"),
    path("people/<int:user_id>/signin-link/", person_signin_link, name="manage_person_signin_link"),
    path("people/<int:user_id>/lockout/", person_lockout_lift, name="manage_person_lockout"),
    path(
        "people/<int:user_id>/two-factor/", person_two_factor_reset, name="manage_person_two_factor"
    ),
    path("students/", students, name="manage_students"),
    path("students/new/", student_new, name="manage_student_new"),
    path("students/<int:student_id>/", student, name="manage_student"),
]
