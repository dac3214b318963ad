"""The permission matrix: every URL of every app × every role × GET and POST.

Every URL the site answers (web, transcripts, journey, credentials, interop, the API and its token
pages — Django's own admin aside) is requested by every kind of visitor: each role of the school,
a teacher and an advisor who work with other students, a review coordinator, a superuser, another
school's admin and student, an anonymous visitor, the holder of a share link and an outside expert
holding an invitation link. Each request runs in a savepoint that is rolled back, so every cell
starts from the same world.

What it asserts, for every cell:

- a refusal (any 4xx, or being sent to sign in) writes nothing: no INSERT, UPDATE or DELETE is
  executed (every statement of the request is captured) and every table keeps its row count;
- a GET writes nothing at all (reading never writes), whoever asks, except the three access logs
  named in `ACCESS_LOGS`;
- no request ever fails with a 500;
- another school's people never get a 200 from this school's pages;
- and the status matches the recorded matrix, `permission_matrix.txt`, so that any change of who may
  do what shows up in review. After a deliberate change, rewrite it with
  `CREDO_WRITE_MATRIX=1 .venv/bin/pytest credo/web/tests/test_authority_matrix.py` and read the diff.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from credo.accounts.access import system_actor
from credo.accounts.models import Role
from credo.testing import make_student, make_user, submit_evidence

MATRIX = Path(__file__).with_name("permission_matrix.txt")

ACTORS = [
    "anon",
    "share_holder",
    "guest",
    "admin",
    "registrar",
    "coordinator",
    "teacher",
    "teacher_other",
    "advisor",
    "advisor_other",
    "me",
    "classmate",
    "guardian",
    "reviewer",
    "superuser",
    "dale_admin",
    "dale_student",
]
OTHER_SCHOOL = {"dale_admin", "dale_student"}
# URLs that are public by design (issuer documents, verification, sign-in, the landing page).
PUBLIC = {
    "web:landing",
    "web:login",
    "web:forgot_password",
    "web:set_password",
    "credentials:issuer",
    "credentials:achievement",
    "credentials:area",
    "credentials:competency",
    "credentials:verify",
    "transcripts:verify",
    "api-docs-asset",
    "rest:openapi-json",
    "rest:openapi-view",
    "rest:api-root",
}
# A person's own pages, the same in every school.
PERSONAL = {
    "web:home",
    "web:password_change",
    "web:two_factor",
    "web:two_factor_setup",
    "web:two_factor_recovery_codes",
    "web:two_factor_off",
    "rest:me",
    "notify:list",
    "notify:badge",
    "notify:settings",
    "notify:read",
    "notify:read_all",
}
# Bookkeeping of who read what, written on reading by design: a share link's view log (with its
# audit event), the API token's "last used" time, and the session.
ACCESS_LOGS = (
    re.compile(r'^INSERT INTO "transcripts_shareview"'),
    re.compile(r'^INSERT INTO "core_auditevent" .*share_link\.viewed', re.S),
    re.compile(r'^UPDATE "api_apitoken" SET "last_used_at"'),
    re.compile(r'"django_session"'),
)
WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.I)


# --- the world ----------------------------------------------------------------------------------


PARAM = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _params(pattern) -> list[str]:
    return [a or b for a, b in PARAM.findall(str(pattern.pattern))]


def _urls() -> list[tuple[str, list[str]]]:
    """Return (name, parameter names) for every named URL of Credo's apps."""

    def walk(patterns, ns="", params=()):
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = ns
                if p.namespace:
                    inner = f"{ns}:{p.namespace}" if ns else p.namespace
                if p.namespace == "admin" or str(p.pattern).startswith("admin/"):
                    continue
                yield from walk(p.url_patterns, inner, (*params, *_params(p)))
            elif isinstance(p, URLPattern) and p.name:
                yield (f"{ns}:{p.name}" if ns else p.name), [*params, *_params(p)]

    seen: dict[str, list[str]] = {}
    for name, params in walk(get_resolver().url_patterns):
        seen.setdefault(name, params)
    return sorted(seen.items())


