"""Template helpers for Credo's pages: accessible form fields and small formatting filters."""

import html
import re
from decimal import Decimal

from django import forms, template
from django.urls import reverse
from django.utils import formats
from django.utils.html import format_html
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from credo.mastery.models import MasteryStatus

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


@register.inclusion_tag("web/_choice_groups.html")
def choice_groups(bound, label=None):
    """Render a long list of checkboxes as fieldsets, one per group with its legend, and a filter
    box (shown by credo.js). The field's `group_by` names each object's group; groups keep the
    order of the choices."""
    group_of = getattr(bound.field, "group_by", None) or (lambda obj: "")
    groups: dict[str, list] = {}
    for choice in bound.subwidgets:
        value = choice.data["value"]
        groups.setdefault(group_of(getattr(value, "instance", value)), []).append(choice)
    ident = bound.auto_id or f"id_{bound.html_name}"
    described = [f"{ident}-help"] if bound.help_text else []
    if bound.errors:
        described.append(f"{ident}-error")
    return {
        "bound": bound,
        "id": ident,
        "label": label or bound.label,
        "groups": list(groups.items()),
        "described": " ".join(described),
        "required": bound.field.required,
        "count": sum(len(choices) for choices in groups.values()),
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


_ARROWS = {
    trend: mark_safe(  # noqa: S308 -- fixed text
        f'<span class="trend {trend}" aria-hidden="true">{arrow}</span>'
        f'<span class="sr-only"> {word}</span>'
    )
    for trend, arrow, word in (
        ("up", "↑", "rising"),
        ("down", "↓", "falling"),
        ("flat", "→", "steady"),
    )
}


@register.simple_tag
def trend_arrow(trend):
    """Return the arrow of a trend ("up", "down", "flat") with its word for screen readers."""
    return _ARROWS.get(trend, "")


@register.filter
def get(mapping, key):
    try:
        return mapping.get(key)
    except AttributeError:
        return None


_CELL_COUNT = '<small class="n" aria-hidden="true">{}</small>'
_STATUS_LABELS = dict(MasteryStatus.choices)


@register.simple_tag(takes_context=True)
def gradebook_cell(context, cell, selected=False, oob=False):
    """Render one gradebook cell (`<td>`): the level, trend and evidence count, opening the cell.

    Built in Python rather than included as a template: a class of 30 on 20 targets is 600 cells,
    and the include with its two `{% url %}` tags was most of the gradebook's time. The cell URL
    is reversed once per page and completed with the two ids.
    """
    school, section = context["school"], context["section"]
    key = ("gradebook_cell_url", school.slug, section.pk)
    prefix = context.render_context.get(key)
    if prefix is None:
        prefix = reverse("web:cell", args=[school.slug, section.pk, 0, 0])[: -len("0/0/")]
        context.render_context[key] = prefix
    url = _text(f"{prefix}{cell.student_id}/{cell.competency_id}/")
    summary = _text(cell.summary)
    count = _CELL_COUNT.format(cell.count)
    if cell.score is not None:
        inner = (
            f'<span class="lvl">{_text(level(cell.score))}</span>{trend_arrow(cell.trend)}'
            + count
            + f'<span class="sr-only"> {_text(_STATUS_LABELS.get(cell.state.status, cell.state.status))}: {summary}</span>'
        )
    elif cell.live_count:
        # No level yet (n-mastery short of n, formative only): say what the student has.
        inner = (
            f'<span class="lvl">({_text(level(cell.latest))})</span>'
            + count
            + f'<span class="sr-only"> {summary}</span>'
        )
    else:
        inner = '<span aria-hidden="true" class="muted">·</span><span class="sr-only">no evidence yet</span>'
    classes = f"cell {_text(cell.status)}" + (" selected" if selected else "")
    swap = ' hx-swap-oob="true"' if oob else ""
    s_id, c_id = int(cell.student_id), int(cell.competency_id)
    if context.get("as_of"):  # a past day: read-only, nothing to open or record
        return mark_safe(  # noqa: S308 -- every value above is escaped or a number
            f'<td id="cell-{s_id}-{c_id}" class="{classes}" title="{summary}">{inner}</td>\n'
        )
    return mark_safe(  # noqa: S308 -- every value above is escaped or a number
        f'<td id="cell-{s_id}-{c_id}" class="{classes}" data-s="{s_id}" data-c="{c_id}"{swap}>'
        f'<a href="{url}" hx-get="{url}" hx-target="#cell-panel" hx-swap="innerHTML" '
        f'title="{summary}">{inner}</a></td>\n'
    )


def _text(value) -> str:
    """Show `value` as `{{ value }}` would: escaped (as Django's `escape` does), empty for None.

    Django's `conditional_escape` goes through a lazy-string wrapper on every call; on pages
    with thousands of values that wrapper alone was a tenth of the time.
    """
    if value is None:
        return ""
    if isinstance(value, SafeData):
        return str(value)
    return html.escape(str(value))


def _row_words(context) -> dict:
    """The words every row of a student's dashboard repeats, translated once a page (a senior has
    a hundred rows; five lookups a row were a tenth of the page's time)."""
    words = context.render_context.get("explained_row_words")
    if words is None:
        words = context.render_context["explained_row_words"] = {
            "status": {value: _(label) for value, label in MasteryStatus.choices},
            "counted_of": _("%(counted)s counted of %(total)s"),
            "counted": _("%(counted)s counted"),
            "how": _text(_("How")),
            "was_computed": _("%(code)s was computed"),
            "how_computed": _("How %(code)s was computed"),
        }
    return words


@register.simple_tag(takes_context=True)
def explained_row(context, e):
    """Render one competency of a student's dashboard (`<tr>`): level, status, the number of
    assessments, and a "How" that fetches the method, the assessments and the arithmetic when it
    is opened (a senior has a hundred competencies and hundreds of assessments; the page would
    otherwise carry them all). Without script, "How" holds a link to the same explanation."""
    state, comp = e.state, e.competency
    words = _row_words(context)
    if state is None:
        score, status, status_label, counted, total = level(None), "", "", "", ""
    else:
        score, status = level(state.score), state.status
        status_label = words["status"].get(status, status)
        counted, total = state.counted_count, state.assessment_count
    counted_words = (
        words["counted_of"] % {"counted": counted, "total": total}
        if total != counted
        else words["counted"] % {"counted": counted}
    )
    code = _text(comp.code)
    if context.get("as_of"):  # a past day: the explanation (today's history) is on today's page
        return mark_safe(  # noqa: S308 -- every value above is escaped or a number
            f'<tr>\n  <th scope="row"><span class="code">{code}</span> {_text(comp.statement)}</th>\n'
            f"  <td>{_text(score)}</td>\n"
            f'  <td><span class="badge {_text(status)}">{_text(status_label)}</span></td>\n'
            f'  <td>{_text(counted_words)}</td>\n  <td aria-hidden="true">—</td>\n</tr>\n'
        )
    # One reverse() a page, not one a row: the rows differ only in the competency's id.
    pattern = context.render_context.get("how_url")
    if pattern is None:
        pattern = context.render_context["how_url"] = reverse(
            "web:competency_how", args=[context["school"].slug, context["student"].pk, 0]
        ).replace("/0/how/", "/{}/how/")
    url = pattern.format(int(comp.pk))
    how = words["how"]
    was_computed = _text(words["was_computed"] % {"code": comp.code})
    how_computed = _text(words["how_computed"] % {"code": comp.code})
    return mark_safe(  # noqa: S308 -- every value above is escaped or a number
        f'<tr>\n  <th scope="row"><span class="code">{code}</span> {_text(comp.statement)}</th>\n'
        f"  <td>{_text(score)}</td>\n"
        f'  <td><span class="badge {_text(status)}">{_text(status_label)}</span></td>\n'
        f"  <td>{_text(counted_words)}</td>\n"
        f'  <td><details class="how" hx-get="{url}" hx-trigger="toggle once" '
        f'hx-target="find .how-body" hx-swap="innerHTML">'
        f'<summary>{how}<span class="sr-only"> {was_computed}</span></summary>\n'
        f'    <div class="how-body"><a href="{url}">{how_computed}</a></div>\n'
        "  </details></td>\n</tr>\n"
    )


# The assessment kinds as the explanation shows them (the model stores the lowercase codes).
_KINDS = (gettext_noop("formative"), gettext_noop("summative"))


def _local_level(value) -> str:
    """`level(value)` with the active language's decimal mark (2.5 → 2,5 in Spanish), as the
    arithmetic's steps write it."""
    shown = str(level(value))
    mark = str(formats.get_format("DECIMAL_SEPARATOR"))
    return shown.replace(".", mark) if mark != "." else shown


@register.simple_tag
def explanation(e):
    """Render how one competency's level was computed: the method, every assessment (those that
    do not count marked and said why) and the arithmetic, step by step."""
    history = []
    for r in e.rows:
        css = "void" if not r.live else ("uncounted" if not r.counted else "")
        day = r.demonstrated_on.isoformat() if r.demonstrated_on else ""
        task = f", {_text(r.task)}" if r.task else ""
        history.append(
            f'<li class="{css}">{day}: {_text(_local_level(r.value))} <span class="muted">'
            f"({_text(_(str(r.kind)))}{task}) — {_text(r.note)}</span></li>"
        )
    steps = "".join(f"<li>{_text(step)}</li>" for step in e.steps)
    mastery_at = _("Mastery at %(level)s.") % {"level": _local_level(e.threshold)}
    arithmetic = _text(_("Arithmetic"))
    return mark_safe(  # noqa: S308 -- every value above is escaped or a number
        f"<p><strong>{_text(e.method_label)}.</strong> {_text(e.method_sentence)} "
        f"{_text(mastery_at)}</p>\n"
        f'<ol class="history">{"".join(history)}</ol>\n'
        f"<p><strong>{arithmetic}</strong></p>\n"
        f'<ol class="steps">{steps}</ol>\n' + _judgments(e)
    )


def _judgments(e) -> str:
    """The teachers' professional judgments of this level, and whether one stands in place of the
    calculated level now."""
    judgments = getattr(e, "judgments", None)
    if not judgments:
        return ""
    items = []
    for j in judgments:
        day = j.judged_at.date().isoformat()
        who = str(j.judged_by) if j.judged_by else _("A teacher")
        if j.withdraws_id:
            what = _text(_("%(who)s withdrew the judgment") % {"who": who})
        else:
            what = _text(
                _("%(who)s judged the level to be %(level)s")
                % {"who": who, "level": _local_level(j.value)}
            )
        items.append(f'<li>{day}: {what} — <span class="muted">{_text(j.reason)}</span></li>')
    if e.judged is not None and e.judgment_counts:
        now = _text(
            _(
                "The current level is the teacher's judgment, %(level)s, in place of the "
                "calculated one above."
            )
            % {"level": _local_level(e.judged.value)}
        )
    elif e.judged is not None:
        now = _text(
            _("The school has switched professional judgment off: the calculated level stands.")
        )
    else:
        now = _text(_("No judgment stands now: the current level is the calculated one."))
    heading = _text(_("Professional judgment"))
    return (
        f"<p><strong>{heading}</strong></p>\n"
        f'<ol class="judgments">{"".join(items)}</ol>\n<p>{now}</p>\n'
    )


@register.simple_tag(takes_context=True)
def credit_line(context, c, advanced=False):
    """Render one credit of a student's dashboard (`<li>`): its status, date, competencies met, and
    the link to request a review where the viewer may and the credit needs one."""
    credit, status = c.credit, _text(c.status)
    title = _text(credit.title)
    advanced_word = _text(_("advanced"))
    level_note = f" <em>({advanced_word})</em>" if advanced else ""
    awarded = f' <span class="muted">{c.awarded_on.isoformat()}</span>' if c.awarded_on else ""
    if c.awarded_on and context.get("is_registrar"):
        url = reverse(
            "web:award_revoke", args=[context["school"].slug, context["student"].pk, credit.pk]
        )
        revoke = _text(_("Revoke…"))
        awarded += f' <a href="{_text(url)}">{revoke}<span class="sr-only"> {title}</span></a>'
    panel = " · " + _text(_("reviewed by a panel")) if credit.review_required else ""
    request = ""
    if context.get("can_act") and credit.review_required and c.status not in context["review_open"]:
        request_words = _("Request review")
        of_title = _("of %(title)s") % {"title": credit.title}
        url = reverse(
            "web:review_request", args=[context["school"].slug, context["student"].pk, credit.pk]
        )
        request = (
            f'<a href="{_text(url)}">{_text(request_words)}'
            f'<span class="sr-only"> {_text(of_title)}</span></a>'
        )
    status_label = _text(_(str(c.status_label)))
    competencies = _text(_("competencies"))
    return mark_safe(  # noqa: S308 -- every value above is escaped or a number
        f'<li class="credit{" advanced" if advanced else ""} {status}">'
        f'<span class="title">{title}{level_note}</span>\n'
        f'  <span class="badge {status}">{status_label}</span>{awarded}\n'
        f'  <span class="muted">{_text(c.proficient_count)}/{_text(c.item_count)} '
        f"{competencies}{panel}</span>\n"
        f"  {request}</li>\n"
    )


_COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}")


@register.simple_tag
def area_colour(colour, inline=False):
    """Return the attribute that gives an element its area colour (the CSS variable `--area`).

    Pages served to browsers carry it as `data-area` and credo.js sets the variable, because the
    Content-Security-Policy refuses inline `style` attributes. Documents that are not served
    under that policy (the PDF's HTML, the standalone export) take `inline=True`. Anything but a
    hex colour is left out.
    """
    colour = str(colour or "")
    if not _COLOUR.fullmatch(colour):
        return ""
    if inline:
        return format_html('style="--area: {}"', colour)
    return format_html('data-area="{}"', colour)
