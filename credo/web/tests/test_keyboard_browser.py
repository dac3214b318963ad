"""The three main flows with the keyboard alone, focus always visible and never lost.

No mouse: every step is Tab, Shift+Tab, Enter, Space, the arrow keys or typing. After each key the
focused element is checked: it is not the page itself (focus lost) and it shows a focus indicator
(an outline or a box shadow under :focus-visible). The pages keep their Content-Security-Policy.
Also here: the main pages at 390 px wide and at 200% zoom need no sideways scrolling.
"""

import re

import pytest

from credo.browser import signed_in_page
from credo.mastery.models import Assessment, CreditReview
from credo.web.tests.conftest import add_highlighted_evidence, add_review_credit, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The focused element, and whether its focus indicator can be seen.
FOCUS = """() => {
  const el = document.activeElement;
  if (!el || el === document.body || el === document.documentElement) return {lost: true};
  const style = getComputedStyle(el);
  // A date field's calendar button lives in the field's shadow tree: the field is the active
  // element without matching :focus, and the button's ring is styled by credo.css.
  const picker = el.type === 'date' && !el.matches(':focus');
  const ring = picker || (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
    || (style.boxShadow && style.boxShadow !== 'none');
  return {
    lost: false,
    tag: el.tagName,
    text: (el.getAttribute('aria-label') || el.textContent || el.value || '').trim().slice(0, 80),
    visible: ring || !el.matches(':focus-visible') && el.tabIndex < 0,
  };
}"""


def focus_ok(page, after: str) -> dict:
    """Assert focus is somewhere and visible; return what has it."""
    focus = page.evaluate(FOCUS)
    assert not focus["lost"], f"focus lost after {after} on {page.url}"
    assert focus["visible"], f"no visible focus on {focus} after {after} on {page.url}"
    return focus


def press(page, key: str) -> dict:
    page.keyboard.press(key)
    return focus_ok(page, key)


def tab_to(page, selector: str, *, text: str | None = None, limit: int = 120) -> dict:
    """Press Tab until the focused element matches the CSS `selector` (and has the `text`, when
    given); return it."""
    for _ in range(limit):
        focus = press(page, "Tab")
        if page.evaluate(
            "([s, text]) => document.activeElement.matches(s)"
            " && (text === null ||"
            " document.activeElement.textContent.replace(/\\s+/g, ' ').trim() === text)",
            [selector, text],
        ):
            return focus
    raise AssertionError(f"{selector} {text or ''} not reached with {limit} Tabs on {page.url}")


def settle(page) -> None:
    page.wait_for_load_state("networkidle")


def follow(page, key: str = "Enter") -> dict:
    """Press a key that loads another page; then Tab once: the first stop is the skip link."""
    with page.expect_navigation():
        page.keyboard.press(key)
    settle(page)
    return press(page, "Tab")


def test_a_teacher_records_an_assessment_from_the_gradebook_by_keyboard(browser, live_server):
    world = build_world()
    me, c6 = world.me, world.hill.competencies[5]
    page = signed_in_page(browser, live_server, "teacher-hill")
    page.goto(f"/s/hill/sections/{world.hill.section.pk}/")
    focus = press(page, "Tab")
    assert focus["text"] == "Skip to content"
    press(page, "Enter")  # to the page's content
    tab_to(page, "td.cell a")  # the first cell of the gradebook
    # the arrow keys move from cell to cell, to the student's C6
    target = f"cell-{me.pk}-{c6.pk}"
    for _ in range(60):
        rows, columns = page.evaluate(
            """(id) => {
              const here = document.activeElement.closest('td');
              const there = document.getElementById(id);
              const row = (td) => td.parentElement.rowIndex;
              const col = (td) => td.cellIndex;
              return [row(there) - row(here), col(there) - col(here)];
            }""",
            target,
        )
        if rows == columns == 0:
            break
        press(
            page,
            "ArrowDown"
            if rows > 0
            else "ArrowUp"
            if rows < 0
            else "ArrowRight"
            if columns > 0
            else "ArrowLeft",
        )
    else:
        raise AssertionError("the arrow keys did not reach the cell")
    press(page, "Enter")  # opens the cell in the side panel, focus on its heading
    page.locator("#cell-panel h2").wait_for()
    page.locator("#cell-panel h2:focus").wait_for()
    tab_to(page, "#cell-panel select[name=value]")
    page.keyboard.type("3")  # a closed select takes the option typed
    focus_ok(page, "choosing a level")
    tab_to(page, "#cell-panel textarea[name=feedback]")
    page.keyboard.type("Clear reasoning, reached by keyboard.")
    tab_to(page, "#cell-panel button[type=submit]")
    press(page, "Enter")
    page.locator("#cell-panel").get_by_text(re.compile(r"Recorded 3 \(summative\)")).wait_for()
    focus_ok(page, "recording")
    assert Assessment.objects.filter(
        student=me, competency=c6, value=3, feedback="Clear reasoning, reached by keyboard."
    ).exists()