class Matrix:
    """The hill school of the web tests' world, with a record of every kind for the URLs' ids."""

    def __init__(self, world):
        from credo.api.services import scopes_allowed, token_create
        from credo.credentials.services import transcript_credential_issue
        from credo.journey.tests.factories import make_team
        from credo.mastery.invites import invitation_token
        from credo.notify.models import Delivery, Kind, Notification
        from credo.schools.models import Network, NetworkLead, Section, SectionTeacher
        from credo.transcripts.services import share_link_create, transcript_publish

        self.world = world
        h = world.hill
        self.slug = h.school.slug
        # a teacher of another section (not `me`'s, not aligned to the credit's competencies)
        other_section = Section.objects.create(
            school=h.school,
            experience=h.section.experience,
            term=h.section.term,
            name="Block Z",
        )
        self.teacher_other = make_user("teacher-other-hill", school=h.school, role=Role.TEACHER)
        SectionTeacher.objects.create(
            school=h.school, section=other_section, user=self.teacher_other
        )
        self.advisor_other = make_user("advisor-other-hill", school=h.school, role=Role.ADVISOR)
        make_student(h.school, section=other_section, advisor=self.advisor_other)
        self.superuser = make_user("root", display_name="Root")
        self.superuser.is_superuser = True
        self.superuser.save(update_fields=["is_superuser"])
        self.team = make_team(h)
        network = Network.objects.create(name="Valley", slug="valley")
        h.school.network = network
        h.school.save(update_fields=["network"])
        NetworkLead.objects.create(network=network, user=h.admin)
        self.network = network
        self.version = transcript_publish(actor=h.registrar, student=world.me, force=True).version
        self.link = share_link_create(
            actor=world.me.user, version=self.version, recipient="A college"
        )
        self.issued = (
            transcript_credential_issue(actor=system_actor(), version=self.version)
            if self.version.content.get("areas")
            else None
        )
        self.guest_token = invitation_token(world.guest_seat)
        self.notification = Notification.objects.create(
            school=h.school,
            user=world.me.user,
            kind=Kind.FEEDBACK,
            delivery=Delivery.IMMEDIATE,
            title="Feedback on C1",
            link="/home/",
            source_type="assessment",
            source_id=world.me.assessments.order_by("pk").first().pk,
        )
        from credo.evidence.models import Evidence
        from credo.improve.services import session_create

        # A moderation session the section's teacher scores in (teacher_other does not).
        pieces = list(Evidence.objects.filter(school=h.school).values_list("pk", flat=True)[:2])
        if len(pieces) < 2:
            pieces += [
                e.pk for e in submit_evidence(world.me, 2, title="Piece", day=dt.date(2025, 10, 1))
            ]
        self.moderation = session_create(
            actor=h.admin,
            school=h.school,
            title="Matrix moderation",
            competency_id=h.competencies[0].pk,
            evidence_ids=pieces,
            assessor_ids=[h.teacher.pk, h.registrar.pk],
        )
        self.tokens = {}
        for actor in ACTORS:
            user = self.user(actor)
            if user is None:
                continue
            school = world.dale.school if actor in OTHER_SCHOOL else h.school
            scopes = scopes_allowed(user, school)
            if scopes:
                self.tokens[actor] = token_create(
                    actor=user, school=school, name=f"matrix {actor}", scopes=scopes
                )
        self.admin_token = self.tokens["admin"][0]
        from credo.frameworks.models import Outcome

        self.outcome = Outcome.objects.create(
            school=h.school, framework=h.framework, code="GP1", title="Reasons with evidence"
        )
        from credo.sso.services import identity_provider_save

        self.provider = identity_provider_save(
            actor=system_actor(),
            school=h.school,
            name="Hill Google",
            preset="google",
            domains="hill.test",
            client_id="matrix-client",
            client_secret="matrix-secret",
        )
        from credo.growth import services as growth

        # Educators' growth: the teacher's record, coached by the advisor, observed once.
        growth.educator_framework_install(actor=h.admin, school=h.school)
        self.educator = growth.educator_add(actor=h.admin, school=h.school, user=h.teacher)
        self.support = growth.support_assign(
            actor=h.admin, educator=self.educator, supporter=h.advisor, kind="coach"
        )
        # The teacher invited the admin (a leader, who may observe anyway) to observe them.
        self.invitation = growth.peer_invite(actor=h.teacher, educator=self.educator, peer=h.admin)
        ep = growth.selectors.competencies(h.school)[0]
        growth.observation_record(
            actor=h.advisor,
            educator=self.educator,
            observed_on=dt.date(2025, 10, 1),
            notes="Matrix notes.",
            ratings={ep.pk: "2"},
            feedback="Matrix feedback.",
        )
        from credo.transcripts.services import (
            grade_conversion_set_enabled,
            grade_table_save,
            letter_produce,
            letters_to_family_set,
        )

        # Grade conversion on, with one letter about `me`, readable by the student and guardians.
        grade_table_save(
            actor=h.registrar,
            school=h.school,
            name="Athletics eligibility",
            bands=[("3", "Pass", "1"), ("1", "Not yet", "0")],
        )
        grade_conversion_set_enabled(actor=h.registrar, school=h.school, enabled=True)
        letters_to_family_set(actor=h.registrar, school=h.school, enabled=True)
        self.letter = letter_produce(
            actor=h.registrar,
            student=type(world.me).objects.select_related("school").get(pk=world.me.pk),
            recipient="NCAA Eligibility Center",
            purpose="initial academic eligibility",
        )

    def user(self, actor):
        w = self.world
        return {
            "anon": None,
            "share_holder": None,
            "guest": None,
            "admin": w.hill.admin,
            "registrar": w.hill.registrar,
            "coordinator": w.coordinator,
            "teacher": w.hill.teacher,
            "teacher_other": self.teacher_other,
            "advisor": w.hill.advisor,
            "advisor_other": self.advisor_other,
            "me": w.me.user,
            "classmate": w.classmate.user,
            "guardian": w.guardian,
            "reviewer": w.reviewer,
            "superuser": self.superuser,
            "dale_admin": w.dale.admin,
            "dale_student": w.dale.students[0].user,
        }[actor]

    def kwargs(self, name: str, pattern: list[str], actor: str) -> dict:
        """Return the URL's arguments: the hill school's records; a token only for its holder."""
        w, h = self.world, self.world.hill
        evidence_keys = sorted(self.version.content.get("evidence", {}) or {"none": 0})
        ids = {
            "slug": self.slug,
            "section_id": h.section.pk,
            "student_id": w.me.pk,
            "competency_id": h.competencies[0].pk,
            "assessment_id": w.me.assessments.order_by("pk").first().pk,
            "credit_id": h.credits["advanced"].pk,
            "review_id": w.review.pk,
            "evidence_id": w.evidence.pk,
            "scale_id": h.scale.pk,
            "framework_id": h.framework.pk,
            "area_id": h.areas[0].pk,
            "rule_id": _first_rule(h),
            "outcome_id": self.outcome.pk,
            "term_id": h.section.term_id,
            "experience_id": h.section.experience_id,
            "user_id": h.teacher.pk,
            "public_id": self.version.public_id,
            "key": evidence_keys[0],
            "run_id": 999999,
            "action_id": 999999,
            "snapshot_id": 999999,
            "member_id": self.team.seats[0].pk,
            "network_slug": self.network.slug,
            "school_slug": self.slug,
            "token_id": self.admin_token.pk,
            "notification_id": self.notification.pk,
            "session_id": self.moderation.pk,
            "link_id": self.link.pk,
            "kind": "scores",
            "name": "swagger-ui.css",
            "pk": h.competencies[0].pk,
            "uidb64": "MQ",
            "token": "not-a-token",
            "provider_id": self.provider.pk,
            "educator_id": self.educator.pk,
            "support_id": self.support.pk,
            "invitation_id": self.invitation.pk,
            "letter_id": self.letter.public_id,
            # allauth's protocol ends: an unknown provider (a real one would call out to Google).
            "organization_slug": "credo999999",
        }
        if name.startswith("openid_connect_"):
            ids["provider_id"] = "credo999999"
        if name.startswith("journey:") or name.startswith("credentials:"):
            ids["code"] = "PV1" if name.startswith("journey:") else h.credits["advanced"].code
        if name == "credentials:area":
            ids["code"] = h.areas[0].code
        if name == "credentials:revoke":
            ids["public_id"] = self.issued.public_id if self.issued else self.version.public_id
        if name.startswith("journey:network_version"):
            from credo.journey.models import JourneyFramework

            ids["framework_id"] = JourneyFramework.objects.order_by("pk").first().pk
        if name in ("transcripts:shared", "transcripts:shared_pdf", "transcripts:shared_evidence"):
            ids["token"] = self.link.token if actor == "share_holder" else "forged-link-token"
        if name in ("transcripts:shared_evidence_file", "credentials:shared_clr"):
            ids["token"] = self.link.token if actor == "share_holder" else "forged-link-token"
        if name.startswith("web:guest_"):
            ids["token"] = self.guest_token if actor == "guest" else self.guest_token[:-3] + "xyz"
        return {n: ids[n] for n in pattern}


