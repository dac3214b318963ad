"""Accessibility: axe-core over one page of every page type, each seen by a role that may see it.

The pages come from the recorded permission matrix (`permission_matrix.txt`): every named URL that
answers a GET with 200 for some visitor is opened in Chromium, signed in as the first visitor of
`PREFERENCE` it answers, and checked by axe-core (vendored in `vendor/axe.min.js`, MPL-2.0) against
the WCAG 2.0, 2.1 and 2.2 A and AA rule sets. A few states the matrix does not reach (an open
gradebook cell, a form refused with errors, the error pages, the journey pages of a team) are
added by hand. Any violation fails the test with the rule, its impact, the elements and the page.

Run alone: `.venv/bin/pytest credo/web/tests/test_accessibility_browser.py`.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.urls import reverse

from credo.browser import sign_in
from credo.web.tests.conftest import add_highlighted_evidence, build_world
from credo.web.tests.test_authority_matrix import MATRIX, Matrix, _urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
AXE_SOURCE = AXE.read_text() if AXE.exists() else ""
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# Who looks at a page: the person it is mostly for comes first (a student sees their own pages,
# a teacher the gradebook, an admin the setup).
PREFERENCE = [
    "anon",
    "share_holder",
    "guest",
    "me",
    "guardian",
    "teacher",
    "advisor",
    "coordinator",
    "reviewer",
    "registrar",
    "admin",
    "superuser",
]
# Not pages: documents for machines (JSON, JSON-LD, PDF, CSV, files), and the API's Swagger UI
# (a third party's page for developers, outside the product's pages).
NOT_PAGES = ("rest:", "api-docs-asset", "healthz")
NOT_PAGE_SUFFIXES = ("_pdf", "_json", "_clr", "_file", "_csv")
MACHINE_DOCUMENTS = {
    "credentials:issuer",
    "credentials:achievement",
    "credentials:area",
    "credentials:competency",
    "interop:export",
    "journey:report",
    # A fragment the header fetches into every page (the unread count), never a page of its own.
    "notify:badge",
}
# Each role's own home page (the matrix lists /home/ as a redirect for most of them).
HOMES = ["me", "guardian", "teacher", "advisor", "coordinator", "reviewer", "registrar", "admin"]


def _recorded_200() -> dict[str, list[str]]:
    """Return, for each URL name, the visitors the recorded matrix serves a GET with 200."""
    lines = MATRIX.read_text().splitlines()
    header = next(line for line in lines if line.strip().startswith("anon"))
    actors = header.split()
    served = {}
    for line in lines:
        if line.startswith("GET "):
            name, *codes = line.split()[1:]
            served[name] = [a for a, c in zip(actors, codes, strict=True) if c == "200"]
    return served


def _is_page(name: str) -> bool:
    return not (
        name.startswith(NOT_PAGES) or name.endswith(NOT_PAGE_SUFFIXES) or name in MACHINE_DOCUMENTS
    )


def _pages(m: Matrix) -> list[tuple[str, str, str]]:
    """Return (visitor, what, URL) for every page to check."""
    served = _recorded_200()
    pages = []
    for name, pattern in _urls():
        if not _is_page(name):
            continue
        visitors = [a for a in PREFERENCE if a in served.get(name, [])]
        if not visitors:
            continue
        actor = visitors[0]
        pages.append((actor, name, reverse(name, kwargs=m.kwargs(name, pattern, actor))))
    return pages


def _extra_pages(m: Matrix) -> list[tuple[str, str, str]]:
    """Return pages in states the matrix's URLs alone do not show."""
    w = m.world
    me = w.me
    evidence_keys = sorted(m.version.content.get("evidence", {}))
    extra = [(actor, f"home of {actor}", "/home/") for actor in HOMES]
    extra += [
        ("anon", "404 page", "/no-such-page/"),
        ("teacher", "403 page", f"/s/{m.slug}/manage/"),
        ("teacher", "student dashboard (teacher)", f"/s/{m.slug}/students/{me.pk}/"),
        ("guardian", "student dashboard (guardian)", f"/s/{m.slug}/students/{me.pk}/"),
        ("reviewer", "review decision (panel member)", f"/s/{m.slug}/reviews/{w.review.pk}/"),
        ("registrar", "transcripts (registrar)", f"/s/{m.slug}/transcripts/"),
        (
            "anon",
            "sign-in with the school's account refused",
            f"/accounts/oidc/{m.provider.key}/login/callback/?error=access_denied",
        ),
    ]
    assert evidence_keys, "the published transcript lists no evidence"
    key = evidence_keys[0]
    extra += [
        (
            "share_holder",
            "shared evidence",
            reverse("transcripts:shared_evidence", kwargs={"token": m.link.token, "key": key}),
        ),
        (
            "me",
            "published evidence",
            reverse(
                "transcripts:version_evidence",
                kwargs={"slug": m.slug, "public_id": m.version.public_id, "key": key},
            ),
        ),
    ]
    return extra


