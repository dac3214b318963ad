"""The audit events the schools app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

EXPERIENCE_SAVED = register(
    "experience.saved",
    "A learning experience was created or changed",
    "schools.learningexperience",
)
SCHOOL_SETTINGS_SAVED = register(
    "school.settings_saved",
    "A school's settings were saved",
    "schools.school",
)
SECTION_SAVED = register("section.saved", "A section was created or changed", "schools.section")
TERM_SAVED = register("term.saved", "A term was created or changed", "schools.term")
