"""Form fields every app shares for hostile-input limits (core/limits.py)."""

from django import forms

from credo.core.limits import check_upload, upload_cap_message


class UploadField(forms.FileField):
    """A file field that refuses a file over the one upload cap (`CREDO_MAX_UPLOAD_MB`)."""

    def __init__(self, *args, **kwargs):
        kwargs["help_text"] = " ".join(
            filter(None, [kwargs.get("help_text"), upload_cap_message()])
        )
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value:
            try:
                check_upload(value)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["file"]) from None
