"""Signing in through a real OpenID Connect provider (oidc-provider on 127.0.0.1)."""

from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from credo.accounts.access import system_actor
from credo.accounts.models import Role
from credo.core.models import AuditEvent
from credo.sso import services
from credo.sso.models import Preset
from credo.testing import make_user, two_factor_on

pytestmark = pytest.mark.django_db(transaction=False)


def _provider(school, idp, *, client="credo", domains="hill.test", **extra):
    return services.identity_provider_save(
        actor=system_actor(),
        school=school,
        name="Hill accounts",
        preset=Preset.OIDC,
        issuer=idp.issuer,
        client_id=client,
        client_secret=f"{client}-secret",
        domains=domains,
        **extra,
    )


def _at_idp(authorize_url: str, login: str, *, mfa=False, idp_session=None):
    """Sign in at the IdP as `login`; return the IdP's redirect back to Credo (a URL)."""
    s = idp_session or requests.Session()
    r = s.get(authorize_url, allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303), r.text
    interaction = r.headers["Location"]
    base = "{0.scheme}://{0.netloc}".format(urlsplit(authorize_url))
    r = s.get(base + interaction, timeout=10)
    assert r.status_code == 200, r.text
    data = {"login": login, **({"mfa": "1"} if mfa else {})}
    r = s.post(base + interaction + "/login", data=data, allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303), r.text
    r = s.get(r.headers["Location"], allow_redirects=False, timeout=10)
    assert r.status_code in (302, 303), r.text
    back = r.headers["Location"]
    assert back.startswith("http://testserver/"), back
    return back


def sign_in(client, provider, login, *, mfa=False, next_url=""):
    """Drive the whole flow: Credo → IdP → Credo's callback. Return Credo's last answer."""
    start = f"/accounts/oidc/{provider.key}/login/" + (f"?next={next_url}" if next_url else "")
    r = client.get(start)
    assert r.status_code == 302, r.content[:500]
    back = _at_idp(r["Location"], login, mfa=mfa)
    return client.get(back.removeprefix("http://testserver"))


def _signed_in_as(client):
    from django.contrib.auth import get_user_model

    pk = client.session.get("_auth_user_id")
    return get_user_model().objects.get(pk=pk) if pk else None


def test_student_signs_in(client, hill, oidc_idp):
    student = hill.students[0]
    student.user.email = "ava@hill.test"
    student.user.save()
    provider = _provider(hill.school, oidc_idp)
    r = sign_in(client, provider, "ava")
    assert r.status_code == 302 and r["Location"] == "/home/"
    assert _signed_in_as(client) == student.user
    assert AuditEvent.objects.filter(action="sso.signed_in", actor_id=student.user.pk).exists()
    assert client.get("/home/", follow=True).status_code == 200


def test_teacher_signs_in_by_address_in_any_case_and_goes_next(client, hill, oidc_idp):
    hill.teacher.email = "tom.teacher@hill.test"
    hill.teacher.save()
    provider = _provider(hill.school, oidc_idp)
    r = sign_in(client, provider, "tom", next_url=f"/s/{hill.school.slug}/sections/")
    assert r["Location"] == f"/s/{hill.school.slug}/sections/"
    assert _signed_in_as(client) == hill.teacher


def test_matched_by_roster_sourced_id_claim(client, hill, oidc_idp):
    from credo.interop.models import SourceLink

    ben = make_user("ben", school=hill.school, role=Role.TEACHER, email="ben@personal.test")
    SourceLink.objects.create(
        school=hill.school, system="oneroster", kind="user", source_id="usr-ben-7", object_id=ben.pk
    )
    provider = _provider(hill.school, oidc_idp, sourced_id_claim="sourcedId")
    sign_in(client, provider, "rostered")
    assert _signed_in_as(client) == ben


@pytest.mark.parametrize(
    ("login", "says"),
    [
        ("stranger", "roster has the address stranger@hill.test"),
        ("unverified", "did not say the address is verified"),
        ("outsider", "signs in addresses at hill.test only"),
    ],
)
def test_person_not_on_roster_is_refused_and_no_account_made(client, hill, oidc_idp, login, says):
    from django.contrib.auth import get_user_model

    hill.students[0].user.email = "ava@hill.test"
    hill.students[0].user.save()
    users = get_user_model().objects.count()
    provider = _provider(hill.school, oidc_idp)
    r = sign_in(client, provider, login)
    assert r.status_code == 403
    assert says in r.content.decode()
    assert _signed_in_as(client) is None
    assert get_user_model().objects.count() == users
    assert AuditEvent.objects.filter(action="sso.signin_refused").count() == 1


def test_member_of_another_school_only_is_refused(client, hill, dale, oidc_idp):
    dale.teacher.email = "tom.teacher@hill.test"  # on Dale's roster, not Hill's
    dale.teacher.save()
    provider = _provider(hill.school, oidc_idp)
    r = sign_in(client, provider, "tom")
    assert r.status_code == 403 and _signed_in_as(client) is None