def _violations(page, where: str) -> list[str]:
    """Inject axe into the page and return its violations as readable lines."""
    page.add_script_tag(content=AXE_SOURCE)
    result = page.evaluate(
        "async (tags) => await axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    lines = []
    for v in result["violations"]:
        targets = [", ".join(map(str, n["target"])) for n in v["nodes"][:6]]
        more = f" (+{len(v['nodes']) - 6} more)" if len(v["nodes"]) > 6 else ""
        lines.append(f"{where}: {v['id']} [{v['impact']}] {v['help']} — {'; '.join(targets)}{more}")
    return lines + [f"{where}: {problem}" for problem in page.evaluate(BEYOND_AXE)]


# What axe 4 no longer reports, checked in the page: duplicate ids (two forms' fields sharing
# `id_title` leave one label pointing at the wrong field) and ARIA references to missing ids.
BEYOND_AXE = """() => {
  const problems = [];
  const seen = new Map();
  for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
  for (const [id, n] of seen) if (n > 1) problems.push(`duplicate id "${id}" (${n} elements)`);
  for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls']) {
    for (const el of document.querySelectorAll(`[${attr}]`)) {
      for (const id of el.getAttribute(attr).split(/\\s+/).filter(Boolean)) {
        if (!document.getElementById(id)) problems.push(`${attr} points at missing id "${id}"`);
      }
    }
  }
  return problems;
}"""


@pytest.mark.any_database
def test_every_page_type_has_no_wcag_violations(browser, live_server):
    assert AXE_SOURCE, f"axe-core is missing: {AXE}"
    world = build_world()
    add_highlighted_evidence(world)  # so the transcript has a credit's evidence page to check
    m = Matrix(world)
    started = time.monotonic()
    contexts = {}

    def page_for(actor):
        if actor not in contexts:
            # bypass_csp only here: axe is injected as a script, which the site's CSP refuses.
            # The other browser tests keep the CSP on.
            context = browser.new_context(
                base_url=live_server.url, bypass_csp=True, viewport={"width": 1280, "height": 900}
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            user = m.user(actor)
            if user is not None:
                sign_in(page, user.username)
            contexts[actor] = page
        return contexts[actor]

    problems, checked = [], []
    for actor, what, url in [*_pages(m), *_extra_pages(m)]:
        page = page_for(actor)
        response = page.goto(url)
        where = f"{what} as {actor} ({url})"
        content_type = (response.headers.get("content-type") or "") if response else ""
        if "text/html" not in content_type:
            problems.append(f"{where}: not an HTML page ({content_type})")
            continue
        problems += _violations(page, where)
        checked.append(where)
    elapsed = time.monotonic() - started
    print(f"axe: {len(checked)} pages checked in {elapsed:.0f} s, {len(problems)} violations")
    assert len(checked) > 100, f"only {len(checked)} pages checked"
    assert problems == [], "\n".join(problems)