def test_a_student_submits_evidence_and_requests_a_review_by_keyboard(browser, live_server):
    world = build_world()
    hill = world.hill
    credit = add_review_credit(hill)
    for i in range(7, 15):  # a list long enough to get a filter box
        hill.framework.competencies.create(
            school=hill.school, code=f"C{i}", statement=f"Competency {i}", sequence=i
        )
    page = signed_in_page(browser, live_server, world.me.user.username)
    tab_to(page, "a", text="Submit evidence")
    follow(page)
    tab_to(page, "input[name=kind]")  # the kinds are radio buttons: arrows choose
    while not page.evaluate("() => document.activeElement.value === 'link'"):
        press(page, "ArrowDown")
    tab_to(page, "input[name=title]")
    page.keyboard.type("Op-ed in the town paper")
    tab_to(page, "input[name=url]")
    page.keyboard.type("https://example.org/op-ed")
    tab_to(page, "details.group-box summary")
    press(page, "Enter")  # open "What it shows"
    tab_to(page, "input[data-filter-choices]")
    page.keyboard.type("competency 5")  # the filter leaves C5 alone in the list
    focus_ok(page, "filtering")
    assert page.get_by_text("1 of 15 shown").is_visible()
    tab_to(page, "input[name=competencies]")
    press(page, "Space")
    assert page.get_by_label(re.compile("C5 — Competency 5")).is_checked()
    tab_to(page, "button[type=submit]")
    follow(page)
    page.get_by_role("heading", name=re.compile("Op-ed in the town paper")).wait_for()

    page.goto(f"/s/hill/students/{world.me.pk}/")
    tab_to(page, "a", text="Request review of Expression II")
    follow(page)
    tab_to(page, "textarea[name=statement]")
    page.keyboard.type("My op-ed reached two thousand readers.")
    tab_to(page, "input[name=format]")
    while not page.evaluate("() => document.activeElement.value === 'exhibition'"):
        press(page, "ArrowDown")
    box = page.get_by_label(re.compile("Op-ed in the town paper"))
    assert box.is_checked()  # tagged to the credit's competency: ticked for the student
    tab_to(page, "button", text="Request the review")
    follow(page)
    page.get_by_text("Review of “Expression II” requested.").wait_for()
    review = CreditReview.objects.get(credit=credit)
    assert review.format == "exhibition"
    assert review.bundle.filter(evidence__title="Op-ed in the town paper").exists()


def shared_transcript(world):
    """Publish `me`'s transcript with a highlighted, approved piece of evidence on an earned
    credit; return the share link."""
    from credo.transcripts.services import share_link_create, transcript_publish

    add_highlighted_evidence(world)
    version = transcript_publish(actor=world.hill.registrar, student=world.me, force=True).version
    return share_link_create(actor=world.me.user, version=version, recipient="A college")


def test_an_admissions_reader_reaches_a_credits_evidence_by_keyboard(browser, live_server):
    link = shared_transcript(build_world())
    page = signed_in_page(browser, live_server)
    page.goto(f"/t/{link.token}/")
    assert press(page, "Tab")["text"] == "Skip to content"
    assert press(page, "Tab")["text"] == "Skip to the credits and their evidence"
    press(page, "Enter")
    focus = focus_ok(page, "skipping to the credits")
    assert focus["tag"] == "SECTION"
    focus = tab_to(page, ".tx-evidence a", limit=15)
    title = focus["text"]
    assert follow(page)["text"] == "Skip to content"
    assert page.get_by_role("heading", name=re.compile(re.escape(title))).is_visible()


