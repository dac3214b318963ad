"""Forms of the journey pages. They check shape; the services check meaning and rights."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from credo.journey.models import ActionStatus, Level, Status, TeamRole

STATUS_CHOICES = Status.choices


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError beside the fields it names (or above the form)."""
    if hasattr(error, "error_dict"):
        for name, messages in error.message_dict.items():
            form.add_error(name if name in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


class ConsensusForm(forms.Form):
    code = forms.CharField(widget=forms.HiddenInput)
    status = forms.ChoiceField(label="Agreed rating", choices=STATUS_CHOICES)
    note = forms.CharField(label="Why", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EvidenceForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    url = forms.URLField(label="Link", required=False, assume_scheme="https")
    file = forms.FileField(label="or a file", required=False)

    def __init__(self, *args, **kwargs):
        # Its own ids: the competency page also holds the action form, which has a title too.
        kwargs.setdefault("auto_id", "id_evidence_%s")
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if not self.errors and bool(data.get("url")) == bool(data.get("file")):
            raise ValidationError("Give either a link or a file.")
        return data


class ActionForm(forms.Form):
    competency = forms.ChoiceField(label="Competency")
    title = forms.CharField(label="What will be done", max_length=200)
    owner = forms.ChoiceField(label="Owner", required=False)
    due_on = forms.DateField(
        label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, competencies=(), team=(), fixed_code: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competency"].choices = [(c.code, f"{c.code} {c.title}") for c in competencies]
        if fixed_code:
            self.fields["competency"].widget = forms.HiddenInput()
            self.fields["competency"].initial = fixed_code
        self.fields["owner"].choices = [("", "— nobody yet —")] + [
            (str(m.user_id), str(m.user)) for m in team
        ]


class ActionUpdateForm(forms.Form):
    status = forms.ChoiceField(label="Status", choices=ActionStatus.choices)
    owner = forms.ChoiceField(label="Owner", required=False)
    due_on = forms.DateField(
        label="Due", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, team=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "— nobody yet —")] + [
            (str(m.user_id), str(m.user)) for m in team
        ]


class SnapshotForm(forms.Form):
    label = forms.CharField(
        label="Name", max_length=120, required=False, help_text="Blank: the current term's name."
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TeamAddForm(forms.Form):
    user = forms.ChoiceField(label="Staff member")
    role = forms.ChoiceField(label="Team role", choices=TeamRole.choices, initial=TeamRole.MEMBER)
    position = forms.CharField(label="Position", max_length=120, required=False)

    def __init__(self, *args, candidates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(str(u.pk), str(u)) for u in candidates]


class TeamMemberForm(forms.Form):
    role = forms.ChoiceField(label="Team role", choices=TeamRole.choices)
    position = forms.CharField(label="Position", max_length=120, required=False)


class VersionMoveForm(forms.Form):
    framework = forms.ChoiceField(label="Version")

    def __init__(self, *args, frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].choices = [
            (str(f.pk), f"{f.title} {f.version}") for f in frameworks
        ]


class AdaptForm(forms.Form):
    base = forms.ChoiceField(label="Start from")
    version = forms.CharField(label="Name of the new version", max_length=60)

    def __init__(self, *args, frameworks=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].choices = [(str(f.pk), f"{f.title} {f.version}") for f in frameworks]


class DomainEditForm(forms.Form):
    name = forms.CharField(label="Name", max_length=120)
    guiding_question = forms.CharField(
        label="Guiding question", widget=forms.Textarea(attrs={"rows": 2})
    )
    deliverable_title = forms.CharField(label="Deliverable", max_length=120)
    deliverable = forms.CharField(
        label="What the deliverable is", widget=forms.Textarea(attrs={"rows": 2})
    )


class CompetencyEditForm(forms.Form):
    title = forms.CharField(label="Title", max_length=200)
    level = forms.ChoiceField(label="Level", choices=Level.choices)
    description = forms.CharField(label="Description", widget=forms.Textarea(attrs={"rows": 3}))
