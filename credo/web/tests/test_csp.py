"""The Content-Security-Policy header on every answer, and templates with nothing it would refuse
(the browser half is test_csp_browser.py)."""

import re
from pathlib import Path

import pytest
from django.test import Client

from credo.testing import make_user

CREDO = Path(__file__).resolve().parents[2]
# Documents never served under the policy: WeasyPrint's HTML for PDFs and the standalone export.
NOT_SERVED = {
    "transcripts/templates/transcripts/print.html",
    "transcripts/templates/transcripts/standalone.html",
    "journey/templates/journey/report.html",
    "families/templates/families/report_print.html",
    "transcripts/templates/transcripts/letter_print.html",
}
INLINE = [
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I),
        "inline script",
    ),
    (re.compile(r"\son[a-z]+\s*=", re.I), "inline event handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style[\s>]", re.I), "style element"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def served_templates():
    for path in sorted(CREDO.glob("*/templates/**/*.html")):
        relative = path.relative_to(CREDO).as_posix()
        if relative not in NOT_SERVED:
            yield relative, path.read_text()


def test_no_served_template_has_inline_script_style_or_handlers():
    found = [
        f"{name}:{text[: m.start()].count(chr(10)) + 1}: {what}"
        for name, text in served_templates()
        for pattern, what in INLINE
        for m in pattern.finditer(text)
    ]
    assert not found, "\n".join(found)


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    return dict(
        (part.strip().split(" ", 1) + [""])[:2] for part in header.split(";") if part.strip()
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/accounts/login/",
        "/accounts/password/forgotten/",
        "/verify/",
        "/api/docs",
        "/nowhere/",
    ],
)
def test_every_answer_carries_the_policy(client, path):
    directives = policy(client.get(path))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["default-src"] == "'self'" and directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'" and directives["base-uri"] == "'none'"
    assert "unsafe" not in " ".join(directives.values())


def test_signed_in_pages_and_errors_carry_it_too(hill):
    client = Client()
    client.force_login(hill.teacher)
    for path, status in (("/s/hill/", 200), ("/s/hill/manage/", 403), ("/s/dale/", 404)):
        response = client.get(path)
        assert response.status_code == status
        assert policy(response)["script-src"] == "'self'", path
    outsider = Client()
    outsider.force_login(make_user("outsider"))
    assert policy(outsider.get("/home/"))["script-src"] == "'self'"


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(client, db):
    page = client.get("/accounts/login/").content.decode()
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'>', page)[1]
    assert '"includeIndicatorStyles": false' in config and '"allowEval": false' in config
