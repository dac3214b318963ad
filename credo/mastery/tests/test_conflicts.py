"""Concurrent corrections of one assessment and concurrent review requests: the loser of the race
gets a Conflict (409 on the pages and in the API) with a message, never a 500, and nothing of it is
written. The thread tests run on whichever database the suite runs on (SQLite and PostgreSQL)."""

import datetime as dt
import sqlite3
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse

from credo.core.errors import Conflict
from credo.core.models import AuditEvent
from credo.mastery import services
from credo.mastery.models import Assessment, CreditReview
from credo.testing import meet_credit, row_counts

DAY = dt.date(2025, 10, 1)


@pytest.fixture
def share_database(transactional_db, tmp_path, monkeypatch):
    """Return a function that lets new threads see the test's data, called once it is written.

    On PostgreSQL they already do. On SQLite the test database lives in memory, where a second
    writer fails at once ("table is locked") instead of waiting as it does on a real file; so the
    function copies it to a file (WAL, busy timeout, IMMEDIATE transactions: what `credo serve`
    uses) and points new connections there."""

    def share():
        if connection.vendor != "sqlite" or not connection.is_in_memory_db():
            return
        path = tmp_path / "race.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(path)
        connection.connection.backup(target)
        # The copy keeps the memory database's journal; switch it to WAL here, once. Left to the
        # racing threads, each connection's `PRAGMA journal_mode=WAL` would need the exclusive
        # lock at the same moment, and SQLite answers the second "database is locked" at once,
        # without waiting for its busy timeout.
        target.execute("PRAGMA journal_mode=WAL")
        target.close()
        # A new dict: the open connection keeps its own (and stays on the memory database).
        monkeypatch.setitem(
            connections.settings, "default", {**connections.settings["default"], "NAME": str(path)}
        )

    return share


def _in_thread(fn):
    """Return fn() computed on a new connection (the database the racing threads used)."""
    box = []

    def run():
        try:
            box.append(fn())
        finally:
            connection.close()

    t = threading.Thread(target=run)
    t.start()
    t.join(timeout=60)
    return box[0]


def _race(monkeypatch, hook_name: str, calls):
    """Run each of `calls` in its own thread (own database connection); all of them pass the
    service's checks before any opens its transaction (the hook `hook_name` in services waits at
    a barrier), so they really race for the lock. Return each call's result or exception."""
    barrier = threading.Barrier(len(calls))
    where, hook_name = hook_name.rsplit(".", 1)  # the module of services that calls the hook
    owner = getattr(services, where)
    original = getattr(owner, hook_name)

    def hooked(*args, **kwargs):
        result = original(*args, **kwargs)
        barrier.wait(timeout=30)
        return result

    monkeypatch.setattr(owner, hook_name, hooked)
    results: list = [None] * len(calls)

    def run(i):
        try:
            results[i] = calls[i]()
        except Exception as exc:  # noqa: BLE001 -- the test inspects what each thread met
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


