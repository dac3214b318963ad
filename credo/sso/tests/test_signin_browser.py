"""A person clicks "Sign in with …" in Chromium, signs in at the real oidc-provider and lands in
Credo: the redirect chain works under Credo's Content-Security-Policy (the button is a link, so
no form posts to another origin)."""

import pytest

from credo.accounts.access import system_actor
from credo.sso import services
from credo.sso.models import Preset

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_student_signs_in_with_the_button(browser, live_server, oidc_idp):
    from credo.testing import make_small_school

    hill = make_small_school("hill")
    user = hill.students[0].user
    user.email = "ava@hill.test"
    user.save()
    services.identity_provider_save(
        actor=system_actor(),
        school=hill.school,
        name="Hill accounts",
        preset=Preset.OIDC,
        issuer=oidc_idp.issuer,
        client_id="credo-browser",
        client_secret="credo-browser-secret",
        domains="hill.test",
    )
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(15_000)
    violations = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.goto("/accounts/login/")
    page.get_by_role("link", name="Sign in with Hill accounts").click()
    page.wait_for_url(f"{oidc_idp.issuer}/interaction/**")
    page.locator("input[name=login]").fill("ava")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/s/hill/**")
    assert violations == []
    page.goto("/home/")
    assert "/accounts/login/" not in page.url
