"""Generate a OneRoster 1.2 CSV set of any size (one school), for tests and `credo bench`. No Django here.

The default is the acceptance case: 5,000 students, 300 classes and 40,000 enrollments (one
teacher per class, the rest students), with guardians linked through `agentSourcedIds`,
demographics, and a bulk manifest. The same seed gives the same bytes.
"""

from __future__ import annotations

import csv
import io
import random

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
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "name",
            "type",
            "identifier",
            "parentSourcedId",
        ],
        [[org, "", "", "Synthetic High School", "school", "SHS", ""]],
    )
    files["academicSessions.csv"] = _csv(
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "type",
            "startDate",
            "endDate",
            "parentSourcedId",
            "schoolYear",
        ],
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
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "schoolYearSourcedId",
            "title",
            "courseCode",
            "grades",
            "orgSourcedId",
            "subjects",
            "subjectCodes",
        ],
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
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "title",
            "grades",
            "courseSourcedId",
            "classCode",
            "classType",
            "location",
            "schoolSourcedId",
            "termSourcedIds",
            "subjects",
            "subjectCodes",
            "periods",
        ],
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
    user_header = [
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ]
    users, roles = [], []
    guardian_of: dict[int, list[str]] = {}
    for g in range(guardians):
        guardian_of.setdefault(g % students, []).append(f"guardian-{g}")
    for s in range(students):
        grade = f"{9 + s % 4:02d}"
        users.append(
            [
                f"student-{s}",
                "",
                "",
                "true",
                f"s{s:05d}",
                "",
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                "",
                f"N{s:05d}",
                f"s{s:05d}@students.example.org",
                "",
                "",
                ",".join(guardian_of.get(s, [])),
                grade,
                "",
                "",
                "",
                "",
                "",
                org,
                "",
            ]
        )
        roles.append([f"role-s{s}", "", "", f"student-{s}", "primary", "student", "", "", org, ""])
    for t in range(teachers):
        users.append(
            [
                f"teacher-{t}",
                "",
                "",
                "true",
                f"t{t:03d}",
                "",
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                "",
                f"T{t:03d}",
                f"t{t:03d}@staff.example.org",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                org,
                "",
            ]
        )
        roles.append([f"role-t{t}", "", "", f"teacher-{t}", "primary", "teacher", "", "", org, ""])
    for g in range(guardians):
        users.append(
            [
                f"guardian-{g}",
                "",
                "",
                "true",
                f"g{g:05d}",
                "",
                rng.choice(GIVEN),
                rng.choice(FAMILY),
                "",
                "",
                f"g{g:05d}@families.example.org",
                "",
                "",
                f"student-{g % students}",
                "",
                "",
                "",
                "",
                "",
                "",
                org,
                "",
            ]
        )
        roles.append(
            [f"role-g{g}", "", "", f"guardian-{g}", "primary", "guardian", "", "", org, ""]
        )
    files["users.csv"] = _csv(user_header, users)
    files["roles.csv"] = _csv(
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "userSourcedId",
            "roleType",
            "role",
            "beginDate",
            "endDate",
            "orgSourcedId",
            "userProfileSourcedId",
        ],
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
        [
            "sourcedId",
            "status",
            "dateLastModified",
            "classSourcedId",
            "schoolSourcedId",
            "userSourcedId",
            "role",
            "primary",
            "beginDate",
            "endDate",
        ],
        rows,
    )
    demo_header = [
        "sourcedId",
        "status",
        "dateLastModified",
        "birthDate",
        "sex",
        "americanIndianOrAlaskaNative",
        "asian",
        "blackOrAfricanAmerican",
        "nativeHawaiianOrOtherPacificIslander",
        "white",
        "demographicRaceTwoOrMoreRaces",
        "hispanicOrLatinoEthnicity",
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ]
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
