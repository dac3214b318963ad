import pytest
from django.urls import reverse

from credo.growth.models import Observation
from credo.growth.testing import make_staffroom, observe
from credo.testing import row_counts


@pytest.fixture
def room(hill):
    return make_staffroom(hill)


def _url(name, room, **kw):
    return reverse(f"growth:{name}", kwargs={"slug": room.school.slug, **kw})


def test_the_educator_their_coach_and_the_leader_see_the_record(client, room):
    observe(room, value=2)
    url = _url("educator", room, educator_id=room.educator.pk)
    for user in (room.educator.user, room.coach, room.leader):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert b"Give learners time in class" in response.content
        assert b"Developing" in response.content


def test_another_educator_another_school_and_students_do_not(client, room, hill, dale):
    url = _url("educator", room, educator_id=room.educator.pk)
    client.force_login(room.other.user)
    assert client.get(url).status_code == 404
    client.force_login(hill.students[0].user)
    assert client.get(url).status_code == 404
    assert client.get(_url("index", room)).status_code == 403
    client.force_login(dale.admin)
    assert client.get(url).status_code == 404
    client.logout()
    assert "/accounts/login/" in client.get(url)["Location"]


def test_only_leaders_see_the_staff_overview(client, room):
    client.force_login(room.coach)
    assert client.get(_url("staff", room)).status_code == 403
    client.force_login(room.leader)
    response = client.get(_url("staff", room))
    assert response.status_code == 200
    assert (
        b"Hidden: too few educators" in response.content or b"Educators rated" in response.content
    )


def test_observing_through_the_page(client, room):
    comp = room.competencies[1]
    client.force_login(room.coach)
    url = _url("observe", room, educator_id=room.educator.pk)
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "observed_on": "2025-10-01",
            "notes": "Seen.",
            f"rating-{comp.pk}": "3",
            "feedback": "Keep going.",
        },
    )
    assert response.status_code == 302
    assert Observation.objects.filter(educator=room.educator).count() == 1
    # a colleague who was not invited cannot even open the form
    client.force_login(room.other.user)
    assert client.get(url).status_code == 404
    assert client.post(url, {"notes": "x"}).status_code == 404


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"observed_on": "not-a-date", "notes": "n", "feedback": "f", "rating-abc": "3"},
        {"observed_on": "2025-10-01", "notes": "n", "feedback": "f", "rating-999999": "3"},
        {"observed_on": "2025-10-01", "notes": "n", "feedback": "f", "rating-1": "banana"},
        {"observed_on": "2999-01-01", "notes": "n", "feedback": "f"},
    ],
)
def test_malformed_observations_write_nothing_and_never_fail(client, room, data):
    client.force_login(room.coach)
    before = row_counts()
    response = client.post(_url("observe", room, educator_id=room.educator.pk), data)
    assert response.status_code == 200
    assert b'class="msg error"' in response.content or b"msg error" in response.content
    assert row_counts() == before


def test_malformed_ids_and_posts(client, room):
    client.force_login(room.leader)
    base = f"/s/{room.school.slug}/growth/"
    assert client.get(base + "99999999999999999999/").status_code == 404
    for name in ("evidence", "self_assess", "plan", "review", "issue", "support", "peer"):
        url = _url(name, room, educator_id=room.educator.pk)
        response = client.post(url, {"kind": "nonsense", "credit": "x", "award": "-1"})
        assert response.status_code in (302, 403), name
        assert client.get(url).status_code == 405


def test_evidence_and_revision_through_the_page(client, room):
    observe(room, value=2)
    from credo.growth import selectors

    fb = selectors.record(room.educator).feedback[0]
    client.force_login(room.educator.user)
    response = client.post(
        _url("evidence", room, educator_id=room.educator.pk),
        {
            "kind": "text",
            "title": "Reflection after feedback",
            "demonstrated_on": "2025-10-05",
            "body": "I left ten minutes for revision.",
            "competencies": [room.competencies[1].pk],
            "responds_to": fb.pk,
        },
    )
    assert response.status_code == 302
    ev = selectors.record(room.educator).evidence[0]
    assert ev.responds_to_id == fb.pk and ev.revision_of_id == fb.evidence_id
    # the coach may not add evidence to someone else's record
    client.force_login(room.coach)
    assert (
        client.post(
            _url("evidence", room, educator_id=room.educator.pk),
            {"kind": "text", "title": "x", "demonstrated_on": "2025-10-05", "body": "x"},
        ).status_code
        == 403
    )