def test_two_concurrent_corrections_one_wins_the_other_gets_a_conflict(
    hill, monkeypatch, share_database
):
    student, competency = hill.students[0], hill.competencies[0]
    original = services.assessment_record(
        assessor=hill.teacher, student=student, competency=competency, value=2, demonstrated_on=DAY
    )
    audits = AuditEvent.objects.count()
    share_database()

    def correct(value):
        return lambda: services.assessment_correct(
            actor=hill.teacher, assessment=Assessment.objects.get(pk=original.pk), value=value
        )

    results = _race(monkeypatch, "assessments._check_assessment", [correct(3), correct(4)])
    winners = [r for r in results if isinstance(r, Assessment)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "This assessment was corrected meanwhile" in losers[0].message
    # Only the winner's row and its one audit event were written.
    written = _in_thread(
        lambda: (
            list(Assessment.objects.filter(replaces=original).values_list("pk", flat=True)),
            Assessment.objects.count(),
            AuditEvent.objects.count(),
        )
    )
    assert written == ([winners[0].pk], 2, audits + 1)


def test_two_concurrent_review_requests_one_wins_the_other_gets_a_conflict(
    hill, monkeypatch, share_database
):
    student, credit = hill.students[0], hill.credits["advanced"]
    credit.review_required = True
    credit.save()
    meet_credit(student, credit, actor=hill.admin)
    audits = AuditEvent.objects.count()
    share_database()

    def request():
        return services.credit_review_request(
            actor=hill.admin, student=student, credit=credit, statement="Ready."
        )

    results = _race(monkeypatch, "reviews.clean_text", [request, request])
    winners = [r for r in results if isinstance(r, CreditReview)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1 and len(losers) == 1, results
    assert "was requested meanwhile" in losers[0].message
    written = _in_thread(
        lambda: (
            list(CreditReview.objects.values_list("pk", flat=True)),
            AuditEvent.objects.filter(action="credit_review.requested").count(),
            AuditEvent.objects.count(),
        )
    )
    assert written == ([winners[0].pk], 1, audits + 1)


# --- what a person meets: 409 with a message, nothing written -----------------------------------


@pytest.mark.django_db
def test_a_correction_overtaken_meanwhile_answers_409_on_the_page(client, hill, monkeypatch):
    student, competency = hill.students[0], hill.competencies[0]
    original = services.assessment_record(
        assessor=hill.teacher, student=student, competency=competency, value=2, demonstrated_on=DAY
    )
    check = services._check_assessment
    raced = []

    def meanwhile(**kwargs):
        """Another teacher's correction commits between this request's checks and its write."""
        value = check(**kwargs)
        if not raced:
            raced.append(None)
            raced[0] = services.assessment_correct(actor=hill.admin, assessment=original, value=4)
        return value

    monkeypatch.setattr(services.assessments, "_check_assessment", meanwhile)
    client.force_login(hill.teacher)
    before = row_counts()
    response = client.post(
        reverse("web:correct", args=[hill.school.slug, hill.section.pk, original.pk]),
        {"action": "correct", "value": "3", "demonstrated_on": "2025-10-01", "kind": "summative"},
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "This assessment was corrected meanwhile" in page and "Nothing was saved" in page
    after = row_counts()
    # Only the other teacher's correction (and what it recomputed) was written.
    assert after["mastery.Assessment"] == before["mastery.Assessment"] + 1
    assert Assessment.objects.get(replaces=original).pk == raced[0].pk


@pytest.mark.django_db
def test_a_review_requested_meanwhile_answers_409_on_the_page(client, hill, monkeypatch):
    student, credit = hill.students[0], hill.credits["advanced"]
    credit.review_required = True
    credit.save()
    meet_credit(student, credit, actor=hill.admin)
    from credo.testing import submit_evidence

    evidence = submit_evidence(student, 1, title="Lab", day=DAY)[0]
    clean = services.reviews.clean_text
    raced = []

    def meanwhile(*args, **kwargs):
        text = clean(*args, **kwargs)
        if not raced:
            raced.append(None)
            raced[0] = services.credit_review_request(
                actor=hill.admin, student=student, credit=credit, statement="From the office."
            )
        return text

    monkeypatch.setattr(services.reviews, "clean_text", meanwhile)
    client.force_login(student.user)
    before = row_counts()
    response = client.post(
        reverse("web:review_request", args=[hill.school.slug, student.pk, credit.pk]),
        {"statement": "My case.", "format": "portfolio", "evidence": [evidence.pk]},
    )
    assert response.status_code == 409
    assert "was requested meanwhile" in response.content.decode()
    assert row_counts()["mastery.CreditReview"] == before["mastery.CreditReview"] + 1
    assert CreditReview.objects.get().statement == "From the office."


@pytest.mark.django_db
def test_a_conflict_in_the_api_answers_409_in_the_one_error_format(client, hill, monkeypatch):
    from credo.api.services import token_create

    token = token_create(
        actor=hill.teacher, school=hill.school, name="t", scopes=["read", "write:assessments"]
    )[1]

    def overtaken(**kwargs):
        raise Conflict("This assessment was corrected meanwhile; nothing was saved.")

    monkeypatch.setattr(services, "assessment_record", overtaken)
    before = row_counts()
    response = client.post(
        "/api/schools/hill/assessments",
        {
            "student_id": hill.students[0].pk,
            "competency_id": hill.competencies[0].pk,
            "value": "3",
            "demonstrated_on": "2025-10-01",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 409
    assert response.json() == {
        "error": {
            "status": 409,
            "code": "conflict",
            "message": "This assessment was corrected meanwhile; nothing was saved.",
            "fields": {},
        }
    }
    assert row_counts() == before
