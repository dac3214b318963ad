"""Pages as of a past day (`?as_of=`): the dashboard, the gradebook and the school overview show the
record of that day's end, under a banner, with nothing to write; bad days get a message, and the
parameter opens no page its reader could not already see."""

import contextlib
import datetime as dt
import re
from decimal import Decimal
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from credo.mastery import services

DAY = dt.date(2025, 10, 1)
BEFORE = "2025-10-03"  # after the first level (2), before the correction to 4 on 5 October


@contextlib.contextmanager
def on(day: dt.date):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@pytest.fixture
def history(hill):
    """Student 0 is rated 2 on C0 on 1 October; on 5 October the teacher corrects it to 4."""
    student, c0 = hill.students[0], hill.competencies[0]
    with on(DAY):
        first = services.assessment_record(
            assessor=hill.teacher,
            student=student,
            competency=c0,
            value=Decimal("2"),
            demonstrated_on=DAY,
            feedback="Show your reasoning",
        )
    with on(DAY + dt.timedelta(days=4)):
        services.assessment_correct(
            actor=hill.teacher, assessment=first, value=Decimal("4"), feedback="Well argued"
        )
    return hill


def dashboard(school, student, as_of=None):
    url = reverse("web:student", args=[school.slug, student.pk])
    return url + (f"?as_of={as_of}" if as_of is not None else "")


def banner(html: str) -> str:
    found = re.search(r'<p class="as-of-banner" role="note">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


def test_the_dashboard_as_of_a_day_shows_that_day_read_only(client, history):
    hill = history
    student = hill.students[0]
    client.force_login(student.user)
    today = client.get(dashboard(hill.school, student)).content.decode()
    assert ">4<" in today and "Well argued" in today and not banner(today)
    assert "Submit evidence" in today and "Revise in response" in today
    response = client.get(dashboard(hill.school, student, BEFORE))
    assert response.status_code == 200
    html = response.content.decode()
    assert "As it stood on 3 October 2025" in banner(html)
    assert f'href="{dashboard(hill.school, student)}">back to today' in banner(html)
    assert ">2<" in html and ">4<" not in html  # the correction did not exist yet
    assert "Show your reasoning" in html and "Well argued" not in html
    # the past is read-only: no evidence to submit, no revision, no review to request
    assert "Submit evidence" not in html and "Revise in response" not in html
    assert "/review/" not in html and "evidence/new" not in html
    assert 'value="2025-10-03"' in html  # the form says which day is shown
    # "How" explains today's history, corrections included: it stays on today's page
    how = reverse(
        "web:competency_how", args=[hill.school.slug, student.pk, hill.competencies[0].pk]
    )
    assert how in today and how not in html


def test_the_gradebook_as_of_a_day_shows_the_levels_then_and_records_nothing(client, history):
    hill = history
    client.force_login(hill.teacher)
    url = reverse("web:section", args=[hill.school.slug, hill.section.pk])
    cell = reverse("web:cell", args=[hill.school.slug, hill.section.pk, 0, 0])[: -len("0/0/")]
    live = client.get(url).content.decode()
    assert cell in live and "gradebook.js" in live
    html = client.get(f"{url}?as_of={BEFORE}").content.decode()
    assert "As it stood on 3 October 2025" in banner(html)
    s, c = hill.students[0].pk, hill.competencies[0].pk
    past_cell = re.search(rf'<td id="cell-{s}-{c}"[^>]*>(.*?)</td>', html, re.S).group(1)
    assert '<span class="lvl">2</span>' in past_cell
    assert cell not in html and "gradebook.js" not in html and 'id="cell-panel"' not in html


def test_the_school_overview_as_of_a_day_counts_what_stood_then(client, hill):
    from credo.mastery.models import MasteryCredit

    MasteryCredit.objects.filter(school=hill.school).update(available_on=dt.date(2024, 1, 1))
    student = hill.students[0]
    for i, c in enumerate(hill.competencies[:2]):  # Inquiry I is awarded on 2 October
        with on(DAY + dt.timedelta(days=i)):
            services.assessment_record(
                assessor=hill.teacher,
                student=student,
                competency=c,
                value=Decimal("3"),
                demonstrated_on=DAY + dt.timedelta(days=i),
            )
    client.force_login(hill.admin)
    url = reverse("web:school", args=[hill.school.slug])

    def credits_awarded(html):
        return re.search(r"<dt>Credits awarded</dt><dd>(\d+)</dd>", html).group(1)

    first = client.get(f"{url}?as_of=2025-10-01").content.decode()
    assert "As it stood on 1 October 2025" in banner(first)
    assert credits_awarded(first) == "0"
    assert "Where to next" not in first  # no actions offered on the past
    second = client.get(f"{url}?as_of=2025-10-02").content.decode()
    assert credits_awarded(second) == "1"
    assert credits_awarded(client.get(url).content.decode()) == "1"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("yesterday", "is not a date"),
        ("2025-13-40", "is not a date"),
        ("2025-1-3", "is not a date"),
        ("<script>x</script>", "is not a date"),
        ("2025-09-30", "The school&#x27;s records begin on 1 October 2025"),
        ("2999-01-01", "is after today"),
    ],
)
def test_a_bad_day_gets_a_message_and_todays_page(client, history, value, message):
    hill = history
    student = hill.students[0]
    for reader, url in (
        (student.user, dashboard(hill.school, student)),
        (hill.admin, reverse("web:school", args=[hill.school.slug])),
        (hill.teacher, reverse("web:section", args=[hill.school.slug, hill.section.pk])),
    ):
        client.force_login(reader)
        response = client.get(url, {"as_of": value})
        assert response.status_code == 200
        html = response.content.decode()
        assert 'role="alert"' in html and message in html
        assert "<script>x" not in html
        assert not banner(html)


def test_as_of_opens_nothing_its_reader_could_not_already_see(client, history, dale):
    hill = history
    student = hill.students[0]
    other = hill.students[1]
    url = dashboard(hill.school, student, BEFORE)
    anonymous = client.get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous["Location"]
    client.force_login(other.user)  # a classmate
    assert client.get(url).status_code in (403, 404)
    client.force_login(dale.admin)  # another school's admin
    assert client.get(url).status_code in (403, 404)
    dale_student = dale.students[0]
    client.force_login(hill.admin)  # this school's admin, another school's student
    assert client.get(dashboard(dale.school, dale_student, BEFORE)).status_code in (403, 404)
    hill_book = reverse("web:section", args=[hill.school.slug, hill.section.pk])
    client.force_login(dale.teacher)
    assert client.get(f"{hill_book}?as_of={BEFORE}").status_code in (403, 404)


def test_the_banner_speaks_spanish(client, history):
    hill = history
    student = hill.students[0]
    client.force_login(student.user)
    html = client.get(
        dashboard(hill.school, student, BEFORE), headers={"Accept-Language": "es"}
    ).content.decode()
    assert "Tal como estaba el 3 de octubre de 2025" in banner(html)
    assert "volver a hoy" in banner(html)