def _first_rule(h):
    from credo.mastery.models import GraduationRule

    return GraduationRule.objects.filter(school=h.school).first().pk


# A POST carries what the busiest forms ask for, so allowed actors reach the service.
def _post_data(m: Matrix) -> dict:
    w, h = m.world, m.world.hill
    return {
        "decision": "award",
        "feedback": "Matrix feedback.",
        "scheduled_at": "2025-11-03T14:30",
        "location": "Hall",
        "panel_users": [h.teacher.pk],
        "guest_name": "Eve Outside",
        "guest_email": "eve@example.org",
        "statement": "My case.",
        "format": "portfolio",
        "evidence": [w.evidence.pk],
        "override_reason": "Matrix override.",
        "value": "3",
        "demonstrated_on": "2025-10-02",
        "kind": "summative",
        "reason": "Matrix reason.",
        "body": "Matrix text.",
        "title": "Matrix",
        "highlighted": "on",
        "recipient": "A college",
        "name": "Matrix",
        "action": "correct",
    }


def _api_json(m: Matrix) -> dict:
    w, h = m.world, m.world.hill
    return {
        "student_id": w.me.pk,
        "competency_id": h.competencies[0].pk,
        "value": 3,
        "demonstrated_on": "2025-10-02",
        "version": str(m.version.public_id),
        "recipient": "A college",
    }


