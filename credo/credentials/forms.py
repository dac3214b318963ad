from django import forms

from credo.credentials.verification import MAX_DOCUMENT_BYTES


class VerifyForm(forms.Form):
    """A credential to verify: a file, pasted JSON, or a link to this installation."""

    file = forms.FileField(
        label="Credential file",
        required=False,
        help_text="The .json file of an Open Badges 3.0 or CLR 2.0 credential.",
    )
    text = forms.CharField(
        label="Or paste the credential",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
    )
    link = forms.CharField(
        label="Or give a link to a transcript shared from this site",
        required=False,
        max_length=500,
        help_text="A share link (…/t/…) or a verification link (…/v/…). Nothing is fetched "
        "from other sites.",
    )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if upload is not None and upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(
                f"That file is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB; a credential "
                "is much smaller."
            )
        return upload

    def clean(self):
        data = super().clean()
        given = [name for name in ("file", "text", "link") if data.get(name)]
        if not given and not self.errors:
            raise forms.ValidationError("Choose a file, paste a credential or give a link.")
        if len(given) > 1:
            raise forms.ValidationError("Give one credential at a time: a file, a paste or a link.")
        return data


class RotateKeyForm(forms.Form):
    reason = forms.CharField(
        label="Why rotate the key?",
        required=False,
        max_length=200,
        help_text="For the record, e.g. “yearly rotation” or “laptop with a backup was lost”.",
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Shown to whoever verifies the credential.",
    )
