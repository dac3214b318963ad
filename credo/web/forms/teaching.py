"""Forms a teacher uses: one assessment, a correction, a whole class for one task, habits of work."""

from django import forms
from django.utils.translation import gettext_lazy as _

from credo.mastery.models import AssessmentKind
from credo.web.forms.base import DatedForm, ModelChoice, date_field, level_choices

# The model's labels stay English (records carry them); the form shows them translated.
KIND_CHOICES = [
    (AssessmentKind.FORMATIVE, _("Formative")),
    (AssessmentKind.SUMMATIVE, _("Summative")),
]


class AssessmentForm(DatedForm):
    value = forms.ChoiceField(
        label=_("Level"), error_messages={"required": _("Choose a level on the scale.")}
    )
    demonstrated_on = date_field(
        _("Demonstrated on"), help_text=_("When the student showed it, not today's date.")
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=KIND_CHOICES,
        initial=AssessmentKind.SUMMATIVE,
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label=_("Feedback to the student"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    evidence = forms.ModelChoiceField(
        queryset=None, required=False, label=_("Evidence assessed"), empty_label=_("— none —")
    )
    accommodated = forms.BooleanField(label=_("Accommodated"), required=False)
    modified_scale = forms.BooleanField(label=_("Modified scale"), required=False)

    def __init__(self, *args, levels=(), evidence=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = level_choices(levels, blank=_("— choose —"))
        self.fields["evidence"].queryset = evidence
        self.fields["evidence"].label_from_instance = lambda e: (
            f"{e.title} ({e.demonstrated_on:%Y-%m-%d})"
        )


class CorrectionForm(forms.Form):
    value = forms.ChoiceField(label=_("Corrected level"))
    demonstrated_on = date_field(_("Demonstrated on"))
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, widget=forms.RadioSelect)
    feedback = forms.CharField(
        label=_("Feedback"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    accommodated = forms.BooleanField(label=_("Accommodated"), required=False)
    modified_scale = forms.BooleanField(label=_("Modified scale"), required=False)

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = level_choices(levels)


class RetractForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is being taken out"),
        max_length=500,
        error_messages={"required": _("Say why the assessment is being retracted.")},
    )


class ClassTaskForm(DatedForm):
    competency = ModelChoice(
        queryset=None,
        label=_("Learning target"),
        label_from=lambda c: f"{c.code} — {c.statement[:80]}",
        error_messages={"required": _("Choose the learning target this task shows.")},
    )
    task = forms.CharField(
        label=_("Task"),
        max_length=200,
        error_messages={"required": _("Name the task, e.g. “Lab report 2”.")},
    )
    demonstrated_on = date_field(_("Demonstrated on"))
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=KIND_CHOICES,
        initial=AssessmentKind.SUMMATIVE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, competencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = competencies


class HabitsForm(DatedForm):
    PERIODS = [("Daily check-in", _("Daily")), ("Weekly check-in", _("Weekly"))]
    demonstrated_on = date_field(_("Date"))
    period = forms.ChoiceField(
        label=_("Check-in"), choices=PERIODS, initial="Daily check-in", widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class QuickAssessmentForm(forms.Form):
    """One level (and feedback) on one target for one piece of evidence, from a worklist."""

    value = forms.ChoiceField(label=_("Level"), error_messages={"required": _("Choose a level.")})
    kind = forms.ChoiceField(
        label=_("Kind"), choices=KIND_CHOICES, initial=AssessmentKind.SUMMATIVE, required=False
    )
    feedback = forms.CharField(label=_("Feedback"), required=False, max_length=4000)

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = level_choices(levels, blank=_("—"))

    def clean_kind(self):
        return self.cleaned_data.get("kind") or AssessmentKind.SUMMATIVE
