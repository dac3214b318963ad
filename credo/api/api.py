"""The REST API (django-ninja), at /api/ with its OpenAPI document at /api/openapi.json and docs at /api/docs.

Every request carries a personal access token (`Authorization: Bearer credo_…`). A token acts as
the person who made it, in the one school it was made for, within its scopes; every endpoint then
checks that person's roles through the same access functions as the web pages, so the API shows
exactly what the app would: another school's or another student's records answer 404.
"""

import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.http.multipartparser import MultiPartParserError
from django.urls import re_path, reverse
from django.utils import timezone
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from credo.api.docs import OfflineSwagger
from credo.api.models import ApiToken, hash_token
from credo.api.routers import (
    administration,
    credits,
    frameworks,
    learning,
    people,
    transcripts,
)
from credo.core.errors import Conflict
from credo.core.limits import upload_cap_message

log = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    """A personal access token: found by its hash; refused when revoked, expired, or its user is inactive."""

    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.select_related("user", "school")
            .filter(key_hash=hash_token(token))
            .first()
        )
        if found is None or not found.active or not found.user.is_active:
            return None
        now = timezone.now()
        if found.last_used_at is None or (now - found.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        request.user = found.user
        return found


DESCRIPTION = """\
Read a school's students, frameworks and competencies, evidence, assessments, mastery, credits and
their progress, transcripts and share links; record assessments; import files.

**Authentication.** Make a personal access token in the app (your school → *API tokens*) and send it
on every request: `Authorization: Bearer credo_…`. A token acts as the person who made it, in the
school it was made for, within its scopes: `read`, `write:assessments`, `admin`. Every endpoint sees
what that person sees on the pages; another school's or another student's records answer 404.

**Paging.** Lists take `page` (from 1) and `page_size` (1–200, default 50) and answer
`{"items": […], "count", "page", "page_size"}`.

**Errors.** Every error under `/api/` — a bad or missing token, a missing scope or right, an unknown
record or path, a method the path does not take, input that does not fit, or a fault on our side —
has the same shape:

```json
{"error": {"status": 422, "code": "invalid", "message": "…", "fields": {"value": ["…"]}}}
```

| status | code | when |
|---|---|---|
| 400 | `bad_request` | the body cannot be read (not JSON, not a form) |
| 401 | `not_authenticated` | no token, or one that is unknown, revoked or expired |
| 403 | `forbidden` | the token lacks the scope, or its person lacks the right |
| 404 | `not_found` | no such path, or no such record that you may see |
| 405 | `method_not_allowed` | the path exists but not with this method (the `Allow` header lists those it takes) |
| 409 | `conflict` | someone else changed the same record meanwhile; nothing was written, read it again |
| 413 | `too_large` | the body or the file is larger than the upload cap (`CREDO_MAX_UPLOAD_MB`, default 25) |
| 422 | `invalid` | the input does not fit; `fields` names each field with its messages |
| 500 | `server_error` | a fault on our side; it has been logged |
"""


class CredoAPI(NinjaAPI):
    """Ninja's API whose every answer under /api/, even for a path or method it does not know, is JSON."""

    def _get_urls(self):
        urls = super()._get_urls()
        for pattern in urls:
            if pattern.name == "api-root":
                pattern.callback = _index
            else:
                pattern.callback = _json_not_allowed(pattern.callback)
        urls.append(re_path(r"^.*$", _unknown_path))
        return urls

    def get_openapi_operation_id(self, operation) -> str:
        """`credo_api_api_<function>`, as when every endpoint lived in this module: the routers
        per area (`credo/api/routers/`) leave the published operation ids as they were."""
        return f"credo_api_api_{operation.view_func.__name__}"


api = CredoAPI(
    title="Credo API",
    version="1",
    description=DESCRIPTION,
    auth=TokenAuth(),
    urls_namespace="rest",
    docs=OfflineSwagger(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)


# --- one error format ---------------------------------------------------------------------------


def _error(request, status: int, code: str, message: str, fields: dict | None = None):
    return api.create_response(
        request,
        {"error": {"status": status, "code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


def _json_not_allowed(view):
    """Wrap one of ninja's path views so that a method it does not take answers in the one format."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if isinstance(response, HttpResponseNotAllowed):
            allowed = ", ".join(sorted(response["Allow"].replace(" ", "").split(",")))
            response = _error(
                request,
                405,
                "method_not_allowed",
                f"{request.method} is not allowed on {request.path}; it takes {allowed}.",
            )
            response["Allow"] = allowed
        return response

    return wrapped


def _unknown_path(request):
    return _error(
        request,
        404,
        "not_found",
        f"No such path: {request.path}. The paths are listed at {reverse('rest:openapi-view')}.",
    )


def _index(request):
    """/api/ itself: where the document and the docs are."""
    return api.create_response(
        request,
        {
            "name": api.title,
            "version": api.version,
            "openapi": request.build_absolute_uri(reverse("rest:openapi-json")),
            "docs": request.build_absolute_uri(reverse("rest:openapi-view")),
        },
        status=200,
    )


@api.exception_handler(AuthenticationError)
def _unauthenticated(request, exc):
    response = _error(
        request,
        401,
        "not_authenticated",
        "Send a valid personal access token: Authorization: Bearer credo_…",
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(Http404)
def _not_found(request, exc):
    return _error(request, 404, "not_found", str(exc) or "Not found.")


@api.exception_handler(PermissionDenied)
def _forbidden(request, exc):
    return _error(request, 403, "forbidden", str(exc) or "Not allowed.")


@api.exception_handler(DjangoValidationError)
def _invalid(request, exc):
    fields = (
        {k: [m for e in v for m in e.messages] for k, v in exc.error_dict.items()}
        if hasattr(exc, "error_dict")
        else {"__all__": exc.messages}
    )
    return _error(
        request, 422, "invalid", " ".join(m for ms in fields.values() for m in ms), fields
    )


@api.exception_handler(NinjaValidationError)
def _bad_input(request, exc):
    fields: dict[str, list[str]] = {}
    for err in exc.errors:
        loc = [
            str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "form", "file")
        ]
        fields.setdefault(".".join(loc) or "__all__", []).append(str(err.get("msg", "invalid")))
    return _error(
        request, 422, "invalid", "The request does not match what this endpoint takes.", fields
    )


@api.exception_handler(Conflict)
def _conflict(request, exc):
    return _error(request, 409, "conflict", exc.message)


@api.exception_handler(RequestDataTooBig)
def _too_large(request, exc):
    return _error(request, 413, "too_large", upload_cap_message())


@api.exception_handler(MultiPartParserError)
def _unreadable_form(request, exc):
    return _error(request, 400, "bad_request", f"The form data cannot be read ({exc}).")


@api.exception_handler(HttpError)
def _http_error(request, exc):
    codes = {
        400: "bad_request",
        401: "not_authenticated",
        403: "forbidden",
        404: "not_found",
        405: "method_not_allowed",
        409: "conflict",
        413: "too_large",
    }
    return _error(request, exc.status_code, codes.get(exc.status_code, "error"), str(exc))


@api.exception_handler(Exception)
def _server_error(request, exc):
    log.exception("API error", exc_info=exc)
    message = "Something went wrong on our side; it has been logged."
    if settings.DEBUG:
        message += f" ({type(exc).__name__}: {exc})"
    return _error(request, 500, "server_error", message)


# --- the endpoints, one router per area (`credo/api/routers/`) --------------------------------

for _area in (people, frameworks, learning, credits, transcripts, administration):
    api.add_router("", _area.router)
