"""Widgets and fields every form shares."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DatedForm(forms.Form):
    """A form whose `demonstrated_on` starts at `today` (the school's today), else the local date."""

    def __init__(self, *args, today=None, **kwargs):
        from django.utils import timezone

        kwargs.setdefault("initial", {}).setdefault(
            "demonstrated_on", today or timezone.localdate()
        )
        super().__init__(*args, **kwargs)


def date_field(label: str, **kwargs) -> forms.DateField:
    kwargs.setdefault(
        "error_messages",
        {"required": _("Give the date."), "invalid": _("Give a date like 2025-10-31.")},
    )
    return forms.DateField(label=label, widget=DateInput(), **kwargs)


def datetime_field(label: str, **kwargs) -> forms.DateTimeField:
    kwargs.setdefault(
        "error_messages", {"invalid": _("Give a date and time like 2025-10-31 14:30.")}
    )
    return forms.DateTimeField(
        label=label,
        widget=DateTimeInput(),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
        **kwargs,
    )


def level_choices(levels, *, blank: str | None = None) -> list[tuple[str, str]]:
    """Return choices for the values of a scale: "3 · Proficient"."""
    from credo.web.templatetags.credo_web import level

    choices = [("", blank)] if blank is not None else []
    return choices + [(level(lv.value), f"{level(lv.value)} · {lv.label}") for lv in levels]


class ModelChoice(forms.ModelChoiceField):
    """A model choice labelled by a function."""

    def __init__(self, queryset, *, label_from=str, **kwargs):
        self._label_from = label_from
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, obj):
        return self._label_from(obj)


class ModelMultiChoice(forms.ModelMultipleChoiceField):
    def __init__(self, queryset, *, label_from=str, **kwargs):
        self._label_from = label_from
        kwargs.setdefault("widget", forms.CheckboxSelectMultiple)
        kwargs.setdefault("required", False)
        super().__init__(queryset, **kwargs)

    def label_from_instance(self, obj):
        return self._label_from(obj)
