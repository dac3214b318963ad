"""The audit-event registry: only registered events are recorded, every registered one is
recorded somewhere, no source passes a literal action, and the audit log page describes and
filters them."""

import ast
import importlib
import pathlib

import pytest
from django.urls import reverse
from django.utils.html import escape

from credo.core.audit import (
    Event,
    UnregisteredEvent,
    audit_record,
    event_row,
    register,
    registered_events,
)
from credo.core.models import AuditEvent
from credo.interop.events import IMPORTED
from credo.mastery.events import CREDIT_AWARDED
from credo.schools.events import SCHOOL_SETTINGS_SAVED, TERM_SAVED

CREDO = pathlib.Path(__file__).resolve().parents[2]


def _sources():
    for path in sorted(CREDO.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts or path.name == "events.py":
            continue
        yield path, path.read_text(encoding="utf-8")


def test_every_app_event_is_registered_once_with_a_description_and_a_known_target():
    from django.apps import apps

    events = registered_events()
    assert len(events) > 150
    assert len({e.action for e in events}) == len(events)
    for event in events:
        assert event.description.strip(), event
        if event.target:
            assert apps.get_model(event.target), event  # raises LookupError for a wrong label


def test_no_source_passes_a_literal_action():
    actions = {e.action for e in registered_events()}
    found = []
    for path, text in _sources():
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.Constant) and node.value in actions:
                found.append(f"{path.relative_to(CREDO)}:{node.lineno} {node.value}")
            # An action given as a literal string, registered or not (an unregistered one would
            # only fail when that write runs).
            if isinstance(node, ast.Call) and getattr(
                node.func, "id", getattr(node.func, "attr", "")
            ) in ("audit_record", "audit_stamp", "event_row"):
                for kw in node.keywords:
                    literal = isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str)
                    if kw.arg == "action" and literal:
                        found.append(
                            f"{path.relative_to(CREDO)}:{kw.value.lineno} {kw.value.value}"
                        )
    assert found == []


def test_every_registered_event_is_recorded_somewhere():
    sources = "\n".join(text for _, text in _sources())
    importer_base = (CREDO / "interop" / "importers" / "base.py").read_text(encoding="utf-8")
    importers = "\n".join(
        p.read_text(encoding="utf-8") for p in (CREDO / "interop" / "importers").rglob("*.py")
    )
    by_kind = {e.action: (k, v) for k, verbs in IMPORTED.items() for v, e in verbs.items()}
    unused = []
    for event in registered_events():
        if event.action in by_kind:
            kind, verb = by_kind[event.action]
            writer = {"created": "create", "updated": "update", "deleted": "delete"}[verb]
            used = f'IMPORTED[kind]["{verb}"]' in importer_base and any(
                f'{call}(\n            "{kind}"' in importers or f'{call}("{kind}"' in importers
                for call in (f"writer.{writer}", "writer.replace" if verb == "updated" else "-")
            )
        else:
            module = importlib.import_module(f"credo.{_owner(event)}.events")
            name = next(n for n, v in vars(module).items() if v is event)
            used = f"{name}," in sources or f"{name}\n" in sources or f"{name})" in sources
        if not used:
            unused.append(event.action)
    assert unused == []


def _owner(event: Event) -> str:
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("credo."):
            try:
                module = importlib.import_module(f"{config.name}.events")
            except ModuleNotFoundError:
                continue
            if any(v is event for v in vars(module).values()):
                return config.name.removeprefix("credo.")
    raise AssertionError(f"{event} is registered by no app's events module")


@pytest.mark.django_db
def test_a_plain_string_is_refused_even_one_naming_a_registered_action(hill):
    before = AuditEvent.objects.count()
    for action in ("credit.awarded", "made.up", Event("credit.awarded", "a forgery")):
        with pytest.raises(UnregisteredEvent):
            audit_record(actor=hill.admin, school=hill.school, action=action)  # type: ignore[arg-type]
        with pytest.raises(UnregisteredEvent):
            event_row(action, school_id=hill.school.pk, actor_id=None, at=None)  # type: ignore[arg-type]
    assert AuditEvent.objects.count() == before


@pytest.mark.django_db
def test_a_registered_event_is_stored_under_its_unchanged_action(hill):
    event = audit_record(actor=hill.admin, school=hill.school, action=CREDIT_AWARDED)
    event.refresh_from_db()
    assert event.action == "credit.awarded"
    assert type(event.action) is str
    assert AuditEvent.objects.filter(action=CREDIT_AWARDED).count() == 1
    assert IMPORTED["term"]["created"] == "import.term.created"


def test_registering_an_action_twice_or_without_a_description_is_refused():
    with pytest.raises(ValueError, match="twice"):
        register("credit.awarded", "again")
    with pytest.raises(ValueError, match="description"):
        register("test.nameless", "")


def _audit_url(hill, **query):
    url = reverse("web:manage_audit", args=[hill.school.slug])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@pytest.mark.django_db
def test_the_audit_log_describes_each_event_and_filters_by_type(client, hill, dale):
    audit_record(actor=hill.admin, school=hill.school, action=SCHOOL_SETTINGS_SAVED)
    audit_record(actor=hill.admin, school=hill.school, action=TERM_SAVED, note="Fall term")
    audit_record(actor=dale.admin, school=dale.school, action=TERM_SAVED, note="Dale's own term")
    client.force_login(hill.admin)

    everything = client.get(_audit_url(hill))
    assert everything.status_code == 200
    text = everything.content.decode()
    assert escape(SCHOOL_SETTINGS_SAVED.description) in text
    assert "Fall term" in text
    assert "Dale&#x27;s own term" not in text and "Dale's own term" not in text

    terms = client.get(_audit_url(hill, event="term.saved")).content.decode()
    assert "Fall term" in terms
    assert "<td>" + escape(SCHOOL_SETTINGS_SAVED.description) not in terms
    assert "<td>" + escape(TERM_SAVED.description) in terms

    nonsense = client.get(_audit_url(hill, event="<script>", page="x"))
    assert nonsense.status_code == 200
    assert "Fall term" in nonsense.content.decode()


@pytest.mark.django_db
def test_the_audit_log_is_for_the_schools_managers_only(client, hill, dale):
    url = _audit_url(hill)
    assert client.get(url).status_code == 302  # anonymous: to sign in
    client.force_login(hill.teacher)
    assert client.get(url).status_code == 403
    client.force_login(dale.admin)
    assert client.get(url).status_code == 404
    before = AuditEvent.objects.count()
    client.force_login(hill.admin)
    client.get(url)
    assert AuditEvent.objects.count() == before  # reading writes nothing
