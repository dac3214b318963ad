"""Turn a transcript snapshot into what a reader sees: the credit profile, the lists, the pages.

Everything here reads only the snapshot (``TranscriptVersion.content`` or a draft built by
``selectors.transcript_content``), never the live records, so a published version renders the
same way forever.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from credo.transcripts import qr
from credo.transcripts.profile import (
    ProfileArea,
    ProfileCell,
    profile_table,
    render_legend_svg,
    render_profile_svg,
)

STATIC = Path(__file__).parent / "static" / "transcripts"
LEVEL_WORDS = {"foundational": "Foundational", "advanced": "Advanced"}
STATE_WORDS = {"earned": "Earned", "in_progress": "In progress", "not_started": "Not started"}


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """Return the transcript's own stylesheet (inlined into standalone HTML and the PDF)."""
    return (STATIC / "transcript.css").read_text(encoding="utf-8")


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _without_suffix(title: str, area_name: str) -> str:
    """Return ``title`` without a trailing "· <area name>" (or "- <area name>"), if it has one."""
    for separator in (" · ", " - ", " – ", ": "):
        suffix = f"{separator}{area_name}"
        if title.endswith(suffix) and len(title) > len(suffix):
            return title[: -len(suffix)]
    return title


def _with_article(noun: str) -> str:
    """Return ``noun`` in lower case after "a" or "an" ("an exhibition", "a committee pitch")."""
    noun = noun.lower()
    return f"{'an' if noun[:1] in 'aeiou' else 'a'} {noun}"


def size_sentence(school: dict) -> str:
    """Return "About N students." unless the school's own description already gives its size."""
    size = school.get("enrollment_size")
    if not size:
        return ""
    text = school.get("context") or ""
    if re.search(rf"(?<![\d,.]){size:,}(?![\d,])|(?<![\d,.]){size}(?![\d,])", text):
        return ""
    return f"About {size:,} students."


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def sentences(text: str) -> list[str]:
    """Return ``text`` split into its sentences (whitespace inside them made single)."""
    return [" ".join(part.split()) for part in _SENTENCE_END.split(text or "") if part.strip()]


def reading_guide(content: dict) -> dict:
    """Return what a reader needs before the credits: what each level of credit asks, said once.

    A sentence that most credits of a level repeat in their standard (the school's general rule,
    e.g. "Earned when each target is shown at the Meets level") is said here once, for the level,
    and left out of each credit's own standard (see ``own_standard``).
    """
    levels = {}
    for level in LEVEL_WORDS:
        credits = [c for a in content["areas"] for c in a["credits"] if c["level"] == level]
        counts: dict[str, int] = {}
        for credit in credits:
            for sentence in dict.fromkeys(sentences(credit.get("standard", ""))):
                counts[sentence] = counts.get(sentence, 0) + 1
        common = [
            sentence
            for sentence, n in counts.items()
            if len(credits) >= 3 and n >= 3 and n * 2 >= len(credits)
        ]
        levels[level] = {
            "word": LEVEL_WORDS[level],
            "total": len(credits),
            "common": common,
            "reviewed": sum(1 for c in credits if c.get("review_required")),
            "min_evidence": max((c.get("min_evidence") or 0 for c in credits), default=0),
        }
    return {"levels": levels, "scales": content.get("scales") or []}


def own_standard(standard: str, common: list[str]) -> str:
    """Return the credit's standard without the sentences every credit of its level shares."""
    if not common:
        return standard
    shared = set(common)
    return " ".join(s for s in sentences(standard) if s not in shared)


def profile_areas(content: dict, *, anchors: bool = True) -> list[ProfileArea]:
    """Return the snapshot's credit areas as the profile renderer's areas and cells."""
    areas = []
    for area in content["areas"]:
        cells = tuple(
            ProfileCell(
                label=credit["title"],
                level=credit["level"],
                state=credit["state"],
                detail=(
                    f"Earned {_date(credit['awarded_on']):%B %Y}" if credit["awarded_on"] else ""
                ),
                href=f"#credit-{credit['code']}"
                if anchors and credit["state"] == "earned"
                else None,
            )
            for credit in area["credits"]
        )
        areas.append(ProfileArea(area["name"], area["colour"], cells))
    return areas


