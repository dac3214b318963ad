"""Forms a student uses: evidence, sharing, peer feedback, a credit-review request, their story."""

from django import forms

from credo.evidence.models import EvidenceKind
from credo.mastery.models import ReviewFormat
from credo.web.forms.base import DatedForm, ModelMultiChoice, date_field

STUDENT_KINDS = [(k, lbl) for k, lbl in EvidenceKind.choices if k != EvidenceKind.OBSERVATION]


class EvidenceForm(DatedForm):
    kind = forms.ChoiceField(
        label="What are you adding?",
        choices=STUDENT_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of evidence this is."},
    )
    title = forms.CharField(
        label="Title", max_length=200, error_messages={"required": "Give your work a title."}
    )
    file = forms.FileField(label="File", required=False, help_text="Up to 10 MB.")
    url = forms.URLField(
        label="Link",
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": "Give a full web address, starting with https://."},
    )
    body = forms.CharField(
        label="Text or reflection",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="What you did, what you learned, what you would do differently.",
    )
    demonstrated_on = date_field("When did you do it?")
    section = forms.ModelChoiceField(
        queryset=None, required=False, label="From a section", empty_label="— not from a section —"
    )
    outside_school = forms.BooleanField(label="Done outside school", required=False)
    vouched_by = forms.CharField(
        label="Who can vouch for it",
        required=False,
        max_length=200,
        help_text="For work outside school: a coach, employer, mentor… and how to reach them.",
    )
    competencies = ModelMultiChoice(
        queryset=None,
        label="Competencies it shows",
        label_from=lambda c: f"{c.code} — {c.statement[:90]}",
    )
    credits = ModelMultiChoice(
        queryset=None,
        label="Put it forward for these credits",
        label_from=lambda c: f"{c.title} ({c.get_level_display().lower()})",
    )
    shared_with_peers = forms.BooleanField(
        label="Share with classmates for peer feedback", required=False
    )
    highlighted = forms.BooleanField(
        label="Highlight it on my transcript (once an educator approves it)", required=False
    )

    def __init__(
        self, *args, sections=None, competencies=None, credits=None, staff=False, **kwargs
    ):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = sections
        self.fields["section"].label_from_instance = lambda s: (
            f"{s.experience.title} · {s.name} ({s.term.name})"
        )
        self.fields["competencies"].queryset = competencies
        self.fields["credits"].queryset = credits
        if staff:
            self.fields["kind"].choices = EvidenceKind.choices
            self.fields["kind"].label = "Kind of evidence"


class SharingForm(forms.Form):
    shared_with_peers = forms.BooleanField(label="Shared with classmates", required=False)
    highlighted = forms.BooleanField(label="Highlighted on my transcript", required=False)


class PeerFeedbackForm(forms.Form):
    body = forms.CharField(
        label="Your feedback",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text="Kind, specific, helpful: what works, and one thing to try.",
        error_messages={"required": "Write your feedback."},
    )


class ReviewRequestForm(forms.Form):
    statement = forms.CharField(
        label="Your case for the credit",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="How your evidence meets the credit's standard.",
        error_messages={"required": "Explain how your evidence meets the standard."},
    )
    format = forms.ChoiceField(
        label="How you would like to present it",
        choices=ReviewFormat.choices,
        widget=forms.RadioSelect,
        initial=ReviewFormat.PORTFOLIO,
    )
    evidence = ModelMultiChoice(
        queryset=None,
        label="Evidence for the panel",
        label_from=lambda e: f"{e.title} ({e.demonstrated_on:%Y-%m-%d})",
        error_messages={"required": "Choose at least one piece of evidence."},
    )

    def __init__(self, *args, evidence=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = evidence
        self.fields["evidence"].required = True


class StoryForm(forms.Form):
    body = forms.CharField(
        label="My story",
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=6000,
        help_text="In your own words: who you are as a learner, what you care about, what you "
        "are proud of. About a page.",
    )
