"""Signing in under attack: password hashing, lockouts and their lifting, rate-limited links,
two-step sign-in (and the school setting that requires it), the admin site, `next=` addresses."""

import base64
import datetime as dt
import re
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import make_password
from django.core import mail
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from credo.accounts.models import Role, User
from credo.core.models import AuditEvent
from credo.testing import login_verified, make_user, totp_code, two_factor_on

PASSWORD = "pw-for-tests-only"
LOGIN = "/accounts/login/"


def sign_in(client, username, password=PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def signed_in_as(client):
    """Return the user the client's session belongs to (None when signed out)."""
    response = client.get(reverse("web:two_factor"))
    if response.status_code != 200:
        return None
    return User.objects.get(username=re.search(r"Username <strong>([^<]+)<", response.text)[1])


def audit(action, **filters):
    return AuditEvent.objects.filter(action=action, **filters)


# --- passwords ---------------------------------------------------------------------------------


def test_new_passwords_are_argon2_and_pbkdf2_ones_are_upgraded_at_sign_in(hill, settings):
    # The project's hashers (the tests run with fast ones, see credo/conftest.py).
    settings.PASSWORD_HASHERS = [
        "credo.accounts.hashers.Argon2Hasher",
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    ]
    user = hill.teacher
    user.set_password("a new long password")
    user.save()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")

    old = make_password(PASSWORD, hasher="pbkdf2_sha256")
    User.objects.filter(pk=user.pk).update(password=old)
    response = sign_in(Client(), user.username)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$") and user.check_password(PASSWORD)


def test_the_project_hashes_with_argon2_first():
    from config import settings as project

    assert project.PASSWORD_HASHERS[0] == "credo.accounts.hashers.Argon2Hasher"
    assert "django.contrib.auth.hashers.PBKDF2PasswordHasher" in project.PASSWORD_HASHERS


# --- lockout -----------------------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(hill):
    attacker = Client()
    for _ in range(4):
        response = sign_in(attacker, hill.teacher.username, "wrong-guess")
        assert response.status_code == 200 and "enter a correct username" in response.text
    response = sign_in(attacker, hill.teacher.username, "wrong-guess")
    assert response.status_code == 429 and "Sign-in paused" in response.text
    # The right password no longer signs in, from anywhere, for the next hour.
    for client in (attacker, Client(REMOTE_ADDR="10.9.8.7")):
        response = sign_in(client, hill.teacher.username)
        assert response.status_code == 429 and "too many failed sign-ins" in response.text
        assert signed_in_as(client) is None
    # The lockout is audited in the person's school.
    (event,) = audit("signin.locked_out", school=hill.school)
    assert event.target_id == str(hill.teacher.pk) and event.after["ip_address"] == "127.0.0.1"
    # Another account is not affected.
    assert sign_in(Client(), hill.advisor.username).status_code == 302


def test_a_school_admin_sees_the_lockout_and_lifts_it(hill, dale):
    for _ in range(5):
        sign_in(Client(), hill.teacher.username, "wrong-guess")
    person = reverse("web:manage_person", args=["hill", hill.teacher.pk])
    lift = reverse("web:manage_person_lockout", args=["hill", hill.teacher.pk])
    admin = Client()
    admin.force_login(hill.admin)
    page = admin.get(person).text
    assert "Signing in is paused" in page and "after 5 failed attempts" in page

    # Refused to others, with nothing changed: another school's admin, a teacher, anonymous.
    for user, status in ((dale.admin, 404), (hill.advisor, 403), (None, 302)):
        other = Client()
        if user:
            other.force_login(user)
        assert other.post(lift).status_code == status
        assert AccessAttempt.objects.filter(username=hill.teacher.username).exists()
    assert not audit("signin.lockout_lifted").exists()

    response = admin.post(lift)
    assert response.status_code == 302 and response["Location"] == person
    assert not AccessAttempt.objects.filter(username=hill.teacher.username).exists()
    (event,) = audit("signin.lockout_lifted", school=hill.school)
    assert event.actor == hill.admin and event.target_id == str(hill.teacher.pk)
    assert "Signing in is paused" not in admin.get(person).text
    assert sign_in(Client(), hill.teacher.username).status_code == 302


def test_an_address_is_locked_after_fifty_failures_across_accounts(hill, settings):
    spray = Client(REMOTE_ADDR="10.1.1.1")
    for n in range(49):
        assert sign_in(spray, f"nobody{n}", "guess").status_code == 200
    # Signing in to one's own account from there does not wipe the address's count.
    assert sign_in(spray, hill.advisor.username).status_code == 302
    spray.post(reverse("web:logout"))
    assert sign_in(spray, "nobody-else", "guess").status_code == 429
    assert sign_in(spray, hill.teacher.username).status_code == 429  # the right password too
    assert sign_in(Client(REMOTE_ADDR="10.1.1.2"), hill.teacher.username).status_code == 302
    assert audit("signin.locked_out", school=None, target_id="10.1.1.1").exists()


def test_a_successful_sign_in_forgets_the_accounts_earlier_failures(hill):
    for _ in range(4):
        sign_in(Client(), hill.teacher.username, "typo")
    assert sign_in(Client(), hill.teacher.username).status_code == 302
    for _ in range(4):
        sign_in(Client(), hill.teacher.username, "typo")
    assert sign_in(Client(), hill.teacher.username).status_code == 302


# --- rate-limited links ------------------------------------------------------------------------


def test_forgotten_password_links_are_limited_per_address_and_per_network(hill):
    hill.teacher.email = "t@example.org"
    hill.teacher.save()
    url = reverse("web:forgot_password")
    for _ in range(3):
        assert Client().post(url, {"email": "T@example.org"}).status_code == 302
    assert len(mail.outbox) == 3
    response = Client().post(url, {"email": "t@example.org"})
    assert response.status_code == 429 and "Too many links were asked for" in response.text
    assert len(mail.outbox) == 3  # nothing sent
    # From one network: 20 requests an hour, whatever the addresses asked about.
    net = Client(REMOTE_ADDR="10.2.2.2")
    for n in range(20):
        assert net.post(url, {"email": f"x{n}@example.org"}).status_code == 302
    assert net.post(url, {"email": "fresh@example.org"}).status_code == 429


def test_an_admin_makes_at_most_five_sign_in_links_an_hour_per_person(hill):
    admin = Client()
    admin.force_login(hill.admin)
    url = reverse("web:manage_person_signin_link", args=["hill", hill.teacher.pk])
    for _ in range(5):
        assert "/accounts/set-password/" in admin.post(url).text
    page = admin.post(url).text
    assert "wait an hour before making another" in page and "/accounts/set-password/" not in page
    assert audit("person.signin_link_created", school=hill.school).count() == 5


# --- two-step sign-in --------------------------------------------------------------------------


def set_up_through_the_pages(client):
    """Set up two-step sign-in as a person does; return (key, recovery codes)."""
    page = client.get(reverse("web:two_factor_setup"))
    assert page.status_code == 200 and "<svg" in page.text and "QR code" in page.text
    secret = re.search(r'<code class="secret">([A-Z2-7 ]+)</code>', page.text)[1]
    signed = re.search(r'name="key" value="([^"]+)"', page.text)[1]
    secret = secret.replace(" ", "")
    key = base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()
    response = client.post(reverse("web:two_factor_setup"), {"key": signed, "code": totp_code(key)})
    assert response.status_code == 200 and "Your recovery codes" in response.text
    codes = re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4})</code></li>", response.text)
    return key, codes


