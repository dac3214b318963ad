"""CASE: every conformance sample, the tree and its order, a round trip through export, and malformed
packages refused with every problem placed."""

import json

import jsonschema
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from credo.frameworks.models import Competency, Framework
from credo.interop import case, exports
from credo.interop.common import ImportRefused
from credo.interop.importers.case import import_case
from credo.schools.models import School
from credo.testing import make_small_school

SAMPLES = [
    "AdoptedTestFramework.json",
    "EmptyExternalFramework.json",
    "ItemTypeTestFramework.json",
    "MarkdownFramework.json",
    "SequenceNumberFramework.json",
    "Utf8TestFramework.json",
]


def package(items, assocs, doc_id="d1"):
    return json.dumps(
        {
            "CFDocument": {
                "identifier": doc_id,
                "uri": f"https://case.example.org/CFDocuments/{doc_id}",
                "creator": "Tests",
                "title": "Tree",
                "lastChangeDateTime": "2025-01-01T00:00:00+00:00",
            },
            "CFItems": [
                {"identifier": i, "fullStatement": f"Statement {i}", "humanCodingScheme": code}
                for i, code in items
            ],
            "CFAssociations": [
                {
                    "identifier": f"a{n}",
                    "associationType": "isChildOf",
                    "originNodeURI": {"identifier": o},
                    "destinationNodeURI": {"identifier": d},
                    **({"sequenceNumber": s} if s is not None else {}),
                }
                for n, (o, d, s) in enumerate(assocs)
            ],
        },
        indent=2,
    ).encode()


@pytest.mark.interop
@pytest.mark.django_db
@pytest.mark.parametrize("name", SAMPLES)
def test_every_sample_imports_and_reimports_unchanged(name, shared_interop, hill):
    data = (shared_interop / "case-samples" / name).read_bytes()
    source = json.loads(data)
    summary = import_case(actor=hill.admin, school=hill.school, name=name, data=data)
    framework = Framework.objects.get(
        school=hill.school, case_identifier=source["CFDocument"]["identifier"]
    )
    assert framework.name == source["CFDocument"]["title"]
    stored = {c.case_identifier: c for c in Competency.objects.filter(framework=framework)}
    assert set(stored) == {i["identifier"] for i in source["CFItems"]}
    for item in source["CFItems"]:
        assert stored[item["identifier"]].statement == item["fullStatement"].strip()
        if "humanCodingScheme" in item:
            assert stored[item["identifier"]].code == item["humanCodingScheme"]
    assert summary["framework"].created == 1
    assert import_case(actor=hill.admin, school=hill.school, name=name, data=data).changed == 0


@pytest.mark.interop
@pytest.mark.django_db
def test_sequence_numbers_order_siblings_and_item_types_set_kinds(shared_interop, hill):
    folder = shared_interop / "case-samples"
    import_case(
        actor=None,
        school=hill.school,
        name="s",
        data=(folder / "SequenceNumberFramework.json").read_bytes(),
    )
    framework = Framework.objects.get(school=hill.school, name="Sequence Number Test")
    codes = list(
        Competency.objects.filter(framework=framework)
        .order_by("sequence")
        .values_list("code", flat=True)
    )
    assert codes == ["SNT.2", "SNT.1"]  # SNT.2 has sequenceNumber 1
    other = make_small_school("vale")
    import_case(
        actor=None,
        school=other.school,
        name="t",
        data=(folder / "ItemTypeTestFramework.json").read_bytes(),
    )
    assert (
        Competency.objects.get(school=other.school, case_identifier__startswith="00000000").kind
        == "standard"
    )


@pytest.mark.django_db
def test_the_tree_follows_ischildof_and_codes_are_made_where_missing(hill):
    data = package(
        [("i1", "ALG"), ("i2", ""), ("i3", ""), ("i4", "ALG.B")],
        [("i1", "d1", 1), ("i2", "i1", 2), ("i4", "i1", 1), ("i3", "i2", None)],
    )
    import_case(actor=None, school=hill.school, name="tree.json", data=data)
    by_id = {
        c.case_identifier: c
        for c in Competency.objects.filter(school=hill.school, framework__name="Tree")
    }
    assert by_id["i1"].parent is None
    assert by_id["i2"].parent == by_id["i1"] and by_id["i4"].parent == by_id["i1"]
    assert by_id["i3"].parent == by_id["i2"]
    assert by_id["i2"].code == "ALG.2" and by_id["i3"].code == "ALG.2.1"
    order = sorted(by_id.values(), key=lambda c: c.sequence)
    assert [c.case_identifier for c in order] == ["i1", "i4", "i2", "i3"]


