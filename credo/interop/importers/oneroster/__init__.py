"""Apply a checked OneRoster set to one or more schools (`import_oneroster`), in one transaction.

`run` holds the run over the file's schools; `school` one school's part; `structure`, `people`
and `enrollments` write the tables; `common` holds what they share.
"""

from credo.interop.importers.oneroster.run import RosterImport, import_oneroster

__all__ = ["RosterImport", "import_oneroster"]
