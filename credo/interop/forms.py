from django import forms

from credo.core.forms import UploadField
from credo.interop.models import ImportKind


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="What the file holds", choices=ImportKind.choices)
    file = UploadField(
        label="File",
        help_text="OneRoster: the zip of CSV files. CASE: the CFPackage JSON. "
        "Canvas and scores: the CSV file.",
    )
    framework = forms.CharField(
        label="Framework name (Canvas outcomes only)",
        required=False,
        max_length=200,
        help_text="The framework the outcomes go into; made if it does not exist. "
        "Blank: named after the file.",
    )
