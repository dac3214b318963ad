"""The setup form of an identity provider, and the students' password switch."""

from django import forms

from credo.sso.models import Preset

METADATA_MAX_BYTES = 512 * 1024


class ProviderForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        help_text="Shown on the sign-in button: “Sign in with …”, e.g. Riverside Google.",
    )
    preset = forms.ChoiceField(label="Kind", choices=Preset.choices)
    domains = forms.CharField(
        label="E-mail domains",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="The domains of the addresses it signs in, one per line (e.g. riverside.org). "
        "An address elsewhere is never matched to anyone.",
    )
    issuer = forms.CharField(
        required=False,
        max_length=400,
        label="Issuer (OpenID Connect)",
        help_text="Google Workspace: leave empty. Entra ID: "
        "https://login.microsoftonline.com/<tenant id>/v2.0. Others: the address their "
        "documentation names as the issuer.",
    )
    client_id = forms.CharField(required=False, max_length=255, label="Client id (OpenID Connect)")
    client_secret = forms.CharField(
        required=False,
        max_length=1000,
        label="Client secret (OpenID Connect)",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Kept sealed. Leave empty to keep the one already saved.",
    )
    metadata_url = forms.CharField(required=False, max_length=400, label="Metadata address (SAML)")
    metadata_file = forms.FileField(
        required=False,
        label="Or the metadata file (SAML)",
        help_text="The XML file your IdP gives for a new application.",
    )
    sourced_id_claim = forms.CharField(
        required=False,
        max_length=255,
        label="Roster identifier claim (optional)",
        help_text="The claim or attribute that carries the person's OneRoster sourcedId, when "
        "the provider sends it; matched before the e-mail address.",
    )
    enabled = forms.BooleanField(required=False, initial=True, label="Offer this sign-in")

    def clean_metadata_file(self):
        upload = self.cleaned_data.get("metadata_file")
        if not upload:
            return ""
        if upload.size > METADATA_MAX_BYTES:
            raise forms.ValidationError("A metadata file is at most 512 KB.")
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError as error:
            raise forms.ValidationError("The metadata file is not UTF-8 text (XML).") from error


class PasswordSwitchForm(forms.Form):
    students_password_signin = forms.BooleanField(
        required=False,
        label="Students may also sign in with a password",
        help_text="Off: students sign in only with the school's accounts. Staff and guardians "
        "keep their passwords and sign-in links.",
    )
