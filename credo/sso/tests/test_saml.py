"""Signing in through a real SAML 2.0 IdP (pysaml2's, on 127.0.0.1), its assertions signed with a
key made for the run and checked by xmlsec1."""

import re
import shutil
from html import unescape

import pytest
import requests

from credo.accounts.access import system_actor
from credo.core.models import AuditEvent
from credo.sso import services
from credo.sso.models import Preset
from credo.testing import two_factor_on

pytestmark = pytest.mark.django_db

SAML_ACCOUNTS = {
    "ava": {"mail": "ava@hill.test", "givenName": "Ava"},
    "tom": {"mail": "tom@hill.test", "givenName": "Tom"},
    "ada": {"mail": "ada@hill.test", "givenName": "Ada"},
    "stranger": {"mail": "stranger@hill.test"},
}


@pytest.fixture(scope="module")
def saml_idp(tmp_path_factory):
    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 is needed to sign and check SAML assertions (apt-get install xmlsec1)")
    pytest.importorskip("saml2", reason="pysaml2 (a test dependency) is not installed")
    from credo.sso.tests.saml_idp import SamlIdp

    idp = SamlIdp(tmp_path_factory.mktemp("saml"), SAML_ACCOUNTS)
    yield idp
    idp.stop()


@pytest.fixture
def people(hill):
    for user, address in [
        (hill.students[0].user, "ava@hill.test"),
        (hill.teacher, "tom@hill.test"),
        (hill.admin, "ada@hill.test"),
    ]:
        user.email = address
        user.save()
    return hill


def _provider(school, idp, client, *, by_file=False):
    kwargs = {"metadata_xml": idp.metadata} if by_file else {"metadata_url": idp.entity_id}
    provider = services.identity_provider_save(
        actor=system_actor(),
        school=school,
        name="Hill portal",
        preset=Preset.SAML,
        domains="hill.test",
        **kwargs,
    )
    idp.add_sp(client.get(f"/accounts/saml/{provider.key}/metadata/").content.decode())
    return provider


def idp_answer(client, provider, login, **knobs):
    """Start at Credo, sign in at the IdP; return the form fields the IdP posts back."""
    r = client.get(f"/accounts/saml/{provider.key}/login/")
    assert r.status_code == 302, r.content[:300]
    page = requests.get(r["Location"], params={"login": login, **knobs}, timeout=10)
    assert page.status_code == 200, page.text
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', page.text))
    action = unescape(re.search(r'action="([^"]+)"', page.text).group(1))
    assert action.startswith("http://testserver/")
    return action.removeprefix("http://testserver"), {k: unescape(v) for k, v in fields.items()}


def post_back(client, action, fields):
    return client.post(action, fields, follow=True)


def _signed_in_as(client):
    from django.contrib.auth import get_user_model

    pk = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=pk) if pk else None


@pytest.mark.parametrize("by_file", [False, True], ids=["metadata-url", "metadata-file"])
def test_student_signs_in(client, people, saml_idp, by_file):
    provider = _provider(people.school, saml_idp, client, by_file=by_file)
    r = post_back(client, *idp_answer(client, provider, "ava"))
    assert r.status_code == 200
    assert _signed_in_as(client) == people.students[0].user
    assert AuditEvent.objects.filter(action="sso.signed_in").count() == 1


def test_teacher_signs_in(client, people, saml_idp):
    provider = _provider(people.school, saml_idp, client)
    post_back(client, *idp_answer(client, provider, "tom"))
    assert _signed_in_as(client) == people.teacher


def test_unknown_person_is_refused(client, people, saml_idp):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.count()
    provider = _provider(people.school, saml_idp, client)
    r = post_back(client, *idp_answer(client, provider, "stranger"))
    assert r.status_code == 403
    assert "roster has the address stranger@hill.test" in r.content.decode()
    assert _signed_in_as(client) is None and get_user_model().objects.count() == users


def test_assertion_for_another_audience_is_refused(client, people, saml_idp):
    provider = _provider(people.school, saml_idp, client)
    action, fields = idp_answer(client, provider, "ava", audience="https://other.example/sp")
    r = post_back(client, action, fields)
    assert r.status_code == 400 and "did not complete" in r.content.decode()
    assert _signed_in_as(client) is None


def test_expired_assertion_is_refused(client, people, saml_idp):
    provider = _provider(people.school, saml_idp, client)
    r = post_back(client, *idp_answer(client, provider, "ava", expired="1"))
    assert r.status_code == 400 and _signed_in_as(client) is None


def test_replayed_response_is_refused(client, people, saml_idp):
    provider = _provider(people.school, saml_idp, client)
    action, fields = idp_answer(client, provider, "ava")
    post_back(client, action, fields)
    assert _signed_in_as(client) == people.students[0].user
    client.logout()
    r = post_back(client, action, fields)
    assert r.status_code == 403  # its request id was used up by the first sign-in
    assert _signed_in_as(client) is None


def test_tampered_assertion_is_refused(client, people, saml_idp):
    import base64

    provider = _provider(people.school, saml_idp, client)
    action, fields = idp_answer(client, provider, "stranger")
    xml = base64.b64decode(fields["SAMLResponse"]).decode()
    fields["SAMLResponse"] = base64.b64encode(
        xml.replace("stranger@hill.test", "ava@hill.test").encode()
    ).decode()
    r = post_back(client, action, fields)
    assert r.status_code == 400 and _signed_in_as(client) is None


def test_multifactor_context_stands_for_the_second_step(client, people, saml_idp):
    two_factor_on(people.admin)
    provider = _provider(people.school, saml_idp, client)
    r = client.post(*idp_answer(client, provider, "ada"))
    r = client.get(r["Location"])  # allauth's ACS hands over to its finishing step
    assert r["Location"] == "/accounts/login/code/" and _signed_in_as(client) is None
    r = client.post(*idp_answer(client, provider, "ada", mfa="1"))
    r = client.get(r["Location"])
    assert r["Location"] == "/home/" and _signed_in_as(client) == people.admin
