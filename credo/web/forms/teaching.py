"""Forms a teacher uses: one assessment, a correction, a whole class for one task, habits of work."""

from django import forms

from credo.mastery.models import AssessmentKind
from credo.web.forms.base import DatedForm, ModelChoice, date_field, level_choices

KIND_CHOICES = AssessmentKind.choices


class AssessmentForm(DatedForm):
    value = forms.ChoiceField(
        label="Level", error_messages={"required": "Choose a level on the scale."}
    )
    demonstrated_on = date_field(
        "Demonstrated on", help_text="When the student showed it, not today's date."
    )
    kind = forms.ChoiceField(
        label="Kind",
        choices=KIND_CHOICES,
        initial=AssessmentKind.SUMMATIVE,
        widget=forms.RadioSelect,
    )
    feedback = forms.CharField(
        label="Feedback to the student",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )
    evidence = forms.ModelChoiceField(
        queryset=None, required=False, label="Evidence assessed", empty_label="— none —"
    )
    accommodated = forms.BooleanField(label="Accommodated", required=False)
    modified_scale = forms.BooleanField(label="Modified scale", required=False)

    def __init__(self, *args, levels=(), evidence=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = level_choices(levels, blank="— choose —")
        self.fields["evidence"].queryset = evidence
        self.fields["evidence"].label_from_instance = lambda e: (
            f"{e.title} ({e.demonstrated_on:%Y-%m-%d})"
        )


class CorrectionForm(forms.Form):
    value = forms.ChoiceField(label="Corrected level")
    demonstrated_on = date_field("Demonstrated on")
    kind = forms.ChoiceField(label="Kind", choices=KIND_CHOICES, widget=forms.RadioSelect)
    feedback = forms.CharField(
        label="Feedback", required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
    accommodated = forms.BooleanField(label="Accommodated", required=False)
    modified_scale = forms.BooleanField(label="Modified scale", required=False)

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = level_choices(levels)


class RetractForm(forms.Form):
    reason = forms.CharField(
        label="Why it is being taken out",
        max_length=500,
        error_messages={"required": "Say why the assessment is being retracted."},
    )


class ClassTaskForm(DatedForm):
    competency = ModelChoice(
        queryset=None,
        label="Learning target",
        label_from=lambda c: f"{c.code} — {c.statement[:80]}",
        error_messages={"required": "Choose the learning target this task shows."},
    )
    task = forms.CharField(
        label="Task",
        max_length=200,
        error_messages={"required": "Name the task, e.g. “Lab report 2”."},
    )
    demonstrated_on = date_field("Demonstrated on")
    kind = forms.ChoiceField(
        label="Kind",
        choices=KIND_CHOICES,
        initial=AssessmentKind.SUMMATIVE,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, competencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competency"].queryset = competencies


class HabitsForm(DatedForm):
    PERIODS = [("Daily check-in", "Daily"), ("Weekly check-in", "Weekly")]
    demonstrated_on = date_field("Date")
    period = forms.ChoiceField(
        label="Check-in", choices=PERIODS, initial="Daily check-in", widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)


class QuickAssessmentForm(forms.Form):
    """One level (and feedback) on one target for one piece of evidence, from a worklist."""

    value = forms.ChoiceField(label="Level", error_messages={"required": "Choose a level."})
    kind = forms.ChoiceField(
        label="Kind", choices=KIND_CHOICES, initial=AssessmentKind.SUMMATIVE, required=False
    )
    feedback = forms.CharField(label="Feedback", required=False, max_length=4000)

    def __init__(self, *args, levels=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = level_choices(levels, blank="—")

    def clean_kind(self):
        return self.cleaned_data.get("kind") or AssessmentKind.SUMMATIVE
