"""Round trips: what Credo exports comes back with 0 changes, and nothing changes kind or meaning.

Scores (whoever assessed), Canvas outcomes (with and without a framework name, account-level
scales, `;`-separated files), and spreadsheet formulas neutralized on the way out.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from credo.core.models import AuditEvent
from credo.frameworks.models import Competency, Framework
from credo.interop import exports
from credo.interop.common import ImportRefused, formula_like, neutralize, unneutralize
from credo.interop.importers.canvas import import_canvas
from credo.interop.importers.scores import import_scores
from credo.mastery.models import Assessment


def _assess(hill, student, competency, value, *, assessor, day, feedback=""):
    return Assessment.objects.create(
        school=hill.school,
        student=student,
        competency=competency,
        assessor=assessor,
        value=Decimal(value),
        demonstrated_on=day,
        assessed_at=timezone.now(),
        kind="summative",
        feedback=feedback,
    )


@pytest.mark.django_db
def test_scores_export_reimports_with_no_change_whoever_assessed(hill):
    """An advisor's assessment (not a teacher, admin or registrar) is still recognised as unchanged."""
    s1, s2 = hill.students[0], hill.students[1]
    day = dt.date(2025, 9, 10)
    _assess(hill, s1, hill.competencies[0], "3", assessor=hill.advisor, day=day)
    _assess(hill, s1, hill.competencies[1], "2.5", assessor=hill.teacher, day=day, feedback="ok")
    _assess(
        hill, s2, hill.competencies[0], "4", assessor=None, day=day, feedback="=cmd|' /C calc'!A0"
    )
    exported = exports.scores_csv(hill.school)
    assert "'=cmd|' /C calc'!A0" in exported.decode()  # neutralized for spreadsheets
    before = (Assessment.objects.count(), AuditEvent.objects.count())
    summary = import_scores(actor=hill.admin, school=hill.school, name="export.csv", data=exported)
    assert summary.changed == 0 and summary["assessment"].unchanged == 3
    assert (Assessment.objects.count(), AuditEvent.objects.count()) == before
    # export → import → export is byte for byte the same
    assert exports.scores_csv(hill.school) == exported


@pytest.mark.django_db
def test_a_new_score_by_an_advisor_is_still_refused(hill):
    data = (
        "student_id,competency_code,value,date,assessor\n"
        f"{hill.students[0].student_number},C1,3,2025-09-10,{hill.advisor.username}\n"
    ).encode()
    with pytest.raises(ImportRefused) as caught:
        import_scores(actor=hill.admin, school=hill.school, name="s.csv", data=data)
    assert [str(p) for p in caught.value.problems] == [
        f"s.csv:2: assessor: {hill.advisor.username} is not a teacher, admin or registrar of {hill.school}"
    ]


def test_neutralize_round_trips_and_leaves_numbers_alone():
    for value in ["=1+1", "+cmd", "-cmd", "@SUM(A1)", "\tx", "'=x", "''@y", "plain", "'quoted"]:
        assert unneutralize(neutralize(value)) == value
    for number in ["-1", "-2.5", "+3", "-0.75", "1e3"]:
        assert neutralize(number) == number and not formula_like(number)
    assert neutralize("=cmd") == "'=cmd" and neutralize("-2+3+cmd|x") == "'-2+3+cmd|x"


OUTCOMES = """vendor_guid,object_type,title,description,display_name,calculation_method,calculation_int,mastery_points,parent_guids,workflow_state,ratings,,,,,,,
g1,group,Scientific practices,,SP,,,,,active,,,,,,,,
o1,outcome,Builds a model,,SP.1,decaying_average,65,3,g1,active,4,Exceeds,3,Meets,2,Approaching,1,Beginning
o2,outcome,Tests a model,,SP.2,n_mastery,3,3,g1,active,4,Exceeds,3,Meets,2,Approaching,1,Beginning
"""


