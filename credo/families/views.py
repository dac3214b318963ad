"""The families pages: choosing a language, a student's family progress report (page and PDF),
sending a class's reports, and the school's texts in other languages. Each asks
`families.access`; every write goes through `families.services`."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credo.accounts.http import school_page
from credo.core.errors import NotAllowed, ValidationError
from credo.core.http import apply_errors, next_url, page, save_form
from credo.families import access, selectors, services
from credo.families.middleware import LANGUAGE_CODES
from credo.families.models import CreditText, LevelText
from credo.families.pdf import report_pdf
from credo.frameworks.models import ProficiencyScale
from credo.mastery.models import MasteryCredit


@require_POST
def language(request):
    """Switch the language of every page: kept on the account of a signed-in person (audited) and
    in a cookie for everyone, so it holds before signing in too. Works without script."""
    chosen = request.POST.get("language", "")
    back = next_url(request, reverse("web:landing"))
    if chosen not in LANGUAGE_CODES:
        messages.error(request, _("Choose one of the languages offered."))
        return redirect(back)
    if request.user.is_authenticated:
        try:
            services.language_set(actor=request.user, language=chosen)
        except (NotAllowed, ValidationError):
            messages.error(request, _("Choose one of the languages offered."))
            return redirect(back)
    translation.activate(chosen)
    response = redirect(back)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        chosen,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=getattr(settings, "SESSION_COOKIE_SECURE", False),
        httponly=True,
    )
    return response


def _report(request, school, student_id):
    student = access.access_family_report(user=request.user, student_id=student_id, school=school)
    language = translation.get_language() or selectors.school_language(school)
    return selectors.family_report(student, language=language)


@require_GET
@login_required
@school_page
def report(request, school, student_id):
    """A student's family progress report, in the reader's language."""
    r = _report(request, school, student_id)
    return page(request, "families/report.html", {"r": r, "student": r.student})


@require_GET
@login_required
@school_page
def report_pdf_view(request, school, student_id):
    """The same report as a PDF, to print or keep."""
    r = _report(request, school, student_id)
    response = HttpResponse(report_pdf(r), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="progress-report-{r.student.pk}-{r.as_of}.pdf"'
    )
    return response


@require_GET
@login_required
@school_page
def reading_copy(request, school, public_id):
    """A published transcript in the reader's language, for reading only: the official record
    stays in the school's language (the version's own page, PDF and credentials)."""
    from credo.transcripts.access import access_version

    version = access_version(user=request.user, school=school, public_id=public_id)
    language = translation.get_language() or selectors.school_language(school)
    return page(
        request,
        "families/reading_copy.html",
        {
            "copy": selectors.reading_copy(version, language=language),
            "version": version,
            "official_language": translation.get_language_info(selectors.school_language(school))[
                "name_translated"
            ],
        },
    )


class SendForm(forms.Form):
    graduation_year = forms.TypedChoiceField(label=gettext_lazy("Class"), coerce=int, choices=())

    def __init__(self, *args, years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["graduation_year"].choices = [
            (y, _("Class of %(year)s") % {"year": y}) for y in years
        ]


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def send(request, school):
    """Send a class's family reports (the task queue does it) and see what was sent."""
    if not access.can_send_family_reports(request.user, school):
        raise PermissionDenied("Only a school admin or registrar may send family reports.")
    form = SendForm(request.POST or None, years=selectors.cohorts(school))
    if request.method == "POST":
        year = save_form(
            form,
            lambda data: services.family_reports_queue(
                actor=request.user, school=school, graduation_year=data["graduation_year"]
            ),
        )
        if year is not None:
            messages.success(
                request,
                _(
                    "The reports of the class of %(year)s are being sent to the guardians who "
                    "asked for them."
                )
                % {"year": year},
            )
            return redirect("families:send", school.slug)
    return page(
        request, "families/send.html", {"form": form, "sent": selectors.reports_sent(school)}
    )


def _require_translator(request, school):
    if not access.can_translate_school_texts(request.user, school):
        raise PermissionDenied("Only a school admin or registrar may give the school's texts.")


def _chosen_language(request, school) -> str:
    offered = dict(selectors.other_languages(school))
    chosen = request.POST.get("language") or request.GET.get("language") or ""
    if chosen in offered:
        return chosen
    if not offered:
        raise Http404("The school offers no other language.")
    return next(iter(offered))