def test_a_person_sets_up_two_step_sign_in_and_then_needs_a_code(hill):
    client = Client()
    client.force_login(hill.teacher)
    setup = reverse("web:two_factor_setup")
    page = client.get(setup).text
    signed = re.search(r'name="key" value="([^"]+)"', page)[1]
    # A wrong code, a tampered key: refused beside the form, nothing saved.
    wrong = client.post(setup, {"key": signed, "code": "000000"})
    assert wrong.status_code == 400 and "That code does not match" in wrong.text
    tampered = client.post(setup, {"key": signed[:-2] + "xx", "code": "123456"})
    assert tampered.status_code == 400 and "set-up form was changed" in tampered.text
    assert not TOTPDevice.objects.exists() and not audit("person.two_factor_enabled").exists()

    key, codes = set_up_through_the_pages(client)
    assert len(codes) == 10 and len(set(codes)) == 10
    hill.teacher.refresh_from_db()
    assert hill.teacher.two_factor_enabled
    assert audit("person.two_factor_enabled", school=hill.school).count() == 1
    assert signed_in_as(client) == hill.teacher  # this session is confirmed already

    # Signing in again: the password alone signs nobody in.
    fresh = Client()
    response = sign_in(fresh, hill.teacher.username, next="/s/hill/")
    assert response.status_code == 302 and response["Location"] == reverse("web:signin_verify")
    assert signed_in_as(fresh) is None
    assert fresh.get("/s/hill/").status_code == 302  # to the sign-in page
    response = fresh.post(reverse("web:signin_verify"), {"code": "123456"})
    assert response.status_code == 400 and "That code is not right" in response.text
    assert signed_in_as(fresh) is None
    time.sleep(1.1)  # django-otp makes the next try wait after a wrong code (1 s, then 2, 4…)
    response = fresh.post(
        reverse("web:signin_verify"), {"code": totp_code(key, at=time.time() + 30)}
    )
    assert response.status_code == 302 and response["Location"] == "/s/hill/"
    assert signed_in_as(fresh) == hill.teacher

    # A recovery code works once, and its use is audited.
    other = Client()
    sign_in(other, hill.teacher.username)
    response = other.post(reverse("web:signin_verify"), {"code": codes[0].upper()})
    assert response.status_code == 302 and signed_in_as(other) == hill.teacher
    assert audit("person.recovery_code_used", school=hill.school).count() == 1
    assert StaticToken.objects.filter(device__user=hill.teacher).count() == 9
    again = Client()
    sign_in(again, hill.teacher.username)
    assert again.post(reverse("web:signin_verify"), {"code": codes[0]}).status_code == 400