def _tree(framework):
    return sorted(
        Competency.objects.filter(framework=framework).values_list(
            "pk", "code", "statement", "kind", "parent_id", "sequence", "scale_id"
        )
    )


@pytest.mark.django_db
def test_our_canvas_export_reimports_in_place_without_a_framework_name(hill):
    # Give the academic framework a tree: C1 holds C2 and C3 (so it is exported as a group).
    c1, c2, c3 = hill.competencies[:3]
    Competency.objects.filter(pk__in=[c2.pk, c3.pk]).update(parent=c1)
    Competency.objects.filter(pk=c1.pk).update(kind="competency")
    Competency.objects.filter(pk__in=[c2.pk, c3.pk]).update(kind="standard")
    before = _tree(hill.framework)
    data, _ = exports.canvas_csv(hill.framework)
    frameworks = Framework.objects.count()
    summary = import_canvas(actor=hill.admin, school=hill.school, name="hill-export.csv", data=data)
    assert Framework.objects.count() == frameworks  # no duplicate framework
    assert summary.changed == 0, summary.as_dict()
    assert _tree(hill.framework) == before  # kinds kept: a group stays a competency
    # With the framework named, the same: in place, no change of kind.
    summary = import_canvas(
        actor=hill.admin,
        school=hill.school,
        name="hill-export.csv",
        data=data,
        framework_name=hill.framework.name,
    )
    assert summary.changed == 0 and _tree(hill.framework) == before
    # export → import → export identical
    assert exports.canvas_csv(hill.framework)[0] == data


@pytest.mark.django_db
def test_a_canvas_guid_of_another_framework_is_refused_with_its_place(hill):
    import_canvas(actor=hill.admin, school=hill.school, name="sci.csv", data=OUTCOMES.encode())
    with pytest.raises(ImportRefused) as caught:
        import_canvas(
            actor=hill.admin,
            school=hill.school,
            name="sci.csv",
            data=OUTCOMES.encode(),
            framework_name="Something else",
        )
    assert any(
        str(p).startswith("sci.csv:3: vendor_guid: “o1” is already an outcome of another framework")
        for p in caught.value.problems
    )
    assert not Framework.objects.filter(name="Something else").exists()


@pytest.mark.django_db
def test_account_scale_files_without_ratings_and_semicolons_are_accepted(hill):
    account = (
        "vendor_guid;object_type;title;description;display_name;parent_guids;workflow_state\n"
        "g1;group;Practices;;P;;active\n"
        "o1;outcome;Plans an investigation;;P.1;g1;active\n"
        'o2;outcome;"Reports; with care";;P.2;g1\n'
    )
    summary = import_canvas(
        actor=hill.admin, school=hill.school, name="account.csv", data=account.encode()
    )
    framework = Framework.objects.get(school=hill.school, name="account")
    codes = dict(Competency.objects.filter(framework=framework).values_list("code", "statement"))
    assert codes == {"P": "Practices", "P.1": "Plans an investigation", "P.2": "Reports; with care"}
    assert framework.scale == hill.framework.scale  # the school's scale stands for the account's
    assert summary["scale"].created == 0
    again = import_canvas(
        actor=hill.admin, school=hill.school, name="account.csv", data=account.encode()
    )
    assert again.changed == 0


# --- CASE ---------------------------------------------------------------------------------------

