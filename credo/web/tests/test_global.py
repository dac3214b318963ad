"""What every visitor meets first: the landing page (with the demo accounts in demo mode), sign-in,
sign-out, and friendly pages when something is missing, closed to them, or broken."""

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from credo.journey.tests.factories import make_team
from credo.schools.models import Network, NetworkLead
from credo.testing import make_user


@pytest.fixture
def network(hill, dale):
    network = Network.objects.create(name="Valley Network", slug="valley")
    for s in (hill, dale):
        s.school.network = network
        s.school.save()
    lead = make_user("lead@valley", display_name="Lena Lead")
    NetworkLead.objects.create(network=network, user=lead)
    return network


@pytest.mark.django_db
def test_landing_lists_every_school_the_network_lead_and_the_journey_team(
    client, settings, hill, dale, network, django_assert_max_num_queries
):
    settings.CREDO_DEMO = True
    make_team(hill)
    with django_assert_max_num_queries(8):
        html = client.get("/").content.decode()
    assert "credo-demo" in html
    assert "Hill School" in html and "Dale School" in html
    # The network lead is listed under the network with its member schools.
    assert "Valley Network" in html and "Lena Lead" in html
    assert '/accounts/login/?username=lead%40valley"' in html
    # Each account opens the sign-in form with its username filled in.
    assert '/accounts/login/?username=admin-hill"' in html
    assert "journey lead" in html and "journey team" in html


@pytest.mark.django_db
def test_landing_without_demo_mode_lists_no_accounts(client, settings, hill):
    settings.CREDO_DEMO = False
    html = client.get("/").content.decode()
    assert "Sign in" in html and "admin-hill" not in html and "credo-demo" not in html


@pytest.mark.django_db
def test_sign_in_prefills_the_username_and_focuses_the_password(client):
    html = client.get("/accounts/login/?username=admin-hill").content.decode()
    assert 'value="admin-hill"' in html
    assert 'type="password" autocomplete="current-password" required autofocus' in html
    # A hostile username is escaped, never markup.
    html = client.get('/accounts/login/?username="><script>x</script>').content.decode()
    assert "<script>x</script>" not in html


@pytest.mark.django_db
def test_sign_in_then_sign_out(client, hill):
    response = client.post(
        "/accounts/login/", {"username": "admin-hill", "password": "pw-for-tests-only"}
    )
    assert response.status_code == 302
    home = client.get("/home/", follow=True)
    assert home.redirect_chain[-1][0] == "/s/hill/"
    assert b"Sign out" in home.content
    out = client.post("/accounts/logout/", follow=True)
    assert out.redirect_chain[-1][0] == "/" and b"Sign out" not in out.content


@pytest.mark.django_db
def test_wrong_password_says_so_and_keeps_the_username(client, hill):
    response = client.post("/accounts/login/", {"username": "admin-hill", "password": "nope"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html and 'value="admin-hill"' in html


@pytest.mark.django_db
def test_missing_page_is_friendly(client, hill):
    response = client.get("/no/such/page/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "We could not find that page" in html
    assert "Resolver404" not in html
    assert 'href="/accounts/login/"' in html  # signed out: offer to sign in
    client.force_login(hill.teacher)
    html = client.get("/s/dale/").content.decode()  # another school's pages answer 404
    assert "We could not find that page" in html and 'href="/home/"' in html


@pytest.mark.django_db
def test_a_page_closed_to_the_role_explains_why(client, hill):
    client.force_login(hill.students[0].user)
    response = client.get("/s/hill/manage/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "This page is not open to your account" in html
    assert "does not let you manage the school" in html  # the reason the view gave


@pytest.mark.django_db
def test_a_stale_form_is_explained(hill):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "admin-hill", "password": "x"})
    assert response.status_code == 403
    assert "That form had gone stale" in response.content.decode()


@pytest.mark.django_db
def test_server_error_page_renders_without_a_request_context():
    html = render_to_string("500.html")
    assert "Something went wrong on our side" in html and "<main" in html
    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content


@pytest.mark.django_db
def test_every_page_has_a_skip_link_and_a_main_landmark(client, hill):
    client.force_login(hill.admin)
    html = client.get("/s/hill/").content.decode()
    assert '<a class="skip" href="#main">' in html and '<main id="main" tabindex="-1">' in html
    assert 'aria-current="page">Home</a>' in html


@pytest.mark.django_db
def test_admin_home_points_onward_and_summarizes_the_journey(
    client, hill, django_assert_max_num_queries
):
    client.force_login(hill.admin)
    html = client.get("/s/hill/").content.decode()
    assert "Where to next" in html and "The school's journey" not in html  # not on a team yet
    make_team(hill)
    with django_assert_max_num_queries(25):
        html = client.get("/s/hill/").content.decode()
    assert "0 of 15 foundational and" in html and "0 of 9 advanced" in html
    assert 'href="/s/hill/journey/"' in html
    assert "1 action item" not in html


@pytest.mark.django_db
def test_network_pages_name_the_network_and_link_its_pages(client, hill, dale, network):
    client.force_login(NetworkLead.objects.get(network=network).user)
    html = client.get("/n/valley/journey/versions/").content.decode()
    assert '<span class="school-name">Valley Network</span>' in html
    assert 'href="/n/valley/journey/"' in html
    assert 'aria-current="page">Framework versions</a>' in html
