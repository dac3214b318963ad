"""Generate a OneRoster 1.2 CSV set of any size (one school), for tests and `credo bench`. No Django here.

The default is the acceptance case: 5,000 students, 300 classes and 40,000 enrollments (one
teacher per class, the rest students), with guardians linked through `agentSourcedIds`,
demographics, and a bulk manifest. The same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import random

from credo.interop.oneroster import HEADERS

GIVEN = [
    "Ada",
    "Bo",
    "Cyd",
    "Dara",
    "Eli",
    "Fen",
    "Gus",
    "Hana",
    "Ivo",
    "Jun",
    "Kit",
    "Lior",
    "Mae",
    "Noor",
    "Oli",
    "Pia",
    "Quin",
    "Ravi",
    "Sol",
    "Tam",
    "Uma",
    "Vik",
    "Wren",
    "Xan",
    "Yara",
    "Zed",
]
FAMILY = [
    "Abara",
    "Brook",
    "Castell",
    "Dune",
    "Ember",
    "Frost",
    "Garza",
    "Holm",
    "Ito",
    "Jensen",
    "Kovac",
    "Lund",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Pereira",
    "Quist",
    "Rahman",
    "Silva",
    "Tanaka",
    "Ueda",
    "Varga",
    "Weber",
    "Xu",
    "Young",
    "Zamora",
]
SUBJECTS = [
    "Inquiry",
    "Writing",
    "Number",
    "Design",
    "Civics",
    "Ecology",
    "Language",
    "Studio",
    "Motion",
    "Data",
]
STAMP = "2025-08-01T00:00:00.000Z"


def _csv(header: list[str], rows: list[list]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def generate(
    *,
    students: int = 5000,
    classes: int = 300,
    enrollments: int = 40000,
    guardians: int | None = None,
    seed: int = 6,
) -> dict[str, bytes]:
    """Return {file name: bytes} of a consistent OneRoster set with exactly `enrollments` enrollment rows."""
    rng = random.Random(seed)
    guardians = students // 2 if guardians is None else guardians
    teachers = max(1, classes // 5)
    courses = max(1, classes // 3)
    student_rows = enrollments - classes
    if student_rows > students * classes:
        raise ValueError("more enrollments than there are student × class pairs")
    org = "org-synthetic-1"
    files: dict[str, bytes] = {}
    files["manifest.csv"] = _csv(
        ["propertyName", "value"],
        [
            ["manifest.version", "1.0"],
            ["oneroster.version", "1.2"],
            *[
                [f"file.{t}", "bulk"]
                for t in (
                    "academicSessions",
                    "classes",
                    "courses",
                    "demographics",
                    "enrollments",
                    "orgs",
                    "roles",
                    "users",
                )
            ],
            ["source.systemName", "Credo synthetic roster"],
        ],
    )
    files["orgs.csv"] = _csv(
        HEADERS["orgs"],
        [[org, "", "", "Synthetic High School", "school", "SHS", ""]],
    )
    files["academicSessions.csv"] = _csv(
        HEADERS["academicSessions"],
        [
            ["year-2026", "", "", "2025-26", "schoolYear", "2025-08-25", "2026-06-12", "", "2026"],
            [
                "term-fall",
                "",
                "",
                "Fall 2025",
                "semester",
                "2025-08-25",
                "2026-01-16",
                "year-2026",
                "2026",
            ],
            [
                "term-spring",
                "",
                "",
                "Spring 2026",
                "semester",
                "2026-01-20",
                "2026-06-12",
                "year-2026",
                "2026",
            ],
        ],
    )
    files["courses.csv"] = _csv(
        HEADERS["courses"],
        [
            [
                f"course-{i}",
                "",
                "",
                "year-2026",
                f"{SUBJECTS[i % len(SUBJECTS)]} {i // len(SUBJECTS) + 1}",
                f"C{i:03d}",
                "09,10,11,12",
                org,
                "",
                "",
            ]
            for i in range(courses)
        ],
    )
    files["classes.csv"] = _csv(
        HEADERS["classes"],
        [
            [
                f"class-{i}",
                "",
                "",
                f"Section {i}",
                "",
                f"course-{i % courses}",
                f"K{i:04d}",
                "scheduled",
                "",
                org,
                "term-fall" if i % 2 == 0 else "term-spring",
                "",
                "",
                str(i % 8 + 1),
            ]
            for i in range(classes)
        ],
    )
    user_header = HEADERS["users"]
    users, roles = [], []

    def person(sourced_id: str, role: str, **fields: str) -> None:
        """Add a user row (every column blank unless given) and their primary role at the org."""
        row = dict.fromkeys(user_header, "")
        row.update(sourcedId=sourced_id, enabledUser="true", primaryOrgSourcedId=org, **fields)
        users.append([row[column] for column in user_header])
        roles.append([f"role-{sourced_id}", "", "", sourced_id, "primary", role, "", "", org, ""])

    guardian_of: dict[int, list[str]] = {}
    for g in range(guardians):
        guardian_of.setdefault(g % students, []).append(f"guardian-{g}")
    for s in range(students):
        person(
            f"student-{s}",
            "student",
            username=f"s{s:05d}",
            givenName=rng.choice(GIVEN),
            familyName=rng.choice(FAMILY),
            identifier=f"N{s:05d}",
            email=f"s{s:05d}@students.example.org",
            agentSourcedIds=",".join(guardian_of.get(s, [])),
            grades=f"{9 + s % 4:02d}",
        )
    for t in range(teachers):
        person(
            f"teacher-{t}",
            "teacher",
            username=f"t{t:03d}",
            givenName=rng.choice(GIVEN),
            familyName=rng.choice(FAMILY),
            identifier=f"T{t:03d}",
            email=f"t{t:03d}@staff.example.org",
        )
    for g in range(guardians):
        person(
            f"guardian-{g}",
            "guardian",
            username=f"g{g:05d}",
            givenName=rng.choice(GIVEN),
            familyName=rng.choice(FAMILY),
            email=f"g{g:05d}@families.example.org",
            agentSourcedIds=f"student-{g % students}",
        )
    files["users.csv"] = _csv(user_header, users)
    files["roles.csv"] = _csv(
        HEADERS["roles"],
        roles,
    )
    rows = [
        [
            f"enr-t{c}",
            "",
            "",
            f"class-{c}",
            org,
            f"teacher-{c % teachers}",
            "teacher",
            "true",
            "",
            "",
        ]
        for c in range(classes)
    ]
    per_student, extra = divmod(student_rows, students)
    n = 0
    for s in range(students):
        k = per_student + (1 if s < extra else 0)
        for c in rng.sample(range(classes), k):
            rows.append(
                [f"enr-{n}", "", "", f"class-{c}", org, f"student-{s}", "student", "", "", ""]
            )
            n += 1
    files["enrollments.csv"] = _csv(
        HEADERS["enrollments"],
        rows,
    )
    demo_header = HEADERS["demographics"]
    files["demographics.csv"] = _csv(
        demo_header,
        [
            [
                f"student-{s}",
                "",
                "",
                f"{2008 + s % 4}-{1 + s % 12:02d}-{1 + s % 28:02d}",
                rng.choice(["female", "male"]),
                "",
                "",
                "",
                "",
                "",
                "",
                rng.choice(["true", "false"]),
                "",
                "",
                "",
                "",
            ]
            for s in range(students)
        ],
    )
    return files
