"""Forms a student uses: evidence, sharing, peer feedback, a credit-review request, their story."""

from django import forms
from django.utils.translation import gettext_lazy as _

from credo.core.forms import UploadField
from credo.core.limits import LONG_TEXT_LIMIT, TEXT_LIMIT
from credo.evidence.models import EvidenceKind
from credo.mastery.models import ReviewFormat
from credo.web.forms.base import DatedForm, ModelMultiChoice, date_field

# The choices a student meets, in their language (the models' labels stay the school's words: they
# go into published documents).
KIND_WORDS = {
    EvidenceKind.FILE: _("File"),
    EvidenceKind.LINK: _("Link"),
    EvidenceKind.TEXT: _("Text or reflection"),
    EvidenceKind.OBSERVATION: _("Observation"),
}
STUDENT_KINDS = [(k, KIND_WORDS[k]) for k in EvidenceKind if k != EvidenceKind.OBSERVATION]
FORMAT_WORDS = [
    (ReviewFormat.PORTFOLIO, _("Portfolio review")),
    (ReviewFormat.EXHIBITION, _("Exhibition")),
    (ReviewFormat.DEFENSE, _("Defense")),
    (ReviewFormat.PITCH, _("Committee pitch")),
]


class EvidenceForm(DatedForm):
    kind = forms.ChoiceField(
        label=_("What are you adding?"),
        choices=STUDENT_KINDS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what kind of evidence this is.")},
    )
    title = forms.CharField(
        label=_("Title"), max_length=200, error_messages={"required": _("Give your work a title.")}
    )
    file = UploadField(
        label=_("File"),
        required=False,
        help_text=_("PDF, office document, plain text, image, audio or video."),
    )
    url = forms.URLField(
        label=_("Link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        error_messages={"invalid": _("Give a full web address, starting with https://.")},
    )
    body = forms.CharField(
        label=_("Text or reflection"),
        required=False,
        max_length=LONG_TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What you did, what you learned, what you would do differently."),
    )
    demonstrated_on = date_field(_("When did you do it?"))
    section = forms.ModelChoiceField(
        queryset=None,
        required=False,
        label=_("From a section"),
        empty_label=_("— not from a section —"),
    )
    outside_school = forms.BooleanField(label=_("Done outside school"), required=False)
    vouched_by = forms.CharField(
        label=_("Who can vouch for it"),
        required=False,
        max_length=200,
        help_text=_("For work outside school: a coach, employer, mentor… and how to reach them."),
    )
    competencies = ModelMultiChoice(
        queryset=None,
        label=_("Competencies it shows"),
        label_from=lambda c: f"{c.code} — {c.statement[:90]}",
    )
    credits = ModelMultiChoice(
        queryset=None,
        label=_("Put it forward for these credits"),
        label_from=lambda c: f"{c.title} ({c.get_level_display().lower()})",
    )
    shared_with_peers = forms.BooleanField(
        label=_("Share with classmates for peer feedback"), required=False
    )
    highlighted = forms.BooleanField(
        label=_("Highlight it on my transcript (once an educator approves it)"), required=False
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
        # Long lists are grouped: competencies by framework (and domain), credits by area.
        self.fields["competencies"].group_by = lambda c: (
            f"{c.framework.name} — {c.parent.statement[:60]}" if c.parent_id else c.framework.name
        )
        self.fields["credits"].group_by = lambda c: c.area.name
        if staff:
            self.fields["kind"].choices = list(KIND_WORDS.items())
            self.fields["kind"].label = "Kind of evidence"


class SharingForm(forms.Form):
    shared_with_peers = forms.BooleanField(label=_("Shared with classmates"), required=False)
    highlighted = forms.BooleanField(label=_("Highlighted on my transcript"), required=False)


class PeerFeedbackForm(forms.Form):
    body = forms.CharField(
        label=_("Your feedback"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Kind, specific, helpful: what works, and one thing to try."),
        error_messages={"required": _("Write your feedback.")},
    )


class ReviewRequestForm(forms.Form):
    statement = forms.CharField(
        label=_("Your case for the credit"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("How your evidence meets the credit's standard."),
        error_messages={"required": _("Explain how your evidence meets the standard.")},
    )
    format = forms.ChoiceField(
        label=_("How you would like to present it"),
        choices=FORMAT_WORDS,
        widget=forms.RadioSelect,
        initial=ReviewFormat.PORTFOLIO,
    )
    evidence = ModelMultiChoice(
        queryset=None,
        label=_("Evidence for the panel"),
        label_from=lambda e: f"{e.title} ({e.demonstrated_on:%Y-%m-%d})",
        error_messages={"required": _("Choose at least one piece of evidence.")},
    )

    override_reason = forms.CharField(
        label=_("Why review it before the requirement is met"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Only an admin or registrar may request a review early, and must say why."),
    )

    def __init__(self, *args, evidence=None, suggested=(), may_override=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["evidence"].queryset = evidence
        suggested = set(suggested)
        self.fields["evidence"].group_by = lambda e: (
            _("Tagged to this credit or its competencies")
            if e.pk in suggested
            else _("Your other evidence")
        )
        self.fields["evidence"].required = True
        if not may_override:
            del self.fields["override_reason"]


class StoryForm(forms.Form):
    body = forms.CharField(
        label=_("My story"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 14}),
        max_length=6000,
        help_text=_(
            "In your own words: who you are as a learner, what you care about, what you "
            "are proud of. About a page."
        ),
    )


class JudgmentForm(forms.Form):
    """A teacher's professional judgment of a student's level on a target."""

    value = forms.ChoiceField(label="Level you judge the student to be at", choices=())
    reason = forms.CharField(
        label="Why your judgment differs from the calculated level",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"required": "Say why your judgment differs from the calculated level."},
    )

    def __init__(self, *args, levels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["value"].choices = levels


class JudgmentWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Why the judgment is withdrawn",
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        error_messages={"required": "Say why the judgment is withdrawn."},
    )