@require_GET
@login_required
@school_page
def translations(request, school):
    """Which of the school's scales and credits are given in each other language."""
    _require_translator(request, school)
    language = _chosen_language(request, school)
    scales = (
        ProficiencyScale.objects.filter(school=school).prefetch_related("levels").order_by("name")
    )
    credits = (
        MasteryCredit.objects.filter(school=school)
        .select_related("area")
        .order_by("area__order", "level", "order", "code")
    )
    level_done = set(
        LevelText.objects.filter(school=school, language=language).values_list(
            "level_id", flat=True
        )
    )
    credit_done = set(
        CreditText.objects.filter(school=school, language=language).values_list(
            "credit_id", flat=True
        )
    )
    return page(
        request,
        "families/translations.html",
        {
            "language": language,
            "languages": selectors.other_languages(school),
            "school_language": selectors.school_language(school),
            "scales": [
                (s, sum(1 for lv in s.levels.all() if lv.pk in level_done), len(s.levels.all()))
                for s in scales
            ],
            "credits": [(c, c.pk in credit_done) for c in credits],
        },
    )


def _scale_form(scale, language, data=None):
    words = selectors.level_words(scale.levels.all(), language)
    given = {t.level_id: t for t in LevelText.objects.filter(level__scale=scale, language=language)}
    form = forms.Form(data)
    for lv in scale.levels.all():
        t = given.get(lv.pk)
        form.fields[f"label_{lv.pk}"] = forms.CharField(
            label=_("Label of “%(label)s”") % {"label": lv.label},
            required=False,
            max_length=services.LABEL_LIMIT,
            initial=t.label if t else "",
        )
        form.fields[f"description_{lv.pk}"] = forms.CharField(
            label=_("Description of “%(label)s”") % {"label": lv.label},
            required=False,
            widget=forms.Textarea(attrs={"rows": 3}),
            initial=t.description if t else "",
            help_text=lv.description,
        )
    return form, words


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def scale_translation(request, school, scale_id):
    """Give one scale's level labels and descriptions in another language."""
    _require_translator(request, school)
    scale = ProficiencyScale.objects.filter(pk=scale_id, school=school).first()
    if scale is None:
        raise Http404("No such scale.")
    language = _chosen_language(request, school)
    form, _words = _scale_form(scale, language, request.POST or None)
    if request.method == "POST" and form.is_valid():
        texts = {
            lv.pk: (
                form.cleaned_data.get(f"label_{lv.pk}", ""),
                form.cleaned_data.get(f"description_{lv.pk}", ""),
            )
            for lv in scale.levels.all()
        }
        try:
            services.level_texts_save(
                actor=request.user, scale=scale, language=language, texts=texts
            )
        except NotAllowed as exc:
            raise PermissionDenied(str(exc)) from exc
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect(
                f"{reverse('families:translations', args=[school.slug])}?language={language}"
            )
    return page(
        request,
        "families/translation_form.html",
        {"form": form, "language": language, "what": scale, "kind": "scale"},
    )


class CreditTextForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), required=False, max_length=200)
    standard = forms.CharField(
        label=gettext_lazy("Standard"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )


@login_required
@school_page
@require_http_methods(["GET", "POST"])
def credit_translation(request, school, credit_id):
    """Give one credit's title and standard in another language."""
    _require_translator(request, school)
    credit = MasteryCredit.objects.filter(pk=credit_id, school=school).first()
    if credit is None:
        raise Http404("No such credit.")
    language = _chosen_language(request, school)
    row = CreditText.objects.filter(credit=credit, language=language).first()
    form = CreditTextForm(
        request.POST or None,
        initial={"title": row.title if row else "", "standard": row.standard if row else ""},
    )
    form.fields["title"].help_text = credit.title
    form.fields["standard"].help_text = credit.standard
    if request.method == "POST":
        saved = save_form(
            form,
            lambda data: (
                services.credit_text_save(
                    actor=request.user,
                    credit=credit,
                    language=language,
                    title=data["title"],
                    standard=data["standard"],
                )
                or True
            ),
        )
        if saved:
            messages.success(request, _("Saved."))
            return redirect(
                f"{reverse('families:translations', args=[school.slug])}?language={language}"
            )
    return page(
        request,
        "families/translation_form.html",
        {"form": form, "language": language, "what": credit, "kind": "credit"},
    )