def test_record_and_staff_pages_cost_the_same_queries_however_much_history(client, room):
    import datetime as dt

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def cost(url, user):
        client.force_login(user)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    record = _url("educator", room, educator_id=room.educator.pk)
    staff = _url("staff", room)
    observe(room, value=2)
    before = cost(record, room.coach), cost(staff, room.leader)
    for n in range(4):
        observe(room, value=3, code=f"EP{n + 1}", day=dt.date(2025, 10, 2 + n))
    after = cost(record, room.coach), cost(staff, room.leader)
    assert after == before


def test_a_micro_credentials_achievement_is_published_like_a_credits(client, room):
    for path in ("achievements/MC-FEEDBACK", "areas/EDU"):
        response = client.get(f"/issuers/{room.school.slug}/{path}")
        assert response.status_code == 200, path


def test_a_leader_ends_coaching_and_the_coach_loses_the_record(client, room, dale):
    from credo.core.models import AuditEvent
    from credo.growth.models import Support

    support = Support.objects.get(educator=room.educator, supporter=room.coach)
    record = _url("educator", room, educator_id=room.educator.pk)
    end = _url("support_end", room, educator_id=room.educator.pk, support_id=support.pk)
    client.force_login(room.leader)
    page = client.get(record).content.decode()
    assert f'action="{end}"' in page
    # Nobody but a leader ends it: the coach and the educator are refused, writing nothing.
    for user in (room.coach, room.educator.user):
        client.force_login(user)
        before = row_counts()
        assert client.post(end).status_code == 403
        assert row_counts() == before
    client.force_login(dale.admin)  # another school's leader: the educator does not exist there
    assert client.post(end).status_code == 404
    client.force_login(room.leader)
    assert client.get(end).status_code == 405
    # Another educator's relationship, through this educator's address: not found.
    other = _url("support_end", room, educator_id=room.other.pk, support_id=support.pk)
    assert client.post(other).status_code == 404
    response = client.post(end)
    assert response.status_code == 302 and response["Location"] == record
    support.refresh_from_db()
    assert support.ended_on is not None
    event = AuditEvent.objects.filter(action="growth.support_ended").latest("id")
    assert event.actor_id == room.leader.pk
    # Ended once: a second press finds nothing to end; the coach no longer sees the record.
    assert client.post(end).status_code == 404
    client.force_login(room.coach)
    assert client.get(record).status_code == 404


def test_the_educator_closes_a_peers_invitation_and_the_peer_can_no_longer_observe(client, room):
    from credo.core.models import AuditEvent
    from credo.growth import services
    from credo.growth.models import PeerInvitation

    peer = room.other.user
    invitation = services.peer_invite(actor=room.educator.user, educator=room.educator, peer=peer)
    observe_url = _url("observe", room, educator_id=room.educator.pk)
    close = _url("peer_close", room, educator_id=room.educator.pk, invitation_id=invitation.pk)
    client.force_login(peer)
    assert client.get(observe_url).status_code == 200
    assert client.post(close).status_code == 404  # the peer cannot even see the record
    client.force_login(room.coach)  # sees the record, but did not send the invitation
    assert client.post(close).status_code == 403
    client.force_login(room.educator.user)
    assert (
        f'action="{close}"'
        in client.get(_url("educator", room, educator_id=room.educator.pk)).content.decode()
    )
    assert client.post(close).status_code == 302
    invitation.refresh_from_db()
    assert invitation.closed_at is not None
    assert AuditEvent.objects.filter(action="growth.peer_closed").count() == 1
    assert client.post(close).status_code == 404  # already closed
    client.force_login(peer)
    assert client.get(observe_url).status_code == 404
    # Closed, the colleague may be invited again.
    again = services.peer_invite(actor=room.educator.user, educator=room.educator, peer=peer)
    assert (
        PeerInvitation.objects.filter(educator=room.educator, closed_at__isnull=True).get() == again
    )
    # A leader may close it too.
    client.force_login(room.leader)
    url = _url("peer_close", room, educator_id=room.educator.pk, invitation_id=again.pk)
    assert client.post(url).status_code == 302


def test_ending_twice_at_once_is_refused_not_doubled(room):
    from credo.core.errors import ValidationError
    from credo.growth import services
    from credo.growth.models import Support

    first = Support.objects.get(educator=room.educator, supporter=room.coach)
    stale = Support.objects.get(
        pk=first.pk
    )  # a second leader's copy, read before the first ends it
    services.support_end(actor=room.leader, support=first)
    with pytest.raises(ValidationError):
        services.support_end(actor=room.leader, support=stale)
