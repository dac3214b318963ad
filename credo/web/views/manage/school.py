"""The school's own setup pages: the overview, the school's settings, proficiency scales,
terms, learning experiences and sections."""

from __future__ import annotations

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext

from credo.accounts.models import Role, Student, User
from credo.core.http import page, save_form
from credo.frameworks import services as frameworks
from credo.frameworks.models import Competency, Framework, ProficiencyScale
from credo.mastery.models import (
    CreditArea,
    GraduationRule,
    MasteryCredit,
)
from credo.schools import services as schools
from credo.schools.models import LearningExperience, Section, Term
from credo.schools.selectors import sections_of_school
from credo.web.forms import manage as f
from credo.web.views.manage.common import (
    Preview,
    _done,
    _form_page,
    _get,
    _staff_with,
    manager_page,
    preview_page,
    save_previewed,
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
    title = gettext("Scale: %(name)s") % {"name": obj} if obj else gettext("New proficiency scale")
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
            title=title,
            back=reverse("web:manage_scales", args=[school.slug]),
        )
    if saved:
        return _done(request, gettext("Scale saved."), "web:manage_scales", school)
    return _form_page(
        request,
        form,
        title=title,
        back=reverse("web:manage_scales", args=[school.slug]),
        template="web/manage/scale_form.html",
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
