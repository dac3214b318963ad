"""What a OneRoster set is: its tables, the values their columns allow, the columns each
requires, and the checked `Record`s and `Roster` the reader returns."""

from __future__ import annotations

from dataclasses import dataclass, field

from credo.interop.common import (
    Problems,
)

TABLES = (
    "orgs",
    "academicSessions",
    "courses",
    "classes",
    "users",
    "roles",
    "enrollments",
    "demographics",
)
IGNORED = (
    "userProfiles",
    "categories",
    "classResources",
    "courseResources",
    "lineItems",
    "results",
    "resources",
    "userResources",
    "scoreScales",
    "lineItemScoreScales",
    "resultScoreScales",
    "lineItemLearningObjectiveIds",
    "resultLearningObjectiveIds",
)

ORG_TYPES = {"department", "school", "district", "local", "state", "national"}
SESSION_TYPES = {"gradingPeriod", "semester", "schoolYear", "term"}
CLASS_TYPES = {"homeroom", "scheduled"}
ROLES = {
    "administrator",
    "aide",
    "guardian",
    "parent",
    "proctor",
    "relative",
    "student",
    "teacher",
    "districtAdministrator",
    "siteAdministrator",
    "systemAdministrator",
    "principal",
    "counselor",
}
ENROLLMENT_ROLES = {"administrator", "proctor", "student", "teacher", "aide", "guardian", "parent"}
STATUSES = {"", "active", "tobedeleted"}

# Columns that must be present in the header, and values an active row must give.
REQUIRED = {
    "orgs": ("sourcedId", "name", "type"),
    "academicSessions": ("sourcedId", "title", "type", "startDate", "endDate", "schoolYear"),
    "courses": ("sourcedId", "title", "orgSourcedId"),
    "classes": (
        "sourcedId",
        "title",
        "courseSourcedId",
        "classType",
        "schoolSourcedId",
        "termSourcedIds",
    ),
    "users": ("sourcedId", "username", "givenName", "familyName"),
    "roles": ("sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"),
    "enrollments": ("sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"),
    "demographics": ("sourcedId",),
}

RACE_COLUMNS = {
    "americanIndianOrAlaskaNative": "american_indian_or_alaska_native",
    "asian": "asian",
    "blackOrAfricanAmerican": "black_or_african_american",
    "nativeHawaiianOrOtherPacificIslander": "native_hawaiian_or_other_pacific_islander",
    "white": "white",
    "demographicRaceTwoOrMoreRaces": "two_or_more_races",
    "hispanicOrLatinoEthnicity": "hispanic_or_latino",
}


@dataclass
class Record:
    """One row of a OneRoster table: where it is, its id and status, and its checked values."""

    table: str
    file: str
    line: int
    sourced_id: str
    deleted: bool
    values: dict = field(default_factory=dict)

    def __getitem__(self, key):
        return self.values.get(key)


@dataclass
class Roster:
    version: str
    modes: dict[str, str]  # table → "bulk" | "delta"
    records: dict[str, dict[str, Record]]  # table → sourcedId → record
    problems: Problems
    ignored: list[str] = field(default_factory=list)

    def table(self, name: str) -> dict[str, Record]:
        return self.records.get(name, {})

    def active(self, name: str) -> list[Record]:
        return [r for r in self.table(name).values() if not r.deleted]

    def deleted(self, name: str) -> list[Record]:
        return [r for r in self.table(name).values() if r.deleted]


# A OneRoster set of 5,000 students is about 4 MB of CSV; a whole district's stays far below these.
