"""Forms of credit reviews: scheduling and seating a panel, inviting an outside expert, deciding."""

from django import forms
from django.utils.translation import gettext_lazy as _

from credo.mastery.models import Decision
from credo.web.forms.base import ModelMultiChoice, datetime_field


class ScheduleForm(forms.Form):
    scheduled_at = datetime_field(
        _("When"),
        required=False,
        help_text=_("Leave blank for a portfolio read without a meeting."),
    )
    location = forms.CharField(label=_("Where"), required=False, max_length=200)
    panel_users = ModelMultiChoice(
        queryset=None, label=_("Staff on the panel"), label_from=lambda u: str(u)
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["panel_users"].queryset = people


class GuestForm(forms.Form):
    guest_name = forms.CharField(
        label=_("Name"), max_length=150, error_messages={"required": _("Give the expert's name.")}
    )
    guest_email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("Their invitation link is e-mailed here."),
        error_messages={
            "required": _("Give the expert's e-mail address: their invitation is sent there."),
            "invalid": _("Give a valid e-mail address."),
        },
    )
    guest_expertise = forms.CharField(
        label=_("Expertise"),
        required=False,
        max_length=200,
        help_text=_("E.g. “structural engineer, city transit agency”."),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Your vote"),
        choices=[(Decision.AWARD, _("Award the credit")), (Decision.NOT_YET, _("Not yet"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose to award the credit or “not yet”.")},
    )
    feedback = forms.CharField(
        label=_("Feedback for the student"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=6000,
        help_text=_("What the evidence shows, and — for “not yet” — what to work on."),
        error_messages={"required": _("Write feedback for the student.")},
    )
