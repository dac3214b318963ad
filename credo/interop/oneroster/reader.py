"""Checking a set: the manifest, each table's rows into `Record`s, and `parse`, which
returns the `Roster` with every problem found, each with its place."""

from __future__ import annotations

import datetime as dt
import re

from credo.interop.common import (
    Problems,
    Row,
    Table,
    formula_like,
    parse_bool,
    parse_date,
    read_csv,
)
from credo.interop.oneroster.archive import (
    _list,
)
from credo.interop.oneroster.spec import (
    CLASS_TYPES,
    ENROLLMENT_ROLES,
    IGNORED,
    ORG_TYPES,
    RACE_COLUMNS,
    REQUIRED,
    ROLES,
    SESSION_TYPES,
    STATUSES,
    TABLES,
    Record,
    Roster,
)


def _manifest(files: dict[str, bytes], problems: Problems) -> tuple[str, dict[str, str]]:
    """Read manifest.csv: the OneRoster version and each file's mode; check it against the files."""
    if "manifest.csv" not in files:
        problems.add(
            "manifest.csv",
            1,
            "file",
            "the set has no manifest.csv; a OneRoster 1.2 set must say its version and, for "
            "each file, bulk, delta or absent",
        )
        return "", {}
    table = read_csv(
        "manifest.csv",
        files["manifest.csv"],
        problems,
        required=("propertyName", "value"),
        multiline=False,
    )
    version, modes, lines = "", {}, {}
    version_line = 0
    for row in table.rows:
        prop, value = row["propertyName"], row["value"]
        if prop in lines and (prop == "oneroster.version" or prop.startswith("file.")):
            problems.add(
                "manifest.csv",
                row.line,
                "propertyName",
                f"“{prop}” is also on line {lines[prop]}",
            )
            continue
        lines[prop] = row.line
        if prop == "oneroster.version":
            version, version_line = value, row.line
        elif prop.startswith("file."):
            name = prop[5:]
            if value not in ("bulk", "delta", "absent"):
                problems.add(
                    "manifest.csv", row.line, "value", f"“{value}” is not bulk, delta or absent"
                )
                continue
            modes[name] = value
            present = f"{name}.csv" in files
            if value != "absent" and not present:
                problems.add(
                    "manifest.csv",
                    row.line,
                    "value",
                    f"the manifest lists {name}.csv as {value} but the set has no such file",
                )
            elif value == "absent" and present:
                problems.add(
                    "manifest.csv",
                    row.line,
                    "value",
                    f"the manifest says {name}.csv is absent, but the set has it; say bulk or "
                    "delta, or leave the file out",
                )
    if not version:
        problems.add(
            "manifest.csv",
            1,
            "oneroster.version",
            "the manifest does not say the OneRoster version",
        )
    elif version != "1.2":
        problems.add(
            "manifest.csv",
            version_line,
            "value",
            f"oneroster.version is “{version}”; this reader takes OneRoster 1.2 CSV only "
            "(export the set as 1.2)",
        )
    for name in files:
        table_name = name.removesuffix(".csv")
        if name != "manifest.csv" and table_name not in modes and "manifest.csv" in files:
            problems.add(
                "manifest.csv",
                1,
                f"file.{table_name}",
                f"{name} is in the set but the manifest does not list it (bulk, delta or absent)",
            )
    return version, modes


_DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def parse_timestamp(value: str) -> dt.datetime | None:
    """Return an ISO 8601 date-time with its zone (`2024-01-05T12:00:00.000Z`); None if it is not one."""
    if not _DATE_TIME.match(value):
        return None
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


