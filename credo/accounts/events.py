"""The audit events the accounts app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

GUARDIAN_LINKED = register(
    "guardian.linked",
    "A guardian was linked to a student",
    "accounts.guardianlink",
)
MEMBERSHIP_CHANGED = register(
    "membership.changed",
    "A person's roles in a school changed",
    "accounts.user",
)
PERSON_CREATED = register("person.created", "A person was added to a school", "accounts.user")
PERSON_PASSWORD_SET = register(
    "person.password_set",
    "A person's password was set",
    "accounts.user",
)
PERSON_RECOVERY_CODE_USED = register(
    "person.recovery_code_used",
    "A two-factor recovery code was used to sign in",
    "accounts.user",
)
PERSON_RECOVERY_CODES_RENEWED = register(
    "person.recovery_codes_renewed",
    "A person renewed their two-factor recovery codes",
    "accounts.user",
)
PERSON_SIGNIN_LINK_CREATED = register(
    "person.signin_link_created",
    "A one-time sign-in link was created for a person",
    "accounts.user",
)
PERSON_TWO_FACTOR_DISABLED = register(
    "person.two_factor_disabled",
    "A person turned two-factor sign-in off",
    "accounts.user",
)
PERSON_TWO_FACTOR_ENABLED = register(
    "person.two_factor_enabled",
    "A person turned two-factor sign-in on",
    "accounts.user",
)
PERSON_TWO_FACTOR_RESET = register(
    "person.two_factor_reset",
    "An administrator reset a person's two-factor sign-in",
    "accounts.user",
)
SIGNIN_LOCKED_OUT = register(
    "signin.locked_out",
    "Sign-in was locked after too many failed attempts",
    "accounts.user",
)
SIGNIN_LOCKOUT_LIFTED = register(
    "signin.lockout_lifted",
    "A sign-in lockout was lifted",
    "accounts.user",
)
STUDENT_CREATED = register("student.created", "A student record was created", "accounts.student")
STUDENT_UPDATED = register("student.updated", "A student record was changed", "accounts.student")