def test_the_sticky_save_bar_never_hides_the_focused_note(browser, live_server):
    """On the journey ratings page, each note field reached with Tab is wholly above the sticky
    "Save my ratings" bar."""
    from credo.journey.tests.factories import make_team

    world = build_world()
    make_team(world.hill)
    page = signed_in_page(
        browser, live_server, "teacher-hill", viewport={"width": 1280, "height": 700}
    )
    page.goto("/s/hill/journey/rate/")
    notes = page.locator("textarea[name^=note_]").count()
    assert notes > 20
    hidden = []
    for _ in range(notes):
        focus = tab_to(page, "textarea[name^=note_]", limit=80)
        overlap = page.evaluate(
            "() => document.activeElement.getBoundingClientRect().bottom"
            " - document.querySelector('.j-sticky').getBoundingClientRect().top"
        )
        if overlap > 0:
            hidden.append(f"{focus['text'] or 'a note'}: {overlap:.0f} px under the bar")
    assert hidden == []


# --- reflow: 390 px wide, and 200% zoom of a 1280 px window ---------------------------------------

SIDEWAYS = "() => document.documentElement.scrollWidth - window.innerWidth"
# The smallest text the credit profile shows, in CSS pixels (its drawing is scaled to fit).
PROFILE_TEXT = """() => {
  const sizes = [];
  for (const svg of document.querySelectorAll('svg.credit-profile')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    for (const t of svg.querySelectorAll('text')) {
      if (t.getBoundingClientRect().height > 0) sizes.push(parseFloat(t.getAttribute('font-size')) * scale);
    }
  }
  return sizes.length ? Math.min(...sizes) : null;
}"""


def _main_pages(world) -> dict[str, list[str]]:
    h, me = world.hill, world.me
    link = shared_transcript(world)
    return {
        "": [f"/t/{link.token}/", f"/v/{link.version.public_id}/", "/accounts/login/"],
        me.user.username: [
            f"/s/hill/students/{me.pk}/",
            f"/s/hill/students/{me.pk}/evidence/",
            f"/s/hill/students/{me.pk}/evidence/new/",
            f"/s/hill/students/{me.pk}/credits/{h.credits['advanced'].pk}/review/",
            f"/s/hill/transcripts/students/{me.pk}/preview/",
        ],
        "teacher-hill": [
            "/s/hill/",
            f"/s/hill/sections/{h.section.pk}/",
            f"/s/hill/sections/{h.section.pk}/class/",
            "/s/hill/to-assess/",
        ],
        "registrar-hill": ["/s/hill/manage/", "/s/hill/reviews/", "/s/hill/transcripts/"],
    }


@pytest.mark.any_database
@pytest.mark.parametrize(
    "size",
    [{"width": 390, "height": 844}, {"width": 320, "height": 640}, {"zoom": 2}],
    ids=["390px", "320px", "zoom-200"],
)
def test_the_main_pages_need_no_sideways_scrolling(browser, live_server, size):
    world = build_world()
    wide = []
    for username, urls in _main_pages(world).items():
        if "zoom" in size:  # 200% zoom of a 1280 × 900 window: a 640 × 450 CSS-pixel viewport
            options = {"viewport": {"width": 640, "height": 450}, "device_scale_factor": 2}
        else:
            options = {"viewport": size}
        page = signed_in_page(browser, live_server, username or None, **options)
        for url in urls:
            page.goto(url)
            settle(page)
            over = page.evaluate(SIDEWAYS)
            if over > 0:
                wide.append(f"{url}: {over} px too wide")
            smallest = page.evaluate(PROFILE_TEXT)
            if smallest is not None and smallest < 12:
                wide.append(f"{url}: the profile's text is {smallest:.1f} px")
    assert wide == [], "\n".join(wide)
