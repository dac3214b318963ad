"""The school's sign-in setup page, the students' password switch, the sign-in page's buttons and
the sealing of client secrets."""

import pytest

from credo.accounts.access import system_actor
from credo.core.models import AuditEvent
from credo.sso import secrets, services
from credo.sso.models import IdentityProvider, Preset
from credo.sso.tests.saml_idp import make_key_and_cert
from credo.testing import login_verified, make_user

pytestmark = pytest.mark.django_db

GOOGLE = {
    "name": "Hill Google",
    "preset": "google",
    "domains": "hill.test\nstaff.hill.test",
    "client_id": "123.apps.example",
    "client_secret": "very-secret-value",
    "enabled": "on",
}


def _url(school, rest=""):
    return f"/s/{school.slug}/manage/sign-in/{rest}"


def _google(school):
    return services.identity_provider_save(
        actor=system_actor(),
        school=school,
        name="Hill Google",
        preset=Preset.GOOGLE,
        domains="hill.test",
        client_id="123.apps.example",
        client_secret="very-secret-value",
    )


@pytest.mark.parametrize("who", ["admin", "registrar"])
def test_managers_see_the_page(client, hill, who):
    _google(hill.school)
    client.force_login(getattr(hill, who))
    r = client.get(_url(hill.school))
    assert r.status_code == 200 and "Hill Google" in r.content.decode()


@pytest.mark.parametrize("who", ["teacher", "advisor", "student"])
def test_other_roles_are_refused(client, hill, who):
    provider = _google(hill.school)
    user = hill.students[0].user if who == "student" else getattr(hill, who)
    client.force_login(user)
    assert client.get(_url(hill.school)).status_code == 403
    assert client.post(_url(hill.school, "new/"), GOOGLE).status_code == 403
    r = client.post(_url(hill.school, f"{provider.pk}/enabled/"), {"enabled": "0"})
    assert r.status_code == 403
    assert IdentityProvider.objects.get().enabled


def test_other_school_and_anonymous_are_refused(client, hill, dale):
    provider = _google(hill.school)
    r = client.get(_url(hill.school))
    assert r.status_code == 302 and r["Location"].startswith("/accounts/login/")
    client.force_login(dale.admin)
    assert client.get(_url(hill.school)).status_code == 404
    assert client.get(_url(dale.school, f"{provider.pk}/")).status_code == 404
    assert (
        client.post(_url(dale.school, f"{provider.pk}/enabled/"), {"enabled": "0"}).status_code
        == 404
    )
    assert IdentityProvider.objects.get().enabled


def test_admin_adds_google_and_the_secret_is_sealed(client, hill):
    client.force_login(hill.admin)
    r = client.post(_url(hill.school, "new/"), GOOGLE)
    assert r.status_code == 302
    provider = IdentityProvider.objects.get()
    assert provider.issuer == "https://accounts.google.com"
    assert provider.domain_list() == ["hill.test", "staff.hill.test"]
    assert "very-secret-value" not in provider.client_secret_sealed
    assert (
        secrets.unseal(provider.client_secret_sealed, associated_data=provider.associated_data())
        == "very-secret-value"
    )
    event = AuditEvent.objects.get(action="sso.provider_created")
    assert event.actor_id == hill.admin.pk and "very-secret-value" not in str(event.after)
    page = client.get(r["Location"]).content.decode()
    assert f"/accounts/oidc/{provider.key}/login/callback/" in page  # what to register at Google
    assert "very-secret-value" not in page

    # Saving again without a secret keeps the sealed one.
    sealed = provider.client_secret_sealed
    r = client.post(r["Location"], {**GOOGLE, "client_secret": "", "name": "Hill G"})
    provider.refresh_from_db()
    assert provider.name == "Hill G" and provider.client_secret_sealed == sealed


@pytest.mark.parametrize(
    ("change", "field_says"),
    [
        ({"domains": "not a domain!"}, "is not an e-mail domain"),
        ({"domains": ""}, "This field is required"),
        ({"client_secret": ""}, "client secret"),
        ({"preset": "entra"}, "login.microsoftonline.com"),
        ({"preset": "oidc", "issuer": "http://idp.example"}, "https://"),
        ({"preset": "saml"}, "metadata"),
    ],
)
def test_bad_setup_is_refused_with_a_message(client, hill, change, field_says):
    client.force_login(hill.admin)
    r = client.post(_url(hill.school, "new/"), {**GOOGLE, **change})
    assert r.status_code == 400
    assert field_says in r.content.decode()
    assert not IdentityProvider.objects.exists()


def test_saml_metadata_file(client, hill, tmp_path):
    from pathlib import Path

    _, cert_file = make_key_and_cert(tmp_path)
    cert = "".join(Path(cert_file).read_text().splitlines()[1:-1])
    xml = f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.hill.test/saml">
 <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
  <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
  <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.hill.test/sso"/>
 </md:IDPSSODescriptor>
