"""The audit events the api app records: each one's stored action, what it means on the
audit log page, and the model it is about (registered with `credo.core.audit`)."""

from credo.core.audit import register

API_TOKEN_CREATED = register("api_token.created", "An API token was created", "api.apitoken")
API_TOKEN_REVOKED = register("api_token.revoked", "An API token was revoked", "api.apitoken")