def _fingerprint() -> dict[str, int]:
    """Return every table's row count, in one query."""
    from django.apps import apps

    tables = sorted({m._meta.db_table for m in apps.get_models()} - {"django_session"})
    qn = connection.ops.quote_name
    sql = " UNION ALL ".join(f"SELECT '{t}', COUNT(*) FROM {qn(t)}" for t in tables)  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


class _Rollback(Exception):
    pass


def _request(client, method, url, *, api_token=None, data=None, json=None):
    headers = {"Authorization": f"Bearer {api_token}"} if api_token else {}
    if method == "GET":
        return client.get(url, headers=headers)
    if json is not None:
        return client.post(url, data=json, content_type="application/json", headers=headers)
    return client.post(url, data or {}, headers=headers)


def _code(response) -> str:
    status = response.status_code
    if status in (301, 302, 303):
        location = response.get("Location", "")
        return "login" if "/accounts/login/" in location else "3xx"
    return str(status)


def _cell(m: Matrix, clients: dict, actor: str, name: str, pattern, method: str, baseline: dict):
    """Make one request in a savepoint that is rolled back; return (code, writes, tables changed).

    Every cell starts from the same state, so after a refusal each table's count is compared with
    the counts taken once before the matrix (`baseline`).
    """
    url = reverse(name, kwargs=m.kwargs(name, pattern, actor))
    is_api = url.startswith("/api/")
    token = m.tokens.get(actor, (None, None))[1] if is_api else None
    result = {}
    atomic = transaction.atomic()
    atomic._from_testcase = True  # let the services' durable transactions nest inside it
    try:
        with atomic:
            with CaptureQueriesContext(connection) as queries:
                response = _request(
                    clients[actor],
                    method,
                    url,
                    api_token=token,
                    data=_post_data(m),
                    json=_api_json(m) if is_api else None,
                )
            result["code"] = _code(response)
            after = _fingerprint() if _refused(result["code"]) else baseline
            result["writes"] = [
                q["sql"]
                for q in queries.captured_queries
                if WRITE.match(q["sql"]) and not any(p.search(q["sql"]) for p in ACCESS_LOGS)
            ]
            result["changed"] = sorted(t for t in baseline if baseline[t] != after.get(t))
            raise _Rollback
    except _Rollback:
        pass
    return result["code"], result["writes"], result["changed"]


