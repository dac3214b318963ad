"""Forms for the transcript pages. Services validate; forms parse and show messages by the field."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone

from credo.transcripts.services import DEFAULT_LINK_DAYS


class PublishForm(forms.Form):
    note = forms.CharField(
        max_length=200,
        required=False,
        label="Note (optional)",
        help_text="For the school's records, e.g. “after spring exhibitions”.",
    )


class CohortPublishForm(forms.Form):
    cohort = forms.TypedChoiceField(coerce=int, label="Class of")
    render_pdf = forms.BooleanField(required=False, initial=True, label="Also prepare each PDF now")
    note = forms.CharField(max_length=200, required=False, label="Note (optional)")

    def __init__(self, *args, cohorts=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cohort"].choices = [(c, str(c)) for c in cohorts]


class ShareForm(forms.Form):
    recipient = forms.CharField(
        max_length=200,
        label="Who is it for?",
        help_text=(
            "For example the college or program's name. The reader sees it at the top of the "
            "page; you see it in your list of links."
        ),
    )
    expires_on = forms.DateField(
        label="Works until (last day)", widget=forms.DateInput(attrs={"type": "date"})
    )
    version = forms.TypedChoiceField(coerce=int, label="Version")

    def __init__(self, *args, versions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].choices = [
            (v.pk, f"Version {v.number}, {v.published_at:%-d %B %Y}" + ("" if i else " (current)"))
            for i, v in enumerate(versions)
        ]
        self.fields["expires_on"].initial = timezone.localdate() + dt.timedelta(
            days=DEFAULT_LINK_DAYS
        )

    def clean_expires_on(self):
        # Said here too (the service checks it again) so that it shows beside a missing
        # recipient instead of after the recipient is fixed.
        expires_on = self.cleaned_data["expires_on"]
        if expires_on < timezone.localdate():
            raise forms.ValidationError("Choose a day from today on.")
        return expires_on


class CommentForm(forms.Form):
    credit = forms.TypedChoiceField(coerce=int, label="Credit")
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Comment for readers of the transcript",
        max_length=4000,
    )

    def __init__(self, *args, credits=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["credit"].choices = [
            (c.pk, f"{c.title} ({c.get_level_display().lower()})") for c in credits
        ]


class PolicyForm(forms.Form):
    include_courses = forms.BooleanField(
        required=False, label="List the courses and experiences each student completed"
    )


class ContactForm(forms.Form):
    """Parsed here, checked by `services.school_contact_save`."""

    school_code = forms.CharField(
        max_length=20,
        required=False,
        label="School code (CEEB)",
        help_text="The code admissions offices file the school under; a CEEB code has six digits.",
    )
    counselor_name = forms.CharField(max_length=120, required=False, label="Counselor's name")
    counselor_email = forms.CharField(max_length=254, required=False, label="Counselor's e-mail")
    counselor_phone = forms.CharField(max_length=40, required=False, label="Counselor's telephone")


class GradeTableForm(forms.Form):
    name = forms.CharField(
        max_length=120, label="Name", help_text="For example “Athletics eligibility”."
    )
    purpose = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why the school reports grades, and to whom",
    )

    ROWS = 8

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(self.ROWS):
            for name, label, extra in (
                ("min", "from level", {"inputmode": "decimal"}),
                ("label", "grade", {}),
                ("points", "points", {"inputmode": "decimal"}),
            ):
                words = f"Row {i + 1}: {label}"
                self.fields[f"{name}_{i}"] = forms.CharField(
                    required=False,
                    max_length=20,
                    label=words,
                    widget=forms.TextInput(attrs={"aria-label": words, **extra}),
                )

    def bands(self) -> list[tuple[str, str, str]]:
        d = self.cleaned_data
        return [
            (d.get(f"min_{i}", ""), d.get(f"label_{i}", ""), d.get(f"points_{i}", ""))
            for i in range(self.ROWS)
        ]

    def rows(self):
        return [
            (self[f"min_{i}"], self[f"label_{i}"], self[f"points_{i}"]) for i in range(self.ROWS)
        ]


class LetterForm(forms.Form):
    recipient = forms.CharField(
        max_length=200,
        label="Addressed to",
        help_text="The eligibility body or scholarship programme, e.g. “NCAA Eligibility Center”.",
        error_messages={
            "required": "Name the body or programme the letter is for.",
            "max_length": "Keep the name to %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    purpose = forms.CharField(
        max_length=300,
        label="Purpose",
        help_text="What they asked for, e.g. “initial academic eligibility” or “merit award”.",
        error_messages={
            "required": "Say what the letter is for.",
            "max_length": "Keep the purpose to %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    include_grades = forms.BooleanField(
        required=False,
        label="The recipient requires grades: add each area's mapped grade beside the credits",
    )
