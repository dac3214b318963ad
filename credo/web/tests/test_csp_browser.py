"""The Content-Security-Policy in a real browser: Chromium reports no violation on the main pages
of every role (scripts and styles only from Credo's files, no inline script, style or handler),
and what the inline code used to do still works (area colours, htmx swaps)."""

import re

import pytest

from credo.browser import sign_in
from credo.journey.tests.factories import make_team
from credo.transcripts.services import share_link_create, transcript_publish
from credo.transcripts.tests.builders import rich_student
from credo.web.tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " at " +
    (e.sourceFile || location.pathname) + ":" + e.lineNumber);
});
"""


@pytest.fixture
def csp_settings(settings, tmp_path):
    settings.CREDO_TRANSCRIPT_CACHE = str(tmp_path / "transcripts")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    return settings


class Watcher:
    """A browser page that records every CSP violation: the DOM event and Chromium's console."""

    def __init__(self, browser, live_server, username=None):
        self.context = browser.new_context(
            base_url=live_server.url, viewport={"width": 1280, "height": 900}
        )
        self.context.add_init_script(LISTEN)
        self.page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.console: list[str] = []
        self.page.on("console", self._console)
        self.found: dict[str, list[str]] = {}
        if username:
            sign_in(self.page, username)

    def _console(self, message):
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.console.append(message.text)

    def visit(self, path: str, *, then=None) -> None:
        response = self.page.goto(path)
        assert response is not None and response.status < 400, (path, response and response.status)
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy, (path, policy)
        self.page.wait_for_load_state("networkidle")
        if then:
            then(self.page)
            self.page.wait_for_load_state("networkidle")
        self.page.wait_for_timeout(50)  # violation events are dispatched after the fact
        seen = self.page.evaluate("window.__csp") + self.console
        self.console = []
        if seen:
            self.found[path] = seen


def test_the_detector_catches_an_inline_script(browser, live_server, db):
    watcher = Watcher(browser, live_server)
    watcher.visit(
        "/accounts/login/",
        then=lambda page: page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'window.injected = 1'; document.body.appendChild(s);"
            " document.body.insertAdjacentHTML('beforeend', '<p id=\"red\" style=\"color: red\">x</p>'); }"
        ),
    )
    reported = " ".join(watcher.found.get("/accounts/login/", []))
    assert "script-src" in reported and "style-src" in reported, reported
    assert watcher.page.evaluate("window.injected") is None  # and refused
    assert (
        watcher.page.locator("#red").evaluate("el => getComputedStyle(el).color")
        != "rgb(255, 0, 0)"
    )


@pytest.mark.any_database
def test_no_page_of_any_role_breaks_the_content_security_policy(browser, live_server, csp_settings):
    world = build_world()
    hill, me = world.hill, world.me
    senior = world.classmate
    rich_student(hill, senior)
    version = transcript_publish(actor=hill.registrar, student=senior, note="").version
    link = share_link_create(actor=senior.user, version=version, recipient="Lakeside College")
    make_team(hill)  # the admin leads the school's journey team
    s = "/s/hill"
    found: dict[str, list[str]] = {}

    anonymous = Watcher(browser, live_server)
    for path in (
        "/",
        "/accounts/login/",
        "/accounts/password/forgotten/",
        f"/t/{link.token}/",
        "/verify/",
        "/api/docs",
    ):
        anonymous.visit(path)
    # The shared transcript's area colours, set by script now that style attributes are refused.
    anonymous.visit(f"/t/{link.token}/")
    colour = anonymous.page.locator(".tx-area").first.evaluate(
        "el => getComputedStyle(el).getPropertyValue('--area').trim()"
    )
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", colour), colour
    found.update(anonymous.found)

    def open_a_cell(page):
        page.locator("td.cell a").first.click()
        page.locator("#cell-panel h2").wait_for()

    pages = {
        hill.admin.username: [
            f"{s}/",
            f"{s}/manage/",
            f"{s}/manage/school/",
            f"{s}/manage/people/",
            f"{s}/manage/people/{hill.teacher.pk}/",
            f"{s}/manage/areas/",
            f"{s}/manage/credits/",
            f"{s}/manage/students/",
            f"{s}/transcripts/",
            f"{s}/journey/",
            f"{s}/journey/rate/",
            f"{s}/journey/team-view/",
            f"{s}/imports/",
            f"{s}/credentials/",
            f"{s}/api-tokens/",
            "/accounts/two-factor/",
            "/accounts/two-factor/set-up/",
            "/accounts/password/",
        ],
        hill.registrar.username: [f"{s}/transcripts/students/{senior.pk}/"],
        hill.teacher.username: [
            f"{s}/",
            f"{s}/sections/{hill.section.pk}/",
            f"{s}/sections/{hill.section.pk}/not-progressing/",
            f"{s}/sections/{hill.section.pk}/class/",
        ],
        hill.advisor.username: [f"{s}/advisees/"],
        me.user.username: [
            f"{s}/students/{me.pk}/",
            f"{s}/students/{me.pk}/evidence/",
            f"{s}/students/{me.pk}/evidence/new/",
            f"{s}/students/{me.pk}/story/",
            f"/evidence/{world.evidence.pk}/",
        ],
        senior.user.username: [f"{s}/transcripts/students/{senior.pk}/"],
        world.guardian.username: [f"{s}/students/{me.pk}/"],
        world.reviewer.username: [f"{s}/reviews/", f"{s}/reviews/{world.review.pk}/"],
    }
    for username, paths in pages.items():
        watcher = Watcher(browser, live_server, username)
        for path in paths:
            watcher.visit(path)
        if username == hill.teacher.username:
            # An htmx swap (a gradebook cell opening in the side panel) under the policy.
            watcher.visit(f"{s}/sections/{hill.section.pk}/", then=open_a_cell)
        found.update({f"{username} {p}": v for p, v in watcher.found.items()})
        watcher.context.close()
    assert not found, found