def _refused(code: str) -> bool:
    return code == "login" or code.startswith("4")


def _render(rows: dict) -> str:
    head = (
        "# Who gets what: one line per URL and method, one column per visitor.\n"
        "# 200 shown; 3xx sent on (after acting); login sent to sign in; 4xx refused; 202 pending.\n"
        "# Regenerate after a deliberate change: CREDO_WRITE_MATRIX=1 .venv/bin/pytest "
        "credo/web/tests/test_authority_matrix.py\n"
    )
    width = max(len(k) for k in rows) + 1
    lines = [head, " " * width + " ".join(f"{a[:13]:>13}" for a in ACTORS)]
    for key in sorted(rows):
        lines.append(f"{key:<{width}}" + " ".join(f"{rows[key][a]:>13}" for a in ACTORS))
    return "\n".join(lines) + "\n"


@pytest.mark.django_db
def test_every_url_every_role_get_and_post(world):
    """The whole matrix; see the module's docstring for what each cell must satisfy."""
    m = Matrix(world)
    clients = {}
    for actor in ACTORS:
        clients[actor] = Client()
        user = m.user(actor)
        if user is not None:
            clients[actor].force_login(user)
    urls = _urls()
    assert len(urls) > 130, "the URL walk missed apps"
    apps = {n.split(":")[0] for n, _ in urls if ":" in n}
    assert {"web", "transcripts", "journey", "credentials", "interop", "rest"} <= apps
    rows: dict[str, dict[str, str]] = {}
    problems: list[str] = []
    baseline = _fingerprint()
    for name, pattern in urls:
        if name == "web:logout":  # signing out changes the session only; it has its own tests
            continue
        for method in ("GET", "POST"):
            row = rows.setdefault(f"{method:<4} {name}", {})
            for actor in ACTORS:
                code, writes, changed = _cell(m, clients, actor, name, pattern, method, baseline)
                row[actor] = code
                where = f"{method} {name} as {actor} → {code}"
                if code == "500":
                    problems.append(f"{where}: server error")
                if (_refused(code) or method == "GET") and (writes or changed):
                    problems.append(f"{where}: wrote {changed or writes[:2]}")
                if actor in OTHER_SCHOOL and name not in PUBLIC | PERSONAL and code == "200":
                    problems.append(f"{where}: another school's user was served")
    assert problems == [], "\n".join(problems)
    rendered = _render(rows)
    if os.environ.get("CREDO_WRITE_MATRIX"):
        MATRIX.write_text(rendered)
    assert MATRIX.exists(), "no recorded matrix: run once with CREDO_WRITE_MATRIX=1"
    expected = MATRIX.read_text()
    if rendered != expected:

        def key(line):
            return tuple(line.split()[:2])

        want = {key(line): line for line in expected.splitlines()}
        diff = [
            f"want {want.get(key(line), '(none)')}\n got {line}"
            for line in rendered.splitlines()
            if want.get(key(line)) != line
        ]
        pytest.fail("The permission matrix changed:\n" + "\n".join(diff[:40]))
