"""The family progress report as a PDF, through WeasyPrint (as the transcript's is drawn).

The page is self-contained: its styles are in the document and it loads nothing, so a report can
be drawn by the task worker without the site running."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation


def _refuse(url, *args, **kwargs):
    raise ValueError(f"A family report loads nothing from outside: {url}")


def report_html(report) -> str:
    """Return the HTML WeasyPrint lays out, in the report's language."""
    with translation.override(report.language):
        return render_to_string("families/report_print.html", {"r": report})


def report_pdf(report) -> bytes:
    """Return the report as PDF bytes."""
    from weasyprint import HTML

    return HTML(string=report_html(report), url_fetcher=_refuse).write_pdf()
