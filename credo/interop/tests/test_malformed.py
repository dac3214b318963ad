"""A corpus of malformed files, as a student information system or a spreadsheet slightly wrong
would produce them: each is refused whole, with a problem placed as `file:line: column: message`,
and the database is exactly as it was.

Each case names the import, the file (or files) and where the problem must be reported.
"""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.apps import apps

from credo.interop import services
from credo.interop.common import ImportRefused
from credo.interop.tests.test_oneroster import (
    CLASSES,
    COURSES,
    ENROLLMENTS,
    ROLES,
    SESSIONS,
    USERS,
    USERS_HEADER,
    manifest,
    roster_files,
)

PLACE = re.compile(r"^[^:]+:\d+: [^:]+: .+")

# --- OneRoster ----------------------------------------------------------------------------------


def _roster(**override):
    return roster_files(**override)


def _without(name):
    files = roster_files()
    files.pop(name)
    return files


def _manifest_with(text: str):
    return roster_files(**{"manifest.csv": text})


ORG_HEADER = "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId\r\n"
USER_ROW = "S3,,,true,cara,,Cara,Diaz,,N003,,,,,11,,,,,,ORG1,\r\n"
DELTA_USERS = USERS_HEADER + "S1,{status},{date},true,ana,,Ana,Ruiz,,N001,,,,,10,,,,,,ORG1,\r\n"


def _delta(status="active", date="2025-09-01T00:00:00Z"):
    files = roster_files(
        **{"users.csv": DELTA_USERS.format(status=status, date=date)},
    )
    files["manifest.csv"] = manifest("delta").encode()
    return files


