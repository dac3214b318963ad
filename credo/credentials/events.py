"""The audit events the credentials app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

CREDENTIAL_ISSUED = register(
    "credential.issued",
    "A verifiable credential was signed and issued",
    "credentials.issuedcredential",
)
CREDENTIAL_REVOKED = register(
    "credential.revoked",
    "An issued credential was revoked",
    "credentials.issuedcredential",
)
SIGNING_KEY_CREATED = register(
    "signing_key.created",
    "A credential signing key was created",
    "credentials.schoolkey",
)
SIGNING_KEY_RETIRED = register(
    "signing_key.retired",
    "A credential signing key was retired",
    "credentials.schoolkey",
)
