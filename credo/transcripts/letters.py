"""The eligibility and scholarship letter: what it says, and its PDF.

`letter_content` gathers, once, everything a letter shows (frozen in the `EligibilityLetter`
row): the school's letterhead, the recipient and purpose, the school's scale with each level's
meaning and the grade the school's own table maps it to, the student's credits from their current
published version (and, where the recipient requires grades, each area's mapped grade), who signs
and the transcript's verification link. The PDF goes through the transcript's PDF machinery: drawn
once by WeasyPrint and kept under the transcript cache, keyed by the letter, its content hash and
the layout.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from credo.transcripts import pdf, render, selectors

# Bump when the letter's printed layout changes, so stored PDFs are drawn again.
LETTER_LAYOUT = 1


def _grade_for(value: Decimal, bands) -> dict | None:
    """Return the band a level falls in (the highest band whose lowest level it reaches)."""
    for band in sorted(bands, key=lambda b: b.min_score, reverse=True):
        if value >= band.min_score:
            return {"label": band.label, "points": _text(band.points)}
    return None


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _signer_role(user, school) -> str:
    from credo.accounts.access import roles_in
    from credo.accounts.models import Role

    return "Registrar" if Role.REGISTRAR in roles_in(user, school) else "Administrator"


def letter_content(
    *,
    student,
    version,
    table,
    recipient: str,
    purpose: str,
    include_grades: bool,
    signer,
    today: dt.date,
) -> dict:
    """Return the letter's content as plain JSON-ready data (see the module's docstring)."""
    school = student.school
    bands = list(table.bands.all())
    scales = []
    for scale in selectors.scales_of(school):
        levels = []
        for level in scale["levels"]:
            grade = _grade_for(Decimal(level["level"]), bands)
            levels.append({**level, "grade": grade["label"] if grade else "—"})
        scales.append({**scale, "levels": levels})
    published = version.content
    mapped = {}
    if include_grades:
        report = selectors.grade_report(student, table)
        mapped = {
            row["area"]: {
                "grade": row["label"],
                "points": _text(row["points"]) if row["points"] is not None else None,
                "mean": _text(row["mean"]) if row["mean"] is not None else None,
            }
            for row in report["rows"]
        }
        overall = report["overall_points"]
    areas = []
    for area in published.get("areas", []):
        earned = [
            {"code": c["code"], "title": c["title"], "level": c["level"]}
            for c in area.get("credits", [])
            if c.get("state") == "earned"
        ]
        areas.append(
            {
                "name": area["name"],
                "foundational": sum(1 for c in earned if c["level"] == "foundational"),
                "advanced": sum(1 for c in earned if c["level"] == "advanced"),
                "credits": earned,
                **({"mapped": mapped.get(area["name"])} if include_grades else {}),
            }
        )
    summary = published.get("summary", {})
    return {
        "school": {
            "name": school.name,
            "city": school.city,
            "website": school.website,
            "school_code": school.school_code,
            "mission": school.mission,
            "credit_policy": school.credit_policy,
            "counselor": {
                "name": school.counselor_name,
                "email": school.counselor_email,
                "phone": school.counselor_phone,
            },
        },
        "date": today.isoformat(),
        "recipient": recipient,
        "purpose": purpose,
        "student": {
            "name": published["student"]["name"],
            "graduation_year": published["student"]["graduation_year"],
        },
        "table": {
            "name": table.name,
            "purpose": table.purpose,
            "bands": [
                {"from": _text(b.min_score), "grade": b.label, "points": _text(b.points)}
                for b in sorted(bands, key=lambda b: b.min_score, reverse=True)
            ],
        },
        "scales": scales,
        "summary": {
            level: {
                "earned": summary.get(level, {}).get("earned", 0),
                "total": summary.get(level, {}).get("total", 0),
            }
            for level in ("foundational", "advanced")
        },
        "areas": areas,
        "include_grades": include_grades,
        "overall_points": (_text(overall) if include_grades and overall is not None else None),
        "signer": {
            "name": str(signer),
            "email": signer.email,
            "role": _signer_role(signer, school),
        },
        "transcript": {
            "number": version.number,
            "public_id": str(version.public_id),
            "published_on": version.published_at.date().isoformat(),
            "verification_url": version.verification_url(),
        },
    }


def context(letter) -> dict:
    """Return what the letter's templates need."""
    content = letter.content
    return {
        "letter": letter,
        "c": content,
        "date": dt.date.fromisoformat(content["date"]),
        "published_on": dt.date.fromisoformat(content["transcript"]["published_on"]),
    }


def print_html(letter) -> str:
    """Return the standalone HTML WeasyPrint lays out for a letter."""
    ctx = context(letter)
    footer = (
        f"{letter.content['school']['name']} · letter to {letter.recipient} · {letter.public_id}"
    )
    ctx["footer_css"] = mark_safe(pdf.css_string(footer))  # noqa: S308 -- escaped for a CSS string
    return render_to_string("transcripts/letter_print.html", ctx)


def render_pdf(letter) -> bytes:
    """Return the letter as PDF bytes, drawn now by WeasyPrint."""
    from weasyprint import HTML

    return HTML(string=print_html(letter), base_url=render.base_url() + "/").write_pdf(
        pdf_identifier=letter.public_id.hex.encode(), font_config=pdf.font_config()
    )


def _path(letter):
    name = f"letter-{letter.public_id}-{letter.content_hash[:16]}-l{LETTER_LAYOUT}"
    return pdf.cache_dir() / f"{name}.pdf"


def letter_pdf(letter) -> bytes:
    """Return the letter's PDF: the stored file, or drawn once and stored."""
    path = _path(letter)
    if path.exists():
        return path.read_bytes()
    data = render_pdf(letter)
    pdf._write(path, data)
    return data
