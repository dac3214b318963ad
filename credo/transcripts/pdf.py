"""The printable transcript, through WeasyPrint.

Page 1 is the at-a-glance summary (the credit profile, its key and the credit list by area) with
the version id, the verification URL and its QR code; the details follow. Rendered PDFs are
kept under ``CREDO_TRANSCRIPT_CACHE`` (default ``var/transcripts``), named by the version's
public id, its content hash and the layout (and the share link, whose evidence links they
carry), so each is drawn once.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from credo.transcripts import render

# Bump when the printed layout changes, so cached PDFs are drawn again.
LAYOUT = 2


@lru_cache(maxsize=1)
def _print_css() -> str:
    return (render.STATIC / "print.css").read_text(encoding="utf-8")


def css_string(text: str) -> str:
    """Return ``text`` escaped for the inside of a double-quoted CSS string in a <style> element."""
    out = []
    for ch in " ".join(text.split()):
        if ch in '\\"<>&' or ord(ch) < 32:
            out.append(f"\\{ord(ch):x} ")
        else:
            out.append(ch)
    return "".join(out)


_fonts = threading.local()


def font_config():
    """Return this thread's WeasyPrint font configuration, made once: a new one per render asks
    Fontconfig for the system's fonts again and throws away Pango's loaded fonts (~10% of a
    small report's render). Per thread, as Pango's font maps are not shared between threads."""
    config = getattr(_fonts, "config", None)
    if config is None:
        from weasyprint.text.fonts import FontConfiguration

        config = _fonts.config = FontConfiguration()
    return config


def cache_dir() -> Path:
    path = Path(
        getattr(settings, "CREDO_TRANSCRIPT_CACHE", "") or Path(settings.VAR_DIR) / "transcripts"
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def print_html(
    version, *, evidence_url: Callable[[str], str] | None = None, density: str | None = None
) -> str:
    """Return the HTML WeasyPrint lays out for a version (``density`` overrides the estimate)."""
    ctx = render.context(
        version.content,
        version=version,
        evidence_url=evidence_url,
        mode="print",
        verification_url=version.verification_url(),
    )
    if density is not None:
        ctx["density"] = density
        ctx["summary_columns"] = render.layout_columns(ctx["summary_areas"], density)
    ctx["inline_css"] = mark_safe(render.stylesheet())  # noqa: S308 -- our own files
    ctx["inline_styles"] = True  # WeasyPrint runs no script: area colours as style attributes
    ctx["print_css"] = mark_safe(_print_css())  # noqa: S308
    content = version.content
    footer = (
        f"{content['student']['name']} · {content['school']['name']} · Mastery Transcript, "
        f"version {version.number} · {version.public_id}"
    )
    ctx["footer_css"] = mark_safe(css_string(footer))  # noqa: S308 -- escaped for a CSS string
    return render_to_string("transcripts/print.html", ctx)


def page_text(page) -> str:
    """Return the text laid out on one WeasyPrint page, in reading order, margins included."""
    from weasyprint.formatting_structure.boxes import TextBox

    return " ".join(box.text for box in page._page_box.descendants() if isinstance(box, TextBox))


def summary_fits(doc) -> bool:
    """Return whether the whole summary sits on page 1: page 2 then begins with the details."""
    return len(doc.pages) >= 2 and page_text(doc.pages[1]).lstrip().startswith(DETAILS_HEADING)


DETAILS_HEADING = "How to read this transcript"


def document(version, *, evidence_url: Callable[[str], str] | None = None):
    """Return the laid-out WeasyPrint document (its ``pages`` can be inspected before writing).

    The credit list's density is estimated from its length; if the summary still spills past
    page 1, it is laid out again one step denser.
    """
    from weasyprint import HTML

    names = [name for name, *_ in render.DENSITIES]
    start = names.index(
        render.density(render.context(version.content, mode="print")["summary_areas"])
    )
    doc = None
    for density in names[start:]:
        html = print_html(version, evidence_url=evidence_url, density=density)
        doc = HTML(string=html, base_url=render.base_url() + "/").render(font_config=font_config())
        if summary_fits(doc):
            break
    return doc


def render_pdf(version, *, evidence_url: Callable[[str], str] | None = None) -> bytes:
    """Return the version as PDF bytes."""
    doc = document(version, evidence_url=evidence_url)
    return doc.write_pdf(
        pdf_identifier=version.public_id.hex.encode(),
    )


def _path(version, link=None) -> Path:
    # A published version never changes, but the key still names its content hash and the
    # layout: a file drawn from other content, or by an older layout, is never served.
    name = f"{version.public_id}-{version.content_hash[:16]}-l{LAYOUT}"
    if link is not None:
        name += f"-{link.pk}"
    return cache_dir() / f"{name}.pdf"


def _write(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def store_pdf(version) -> Path:
    """Render the version's own PDF (evidence listed, links to the signed-in pages) and keep it."""
    path = _path(version)
    if not path.exists():
        _write(path, render_pdf(version, evidence_url=_staff_evidence_url(version)))
    return path


def pdf_for(version, *, link=None) -> bytes:
    """Return the version's PDF; for a share link, one whose evidence links go through that link."""
    path = _path(version, link)
    if path.exists():
        return path.read_bytes()
    if link is None:
        return store_pdf(version).read_bytes()
    data = render_pdf(version, evidence_url=_share_evidence_url(link))
    _write(path, data)
    return data


def _staff_evidence_url(version) -> Callable[[str], str]:
    from django.urls import reverse

    base = render.base_url()
    slug = version.content["school"]["slug"]
    return lambda key: (
        base + reverse("transcripts:version_evidence", args=[slug, version.public_id, key])
    )


def _share_evidence_url(link) -> Callable[[str], str]:
    from django.urls import reverse

    base = render.base_url()
    return lambda key: base + reverse("transcripts:shared_evidence", args=[link.token, key])
