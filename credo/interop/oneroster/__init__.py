"""Read a OneRoster 1.2 (or 1.1) CSV set into checked records. No Django here.

`read_source(path)` takes a zip file or a folder; `parse(files)` takes a mapping of file name to
bytes and returns a `Roster`: records per table, the manifest's bulk/delta mode per table, and
every problem found, each with its place. References between tables are checked by the importer,
which can also look them up among the records a previous import stored.
"""

# The package: `spec.py` (the tables and what they allow), `archive.py` (reading a zip or a
# folder safely), `reader.py` (`parse`: the checked records and their problems).
from credo.interop.oneroster.archive import (
    MAX_MEMBERS,
    MAX_RATIO,
    MAX_UNPACKED,
    RATIO_FLOOR,
    ArchiveRefused,
    _list,
    _read_member,
    read_source,
    read_zip,
)
from credo.interop.oneroster.reader import (
    _DATE_TIME,
    BUILDERS,
    HEADERS,
    _Checker,
    _class,
    _course,
    _demographics,
    _enrollment,
    _manifest,
    _org,
    _records,
    _role,
    _session,
    _user,
    parse,
    parse_timestamp,
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

__all__ = [
    "ArchiveRefused",
    "BUILDERS",
    "CLASS_TYPES",
    "ENROLLMENT_ROLES",
    "HEADERS",
    "IGNORED",
    "MAX_MEMBERS",
    "MAX_RATIO",
    "MAX_UNPACKED",
    "ORG_TYPES",
    "RACE_COLUMNS",
    "RATIO_FLOOR",
    "REQUIRED",
    "ROLES",
    "Record",
    "Roster",
    "SESSION_TYPES",
    "STATUSES",
    "TABLES",
    "_Checker",
    "_DATE_TIME",
    "_class",
    "_course",
    "_demographics",
    "_enrollment",
    "_list",
    "_manifest",
    "_org",
    "_read_member",
    "_records",
    "_role",
    "_session",
    "_user",
    "parse",
    "parse_timestamp",
    "read_source",
    "read_zip",
]