def test_code_issued_to_another_client_is_refused(client, hill, oidc_idp):
    """Wrong audience: a code the IdP issued to another relying party, fed to Credo's callback."""
    hill.students[0].user.email = "ava@hill.test"
    hill.students[0].user.save()
    provider = _provider(hill.school, oidc_idp)
    r = client.get(f"/accounts/oidc/{provider.key}/login/")
    url = urlsplit(r["Location"])
    query = parse_qs(url.query)
    query["client_id"] = ["other-app"]
    forged = url._replace(
        query="&".join(f"{k}={requests.utils.quote(v[0], safe='')}" for k, v in query.items())
    )
    back = _at_idp(forged.geturl(), "ava")
    r = client.get(back.removeprefix("http://testserver"))
    assert r.status_code == 400
    assert "did not complete" in r.content.decode()
    assert _signed_in_as(client) is None


def test_expired_id_token_is_refused(client, hill, oidc_idp):
    hill.students[0].user.email = "ava@hill.test"
    hill.students[0].user.save()
    provider = _provider(hill.school, oidc_idp, client="credo-late")
    r = sign_in(client, provider, "ava")
    assert r.status_code == 400 and _signed_in_as(client) is None


def test_replayed_callback_is_refused(client, hill, oidc_idp):
    user = hill.students[0].user
    user.email = "ava@hill.test"
    user.save()
    provider = _provider(hill.school, oidc_idp)
    r = client.get(f"/accounts/oidc/{provider.key}/login/")
    back = _at_idp(r["Location"], "ava").removeprefix("http://testserver")
    assert client.get(back).status_code == 302
    assert _signed_in_as(client) == user
    client.logout()
    r = client.get(back)
    assert r.status_code == 400
    assert _signed_in_as(client) is None


def test_disabled_provider_does_not_exist(client, hill, oidc_idp):
    provider = _provider(hill.school, oidc_idp)
    services.identity_provider_set_enabled(actor=system_actor(), provider=provider, enabled=False)
    assert client.get(f"/accounts/oidc/{provider.key}/login/").status_code == 404
    assert "Hill accounts" not in client.get("/accounts/login/").content.decode()


def test_staff_two_step_sign_in_is_kept_without_idp_mfa(client, hill, oidc_idp):
    hill.admin.email = "ada@hill.test"
    hill.admin.save()
    two_factor_on(hill.admin)
    provider = _provider(hill.school, oidc_idp)
    r = sign_in(client, provider, "ada")
    assert r["Location"] == "/accounts/login/code/"
    assert _signed_in_as(client) is None


def test_idp_mfa_stands_for_the_second_step(client, hill, oidc_idp):
    hill.admin.email = "ada@hill.test"
    hill.admin.save()
    two_factor_on(hill.admin)
    provider = _provider(hill.school, oidc_idp)
    r = sign_in(client, provider, "ada", mfa=True)
    assert r["Location"] == "/home/"
    assert _signed_in_as(client) == hill.admin
    assert client.get(f"/s/{hill.school.slug}/manage/").status_code == 200


def test_school_requiring_two_factor_sends_admin_to_set_it_up_without_idp_mfa(
    client, hill, oidc_idp
):
    hill.school.two_factor_required = True
    hill.school.save()
    hill.admin.email = "ada@hill.test"
    hill.admin.save()
    provider = _provider(hill.school, oidc_idp)
    assert sign_in(client, provider, "ada")["Location"] == "/accounts/two-factor/set-up/"
    client.logout()
    assert sign_in(client, provider, "ada", mfa=True)["Location"] == "/home/"
    assert client.get(f"/s/{hill.school.slug}/manage/").status_code == 200


def test_locked_out_account_is_not_signed_in(client, hill, oidc_idp, settings):
    user = hill.students[0].user
    user.email = "ava@hill.test"
    user.save()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/accounts/login/", {"username": user.username, "password": "wrong"})
    provider = _provider(hill.school, oidc_idp)
    r = sign_in(client, provider, "ava")
    assert r.status_code == 429
    assert _signed_in_as(client) is None


def test_provider_that_does_not_answer_gets_a_page_not_an_error(client, hill):
    from credo.sso.tests.conftest import free_port

    provider = _provider(
        hill.school, type("Gone", (), {"issuer": f"http://127.0.0.1:{free_port()}"})
    )
    r = client.get(f"/accounts/oidc/{provider.key}/login/")
    assert r.status_code == 502
    assert "did not answer" in r.content.decode()


def test_http_issuer_is_refused_unless_loopback_is_allowed(hill, settings, oidc_idp):
    from credo.core.errors import ValidationError

    settings.CREDO_SSO_ALLOW_HTTP_LOOPBACK = False
    with pytest.raises(ValidationError, match="https://"):
        _provider(hill.school, oidc_idp)
