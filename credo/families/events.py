"""The audit events the families app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

ACCOUNT_LANGUAGE_SET = register(
    "account.language_set",
    "A person chose the language Credo speaks to them",
    "accounts.user",
)
FAMILIES_CREDIT_TEXT_SAVED = register(
    "families.credit_text_saved",
    "The family-facing wording of a credit was saved",
    "mastery.masterycredit",
)
FAMILIES_LEVEL_TEXTS_SAVED = register(
    "families.level_texts_saved",
    "The family-facing wording of a scale's levels was saved",
    "frameworks.proficiencyscale",
)
FAMILIES_REPORT_SENT = register(
    "families.report_sent",
    "A family progress report was sent",
    "families.familyreport",
)
FAMILIES_REPORTS_QUEUED = register(
    "families.reports_queued",
    "Family progress reports were queued for a school",
    "schools.school",
)