@pytest.mark.django_db
def test_round_trip_through_export_preserves_the_framework(shared_interop_schema, hill):
    framework = hill.framework
    hill.competencies[1].parent = hill.competencies[0]
    hill.competencies[1].save()
    document = exports.case_package(framework)
    shared_interop_schema.validate(document)
    other = make_small_school("vale")
    import_case(actor=None, school=other.school, name="x.json", data=json.dumps(document).encode())
    copy = Framework.objects.get(school=other.school, name=framework.name, case_identifier__gt="")

    def tree(fw):
        rows = Competency.objects.filter(framework=fw).select_related("parent").order_by("sequence")
        return [(c.code, c.statement, c.kind, c.parent.code if c.parent else None) for c in rows]

    assert tree(copy) == tree(framework)
    again = exports.case_package(copy)
    assert [i["identifier"] for i in again["CFItems"]] == [
        i["identifier"] for i in document["CFItems"]
    ]
    assert again["CFDocument"]["identifier"] == document["CFDocument"]["identifier"]


@pytest.fixture
def shared_interop_schema(shared_interop):
    spec = json.loads((shared_interop / "case-samples" / "case-v1p0-openapi.json").read_text())
    schema = {"$ref": "#/definitions/CFPackage.Type", "definitions": spec["definitions"]}
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.django_db
def test_a_cycle_and_other_problems_are_all_reported_with_their_lines(hill):
    data = package(
        [("i1", "A"), ("i2", "B"), ("i3", "C"), ("i3", "D"), ("i4", "")],
        [("i1", "i2", 1), ("i2", "i3", 1), ("i3", "i1", 1), ("i9", "d1", 1), ("i4", "nowhere", 1)],
    )
    before = Competency.objects.count(), Framework.objects.count()
    with pytest.raises(ImportRefused) as caught:
        import_case(actor=None, school=hill.school, name="bad.json", data=data)
    text = [str(p) for p in caught.value.problems]
    assert any("the tree has a cycle" in t and t.startswith("bad.json:") for t in text)
    assert sum("cycle" in t for t in text) == 3  # each link of the cycle, at its own line
    assert any("CFItems[3].identifier" in t and "also the identifier" in t for t in text)
    assert any("CFAssociations[3].originNodeURI" in t for t in text)
    assert any("CFAssociations[4].destinationNodeURI" in t for t in text)
    lines = {p.line for p in caught.value.problems}
    assert len(lines) > 3 and 1 not in lines
    assert (Competency.objects.count(), Framework.objects.count()) == before


@pytest.mark.django_db
def test_broken_json_and_bad_bytes_are_placed(hill, tmp_path):
    with pytest.raises(ImportRefused) as caught:
        import_case(
            actor=None,
            school=hill.school,
            name="x.json",
            data=b'{\n  "CFDocument": {\n    "title": ,\n}',
        )
    assert str(caught.value.problems[0]).startswith("x.json:3: column 14: not valid JSON")
    with pytest.raises(ImportRefused) as caught:
        import_case(
            actor=None,
            school=hill.school,
            name="y.json",
            data=package([("i1", "A")], []).replace(b"Statement i1", b"Statement \xff"),
        )
    assert any("not UTF-8" in str(p) for p in caught.value.problems)
    path = tmp_path / "cycle.json"
    path.write_bytes(package([("i1", "A"), ("i2", "B")], [("i1", "i2", 1), ("i2", "i1", 1)]))
    with pytest.raises(CommandError):
        call_command("import", "case", str(path), "--school", hill.school.slug)


@pytest.mark.django_db
def test_export_command_writes_a_package(hill, tmp_path):
    out = tmp_path / "fw.json"
    call_command(
        "export",
        "case",
        "--school",
        "hill",
        "--out",
        str(out),
        "--framework",
        str(hill.framework.pk),
    )
    document = json.loads(out.read_text())
    assert len(document["CFItems"]) == 6 and document["CFDocument"]["creator"] == "Hill School"
    assert School.objects.count() == 1


def test_load_with_lines_gives_each_object_its_line():
    obj = case.load_with_lines('{\n "a": [\n  {"x": 1},\n  {\n   "y": 2\n  }\n ]\n}')
    assert obj.line == 1 and [o.line for o in obj["a"]] == [3, 4]
