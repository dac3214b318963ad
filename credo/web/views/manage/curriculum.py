"""What graduates must show: frameworks and competencies, credit areas, the graduate
profile's outcomes, credits (and retiring them) and graduation rules."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, F, Prefetch
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext

from credo.core.errors import refuse
from credo.core.http import page, save_form
from credo.frameworks import services as frameworks
from credo.frameworks.access import access_outcome
from credo.frameworks.models import Competency, Framework, Outcome, ProficiencyScale
from credo.mastery import services as mastery
from credo.mastery.engine import rule_description
from credo.mastery.models import (
    CreditArea,
    CreditRequirementItem,
    GraduationRule,
    GraduationRuleCredit,
    MasteryCredit,
)
from credo.web.forms import manage as f
from credo.web.views.manage.common import (
    Preview,
    _done,
    _form_page,
    _get,
    manager_page,
    preview_page,
    save_previewed,
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
    title = gettext("Framework: %(name)s") % {"name": obj} if obj else gettext("New framework")
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
            title=title,
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
        title=title,
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
    title = gettext("Credit: %(name)s") % {"name": obj} if obj else gettext("New mastery credit")
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
                title=title,
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
        title=title,
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
