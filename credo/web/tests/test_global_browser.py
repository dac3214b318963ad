"""The shared layout in a real browser: a phone-width screen never scrolls sideways, and the
keyboard reaches the content through the skip link with a visible focus ring."""

import pytest

from credo.browser import sign_in
from credo.journey.tests.factories import make_team
from credo.testing import make_small_school

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDE = """() => [...document.querySelectorAll('body *')].filter(el => {
  if (el.getBoundingClientRect().right <= document.documentElement.clientWidth + 1) return false;
  for (let p = el.parentElement; p; p = p.parentElement) {
    if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(p).overflowX)) return false;
  }
  return true;
}).map(el => el.tagName + '.' + el.className + ' ' + el.textContent.slice(0, 30)).slice(0, 8)"""
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


def test_pages_fit_a_phone_and_the_skip_link_works(browser, live_server):
    hill = make_small_school("hill")
    make_team(hill)
    context = browser.new_context(base_url=live_server.url, viewport={"width": 390, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/")
        assert page.evaluate(OVERFLOW) == 0
        sign_in(page, "admin-hill")
        for path in ("/s/hill/", "/s/hill/journey/", "/s/hill/journey/team-view/", "/nowhere/"):
            page.goto(path)
            assert page.evaluate(OVERFLOW) == 0, (path, page.evaluate(WIDE))

        page.goto("/s/hill/")
        page.keyboard.press("Tab")
        skip = page.locator("a.skip")
        assert page.evaluate("() => document.activeElement.className") == "skip"
        box = skip.bounding_box()
        assert box and box["x"] >= 0 and box["y"] >= 0  # shown on screen when focused
        outline = page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("", "none")
        page.keyboard.press("Enter")
        assert page.url.endswith("#main")
    finally:
        context.close()