CASE_SOURCE = {
    "CFDocument": {
        "identifier": "doc-1",
        "uri": "http://server/ims/case/v1p0/CFDocuments/doc-1",
        "creator": "State Board of Education",
        "title": "Science standards",
        "lastChangeDateTime": "2024-05-01T10:00:00+00:00",
        "notes": "Adopted in May.",
        "adoptionStatus": "Draft",
        "language": "en",
    },
    "CFItems": [
        {
            "identifier": "it-b",
            "uri": "http://server/ims/case/v1p0/CFItems/it-b",
            "CFDocumentURI": {
                "title": "Science standards",
                "identifier": "doc-1",
                "uri": "x:doc-1",
            },
            "fullStatement": "Second by sequence",
            "humanCodingScheme": "SCI.2",
            "abbreviatedStatement": "Second",
            "notes": "Revised 2024.",
            "lastChangeDateTime": "2024-05-01T10:00:00+00:00",
        },
        {
            "identifier": "it-a",
            "uri": "http://server/ims/case/v1p0/CFItems/it-a",
            "fullStatement": "First by sequence",
            "humanCodingScheme": "SCI.1",
            "lastChangeDateTime": "2024-05-01T10:00:00+00:00",
        },
        {
            "identifier": "leaf-10",
            "fullStatement": "Leaf listed 10",
            "listEnumeration": "10",
            "lastChangeDateTime": "2024-05-01T10:00:00+00:00",
        },
        {
            "identifier": "leaf-2",
            "fullStatement": "Leaf listed 2",
            "listEnumeration": "2",
            "lastChangeDateTime": "2024-05-01T10:00:00+00:00",
        },
        {
            "identifier": "leaf-z",
            "fullStatement": "Leaf by association order",
            "lastChangeDateTime": "2024-05-01T10:00:00+00:00",
        },
    ],
    "CFAssociations": [
        {
            "identifier": "as-b",
            "associationType": "isChildOf",
            "originNodeURI": {"title": "SCI.2", "identifier": "it-b", "uri": "x:it-b"},
            "destinationNodeURI": {"title": "doc", "identifier": "doc-1", "uri": "x:doc-1"},
            "sequenceNumber": 2,
            "lastChangeDateTime": "2024-05-01T10:00:00+00:00",
        },
        {
            "identifier": "as-a",
            "associationType": "isChildOf",
            "originNodeURI": {"title": "SCI.1", "identifier": "it-a", "uri": "x:it-a"},
            "destinationNodeURI": {"title": "doc", "identifier": "doc-1", "uri": "x:doc-1"},
            "sequenceNumber": 1,
            "lastChangeDateTime": "2024-05-01T10:00:00+00:00",
        },
        # Under it-a, no sequence numbers: association order first (leaf-z before the listed ones
        # would be wrong if listEnumeration came first), then listEnumeration among equals.
        {
            "identifier": "as-z",
            "associationType": "isChildOf",
            "originNodeURI": {"title": "z", "identifier": "leaf-z", "uri": "x:leaf-z"},
            "destinationNodeURI": {"title": "a", "identifier": "it-a", "uri": "x:it-a"},
        },
        {
            "identifier": "as-10",
            "associationType": "isChildOf",
            "originNodeURI": {"title": "10", "identifier": "leaf-10", "uri": "x:leaf-10"},
            "destinationNodeURI": {"title": "a", "identifier": "it-a", "uri": "x:it-a"},
        },
        {
            "identifier": "as-2",
            "associationType": "isChildOf",
            "originNodeURI": {"title": "2", "identifier": "leaf-2", "uri": "x:leaf-2"},
            "destinationNodeURI": {"title": "a", "identifier": "it-a", "uri": "x:it-a"},
        },
        {
            "identifier": "as-x",
            "associationType": "exactMatchOf",
            "originNodeURI": {"title": "a", "identifier": "it-a", "uri": "x:it-a"},
            "destinationNodeURI": {"title": "ext", "identifier": "ext-1", "uri": "x:ext-1"},
        },
    ],
    "CFDefinitions": {"CFItemTypes": [{"identifier": "t1", "title": "Standard"}]},
}


def _case(data) -> bytes:
    import json

    return json.dumps(data).encode()


