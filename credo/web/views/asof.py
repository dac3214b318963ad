"""The `?as_of=YYYY-MM-DD` parameter the student dashboard, the gradebook and the school overview
honour: which day was asked for, or why it cannot be shown. The parameter grants nothing: each
view has already decided, with its usual predicates, that the reader may see the page."""

from __future__ import annotations

import datetime as dt
import re

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from credo.mastery.asof import first_record_day

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def requested_day(request, school, first: dt.date | None) -> tuple[dt.date | None, str]:
    """Return (the past day asked for, "") or (None, what is wrong with it); (None, "") for today.
    `first` is the day of the school's first record."""
    raw = request.GET.get("as_of", "").strip()
    if not raw:
        return None, ""
    try:
        if not ISO_DAY.fullmatch(raw):
            raise ValueError(raw)
        day = dt.date.fromisoformat(raw)
    except ValueError:
        return None, _(
            "“%(value)s” is not a date: write it as year-month-day, e.g. 2026-03-03."
        ) % {"value": raw[:40]}
    today = school.today()
    if day > today:
        return None, _("%(day)s is after today: only the past can be shown.") % {
            "day": date_format(day, "j F Y")
        }
    if first is None or day < first:
        if first is None:
            return None, _("The school has no records yet to show as of a past date.")
        return None, _("The school's records begin on %(first)s: choose a day from then on.") % {
            "first": date_format(first, "j F Y")
        }
    return day, ""


def as_of_request(request, school) -> tuple[dt.date | None, dict]:
    """Return the day asked for (None: today) and what `web/_as_of.html` shows — the form, the
    banner or the message."""
    # Today's page pays no query for the form: the first record is looked up only when asked.
    first = first_record_day(school) if request.GET.get("as_of", "").strip() else None
    day, error = requested_day(request, school, first)
    return day, {
        "as_of": day,
        "as_of_error": error,
        "as_of_min": first,
        "as_of_max": school.today(),
    }