class _Checker:
    """Turns the cells of one row into checked values, reporting each problem with its place."""

    def __init__(self, row: Row, problems: Problems, active: bool):
        self.row, self.problems, self.active = row, problems, active

    def problem(self, column: str, message: str) -> None:
        self.problems.add(self.row.file, self.row.line, column, message)

    def text(self, column: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.row[column]
        if required and self.active and not value:
            self.problem(column, "a value is required")
        if max_length and len(value) > max_length:
            self.problem(column, f"longer than {max_length} characters")
        if formula_like(value):
            self.problem(
                column,
                f"“{value[:20]}” starts with {value[0]!r}, which spreadsheets run as a formula; "
                "remove it",
            )
        return value

    def choice(self, column: str, allowed: set[str], *, required: bool = False) -> str:
        value = self.text(column, required=required)
        if value and value not in allowed and not value.startswith("ext:"):
            self.problem(column, f"“{value}” is not one of {', '.join(sorted(allowed))}")
        return value

    def date(self, column: str, *, required: bool = False) -> dt.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        result = parse_date(value)
        if result is None:
            self.problem(column, f"“{value}” is not a date (YYYY-MM-DD)")
        return result

    def boolean(self, column: str) -> bool | None:
        try:
            return parse_bool(self.row[column])
        except ValueError:
            self.problem(column, f"“{self.row[column]}” is not true or false")
            return None


def _records(table: Table, problems: Problems, build, *, delta: bool = False) -> dict[str, Record]:
    out: dict[str, Record] = {}
    name = table.file.removesuffix(".csv")
    for row in table.rows:
        sourced_id = row["sourcedId"]
        status = row["status"]
        if status not in STATUSES:
            problems.add(row.file, row.line, "status", f"“{status}” is not active or tobedeleted")
        elif delta and not status:
            problems.add(
                row.file,
                row.line,
                "status",
                "a delta file must say active or tobedeleted on every row",
            )
        modified = row["dateLastModified"]
        if modified and parse_timestamp(modified) is None:
            problems.add(
                row.file,
                row.line,
                "dateLastModified",
                f"“{modified}” is not an ISO 8601 date-time with its zone "
                "(like 2025-08-25T14:30:00.000Z)",
            )
        elif delta and not modified:
            problems.add(row.file, row.line, "dateLastModified", "a delta file must date every row")
        if not sourced_id:
            problems.add(row.file, row.line, "sourcedId", "a value is required")
            continue
        if len(sourced_id) > 128:
            problems.add(row.file, row.line, "sourcedId", "longer than 128 characters")
        if sourced_id in out:
            problems.add(
                row.file,
                row.line,
                "sourcedId",
                f"“{sourced_id}” appears twice in this file (first on line {out[sourced_id].line})",
            )
            continue
        deleted = status == "tobedeleted"
        check = _Checker(row, problems, not deleted)
        out[sourced_id] = Record(name, row.file, row.line, sourced_id, deleted, build(check, row))
    return out


def _org(c: _Checker, row: Row) -> dict:
    return {
        "name": c.text("name", required=True, max_length=200),
        "type": c.choice("type", ORG_TYPES, required=True),
        "identifier": c.text("identifier"),
        "parent": c.text("parentSourcedId"),
    }


def _session(c: _Checker, row: Row) -> dict:
    start, end = c.date("startDate", required=True), c.date("endDate", required=True)
    if start and end and end < start:
        c.problem("endDate", f"{end} is before the start date {start}")
    return {
        "title": c.text("title", required=True, max_length=100),
        "type": c.choice("type", SESSION_TYPES, required=True),
        "start": start,
        "end": end,
        "parent": c.text("parentSourcedId"),
        "school_year": c.text("schoolYear", required=True, max_length=20),
    }


def _course(c: _Checker, row: Row) -> dict:
    return {
        "title": c.text("title", required=True, max_length=200),
        "code": c.text("courseCode"),
        "org": c.text("orgSourcedId", required=True),
        "grades": _list(row["grades"]),
    }


def _class(c: _Checker, row: Row) -> dict:
    terms = _list(row["termSourcedIds"])
    if c.active and not terms:
        c.problem("termSourcedIds", "a value is required")
    return {
        "title": c.text("title", required=True, max_length=100),
        "course": c.text("courseSourcedId", required=True),
        "code": c.text("classCode"),
        "type": c.choice("classType", CLASS_TYPES, required=True),
        "school": c.text("schoolSourcedId", required=True),
        "terms": terms,
    }


def _user(c: _Checker, row: Row) -> dict:
    values = {
        "enabled": c.boolean("enabledUser"),
        "username": c.text("username", required=True, max_length=150),
        "given": c.text("givenName", required=True, max_length=100),
        "family": c.text("familyName", required=True, max_length=100),
        "preferred": c.text("preferredGivenName", max_length=100),
        "identifier": c.text("identifier", max_length=64),
        "email": c.text("email", max_length=254),
        "agents": _list(row["agentSourcedIds"]),
        "grades": _list(row["grades"]),
        "primary_org": c.text("primaryOrgSourcedId"),
        # OneRoster 1.1 carries the role and organisations on the user row.
        "role": c.choice("role", ROLES) if "role" in row.values else "",
        "orgs": _list(row["orgSourcedIds"]),
    }
    if values["email"] and "@" not in values["email"]:
        c.problem("email", f"“{values['email']}” is not an e-mail address")
    return values


def _role(c: _Checker, row: Row) -> dict:
    return {
        "user": c.text("userSourcedId", required=True),
        "role_type": c.choice("roleType", {"primary", "secondary"}, required=True),
        "role": c.choice("role", ROLES, required=True),
        "org": c.text("orgSourcedId", required=True),
        "begin": c.date("beginDate"),
        "end": c.date("endDate"),
    }


def _enrollment(c: _Checker, row: Row) -> dict:
    begin, end = c.date("beginDate"), c.date("endDate")
    if begin and end and end < begin:
        c.problem("endDate", f"{end} is before the begin date {begin}")
    return {
        "class": c.text("classSourcedId", required=True),
        "school": c.text("schoolSourcedId", required=True),
        "user": c.text("userSourcedId", required=True),
        "role": c.choice("role", ENROLLMENT_ROLES, required=True),
        "primary": c.boolean("primary"),
        "begin": begin,
        "end": end,
    }


def _demographics(c: _Checker, row: Row) -> dict:
    values = {
        "birth_date": c.date("birthDate"),
        "sex": c.text("sex", max_length=16),
        "country_of_birth": c.text("countryOfBirthCode", max_length=8),
        "state_of_birth": c.text("stateOfBirthAbbreviation", max_length=8),
        "city_of_birth": c.text("cityOfBirth", max_length=120),
        "public_school_residence_status": c.text("publicSchoolResidenceStatus", max_length=64),
    }
    for column, name in RACE_COLUMNS.items():
        values[name] = c.boolean(column)
    return values


BUILDERS = {
    "orgs": _org,
    "academicSessions": _session,
    "courses": _course,
    "classes": _class,
    "users": _user,
    "roles": _role,
    "enrollments": _enrollment,
    "demographics": _demographics,
}


def parse(files: dict[str, bytes], progress=None) -> Roster:
    """Read and check every table of a OneRoster set; return the records and every problem found."""
    problems = Problems()
    version, modes = _manifest(files, problems)
    records: dict[str, dict[str, Record]] = {}
    ignored = [name for name in files if name.removesuffix(".csv") in IGNORED]
    unknown = [
        name
        for name in files
        if name != "manifest.csv"
        and name.removesuffix(".csv") not in TABLES
        and name.removesuffix(".csv") not in IGNORED
    ]
    if "manifest.csv" in files:
        present = [t for t in TABLES if f"{t}.csv" in files and modes.get(t) in ("bulk", "delta")]
    else:  # refused already; the tables are still checked, so every problem is reported at once
        present = [t for t in TABLES if f"{t}.csv" in files]
    if not present and "manifest.csv" in files:
        problems.add(
            "manifest.csv" if modes else "(set)",
            1,
            "files",
            "no OneRoster tables found (expected users.csv, classes.csv, enrollments.csv, …)",
        )
    for i, name in enumerate(present):
        if progress:
            progress("reading", i, len(present))
        table = read_csv(
            f"{name}.csv",
            files[f"{name}.csv"],
            problems,
            required=(*REQUIRED[name], "status", "dateLastModified"),
            multiline=False,
        )
        if any(p.line == 1 and p.file == table.file for p in problems):
            # Without its header the table cannot be read row by row; its header problems say why.
            header_missing = {p.column for p in problems if p.file == table.file and p.line == 1}
            if "sourcedId" in header_missing:
                continue
        records[name] = _records(table, problems, BUILDERS[name], delta=modes.get(name) == "delta")
    if progress:
        progress("reading", len(present), len(present))
    roster = Roster(
        version=version,
        modes={t: modes.get(t, "delta") for t in present},
        records=records,
        problems=problems,
        ignored=ignored + unknown,
    )
    roster.has_manifest = bool(modes)  # type: ignore[attr-defined]
    return roster


# The columns of each OneRoster 1.2 CSV file, in the specification's order: what Credo writes
# (`roster_export`, the synthetic district) and what a complete file carries.
HEADERS = {
    "orgs": [
        "sourcedId",
        "status",
        "dateLastModified",
        "name",
        "type",
        "identifier",
        "parentSourcedId",
    ],
    "academicSessions": [
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
    "courses": [
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
    "classes": [
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
    "users": [
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
    ],
    "roles": [
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
    "enrollments": [
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
    "demographics": [
        "sourcedId",
        "status",
        "dateLastModified",
        "birthDate",
        "sex",
        *RACE_COLUMNS,
        "countryOfBirthCode",
        "stateOfBirthAbbreviation",
        "cityOfBirth",
        "publicSchoolResidenceStatus",
    ],
}