@pytest.mark.django_db
def test_case_keeps_what_the_source_said_and_orders_by_sequence_then_association(hill):
    from credo.interop.importers.case import import_case

    summary = import_case(
        actor=hill.admin, school=hill.school, name="sci.json", data=_case(CASE_SOURCE)
    )
    assert any("CFDocument.uri" in w and "kept as written" in w for w in summary.warnings)
    framework = Framework.objects.get(school=hill.school, case_identifier="doc-1")
    order = list(
        Competency.objects.filter(framework=framework)
        .order_by("sequence")
        .values_list("case_identifier", flat=True)
    )
    # it-a (sequence 1) with its leaves, then it-b (sequence 2); the leaves without sequence
    # numbers in association order.
    assert order == ["it-a", "leaf-z", "leaf-10", "leaf-2", "it-b"]
    package = exports.case_package(framework)
    doc = package["CFDocument"]
    assert doc["uri"] == CASE_SOURCE["CFDocument"]["uri"]
    assert doc["creator"] == "State Board of Education" and doc["notes"] == "Adopted in May."
    assert doc["adoptionStatus"] == "Draft"
    items = {i["identifier"]: i for i in package["CFItems"]}
    assert items["it-b"]["notes"] == "Revised 2024."
    assert items["it-b"]["abbreviatedStatement"] == "Second"
    assert items["it-b"]["CFDocumentURI"]["uri"] == "x:doc-1"
    assert items["it-b"]["uri"] == "http://server/ims/case/v1p0/CFItems/it-b"
    # No code in the source: none in the export (Credo's own code is not passed off as sourced).
    assert "humanCodingScheme" not in items["leaf-z"]
    assert "CFItemType" not in items["leaf-z"]
    assoc_ids = {a["identifier"] for a in package["CFAssociations"]}
    assert {"as-a", "as-b", "as-z", "as-10", "as-2", "as-x"} <= assoc_ids
    assert package["CFDefinitions"] == CASE_SOURCE["CFDefinitions"]

    # Re-importing the source, or our export of it, changes nothing; exports are identical.
    before = AuditEvent.objects.count()
    again = import_case(
        actor=hill.admin, school=hill.school, name="sci.json", data=_case(CASE_SOURCE)
    )
    assert again.changed == 0, again.as_dict()
    ours = import_case(actor=hill.admin, school=hill.school, name="out.json", data=_case(package))
    assert ours.changed == 0, ours.as_dict()
    assert AuditEvent.objects.count() == before
    assert exports.case_package(framework) == package


@pytest.mark.django_db
def test_case_export_import_export_is_identical_in_another_school(hill):
    from credo.interop.importers.case import import_case
    from credo.testing import make_small_school

    import_case(actor=hill.admin, school=hill.school, name="sci.json", data=_case(CASE_SOURCE))
    first = exports.case_package(Framework.objects.get(school=hill.school, case_identifier="doc-1"))
    vale = make_small_school("vale")
    import_case(actor=vale.admin, school=vale.school, name="sci.json", data=_case(first))
    second = exports.case_package(
        Framework.objects.get(school=vale.school, case_identifier="doc-1")
    )
    assert second == first


@pytest.mark.django_db
def test_our_own_framework_comes_back_to_itself_with_no_change(hill):
    from credo.interop.importers.case import import_case

    Competency.objects.filter(pk=hill.competencies[1].pk).update(parent=hill.competencies[0])
    package = exports.case_package(hill.framework)
    frameworks, before = Framework.objects.count(), AuditEvent.objects.count()
    summary = import_case(
        actor=hill.admin, school=hill.school, name="own.json", data=_case(package)
    )
    assert summary.changed == 0, summary.as_dict()
    assert Framework.objects.count() == frameworks and AuditEvent.objects.count() == before
    assert exports.case_package(hill.framework) == package


# --- OneRoster ----------------------------------------------------------------------------------