def _id_prefix(content: dict, suffix: str = "") -> str:
    return f"cp-{content['student']['graduation_year']}{suffix}"


def context(
    content: dict,
    *,
    version=None,
    evidence_url: Callable[[str], str] | None = None,
    mode: str = "page",
    verification_url: str = "",
) -> dict:
    """Return the template context for a transcript page, print or export.

    ``evidence_url(key)`` gives the share-safe page of one piece of evidence; without it the
    evidence is listed without links. ``mode`` is "page", "print" or "export".
    """
    areas = profile_areas(content, anchors=mode != "print")
    prefix = _id_prefix(content, "p" if mode == "print" else "")
    profile_svg = render_profile_svg(
        areas,
        title=f"Credit profile of {content['student']['name']}",
        size=420,
        id_prefix=prefix,
    )
    legend_svg = render_legend_svg(id_prefix=prefix, width=420, columns=2)
    evidence = content.get("evidence", {})

    def evidence_item(key: str) -> dict:
        item = dict(evidence[key])
        item["key"] = key
        item["href"] = evidence_url(key) if evidence_url else ""
        item["date"] = _date(item["demonstrated_on"])
        return item

    guide = reading_guide(content)
    detail_areas = []
    summary_areas = []
    for area in content["areas"]:
        credits = []
        for credit in area["credits"]:
            credit = dict(credit)
            credit["date"] = _date(credit["awarded_on"])
            credit["level_word"] = LEVEL_WORDS[credit["level"]]
            credit["state_word"] = STATE_WORDS[credit["state"]]
            credit["evidence_items"] = [evidence_item(k) for k in credit["evidence"]]
            # Under its area's heading a credit need not repeat the area's name.
            credit["short_title"] = _without_suffix(credit["title"], area["name"])
            credit["own_standard"] = own_standard(
                credit.get("standard", ""), guide["levels"][credit["level"]]["common"]
            )
            if credit.get("review"):
                credit["review_phrase"] = _with_article(credit["review"].get("format") or "review")
            credits.append(credit)
        earned = [c for c in credits if c["state"] == "earned"]
        counts = {
            level: {
                "earned": sum(1 for c in credits if c["level"] == level and c["state"] == "earned"),
                "total": sum(1 for c in credits if c["level"] == level),
            }
            for level in LEVEL_WORDS
        }
        level_rank = {"foundational": 0, "advanced": 1}
        listed = sorted(
            (c for c in credits if c["state"] != "not_started"),
            key=lambda c: (c["state"] != "earned", level_rank[c["level"]]),
        )
        summary_areas.append(
            {
                **{k: area[k] for k in ("code", "name", "colour")},
                "listed": listed,
                "earned": earned,
                "in_progress": [c for c in credits if c["state"] == "in_progress"],
                "not_started": sum(1 for c in credits if c["state"] == "not_started"),
                "counts": counts,
            }
        )
        if earned:
            detail_areas.append({**area, "earned": earned})
    summary = content["summary"]
    qr_svg = ""
    if verification_url and mode == "print":
        qr_svg = qr.to_svg(
            qr.encode(verification_url), module=1, border=2, title="Verification code"
        )
    return {
        "content": content,
        "school_profile": content["school"],
        "school_size": size_sentence(content["school"]),
        "guide": guide,
        "student": content["student"],
        "summary": summary,
        "as_of": _date(content["as_of"]),
        "profile_svg": mark_safe(profile_svg),  # noqa: S308 -- generated by our renderer, escaped there
        "legend_svg": mark_safe(legend_svg),  # noqa: S308
        "profile_rows": profile_table(areas),
        "summary_areas": summary_areas,
        "detail_areas": detail_areas,
        "other_evidence": [evidence_item(k) for k in content.get("other_evidence", [])],
        "story": content.get("story"),
        "story_date": _date((content.get("story") or {}).get("approved_on")),
        "courses": content.get("courses"),
        "version": version,
        "mode": mode,
        "verification_url": verification_url,
        "qr_svg": mark_safe(qr_svg),  # noqa: S308 -- generated by qr.to_svg
        # Page 1 must hold the whole summary: long credit lists get a denser type.
        "density": (chosen := density(summary_areas)),
        "summary_columns": layout_columns(summary_areas, chosen),
    }


