"""Form fields every app shares for hostile-input limits (core/limits.py)."""

from django import forms
from django.conf import settings
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from credo.core.limits import check_upload


class UploadField(forms.FileField):
    """A file field that refuses a file over the one upload cap (`CREDO_MAX_UPLOAD_MB`)."""

    def __init__(self, *args, **kwargs):
        given = kwargs.get("help_text")  # may be a lazy translation: joined when shown
        cap = format_lazy(_("Uploads are limited to {mb} MB."), mb=settings.CREDO_MAX_UPLOAD_MB)
        kwargs["help_text"] = format_lazy("{} {}", given, cap) if given else cap
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        if value:
            try:
                check_upload(value)
            except forms.ValidationError as exc:
                raise forms.ValidationError(exc.message_dict["file"]) from None