</md:EntityDescriptor>"""
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(hill.admin)
    data = {"name": "Hill portal", "preset": "saml", "domains": "hill.test", "enabled": "on"}
    r = client.post(
        _url(hill.school, "new/"),
        {**data, "metadata_file": SimpleUploadedFile("idp.xml", xml.encode(), "text/xml")},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    provider = IdentityProvider.objects.get()
    assert provider.kind == "saml" and provider.issuer == "https://idp.hill.test/saml"
    page = client.get(r["Location"]).content.decode()
    assert f"/accounts/saml/{provider.key}/acs/" in page
    # Credo's SP metadata answers for it.
    r = client.get(f"/accounts/saml/{provider.key}/metadata/", HTTP_HOST="testserver")
    assert r.status_code == 200 and b"AssertionConsumerService" in r.content
    # Broken metadata is refused, saying so.
    r = client.post(
        _url(hill.school, "new/"),
        {**data, "metadata_file": SimpleUploadedFile("idp.xml", b"<nope", "text/xml")},
    )
    assert r.status_code == 400 and "not readable SAML metadata" in r.content.decode()


def test_turning_a_provider_off_and_on_is_audited(client, hill):
    provider = _google(hill.school)
    client.force_login(hill.admin)
    client.post(_url(hill.school, f"{provider.pk}/enabled/"), {"enabled": "0"})
    provider.refresh_from_db()
    assert not provider.enabled
    assert AuditEvent.objects.filter(
        action="sso.provider_disabled", actor_id=hill.admin.pk
    ).exists()
    assert "Sign in with Hill Google" not in client.get("/accounts/login/").content.decode()
    assert client.get(f"/accounts/oidc/{provider.key}/login/").status_code == 404
    client.post(_url(hill.school, f"{provider.pk}/enabled/"), {"enabled": "1"})
    provider.refresh_from_db()
    assert provider.enabled


def test_sign_in_page_buttons(client, hill, dale):
    _google(hill.school)
    services.identity_provider_save(
        actor=system_actor(),
        school=dale.school,
        name="Dale Microsoft",
        preset=Preset.ENTRA,
        issuer="https://login.microsoftonline.com/0000-tenant/v2.0",
        domains="dale.test",
        client_id="dale-app",
        client_secret="s",
    )
    page = client.get("/accounts/login/?next=/home/").content.decode()
    assert "Sign in with Hill Google (Hill School)" in page
    assert "Sign in with Dale Microsoft (Dale School)" in page
    hill_only = client.get(f"/accounts/login/?school={hill.school.slug}").content.decode()
    assert "Sign in with Hill Google" in hill_only and "Dale Microsoft" not in hill_only


def test_students_password_switch(client, hill):
    student = hill.students[0].user
    client.force_login(hill.admin)
    r = client.post(_url(hill.school), {})  # unticked: students off passwords
    assert (
        r.status_code == 400 and "Add and enable an identity provider first" in r.content.decode()
    )
    _google(hill.school)
    assert client.post(_url(hill.school), {}).status_code == 302
    hill.school.refresh_from_db()
    assert hill.school.students_password_signin is False
    assert AuditEvent.objects.filter(action="school.students_password_signin_changed").exists()
    client.logout()

    r = client.post(
        "/accounts/login/", {"username": student.username, "password": "pw-for-tests-only"}
    )
    assert r.status_code == 200
    assert "sign in with the school" in r.content.decode()
    assert "_auth_user_id" not in client.session
    # Staff and guardians keep their passwords.
    guardian = make_user("gran")
    from credo.accounts.services import guardian_link

    guardian_link(actor=system_actor(), student=hill.students[0], guardian=guardian)
    for person in (hill.teacher, guardian):
        r = client.post(
            "/accounts/login/", {"username": person.username, "password": "pw-for-tests-only"}
        )
        assert r.status_code == 302, person
        client.logout()


def test_sealed_secret_is_bound_to_its_provider(hill):
    one = _google(hill.school)
    two = _google(hill.school)
    with pytest.raises(secrets.SecretUnreadable):
        secrets.unseal(one.client_secret_sealed, associated_data=two.associated_data())
    with pytest.raises(secrets.SecretUnreadable):
        secrets.unseal("credo-sso-secret-v1:AAAA", associated_data=one.associated_data())


def test_admin_with_two_factor_page(client, hill):
    """The page works for an admin verified by a second factor (the school requires it)."""
    hill.school.two_factor_required = True
    hill.school.save()
    login_verified(client, hill.admin)
    assert client.get(_url(hill.school, "new/")).status_code == 200


def test_hostile_metadata_is_refused_not_expanded(client, hill):
    from django.core.files.uploadedfile import SimpleUploadedFile

    xml = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="&xxe;&lol2;"/>"""
    client.force_login(hill.admin)
    data = {"name": "Evil", "preset": "saml", "domains": "hill.test", "enabled": "on"}
    r = client.post(
        _url(hill.school, "new/"),
        {**data, "metadata_file": SimpleUploadedFile("idp.xml", xml, "text/xml")},
    )
    assert r.status_code == 400
    assert "root:" not in r.content.decode()
    assert not IdentityProvider.objects.exists()


# --- a school's provider opens only accounts that stay within that school ------------------------


def test_a_provider_never_opens_an_account_that_reaches_another_school(hill, dale):
    """A rogue admin of Hill could point Hill's provider at anyone's address: it must not sign in
    a person who also works at Dale, nor a superuser, even when they are on Hill's roster."""
    from credo.accounts.models import Membership, Role
    from credo.sso.claims import Asserted
    from credo.sso.selectors import NotOnRoster, roster_person

    provider = _google(hill.school)
    teacher = hill.teacher
    teacher.email = "teacher@hill.test"
    teacher.save()
    assert roster_person(provider, Asserted(email="teacher@hill.test")) == teacher
    Membership.objects.create(school=dale.school, user=teacher, role=Role.TEACHER)
    with pytest.raises(NotOnRoster, match="reaches beyond Hill School"):
        roster_person(provider, Asserted(email="teacher@hill.test"))
    admin = hill.admin
    admin.email = "admin@hill.test"
    admin.is_superuser = True
    admin.save()
    with pytest.raises(NotOnRoster, match="reaches beyond"):
        roster_person(provider, Asserted(email="admin@hill.test"))