# Per density of the printed credit list: columns, characters per line, lines per column.
DENSITIES = (
    ("roomy", 3, 40, 30),
    ("compact", 3, 47, 36),
    ("dense", 4, 42, 42),
    ("packed", 3, 52, 44),
    ("tight", 4, 46, 48),
)
RUN_IN = frozenset({"packed", "tight"})
_SETTINGS = {name: (columns, chars, capacity) for name, columns, chars, capacity in DENSITIES}


def _shown(credit: dict) -> str:
    return credit.get("short_title") or credit["title"]


def area_lines(area: dict, density_name: str) -> int:
    """Return an estimate of how many lines an area takes in the printed credit list."""
    _, chars, _ = _SETTINGS[density_name]
    head = 2 + math.ceil(len(area["name"]) / chars)  # name, counts, rule and gap
    if density_name in RUN_IN:  # one run-in paragraph
        return head + math.ceil(sum(len(_shown(c)) + 5 for c in area["listed"]) / chars)
    lines = head + max(0, 1 - len(area["listed"]))
    for credit in area["listed"]:
        extra = 10 if credit["state"] == "earned" and density_name == "roomy" else 4
        lines += math.ceil((len(_shown(credit)) + extra) / chars)
    return lines


def layout_columns(summary_areas: list[dict], density_name: str) -> list[list[dict]]:
    """Return the areas dealt into the density's columns, in order, as evenly as possible."""
    columns, _, _ = _SETTINGS[density_name]
    sizes = [area_lines(a, density_name) for a in summary_areas]
    out: list[list[dict]] = [[] for _ in range(columns)]
    remaining = sum(sizes)
    column = 0
    filled = 0
    for area, size in zip(summary_areas, sizes, strict=True):
        target = remaining / (columns - column) if column < columns else remaining
        # Move on when this area would overshoot the column's fair share more than it falls short.
        if out[column] and column < columns - 1 and filled + size / 2 > target:
            remaining -= filled
            column += 1
            filled = 0
        out[column].append(area)
        filled += size
    return out


def density(summary_areas: list[dict]) -> str:
    """Return the loosest setting of the printed credit list that still fits page 1.

    An estimate from the lengths of the titles; `pdf.document` checks the real layout and steps
    to a denser setting when the summary would spill onto page 2.
    """
    for name, _columns, _chars, capacity in DENSITIES:
        tallest = max(
            (sum(area_lines(a, name) for a in col) for col in layout_columns(summary_areas, name)),
            default=0,
        )
        if tallest <= capacity:
            return name
    return DENSITIES[-1][0]


def render_html(version, *, evidence_url: Callable[[str], str] | None = None) -> str:
    """Return a published version as one standalone HTML document (styles inlined)."""
    ctx = context(
        version.content,
        version=version,
        evidence_url=evidence_url,
        mode="export",
        verification_url=version.verification_url(),
    )
    ctx["inline_css"] = mark_safe(stylesheet())  # noqa: S308 -- our own file
    ctx["inline_styles"] = True  # a file opened on its own: no script, no Content-Security-Policy
    return render_to_string("transcripts/standalone.html", ctx)


def base_url() -> str:
    return settings.CREDO_BASE_URL.rstrip("/")
