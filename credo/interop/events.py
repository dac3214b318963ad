"""The audit events the interop app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import Event, register

VERBS = {"c": ("created", "created"), "u": ("updated", "changed"), "d": ("deleted", "deleted")}

IMPORT_APPLIED = register("import.applied", "An import was applied", "interop.importrun")
IMPORT_CONFIRMED = register(
    "import.confirmed",
    "An import was confirmed to be applied",
    "interop.importrun",
)
IMPORT_FRAMEWORK_CREATED = register(
    "import.framework.created",
    "An import created a framework",
    "frameworks.framework",
)
IMPORT_FRAMEWORK_UPDATED = register(
    "import.framework.updated",
    "An import changed a framework",
    "frameworks.framework",
)
IMPORT_INTERRUPTED = register(
    "import.interrupted",
    "An import stopped part-way and was marked interrupted",
    "interop.importrun",
)
IMPORT_PREVIEWED = register(
    "import.previewed",
    "An import's dry run finished and can be reviewed",
    "interop.importrun",
)
IMPORT_RETRIED = register(
    "import.retried",
    "An interrupted import was started again",
    "interop.importrun",
)
IMPORT_SCALE_CREATED = register(
    "import.scale.created",
    "An import created a proficiency scale",
    "frameworks.proficiencyscale",
)
IMPORT_SCHOOL_CREATED = register(
    "import.school.created",
    "An import created a school",
    "schools.school",
)
IMPORT_SCHOOL_UPDATED = register(
    "import.school.updated",
    "An import changed a school",
    "schools.school",
)
IMPORT_UPLOADED = register(
    "import.uploaded",
    "A file was uploaded to be imported",
    "interop.importrun",
)

# What the importers' bulk writer records, by kind of record and what happened to it
# (`importers.base.BulkWriter`): `IMPORTED["term"]["created"]` is "import.term.created".
_KINDS = {
    "case_document": ("a CASE document", "interop.casedocument", "cu"),
    "case_item": ("a CASE item", "interop.caseitem", "cu"),
    "competency": ("a competency", "frameworks.competency", "cud"),
    "term": ("a term", "schools.term", "cud"),
    "course": ("a course (learning experience)", "schools.learningexperience", "cud"),
    "section": ("a section", "schools.section", "cud"),
    "user": ("a person", "accounts.user", "cu"),
    "student": ("a student", "accounts.student", "cu"),
    "membership": ("a school membership", "accounts.membership", "cd"),
    "guardian_link": ("a guardian link", "accounts.guardianlink", "cd"),
    "demographics": ("a student's demographics", "interop.demographics", "cud"),
    "enrollment": ("an enrolment", "schools.enrollment", "cud"),
    "teaching": ("a section's teacher", "schools.sectionteacher", "cd"),
    "assessment": ("an assessment", "mastery.assessment", "c"),
}
IMPORTED: dict[str, dict[str, Event]] = {
    kind: {
        VERBS[v][0]: register(
            f"import.{kind}.{VERBS[v][0]}", f"An import {VERBS[v][1]} {label}", target
        )
        for v in verbs
    }
    for kind, (label, target, verbs) in _KINDS.items()
}
