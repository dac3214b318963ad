from django import forms

from credo.api.models import Scope


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What is it for?",
        max_length=100,
        help_text="For example “Gradebook sync” — so you recognise it later.",
    )
    scopes = forms.MultipleChoiceField(
        label="Scopes", choices=Scope.choices, widget=forms.CheckboxSelectMultiple
    )
    days = forms.IntegerField(label="Valid for (days)", initial=90, min_value=1, max_value=366)

    def __init__(self, *args, allowed: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(v, label) for v, label in Scope.choices if v in allowed]
        self.fields["scopes"].initial = ["read"]