def _zip(files: dict, *, bomb: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        if bomb:
            archive.writestr("lineItems.csv", b"\n" * (50 * 1024 * 1024))
    return buffer.getvalue()


ONEROSTER = {
    # (files, (file, line, column) expected, words in the message)
    "short-row": (
        _roster(**{"users.csv": USERS + "S3,,,true,cara,,Cara,Diaz,,N003\r\n"}),
        ("users.csv", 6, "row"),
        "cells where the header has",
    ),
    "long-row": (
        _roster(**{"users.csv": USERS + USER_ROW.replace("\r\n", ",extra\r\n")}),
        ("users.csv", 6, "row"),
        "cells where the header has",
    ),
    "unclosed-quote": (
        _roster(
            **{
                "users.csv": USERS_HEADER
                + 'S1,,,true,diana,,Diana,"Prince,,diana.prince@example.org,,,,10,,,,,,ORG1,\r\n'
                + USER_ROW
            }
        ),
        ("users.csv", 2, "row"),
        "never closed",
    ),
    "quote-inside-unquoted-value": (
        _roster(**{"users.csv": USERS + USER_ROW.replace("Diaz", 'Di"az')}),
        ("users.csv", 6, "row"),
        "broken quoting",
    ),
    "text-after-closing-quote": (
        _roster(**{"users.csv": USERS + USER_ROW.replace("Diaz", '"Di"az')}),
        ("users.csv", 6, "row"),
        "broken quoting",
    ),
    "no-manifest": (_without("manifest.csv"), ("manifest.csv", 1, "file"), "no manifest.csv"),
    "manifest-version-1.1": (
        _manifest_with(manifest().replace("oneroster.version,1.2", "oneroster.version,1.1")),
        ("manifest.csv", 3, "value"),
        "1.2 CSV only",
    ),
    "manifest-without-version": (
        _manifest_with(manifest().replace("oneroster.version,1.2\r\n", "")),
        ("manifest.csv", 1, "oneroster.version"),
        "does not say",
    ),
    "manifest-absent-but-present": (
        _manifest_with(manifest().replace("file.demographics,bulk", "file.demographics,absent")),
        ("manifest.csv", 11, "value"),
        "says demographics.csv is absent",
    ),
    "manifest-lists-missing-file": (
        {**_without("demographics.csv")},
        ("manifest.csv", 11, "value"),
        "has no such file",
    ),
    "manifest-silent-on-a-file": (
        _manifest_with(manifest().replace("file.roles,bulk\r\n", "")),
        ("manifest.csv", 1, "file.roles"),
        "does not list it",
    ),
    "manifest-mode-unknown": (
        _manifest_with(manifest().replace("file.roles,bulk", "file.roles,full")),
        ("manifest.csv", 9, "value"),
        "not bulk, delta or absent",
    ),
    "manifest-property-twice": (
        _manifest_with(manifest() + "file.roles,bulk\r\n"),
        ("manifest.csv", 12, "propertyName"),
        "is also on line",
    ),
    "date-last-modified-us-style": (
        _roster(**{"orgs.csv": ORG_HEADER + "ORG1,active,10/02/2023,Ridge School,school,,\r\n"}),
        ("orgs.csv", 2, "dateLastModified"),
        "ISO 8601",
    ),
    "date-last-modified-without-zone": (
        _roster(
            **{"orgs.csv": ORG_HEADER + "ORG1,active,2023-10-02T00:00:00,Ridge School,school,,\r\n"}
        ),
        ("orgs.csv", 2, "dateLastModified"),
        "with its zone",
    ),
    "delta-row-without-status": (_delta(status=""), ("users.csv", 2, "status"), "delta file"),
    "delta-row-without-date": (_delta(date=""), ("users.csv", 2, "dateLastModified"), "delta"),
    "status-unknown": (_delta(status="deleted"), ("users.csv", 2, "status"), "not active"),
    "nul-in-a-name": (
        _roster(**{"users.csv": USERS + USER_ROW.replace("Cara", "Ca\x00ra")}),
        ("users.csv", 6, "character 19"),
        "U+0000",
    ),
    "escape-character-in-a-name": (
        _roster(**{"users.csv": USERS + USER_ROW.replace("Diaz", "Di\x1baz")}),
        ("users.csv", 6, "character 24"),
        "U+001B",
    ),
    "formula-as-family-name": (
        _roster(**{"users.csv": USERS + USER_ROW.replace("Diaz", "\"=cmd|' /C calc'!A0\"")}),
        ("users.csv", 6, "familyName"),
        "formula",
    ),
    "formula-as-username": (
        _roster(**{"users.csv": USERS + USER_ROW.replace("cara", "@SUM(1+1)")}),
        ("users.csv", 6, "username"),
        "formula",
    ),
    "formula-as-student-number": (
        _roster(**{"users.csv": USERS + USER_ROW.replace("N003", "+cmd|x")}),
        ("users.csv", 6, "identifier"),
        "formula",
    ),
    "latin-1-bytes": (
        _roster(**{"users.csv": (USERS + USER_ROW.replace("Diaz", "Dí\xe1z")).encode("latin-1")}),
        ("users.csv", 6, "byte 23"),
        "not UTF-8",
    ),
    "sourcedid-twice": (
        _roster(**{"users.csv": USERS + USER_ROW.replace("S3", "S2")}),
        ("users.csv", 6, "sourcedId"),
        "appears twice",
    ),
    "unknown-course": (
        _roster(**{"classes.csv": CLASSES + "K2,,,Art,,C9,,scheduled,,ORG1,T1,,,\r\n"}),
        ("classes.csv", 3, "courseSourcedId"),
        "unknown course",
    ),
    "unknown-term": (
        _roster(**{"classes.csv": CLASSES + "K2,,,Art,,C1,,scheduled,,ORG1,T9,,,\r\n"}),
        ("classes.csv", 3, "termSourcedIds"),
        "unknown academic session",
    ),
    "unknown-organisation": (
        _roster(**{"enrollments.csv": ENROLLMENTS + "E4,,,K1,ORG9,S1,student,,,\r\n"}),
        ("enrollments.csv", 5, "schoolSourcedId"),
        "unknown organisation",
    ),
    "slashed-start-date": (
        _roster(**{"academicSessions.csv": SESSIONS.replace("2025-08-25", "2025/08/25")}),
        ("academicSessions.csv", 2, "startDate"),
        "not a date",
    ),
    "term-ends-before-it-starts": (
        _roster(**{"academicSessions.csv": SESSIONS.replace("2026-01-16", "2025-01-16")}),
        ("academicSessions.csv", 2, "endDate"),
        "before the start date",
    ),
    "header-without-familyname": (
        _roster(**{"users.csv": USERS.replace(",familyName,", ",surname,")}),
        ("users.csv", 1, "familyName"),
        "missing from the header",
    ),
    "header-column-twice": (
        _roster(**{"roles.csv": ROLES.replace(",beginDate,", ",role,", 1)}),
        ("roles.csv", 1, "role"),
        "appears twice",
    ),
    "empty-file": (_roster(**{"courses.csv": ""}), ("courses.csv", 1, "header"), "empty"),
    "class-type-unknown": (
        _roster(**{"classes.csv": CLASSES.replace("scheduled", "lecture")}),
        ("classes.csv", 2, "classType"),
        "is not one of",
    ),
    "enrollment-role-unknown": (
        _roster(**{"enrollments.csv": ENROLLMENTS.replace("S2,student", "S2,pupil")}),
        ("enrollments.csv", 3, "role"),
        "is not one of",
    ),
    "email-without-at": (
        _roster(**{"users.csv": USERS.replace("tess@example.org", "tess.example.org")}),
        ("users.csv", 4, "email"),
        "not an e-mail",
    ),
    "enabled-user-maybe": (
        _roster(**{"users.csv": USERS + USER_ROW.replace(",true,", ",maybe,")}),
        ("users.csv", 6, "enabledUser"),
        "not true or false",
    ),
    "course-org-blank": (
        _roster(**{"courses.csv": COURSES.replace(",ORG1,", ",,")}),
        ("courses.csv", 2, "orgSourcedId"),
        "a value is required",
    ),
}

ZIPS = {
    "not-a-zip": (lambda: b"PK\x03\x04 this is not really a zip", "roster.zip", "not a zip"),
    "zip-bomb": (lambda: _zip(roster_files(), bomb=True), "roster.zip", "compressed"),
}

# --- scores ---------------------------------------------------------------------------------------

SCORES_HEADER = "student_id,competency_code,value,date,assessor,kind,feedback\n"


def _score(row: str) -> str:
    return SCORES_HEADER + "{n},C1,3,2025-09-10,,,\n" + row


SCORES = {
    "short-row": (_score("{n},C1,3\n"), (3, "row"), "cells where the header has"),
    "unclosed-quote": (_score('{n},C1,3,2025-09-10,,,"never closed\n'), (3, "row"), "never closed"),
    "nul-in-student-number": (_score("{n}\x00,C1,3,2025-09-10,,,\n"), (3, "character"), "U+0000"),
    "formula-student-number": (_score("=1+2,C1,3,2025-09-10,,,\n"), (3, "student_id"), "formula"),
    "formula-code": (_score("{n},@C1,3,2025-09-10,,,\n"), (3, "competency_code"), "formula"),
    "negative-value": (_score("{n},C1,-1,2025-09-10,,,\n"), (3, "value"), "zero or more"),
    "us-date": (_score("{n},C1,3,09/10/2025,,,\n"), (3, "date"), "not a date"),
    "future-date": (_score("{n},C1,3,2999-01-01,,,\n"), (3, "date"), "in the future"),
    "unknown-student": (_score("NOBODY,C1,3,2025-09-10,,,\n"), (3, "student_id"), "no student"),
    "unknown-competency": (
        _score("{n},ZZ9,3,2025-09-10,,,\n"),
        (3, "competency_code"),
        "no competency",
    ),
    "unknown-kind": (
        _score("{n},C1,3,2025-09-10,,final,\n"),
        (3, "kind"),
        "formative or summative",
    ),
    "outside-the-scale": (_score("{n},C1,9,2025-09-10,,,\n"), (3, "value"), "outside the scale"),
    "advisor-as-assessor": (
        _score("{n},C2,3,2025-09-10,advisor-hill,,\n"),
        (3, "assessor"),
        "not a teacher",
    ),
    "unknown-column": (
        SCORES_HEADER.replace("feedback", "comment") + "{n},C1,3,2025-09-10,,,\n",
        (1, "comment"),
        "unknown column",
    ),
    "missing-column": (
        "student_id,value,date\n{n},3,2025-09-10\n",
        (1, "competency_code"),
        "missing",
    ),
}

# --- Canvas ---------------------------------------------------------------------------------------

CANVAS_HEADER = (
    "vendor_guid,object_type,title,description,display_name,calculation_method,calculation_int,"
    "mastery_points,parent_guids,workflow_state,ratings,,,\n"
)
GROUP = "g1,group,Practices,,P,,,,,active,,,,\n"


def _outcome(**cells) -> str:
    row = {
        "vendor_guid": "o1",
        "object_type": "outcome",
        "title": "Plans",
        "description": "",
        "display_name": "P.1",
        "calculation_method": "latest",
        "calculation_int": "",
        "mastery_points": "3",
        "parent_guids": "g1",
        "workflow_state": "active",
        "ratings": "4,Exceeds,3,Meets",
    }
    row.update(cells)
    return ",".join(row.values()) + "\n"


CANVAS = {
    "guid-twice": (
        CANVAS_HEADER + GROUP + _outcome() + _outcome(),
        (4, "vendor_guid"),
        "also on line",
    ),
    "unknown-parent": (
        CANVAS_HEADER + GROUP + _outcome(parent_guids="g9"),
        (3, "parent_guids"),
        "no group",
    ),
    "groups-in-a-cycle": (
        CANVAS_HEADER + "g1,group,A,,A,,,,g2,active,,,,\ng2,group,B,,B,,,,g1,active,,,,\n",
        (2, "parent_guids"),
        "contain each other",
    ),
    "ratings-going-up": (
        CANVAS_HEADER + GROUP + _outcome(ratings="3,Meets,4,Exceeds"),
        (3, "ratings tier 2"),
        "must go down",
    ),
    "calculation-int-out-of-range": (
        CANVAS_HEADER + GROUP + _outcome(calculation_method="n_mastery", calculation_int="30"),
        (3, "calculation_int"),
        "outside",
    ),
    "unknown-method": (
        CANVAS_HEADER + GROUP + _outcome(calculation_method="median"),
        (3, "calculation_method"),
        "is not one of",
    ),
    "unknown-column": (
        CANVAS_HEADER.replace("description", "notes") + GROUP,
        (1, "notes"),
        "no such column",
    ),
    "formula-title": (
        CANVAS_HEADER + GROUP + _outcome(title="=HYPERLINK(x)"),
        (3, "title"),
        "formula",
    ),
    "nul-in-title": (
        CANVAS_HEADER + GROUP + _outcome(title="Pl\x00ans"),
        (3, "character"),
        "U+0000",
    ),
    "broken-quoting": (
        CANVAS_HEADER + GROUP + _outcome(title='Pl"ans'),
        (3, "row"),
        "broken quoting",
    ),
    "object-type-unknown": (
        CANVAS_HEADER + GROUP + _outcome(object_type="rubric"),
        (3, "object_type"),
        "group or outcome",
    ),
    "mastery-outside-ratings": (
        CANVAS_HEADER + GROUP + _outcome(mastery_points="7"),
        (3, "mastery_points"),
        "outside the ratings",
    ),
}

# --- CASE -----------------------------------------------------------------------------------------


def _cf(items=None, associations=None, document=None) -> bytes:
    return json.dumps(
        {
            "CFDocument": document
            or {"identifier": "d1", "title": "Tree", "creator": "Tests", "uri": "x:d1"},
            "CFItems": items
            if items is not None
            else [{"identifier": "i1", "fullStatement": "One", "humanCodingScheme": "A"}],
            "CFAssociations": associations
            if associations is not None
            else [
                {
                    "identifier": "a1",
                    "associationType": "isChildOf",
                    "originNodeURI": {"identifier": "i1"},
                    "destinationNodeURI": {"identifier": "d1"},
                }
            ],
        },
        indent=2,
    ).encode()


def _assoc(origin, dest, **extra):
    return {
        "identifier": f"a-{origin}",
        "associationType": "isChildOf",
        "originNodeURI": {"identifier": origin},
        "destinationNodeURI": {"identifier": dest},
        **extra,
    }


CASE = {
    "broken-json": (b'{\n  "CFDocument": {\n    "title": ,\n}', (3, "column 14"), "not valid JSON"),
    "nested-too-deep": (
        b'{"CFDocument": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        (1, "column"),
        "nested deeper",
    ),
    "escaped-nul": (
        _cf().replace(b'"One"', b'"O\\u0000ne"'),
        (9, "CFItems[0].fullStatement"),
        "U+0000",
    ),
    "cycle": (
        _cf(
            items=[
                {"identifier": "i1", "fullStatement": "One"},
                {"identifier": "i2", "fullStatement": "Two"},
            ],
            associations=[_assoc("i1", "i2"), _assoc("i2", "i1")],
        ),
        (None, "isChildOf"),
        "cycle",
    ),
    "no-full-statement": (
        _cf(items=[{"identifier": "i1", "humanCodingScheme": "A"}]),
        (None, "CFItems[0].fullStatement"),
        "a value is required",
    ),
    "identifier-twice": (
        _cf(
            items=[
                {"identifier": "i1", "fullStatement": "One"},
                {"identifier": "i1", "fullStatement": "Again"},
            ]
        ),
        (None, "CFItems[1].identifier"),
        "also the identifier",
    ),
    "association-to-nowhere": (
        _cf(associations=[_assoc("i1", "nowhere")]),
        (None, "CFAssociations[0].destinationNodeURI"),
        "neither the document",
    ),
    "sequence-not-a-number": (
        _cf(associations=[_assoc("i1", "d1", sequenceNumber="first")]),
        (None, "CFAssociations[0].sequenceNumber"),
        "not a whole number",
    ),
    "not-an-object": (b"[1, 2, 3]", (1, "(document)"), "JSON object"),
    "code-too-long": (
        _cf(items=[{"identifier": "i1", "fullStatement": "One", "humanCodingScheme": "A" * 61}]),
        (None, "CFItems[0].humanCodingScheme"),
        "longer than",
    ),
    "no-document-title": (
        _cf(document={"identifier": "d1", "creator": "x", "uri": "x:d1"}),
        (None, "CFDocument.title"),
        "a value is required",
    ),
}


# --- the test ------------------------------------------------------------------------------------

WATCHED_APPS = ("accounts", "schools", "frameworks", "mastery", "interop", "core", "evidence")


def database_state() -> dict:
    """Return the number of rows of every model the imports could touch, and the newest ids."""
    state = {}
    for label in WATCHED_APPS:
        for model in apps.get_app_config(label).get_models():
            if model._meta.label_lower == "interop.importrun":
                continue
            state[model._meta.label_lower] = (
                model.objects.count(),
                model.objects.order_by("-pk").values_list("pk", flat=True).first(),
            )
    return state


CASES = (
    [("oneroster", name, *case) for name, case in ONEROSTER.items()]
    + [("oneroster-zip", name, *case) for name, case in ZIPS.items()]
    + [("scores", name, *case) for name, case in SCORES.items()]
    + [("canvas", name, *case) for name, case in CANVAS.items()]
    + [("case", name, *case) for name, case in CASE.items()]
)


def test_the_corpus_holds_at_least_forty_files_across_the_formats():
    assert len(CASES) >= 40
    assert {kind for kind, *_ in CASES} >= {"oneroster", "scores", "canvas", "case"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "name", "data", "where", "words"), CASES, ids=[f"{c[0]}:{c[1]}" for c in CASES]
)
def test_a_malformed_file_is_refused_whole_with_its_place(hill, kind, name, data, where, words):
    number = hill.students[0].student_number
    if kind == "oneroster":
        files = {k: v if isinstance(v, bytes) else v.encode() for k, v in data.items()}
        payload, filename, import_kind = files, "roster", "oneroster"
    elif kind == "oneroster-zip":
        payload, filename, import_kind = data(), where, "oneroster"
    elif kind == "scores":
        payload, filename, import_kind = data.replace("{n}", number).encode(), "s.csv", "scores"
    elif kind == "canvas":
        payload, filename, import_kind = data.encode(), "c.csv", "canvas"
    else:
        payload, filename, import_kind = data, "f.json", "case"
    before = database_state()
    with pytest.raises(ImportRefused) as caught:
        services.import_data(
            actor=hill.admin,
            school=hill.school,
            kind=import_kind,
            data=payload,
            filename=filename,
        )
    problems = caught.value.problems
    assert problems and all(PLACE.match(str(p)) for p in problems), [str(p) for p in problems]
    if kind == "oneroster":
        file, line, column = where
        hits = [p for p in problems if (p.file, p.line, p.column) == (file, line, column)]
    elif kind == "oneroster-zip":
        hits = list(problems)
    else:
        line, column = where
        hits = [
            p
            for p in problems
            if p.file == filename
            and (line is None or p.line == line)
            and p.column.startswith(column)
        ]
    assert any(words in p.message for p in hits), [str(p) for p in problems]
    assert database_state() == before
