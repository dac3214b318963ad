"""Template helpers for Credo's pages: accessible form fields and small formatting filters."""

from decimal import Decimal

from django import forms, template
from django.utils.html import format_html

register = template.Library()

MULTI_WIDGETS = (forms.CheckboxSelectMultiple, forms.RadioSelect)


@register.inclusion_tag("web/_field.html")
def field(bound, label=None, hide_label=False):
    """Render a field with its label, help and errors beside it, wired for screen readers:
    the input names its help and error text (aria-describedby) and says when it is invalid."""
    widget = bound.field.widget
    ident = bound.auto_id or f"id_{bound.html_name}"
    described = []
    if bound.help_text:
        described.append(f"{ident}-help")
    if bound.errors:
        described.append(f"{ident}-error")
    attrs = {}
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if bound.errors:
        attrs["aria-invalid"] = "true"
    return {
        "bound": bound,
        "id": ident,
        "label": label or bound.label,
        "hide_label": hide_label,
        "widget": bound.as_widget(attrs=attrs),
        "multi": isinstance(widget, MULTI_WIDGETS),
        "checkbox": isinstance(widget, forms.CheckboxInput),
        "required": bound.field.required and not isinstance(widget, forms.CheckboxInput),
    }


@register.inclusion_tag("web/_errors.html")
def form_errors(form):
    """Render the errors that belong to no single field, announced when the form comes back."""
    return {"form": form}


@register.filter
def level(value):
    """Show a score without trailing zeros: 3.00 → 3, 2.50 → 2.5."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        normal = value.normalize()
        return (
            f"{normal:f}"
            if normal == normal.to_integral_value() or -normal.as_tuple().exponent <= 2
            else str(value)
        )
    return value


@register.simple_tag
def trend_arrow(trend):
    arrows = {"up": "↑", "down": "↓", "flat": "→"}
    if trend not in arrows:
        return ""
    words = {"up": "rising", "down": "falling", "flat": "steady"}
    return format_html(
        '<span class="trend {}" aria-hidden="true">{}</span><span class="sr-only"> {}</span>',
        trend,
        arrows[trend],
        words[trend],
    )


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None
