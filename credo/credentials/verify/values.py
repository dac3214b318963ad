"""What the verifier checks values against: the context patterns, the Achievement
Credential schema, and the small readers of dates, lists, names and JSON paths."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft201909Validator, FormatChecker

from credo.credentials import multikey

OB_CONTEXT_PATTERN = re.compile(
    r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d+\.\d+)?\.json$"
)
CLR_CONTEXT_PATTERN = re.compile(
    r"^https://purl\.imsglobal\.org/spec/clr/v2p0/context(-2\.\d+\.\d+)?\.json$"
)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:\S+$")
_DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$", re.IGNORECASE
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SCHEMA_ERRORS_SHOWN = 3
_MAX_WRAP_ROUNDS = 8

OB_TYPES = ("OpenBadgeCredential", "AchievementCredential")
CLR_TYPE = "ClrCredential"


def _decoded_or_none(key_text: str) -> bytes | None:
    try:
        return multikey.decode_public_key(key_text)
    except multikey.MultikeyError:
        return None


_Add = Callable[..., None]
_FAILED = object()


@cache
def _achievement_credential_validator() -> Draft201909Validator:
    text = (
        resources.files("credo.credentials.schemas")
        .joinpath("achievementcredential.json")
        .read_text("utf-8")
    )
    checker = FormatChecker(formats=())
    checker.checks("date-time")(
        lambda value: not isinstance(value, str) or bool(_DATE_TIME.match(value))
    )
    checker.checks("date")(lambda value: not isinstance(value, str) or bool(_DATE.match(value)))
    return Draft201909Validator(json.loads(text), format_checker=checker)


def _schema_errors(document: Mapping[str, Any]) -> tuple[list[Any], set[str]]:
    """Return the AchievementCredential schema's errors, a single value counting as a set, and
    the places where a single value had to be read as a one-element array.

    In JSON-LD a single value and a one-element set mean the same, and issuers (1EdTech's own
    test vectors among them) write ``"proof": {...}`` or ``"type": "Evidence"``; the published
    schema only accepts arrays, so such values are wrapped and the document validated again.
    The caller says so: a strict validator would refuse the document as written.
    """
    validator = _achievement_credential_validator()
    errors = list(validator.iter_errors(document))
    copy: Any = None
    wrapped: set[str] = set()
    for _ in range(_MAX_WRAP_ROUNDS):
        paths = {
            tuple(error.absolute_path)
            for error in _all_errors(errors)
            if error.validator == "type"
            and "array" in _as_list(error.validator_value)
            and not isinstance(error.instance, list)
        }
        if not paths:
            break
        if copy is None:
            copy = json.loads(json.dumps(document))
        for path in sorted(paths, key=len, reverse=True):
            _wrap_at(copy, path)
            wrapped.add(_json_path(path))
        errors = list(validator.iter_errors(copy))
    return errors, wrapped


def _all_errors(errors: Any) -> Iterator[Any]:
    for error in errors:
        yield error
        yield from _all_errors(error.context or ())


def _wrap_at(document: Any, path: tuple[Any, ...]) -> None:
    if not path:
        return
    parent = document
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = [parent[path[-1]]]


def _date_field(
    document: Mapping[str, Any], name: str, legacy_name: str
) -> tuple[datetime | str | None, str]:
    """Return the parsed date (or an error message) and a note on which field held it."""
    field_name = name if name in document else legacy_name
    if field_name not in document:
        return None, ""
    parsed = _parse_datetime(document[field_name])
    if parsed is None:
        return f"{field_name} {document[field_name]!r} is not an XML Schema dateTime", ""
    return parsed, f"{field_name} {_show(parsed)}"


def _parse_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not _DATE_TIME.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError:
        return None
    # VCDM 2.0 requires a time zone; a value without one is read as UTC.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _first(value: Any) -> Any:
    items = _as_list(value)
    return items[0] if items else None


def _named(profile: Mapping[str, Any]) -> str:
    name = profile.get("name")
    return f" ({name})" if isinstance(name, str) and name else ""


def _show(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _json_path(parts: Iterator[Any] | Any) -> str:
    text = "$"
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text


def _short(message: str, limit: int = 160) -> str:
    return message if len(message) <= limit else message[: limit - 1] + "…"