def test_wrong_codes_count_toward_the_lockout(hill):
    two_factor_on(hill.teacher)
    client = Client()
    sign_in(client, hill.teacher.username)
    for _ in range(4):
        assert client.post(reverse("web:signin_verify"), {"code": "111111"}).status_code == 400
    response = client.post(reverse("web:signin_verify"), {"code": "111111"})
    assert response.status_code == 429 and signed_in_as(client) is None
    assert sign_in(Client(), hill.teacher.username).status_code == 429


def test_the_code_step_waits_five_minutes(hill, monkeypatch):
    device, _codes = two_factor_on(hill.teacher)
    client = Client()
    sign_in(client, hill.teacher.username)
    later = time.time() + 301
    monkeypatch.setattr("credo.web.views.signin.time.time", lambda: later)
    response = client.post(reverse("web:signin_verify"), {"code": "123456"})
    assert response.status_code == 302 and response["Location"] == reverse("web:login")
    assert signed_in_as(client) is None


def test_a_session_not_confirmed_by_the_second_factor_is_signed_out(hill):
    two_factor_on(hill.teacher)
    client = Client()
    client.force_login(hill.teacher)  # e.g. a session from before two-step sign-in was set up
    response = client.get("/s/hill/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert signed_in_as(client) is None


def test_a_school_can_require_two_step_sign_in_of_admins_and_registrars(hill):
    admin = Client()
    admin.force_login(hill.admin)
    settings_url = reverse("web:manage_school", args=["hill"])
    form = admin.get(settings_url).text
    assert 'name="two_factor_required"' in form
    response = admin.post(
        settings_url,
        {"name": hill.school.name, "not_progressing_days": 42, "two_factor_required": "on"},
    )
    assert response.status_code == 302
    hill.school.refresh_from_db()
    assert hill.school.two_factor_required
    assert audit("school.settings_saved", school=hill.school).last().after["two_factor_required"]

    # Already signed in: the next page of the school asks to set it up first.
    response = admin.get("/s/hill/manage/")
    assert response.status_code == 302 and response["Location"] == reverse("web:two_factor_setup")
    assert admin.get("/home/")["Location"] == reverse("web:two_factor_setup")
    # htmx requests are redirected as htmx understands it.
    response = admin.get("/s/hill/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == reverse("web:two_factor_setup")

    # A registrar signing in is sent to set it up before anything else; a teacher is not.
    registrar = Client()
    response = sign_in(registrar, hill.registrar.username)
    assert response["Location"] == reverse("web:two_factor_setup")
    assert registrar.get("/s/hill/").status_code == 302
    set_up_through_the_pages(registrar)
    assert registrar.get("/s/hill/").status_code == 200
    teacher = Client()
    assert sign_in(teacher, hill.teacher.username)["Location"] == reverse("web:home")
    assert teacher.get("/s/hill/").status_code == 200

    # While it is required, the registrar cannot turn it off.
    key = TOTPDevice.objects.get(user=hill.registrar).key
    response = registrar.post(
        reverse("web:two_factor_off"), {"code": totp_code(key, at=time.time() + 30)}, follow=True
    )
    assert "it stays on" in response.text
    assert User.objects.get(pk=hill.registrar.pk).two_factor_enabled


def test_a_person_turns_it_off_with_a_code_and_renews_recovery_codes(hill):
    client = Client()
    client.force_login(hill.teacher)
    key, codes = set_up_through_the_pages(client)
    renew = reverse("web:two_factor_recovery_codes")
    refused = client.post(renew, {"code": "000000"}, follow=True)
    assert "That code is not right" in refused.text
    assert set(StaticToken.objects.values_list("token", flat=True)) == set(codes)
    time.sleep(1.1)  # the wait django-otp imposes after a wrong code
    page = client.post(renew, {"code": totp_code(key, at=time.time() + 30)})
    new = re.findall(r"<li><code>([a-z0-9]{4}-[a-z0-9]{4})</code></li>", page.text)
    assert len(new) == 10 and not set(new) & set(codes)
    assert audit("person.recovery_codes_renewed", school=hill.school).count() == 1
    response = client.post(
        reverse("web:two_factor_off"), {"code": totp_code(key, at=time.time() + 60)}
    )
    assert response.status_code == 302
    assert not User.objects.get(pk=hill.teacher.pk).two_factor_enabled
    assert not TOTPDevice.objects.exists() and not StaticToken.objects.exists()
    assert audit("person.two_factor_disabled", school=hill.school).count() == 1


def test_an_admin_removes_the_second_factor_of_a_person_who_lost_it(hill, dale):
    two_factor_on(hill.teacher)
    url = reverse("web:manage_person_two_factor", args=["hill", hill.teacher.pk])
    for user, status in ((dale.admin, 404), (hill.advisor, 403), (None, 302)):
        other = Client()
        if user:
            other.force_login(user)
        assert other.post(url).status_code == status
    assert TOTPDevice.objects.filter(user=hill.teacher).exists()
    admin = Client()
    admin.force_login(hill.admin)
    assert "Remove" in admin.get(reverse("web:manage_person", args=["hill", hill.teacher.pk])).text
    assert admin.post(url).status_code == 302
    assert not TOTPDevice.objects.filter(user=hill.teacher).exists()
    assert not User.objects.get(pk=hill.teacher.pk).two_factor_enabled
    (event,) = audit("person.two_factor_reset", school=hill.school)
    assert event.actor == hill.admin
    assert sign_in(Client(), hill.teacher.username)["Location"] == reverse("web:home")


def test_pages_about_ones_own_sign_in_need_a_session(client):
    for name in ("web:two_factor", "web:two_factor_setup"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    for name in ("web:two_factor_recovery_codes", "web:two_factor_off"):
        assert client.post(reverse(name), {"code": "123456"}).status_code == 302
    assert client.get(reverse("web:signin_verify"))["Location"] == reverse("web:login")


# --- the admin site ----------------------------------------------------------------------------


def test_the_django_admin_is_not_mounted_by_default(client, db):
    root = make_user("root", is_staff=True, is_superuser=True)
    login_verified(client, root)
    assert client.get("/admin/").status_code == 404
    assert client.get("/admin/login/").status_code == 404


@pytest.mark.usefixtures("admin_mounted")
def test_the_admin_lets_in_only_superusers_with_a_second_factor(hill):
    anonymous = Client()
    response = anonymous.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN + "?next=")
    root = make_user("root", is_staff=True, is_superuser=True)
    unverified = Client()
    unverified.force_login(root)
    response = unverified.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("web:two_factor")
    staff = Client()
    staff.force_login(make_user("clerk", is_staff=True))
    assert staff.get("/admin/", follow=True).status_code == 403
    verified = Client()
    login_verified(verified, root)
    assert verified.get("/admin/").status_code == 200


# --- next= ---------------------------------------------------------------------------------------


def test_approving_evidence_follows_only_a_next_on_this_site(hill):
    from credo.testing import submit_evidence

    (evidence,) = submit_evidence(hill.students[0], 1, title="Lab", day=dt.date(2025, 9, 2))
    teacher = Client()
    teacher.force_login(hill.admin)
    url = reverse("web:evidence_approve", args=[evidence.pk])
    own = reverse("web:evidence", args=[evidence.pk])
    for hostile in (
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "http://testserver.evil.example/",
    ):
        response = teacher.post(url, {"next": hostile})
        assert response.status_code == 302 and response["Location"] == own, hostile
    response = teacher.post(url, {"next": "/s/hill/"})
    assert response["Location"] == "/s/hill/"


def test_sign_in_ignores_a_next_to_another_site(hill):
    response = sign_in(Client(), hill.teacher.username, next="https://evil.example/")
    assert response["Location"] == reverse("web:home")
    two_factor_on(hill.advisor)
    client = Client()
    sign_in(client, hill.advisor.username, next="//evil.example/")
    key = TOTPDevice.objects.get(user=hill.advisor).key
    response = client.post(
        reverse("web:signin_verify"), {"code": totp_code(key, at=time.time() + 30)}
    )
    assert response["Location"] == reverse("web:home")


def test_an_admin_in_another_role_is_not_asked_by_a_school_that_does_not_require_it(hill, dale):
    dale.school.two_factor_required = True
    dale.school.save()
    from credo.accounts.models import Membership

    Membership.objects.create(school=dale.school, user=hill.teacher, role=Role.TEACHER)
    assert sign_in(Client(), hill.teacher.username)["Location"] == reverse("web:home")
    assert sign_in(Client(), hill.admin.username)["Location"] == reverse("web:home")
    assert sign_in(Client(), dale.admin.username)["Location"] == reverse("web:two_factor_setup")
