"""The audit events the sso app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

SCHOOL_STUDENTS_PASSWORD_SIGNIN_CHANGED = register(
    "school.students_password_signin_changed",
    "Whether students may sign in with a password changed",
    "schools.school",
)
SSO_PROVIDER_CHANGED = register(
    "sso.provider_changed",
    "A single sign-on provider was changed",
    "sso.identityprovider",
)
SSO_PROVIDER_CREATED = register(
    "sso.provider_created",
    "A single sign-on provider was added",
    "sso.identityprovider",
)
SSO_PROVIDER_DISABLED = register(
    "sso.provider_disabled",
    "A single sign-on provider was turned off",
    "sso.identityprovider",
)
SSO_PROVIDER_ENABLED = register(
    "sso.provider_enabled",
    "A single sign-on provider was turned on",
    "sso.identityprovider",
)
SSO_SIGNED_IN = register(
    "sso.signed_in",
    "Someone signed in through single sign-on",
    "sso.identityprovider",
)
SSO_SIGNIN_REFUSED = register(
    "sso.signin_refused",
    "A single sign-on attempt was refused",
    "sso.identityprovider",
)
