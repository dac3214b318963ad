"""The Spanish catalogue is complete for everything a student, guardian or outside reviewer reads,
and the compiled `.mo` in git says exactly what the `.po` says (machines without gettext tools
serve the committed `.mo`). Standard library only: no msgfmt, no polib."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from credo.families import catalogue

PO = catalogue.LOCALE / "es" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
ROOT = Path(settings.BASE_DIR)

#: Every template a student, a guardian or an outside reviewer sees (pages and e-mails), and the
#: base layout around them.
FAMILY_TEMPLATES = [
    "credo/web/templates/web/base.html",
    "credo/web/templates/web/login.html",
    "credo/web/templates/web/landing.html",
    "credo/web/templates/403.html",
    "credo/web/templates/404.html",
    "credo/web/templates/500.html",
    "credo/web/templates/web/home_guardian.html",
    "credo/web/templates/web/students/_student_nav.html",
    "credo/web/templates/web/students/dashboard.html",
    "credo/web/templates/web/students/evidence_list.html",
    "credo/web/templates/web/students/evidence_detail.html",
    "credo/web/templates/web/students/evidence_new.html",
    "credo/web/templates/web/students/how.html",
    "credo/web/templates/web/students/peers.html",
    "credo/web/templates/web/students/review_request.html",
    "credo/web/templates/web/students/story.html",
    "credo/web/templates/web/reviews/guest.html",
    "credo/web/templates/web/reviews/guest_expired.html",
    "credo/web/templates/web/reviews/_case.html",
    "credo/web/templates/web/reviews/_decision_form.html",
    "credo/web/templates/web/reviews/invitation_email.txt",
    "credo/web/templates/web/reviews/invitation_subject.txt",
    "credo/notify/templates/notify/_badge.html",
    "credo/notify/templates/notify/list.html",
    "credo/notify/templates/notify/settings.html",
    "credo/notify/templates/notify/email_one.txt",
    "credo/notify/templates/notify/email_digest.txt",
    "credo/notify/templates/notify/email_weekly.txt",
    "credo/transcripts/templates/transcripts/letters.html",
    "credo/transcripts/templates/transcripts/letter.html",
    *sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "credo" / "families" / "templates" / "families").iterdir()
    ),
]
#: Staff pages translated so far (issue #18, "the rest of the interface as far as practical"):
#: navigation, homes, worklists, credit reviews, advisees, Setup, one's own sign-in, API tokens,
#: sign-in providers, imports, credentials, educator growth and the error pages. A template joins
#: this list when it is marked; every string it marks must then have its Spanish.
STAFF_TEMPLATES = [
    "credo/web/templates/403_csrf.html",
    "credo/web/templates/refused.html",
    "credo/web/templates/web/_errors.html",
    "credo/web/templates/web/_school_nav.html",
    "credo/web/templates/web/_work_nav_links.html",
    "credo/web/templates/web/_worklists.html",
    "credo/web/templates/web/choose_school.html",
    "credo/web/templates/web/home_admin.html",
    "credo/web/templates/web/home_other.html",
    "credo/web/templates/web/reviews/detail.html",
    "credo/web/templates/web/reviews/queue.html",
    "credo/web/templates/web/worklists/approvals.html",
    "credo/web/templates/web/worklists/panels.html",
    "credo/web/templates/web/worklists/to_assess.html",
    "credo/interop/templates/interop/_nav_link.html",
    "credo/credentials/templates/credentials/_nav_link.html",
    "credo/credentials/templates/credentials/no_clr.html",
    "credo/credentials/templates/credentials/revoke.html",
    "credo/growth/templates/growth/_nav_link.html",
    "credo/sso/templates/sso/refused.html",
    "credo/sso/templates/sso/provider_form.html",
    "credo/sso/templates/sso/providers.html",
    "credo/api/templates/api/_token_table.html",
    "credo/api/templates/api/tokens.html",
    "credo/web/templates/web/accounts/locked_out.html",
    "credo/web/templates/web/accounts/password_form.html",
    "credo/web/templates/web/accounts/recovery_codes.html",
    "credo/web/templates/web/accounts/signin_verify.html",
    "credo/web/templates/web/accounts/two_factor.html",
    "credo/web/templates/web/accounts/two_factor_setup.html",
    "credo/web/templates/web/manage/_nav.html",
    "credo/web/templates/web/manage/index.html",
    "credo/web/templates/web/manage/_pager.html",
    "credo/web/templates/web/manage/_cohorts.html",
    "credo/web/templates/web/manage/form.html",
    "credo/web/templates/web/manage/student_form.html",
    "credo/web/templates/web/manage/rules.html",
    "credo/web/templates/web/manage/terms.html",
    "credo/web/templates/web/manage/areas.html",
    "credo/web/templates/web/manage/experiences.html",
    "credo/web/templates/web/manage/sections.html",
    "credo/web/templates/web/manage/scales.html",
    "credo/web/templates/web/manage/frameworks.html",
    "credo/web/templates/web/manage/framework.html",
    "credo/web/templates/web/manage/outcomes.html",
    "credo/web/templates/web/manage/outcome_form.html",
    "credo/web/templates/web/manage/credits.html",
    "credo/web/templates/web/manage/people.html",
    "credo/web/templates/web/manage/students.html",
    "credo/web/templates/web/manage/person.html",
    "credo/web/templates/web/manage/scale_form.html",
    "credo/web/templates/web/manage/credit_form.html",
    "credo/web/templates/web/students/award_revoke.html",
    "credo/web/templates/web/advising/advisees.html",
    "credo/interop/templates/interop/imports.html",
    "credo/interop/templates/interop/run.html",
    "credo/interop/templates/interop/_progress.html",
    "credo/credentials/templates/credentials/school.html",
    "credo/growth/templates/growth/index.html",
    "credo/growth/templates/growth/observe.html",
    "credo/growth/templates/growth/staff.html",
]
#: Python modules whose gettext calls family-facing pages show.
FAMILY_MODULES = [
    "credo/families/selectors.py",
    "credo/families/services.py",
    "credo/families/views.py",
    "credo/families/labels.py",
    "credo/notify/models.py",
    "credo/notify/services.py",
    "credo/web/templatetags/credo_web.py",
    # How a student's level was computed: the method, the history's notes and every step.
    "credo/mastery/calculations.py",
    "credo/mastery/selectors.py",
    "credo/mastery/explanation.py",
]
#: Views of the translated staff pages (their messages after a save) and staff forms.
STAFF_MODULES = [
    "credo/web/views/reviews.py",
    "credo/web/views/worklists.py",
    "credo/api/views.py",
    "credo/sso/views.py",
    "credo/credentials/views.py",
    "credo/growth/views.py",
    "credo/interop/views.py",
    "credo/web/views/manage/school.py",
    "credo/web/views/manage/curriculum.py",
    "credo/web/views/manage/people.py",
    "credo/web/views/accounts.py",
    "credo/web/views/twofactor.py",
    "credo/web/views/signin.py",
    # Staff forms: labels, help and errors (the models' choice labels stay English).
    "credo/web/forms/base.py",
    "credo/web/forms/reviews.py",
    "credo/web/forms/teaching.py",
    "credo/web/forms/manage.py",
]


@pytest.fixture(scope="module")
def entries():
    return catalogue.read_po(PO)


def test_spanish_catalogue_has_no_empty_or_fuzzy_entry(entries):
    assert len(entries) > 200
    missing = catalogue.untranslated(entries)
    assert missing == [], f"untranslated or fuzzy in {PO.name}: {missing}"


def test_catalogue_header_names_spanish_and_its_plural_rule(entries):
    header = entries[0]
    assert header.msgid == "" and "fuzzy" not in header.flags
    assert "Language: es\n" in header.msgstr[0]
    assert "nplurals=3" in header.msgstr[0]
    assert all(len(e.msgstr) == 3 for e in entries if e.msgid_plural)


def test_placeholders_survive_translation(entries):
    """Every %(name)s of a message is in its translation, or rendering would raise or lose data."""
    named = re.compile(r"%\((\w+)\)s")
    for e in entries:
        if not e.msgid:
            continue
        want = set(named.findall(e.msgid)) | set(named.findall(e.msgid_plural or ""))
        for text in e.msgstr:
            assert set(named.findall(text)) <= want, e.msgid
            # A plural form may leave the count implicit; the singular names the rest.
        assert want - {"n"} <= set(named.findall(e.msgstr[-1])), e.msgid


def test_compiled_catalogue_is_up_to_date_with_the_po(entries):
    assert MO.exists(), "compile the catalogue: msgfmt -o django.mo django.po (and commit it)"
    compiled = catalogue.mo_messages(MO)
    compiled.pop("", None)  # the header
    assert compiled == catalogue.po_messages(entries)


def test_gitignore_keeps_compiled_catalogues():
    ignored = (ROOT / ".gitignore").read_text().split()
    assert not any(p.endswith(".mo") or p == "*.mo" for p in ignored)


@pytest.mark.parametrize("path", FAMILY_TEMPLATES + STAFF_TEMPLATES)
def test_every_string_of_the_family_templates_is_in_the_catalogue(entries, path):
    """Extract the template's messages as `makemessages` would (Django's templatize) and require
    a Spanish translation for each one."""
    translated = {e.msgid for e in entries if e.translated}
    found = catalogue.template_msgids(ROOT / path)
    assert found, f"{path} marks nothing for translation"
    assert found - translated == set(), path


def _python_msgids(path: Path) -> set[str]:
    names = {"_", "gettext", "gettext_lazy", "gettext_noop", "ngettext", "pgettext"}
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in names
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.add(node.args[0].value)
    return found


@pytest.mark.parametrize("path", FAMILY_MODULES + STAFF_MODULES)
def test_every_message_of_the_family_code_is_in_the_catalogue(entries, path):
    translated = {e.msgid for e in entries if e.translated}
    found = _python_msgids(ROOT / path)
    assert found and found - translated == set(), path


def test_the_running_site_reads_the_compiled_catalogue():
    with translation.override("es"):
        assert translation.gettext("Progress report: %(name)s") == "Informe de progreso: %(name)s"
        assert translation.ngettext("%(n)s competency", "%(n)s competencies", 2) == (
            "%(n)s competencias"
        )
    with translation.override("en"):
        assert translation.gettext("Next steps") == "Next steps"
