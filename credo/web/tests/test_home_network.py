import pytest

from credo.schools.models import Network, NetworkLead
from credo.testing import make_user


@pytest.mark.django_db
def test_network_lead_lands_on_the_network_view(client, hill):
    network = Network.objects.create(name="Valley Network", slug="valley")
    hill.school.network = network
    hill.school.save()
    lead = make_user("lead")
    NetworkLead.objects.create(network=network, user=lead)
    client.force_login(lead)
    response = client.get("/home/")
    assert response.status_code == 302 and response.url == "/n/valley/journey/"


@pytest.mark.django_db
def test_user_without_roles_is_told_what_to_do(client):
    client.force_login(make_user("nobody"))
    response = client.get("/home/")
    assert b"holds no role in any school" in response.content
