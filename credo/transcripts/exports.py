"""Export formats for a published version: html, pdf and json; others register themselves.

``credo transcript export --format NAME`` and the download buttons look formats up here. A format
is a function ``(version) -> bytes`` with a file suffix; the verifiable-credentials app adds
``clr`` by calling ``register("clr", fn, suffix="json", media_type=...)`` from its ``ready()``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Exporter:
    name: str
    render: Callable[[object], bytes]
    suffix: str
    media_type: str
    description: str = ""


EXPORTERS: dict[str, Exporter] = {}


def register(
    name: str,
    render: Callable[[object], bytes],
    *,
    suffix: str,
    media_type: str,
    description: str = "",
) -> None:
    """Add (or replace) an export format."""
    EXPORTERS[name] = Exporter(name, render, suffix, media_type, description)


def export(version, name: str) -> bytes:
    """Return the version in format ``name``; raise KeyError naming the known formats."""
    try:
        exporter = EXPORTERS[name]
    except KeyError:
        raise KeyError(
            f"unknown format {name!r}; choose from {', '.join(sorted(EXPORTERS))}"
        ) from None
    return exporter.render(version)


def export_json(version) -> bytes:
    """Return the version as JSON: its identity, hash and the snapshot exactly as published."""
    document = {
        "type": "CredoMasteryTranscript",
        "version": version.number,
        "id": str(version.public_id),
        "student": version.content["student"]["name"],
        "published_at": version.published_at.isoformat(),
        "supersedes": str(version.supersedes.public_id) if version.supersedes_id else None,
        "content_hash": {
            "algorithm": "sha-256",
            "canonicalization": "json-sorted-keys-compact-utf8",
            "value": version.content_hash,
        },
        "verification_url": version.verification_url(),
        "content": version.content,
    }
    return json.dumps(document, indent=2, ensure_ascii=False, sort_keys=False).encode() + b"\n"


def _html(version) -> bytes:
    from credo.transcripts.render import render_html

    return render_html(version).encode()


def _pdf(version) -> bytes:
    from credo.transcripts.pdf import pdf_for

    return pdf_for(version)


register(
    "html", _html, suffix="html", media_type="text/html", description="one standalone web page"
)
register(
    "pdf", _pdf, suffix="pdf", media_type="application/pdf", description="the printable transcript"
)
register(
    "json",
    export_json,
    suffix="json",
    media_type="application/json",
    description="the published snapshot with its hash",
)
