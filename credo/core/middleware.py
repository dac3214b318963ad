"""Refuse hostile input before any view sees it, and turn refusals that views let through into
clear answers (never a 500).

`InputGuardMiddleware`, for every request, web and API alike:

- a body larger than the upload cap (`CREDO_MAX_UPLOAD_MB`) answers 413 before it is read;
- an address, a query parameter, a form field (its name or value) or an uploaded file's name that
  holds a NUL or another control character answers 400 naming the field;
- a body that cannot be parsed (multipart without a boundary, too many fields) answers 400;
- on pages, a `Conflict` raised by a service answers 409 with its message, and a service's
  `ValidationError` that the page did not place beside a field answers 400 with the messages.

Under /api/ every answer keeps the API's one error format (the API's own handlers deal with what
its views raise).
"""

from __future__ import annotations

from django.core.exceptions import (
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import render

from credo.core.errors import Conflict
from credo.core.limits import control_character, max_upload_bytes, upload_cap_message

API_PREFIX = "/api/"
_API_CODES = {400: "bad_request", 404: "not_found", 409: "conflict", 413: "too_large"}
_TITLES = {
    400: "The request could not be accepted",
    409: "Someone else changed this meanwhile",
    413: "That upload is too large",
}


def refusal(request, status: int, message: str, fields: dict | None = None):
    """Answer `status` with `message`: in the API's error format under /api/, else as a page."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse(
            {
                "error": {
                    "status": status,
                    "code": _API_CODES.get(status, "error"),
                    "message": message,
                    "fields": fields or {},
                }
            },
            status=status,
        )
    details = [m for ms in (fields or {}).values() for m in ms]
    return render(
        request,
        "refused.html",
        {
            "status": status,
            "title": _TITLES.get(status, "Refused"),
            "message": message,
            "details": details,
        },
        status=status,
    )


def _field_problem(kind: str, name: str, value: str) -> str | None:
    bad = control_character(name) or control_character(value)
    if bad:
        shown = name if not control_character(name) else repr(name)
        return (
            f"The {kind} “{shown}” contains a control character ({bad}); "
            "text may hold tabs and line breaks but no other control characters."
        )
    return None


class InputGuardMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.check(request) or self.get_response(request)

    def check(self, request):
        """Return a refusal for a request no view should see, or None."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return refusal(request, 400, "The Content-Length header is not a number.")
        if length > max_upload_bytes():
            return refusal(request, 413, upload_cap_message(length))
        bad = control_character(request.path_info)
        if bad:
            return refusal(request, 400, f"The address contains a control character ({bad}).")
        try:
            if request.path_info.startswith(API_PREFIX) and request.method != "GET":
                # Keep the raw body readable for the API, which reads JSON from it even when the
                # request claims to be a form (bounded by the cap checked above).
                request.body  # noqa: B018
            query = list(request.GET.lists())
            form = list(request.POST.lists())
            files = [(name, [f.name or "" for f in fs]) for name, fs in request.FILES.lists()]
        except RequestDataTooBig:
            return refusal(request, 413, upload_cap_message())
        except (TooManyFieldsSent, TooManyFilesSent) as exc:
            return refusal(request, 400, f"The form sends too many fields: {exc}")
        except MultiPartParserError as exc:
            return refusal(
                request,
                400,
                f"The form data cannot be read ({exc}). Send multipart/form-data with its "
                "boundary, as browsers and HTTP libraries do.",
            )
        except (SuspiciousOperation, UnicodeDecodeError) as exc:
            return refusal(request, 400, f"The request cannot be read: {exc}")
        for kind, items in (("parameter", query), ("field", form), ("file name of", files)):
            for name, values in items:
                for value in values:
                    problem = _field_problem(kind, name, value)
                    if problem:
                        return refusal(request, 400, problem, {name: [problem]})
        return None

    def process_exception(self, request, exception):
        if request.path_info.startswith(API_PREFIX):
            return None
        if isinstance(exception, Conflict):
            return refusal(request, 409, exception.message)
        if isinstance(exception, RequestDataTooBig):
            return refusal(request, 413, upload_cap_message())
        if isinstance(exception, ValidationError):
            fields = (
                {k: [m for e in v for m in e.messages] for k, v in exception.error_dict.items()}
                if hasattr(exception, "error_dict")
                else {"": exception.messages}
            )
            return refusal(request, 400, "Nothing was saved: the input was refused.", fields)
        return None