def _roster_state(school):
    from credo.accounts.models import GuardianLink, Membership, Student
    from credo.interop.models import Demographics
    from credo.schools.models import Enrollment, LearningExperience, Section, SectionTeacher, Term

    return (
        sorted(Term.objects.filter(school=school).values_list("pk", "name", "source_id")),
        sorted(
            LearningExperience.objects.filter(school=school).values_list("pk", "title", "source_id")
        ),
        sorted(
            Section.objects.filter(school=school).values_list("pk", "name", "term_id", "source_id")
        ),
        sorted(
            Student.objects.filter(school=school).values_list(
                "pk", "given_name", "student_number", "graduation_year", "source_id", "active"
            )
        ),
        sorted(
            Enrollment.objects.filter(school=school).values_list("pk", "section_id", "student_id")
        ),
        sorted(
            SectionTeacher.objects.filter(school=school).values_list("pk", "section_id", "user_id")
        ),
        sorted(Membership.objects.filter(school=school).values_list("pk", "user_id", "role")),
        sorted(GuardianLink.objects.filter(school=school).values_list("guardian_id", "student_id")),
        sorted(Demographics.objects.filter(school=school).values_list("pk", "sex", "source_id")),
    )


@pytest.mark.django_db
def test_our_oneroster_export_reimports_with_no_change(hill):
    """A school made by hand in Credo: export, import into the same school, 0 changes."""
    from credo.accounts.models import GuardianLink, Role, User
    from credo.interop import oneroster, roster_export
    from credo.interop.importers.oneroster import import_oneroster
    from credo.interop.models import Demographics
    from credo.testing import make_user

    student = hill.students[0]
    User.objects.filter(pk=hill.teacher.pk).update(first_name="Tess", last_name="Lund")
    User.objects.filter(pk=hill.advisor.pk).update(first_name="Ada", last_name="Vance")
    guardian = make_user("gwen-hill", school=hill.school, role=Role.GUARDIAN)
    User.objects.filter(pk=guardian.pk).update(first_name="Gwen", last_name="Hill")
    GuardianLink.objects.create(school=hill.school, guardian=guardian, student=student)
    Demographics.objects.create(school=hill.school, student=student, sex="female", asian=True)
    data = roster_export.roster_zip(hill.school)
    files = oneroster.read_zip(data)
    text = files["enrollments.csv"].decode() + files["roles.csv"].decode()
    assert ",teacher," in text and ",counselor," in text and ",guardian," in text
    assert set(files) >= {"manifest.csv", "orgs.csv", "users.csv", "enrollments.csv"}
    roster = oneroster.parse(files)
    assert not roster.problems, [str(p) for p in roster.problems]
    before, events = _roster_state(hill.school), AuditEvent.objects.count()
    summary = import_oneroster(actor=None, roster=roster, school=hill.school)
    assert summary.changed == 0, {
        k: v
        for k, v in summary.as_dict()["counts"].items()
        if v["created"] + v["updated"] + v["deleted"]
    } | {"skipped": summary.skipped()}
    assert _roster_state(hill.school) == before
    assert AuditEvent.objects.count() == events
    assert roster_export.roster_zip(hill.school) == data  # export → import → export identical
    # Imported a second time, still nothing; and the same set is not a set "from elsewhere":
    # nothing made by hand was linked, so a later bulk file from the SIS leaves it alone.
    assert (
        import_oneroster(actor=None, roster=oneroster.parse(files), school=hill.school).changed == 0
    )
    from credo.interop.models import SourceLink

    assert not SourceLink.objects.filter(school=hill.school).exists()


@pytest.mark.django_db
def test_an_imported_roster_exports_and_reimports_unchanged(hill):
    from credo.interop import oneroster, roster_export
    from credo.interop.importers.oneroster import import_oneroster
    from credo.interop.tests.test_oneroster import roster_files

    import_oneroster(actor=None, roster=oneroster.parse(roster_files()), school=hill.school)
    first = roster_export.roster_zip(hill.school)
    before = _roster_state(hill.school)
    summary = import_oneroster(
        actor=None, roster=oneroster.parse(oneroster.read_zip(first)), school=hill.school
    )
    assert summary.changed == 0, summary.as_dict()
    assert _roster_state(hill.school) == before
    assert roster_export.roster_zip(hill.school) == first
    users = oneroster.read_zip(first)["users.csv"].decode()
    assert "S1," in users and "N001" in users  # the SIS's own ids and numbers go back out


