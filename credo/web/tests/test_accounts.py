"""Choosing a password: sign-in links made by an admin, forgotten passwords, changing one's own."""

import re

from django.core import mail
from django.test import Client
from django.urls import reverse

from credo.accounts.services import person_create
from credo.core.models import AuditEvent
from credo.testing import make_user


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def link_in(text: str) -> str:
    return re.search(r"http://\S+/accounts/set-password/\S+/", text).group(0)


def test_an_admin_links_a_new_person_who_chooses_a_password_and_signs_in(hill):
    newcomer = person_create(
        actor=hill.admin,
        school=hill.school,
        username="ms-ortiz",
        display_name="Ana Ortiz",
        email="ana@example.org",
        roles=["teacher"],
    )
    assert not newcomer.has_usable_password()
    admin = signed_in(hill.admin)
    person_url = reverse("web:manage_person", args=[hill.school.slug, newcomer.pk])
    html = admin.get(person_url).content.decode()
    assert "has no password yet" in html and "Make a sign-in link" in html

    html = admin.post(
        reverse("web:manage_person_signin_link", args=[hill.school.slug, newcomer.pk])
    ).content.decode()
    assert "A sign-in link is on its way to ana@example.org" in html
    shown = re.search(r'value="(http://[^"]+)"', html).group(1)
    (message,) = mail.outbox
    assert message.to == ["ana@example.org"] and "ms-ortiz" in message.body
    url = link_in(message.body)
    assert url.endswith(shown.split("testserver", 1)[1])
    assert (
        AuditEvent.objects.filter(action="person.signin_link_created", school=hill.school).count()
        == 1
    )

    browser = Client()
    form_page = browser.get(
        url, follow=True
    )  # Django swaps the token for a session, then shows the form
    assert "Choose your password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    short = browser.post(set_url, {"new_password1": "abc", "new_password2": "abc"})
    assert "too short" in short.content.decode()  # refused beside the field, nothing saved
    newcomer.refresh_from_db()
    assert not newcomer.has_usable_password()
    done = browser.post(
        set_url, {"new_password1": "maple-river-42", "new_password2": "maple-river-42"}
    )
    assert done.status_code == 302 and done["Location"].endswith("?username=ms-ortiz")
    assert Client().login(username="ms-ortiz", password="maple-river-42")
    assert AuditEvent.objects.filter(action="person.password_set", actor=newcomer).exists()

    again = Client().get(url, follow=True).content.decode()
    assert "This link no longer works" in again  # one use only


def test_a_person_without_an_address_gets_the_link_from_the_admin(hill):
    quiet = person_create(
        actor=hill.admin,
        school=hill.school,
        username="mr-lee",
        display_name="Sam Lee",
        roles=["reviewer"],
    )
    html = (
        signed_in(hill.registrar)
        .post(reverse("web:manage_person_signin_link", args=[hill.school.slug, quiet.pk]))
        .content.decode()
    )
    assert "has no e-mail address here, so give them this link yourself" in html
    assert "/accounts/set-password/" in html and not mail.outbox


def test_only_the_schools_managers_make_links_for_its_people(hill, dale):
    url = reverse("web:manage_person_signin_link", args=[hill.school.slug, hill.teacher.pk])
    assert signed_in(hill.teacher).post(url).status_code == 403
    assert signed_in(dale.admin).post(url).status_code == 404
    other = reverse("web:manage_person_signin_link", args=[hill.school.slug, dale.teacher.pk])
    assert signed_in(hill.admin).post(other).status_code == 404
    assert not mail.outbox and not AuditEvent.objects.filter(action="person.signin_link_created")


def test_a_forgotten_password_is_answered_the_same_whether_or_not_the_address_is_known(db):
    make_user("kit", email="kit@example.org")
    client = Client()
    for address, sent in (("nobody@example.org", 0), ("KIT@example.org", 1)):
        response = client.post(reverse("web:forgot_password"), {"email": address}, follow=True)
        assert "If an account has that address" in response.content.decode()
        assert len(mail.outbox) == sent
    assert "kit" in mail.outbox[0].body and link_in(mail.outbox[0].body)
    bad = client.post(reverse("web:forgot_password"), {"email": "not an address"})
    assert "Enter a valid email address" in bad.content.decode()


def test_a_signed_in_person_changes_their_password(hill):
    client = signed_in(hill.teacher)
    url = reverse("web:password_change")
    wrong = client.post(
        url,
        {
            "old_password": "nope",
            "new_password1": "cedar-hill-77",
            "new_password2": "cedar-hill-77",
        },
    )
    assert "incorrect" in wrong.content.decode()
    ok = client.post(
        url,
        {
            "old_password": "pw-for-tests-only",
            "new_password1": "cedar-hill-77",
            "new_password2": "cedar-hill-77",
        },
    )
    assert ok.status_code == 302 and ok["Location"] == reverse("web:home")
    assert int(client.session["_auth_user_id"]) == hill.teacher.pk  # still signed in
    hill.teacher.refresh_from_db()
    assert hill.teacher.check_password("cedar-hill-77")
    assert AuditEvent.objects.filter(action="person.password_set", actor=hill.teacher).exists()