@pytest.mark.django_db
def test_the_oneroster_export_command_and_page(hill, tmp_path, client):
    from django.core.management import call_command

    from credo.interop import oneroster

    out = tmp_path / "hill.zip"
    call_command("export", "oneroster", "--school", "hill", "--out", str(out))
    assert not oneroster.parse(oneroster.read_zip(out.read_bytes())).problems
    client.force_login(hill.admin)
    response = client.get("/s/hill/exports/oneroster/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response.content == out.read_bytes()
    for user in (hill.teacher, hill.advisor, hill.students[0].user):
        client.force_login(user)
        assert client.get("/s/hill/exports/oneroster/").status_code == 403
    client.logout()
    assert client.get("/s/hill/exports/oneroster/").status_code in (302, 403)
    from credo.testing import make_small_school

    dale = make_small_school("dale")
    client.force_login(dale.admin)  # an admin of another school
    assert client.get("/s/hill/exports/oneroster/").status_code in (403, 404)


@pytest.mark.django_db
def test_the_run_page_says_what_was_left_out_and_why(client, hill):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from credo.interop.models import ImportRun
    from credo.interop.tests.test_oneroster import roster_files, zip_of

    files = roster_files()
    files["roles.csv"] += b"R9,,,P1,secondary,proctor,,,ORG1,\r\n"  # no Credo counterpart
    client.force_login(hill.admin)
    client.post(
        reverse("interop:imports", args=["hill"]),
        {"kind": "oneroster", "file": SimpleUploadedFile("roster.zip", zip_of(files))},
    )
    run = ImportRun.objects.get()
    assert run.state == "previewed", run.problems
    page = client.get(run.get_absolute_url()).content.decode()
    assert "Left out, and why" in page
    assert "“proctor” has no counterpart among Credo’s roles" in page.replace(
        "&#x27;", "’"
    ).replace("'", "’")


@pytest.mark.django_db
def test_methods_canvas_cannot_say_survive_our_own_round_trip(hill):
    """Canvas has no "mode" or "power law": the export writes its nearest method, with a note,
    and reading that back leaves the methods Credo holds as they are."""
    Framework.objects.filter(pk=hill.framework.pk).update(calculation_method="power_law")
    Competency.objects.filter(pk=hill.competencies[2].pk).update(calculation_method="mode")
    Competency.objects.filter(pk=hill.competencies[1].pk).update(parent=hill.competencies[0])
    Competency.objects.filter(pk=hill.competencies[0].pk).update(
        calculation_method="weighted_average", calculation_param=70
    )  # becomes a group: Canvas groups carry no method
    hill.framework.refresh_from_db()
    data, warnings = exports.canvas_csv(hill.framework)
    assert any("power law" in w for w in warnings) and any("most frequent" in w for w in warnings)
    before = (
        _tree(hill.framework),
        list(
            Competency.objects.filter(framework=hill.framework).values_list(
                "pk", "calculation_method", "calculation_param"
            )
        ),
    )
    for name in ("", hill.framework.name):
        summary = import_canvas(
            actor=hill.admin, school=hill.school, name="x.csv", data=data, framework_name=name
        )
        assert summary.changed == 0, summary.as_dict()
    hill.framework.refresh_from_db()
    assert hill.framework.calculation_method == "power_law"
    after = (
        _tree(hill.framework),
        list(
            Competency.objects.filter(framework=hill.framework).values_list(
                "pk", "calculation_method", "calculation_param"
            )
        ),
    )
    assert after == before
