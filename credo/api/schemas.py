"""What the API reads and writes. Every error has one shape: `{"error": {status, code, message, fields}}`."""

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from ninja import Field, Schema
from ninja.pagination import PaginationBase
from pydantic import field_validator

from credo.core.limits import TEXT_LIMIT, text_problem


class ErrorBody(Schema):
    status: int
    code: str = Field(
        description="bad_request, not_authenticated, forbidden, not_found, method_not_allowed, "
        "conflict, too_large, invalid or server_error"
    )
    message: str
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Messages per input field"
    )


class ErrorOut(Schema):
    error: ErrorBody


ERRORS = {frozenset({400, 401, 403, 404, 409, 413, 422, 500}): ErrorOut}


class InputSchema(Schema):
    """A request body: every text in it is refused, naming the field, when it holds a NUL or
    another control character (core/limits.py); lengths are each field's `max_length`."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value):
        if isinstance(value, str):
            problem = text_problem(value)
            if problem:
                raise ValueError(problem)
        return value


class Paged(PaginationBase):
    """Page-number pagination: `?page=1&page_size=50` (at most 200 a page)."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=1_000_000)
        page_size: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        page_size: int

    items_attribute = "items"

    def paginate_queryset(self, queryset, pagination: Input, request, **params):
        offset = (pagination.page - 1) * pagination.page_size
        return {
            "items": queryset[offset : offset + pagination.page_size],
            "count": len(queryset) if isinstance(queryset, list) else queryset.count(),
            "page": pagination.page,
            "page_size": pagination.page_size,
        }


class MeOut(Schema):
    username: str
    name: str
    school: str
    roles: list[str]
    scopes: list[str]
    token: str = Field(description="The token's public prefix")
    expires_at: dt.datetime | None


class SchoolOut(Schema):
    slug: str
    name: str
    short_name: str
    city: str
    website: str
    mission: str
    context: str
    credit_policy: str


class StudentOut(Schema):
    id: int
    given_name: str
    family_name: str
    preferred_name: str
    full_name: str
    student_number: str
    graduation_year: int
    active: bool
    advisor_id: int | None


class LevelOut(Schema):
    value: Decimal
    label: str
    description: str


class ScaleOut(Schema):
    id: int
    name: str
    min_value: Decimal
    max_value: Decimal
    mastery_threshold: Decimal
    exceeds_threshold: Decimal | None
    levels: list[LevelOut]


class FrameworkOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    calculation_method: str
    calculation_param: int | None
    counts_formative: bool
    case_identifier: str
    version: str
    scale: ScaleOut


class CompetencyOut(Schema):
    id: int
    framework_id: int
    parent_id: int | None
    code: str
    statement: str
    kind: str
    sequence: int
    case_identifier: str
    scale_id: int | None
    calculation_method: str
    calculation_param: int | None


class EvidenceOut(Schema):
    id: int
    student_id: int
    kind: str
    title: str
    body: str
    url: str
    has_file: bool
    demonstrated_on: dt.date
    section_id: int | None
    experience_id: int | None
    outside_school: bool
    highlighted: bool
    approved: bool
    submitted_at: dt.datetime
    competency_ids: list[int]
    credit_ids: list[int]


class AssessmentOut(Schema):
    id: int
    student_id: int
    competency_id: int
    competency_code: str
    evidence_id: int | None
    assessor: str | None
    value: Decimal | None
    demonstrated_on: dt.date
    assessed_at: dt.datetime
    kind: str
    feedback: str
    accommodated: bool
    modified_scale: bool
    task: str
    replaces_id: int | None
    retraction: bool
    counts: bool = Field(
        description="False once a later assessment corrected or retracted this one"
    )


class AssessmentIn(InputSchema):
    student_id: int
    competency_id: int
    value: Decimal = Field(ge=0, le=1000, max_digits=6, decimal_places=2)
    demonstrated_on: dt.date
    kind: Literal["formative", "summative"] = "summative"
    feedback: str = Field("", max_length=TEXT_LIMIT)
    evidence_id: int | None = None
    accommodated: bool = False
    modified_scale: bool = False
    task: str = Field("", max_length=200)


class MasteryOut(Schema):
    competency_id: int
    competency_code: str
    framework_id: int
    score: Decimal | None
    status: str
    assessment_count: int
    counted_count: int
    first_demonstrated_on: dt.date | None
    last_demonstrated_on: dt.date | None


class CreditItemOut(Schema):
    competency_id: int
    points: Decimal
    required: bool


class AreaOut(Schema):
    code: str
    name: str
    colour: str


class CreditOut(Schema):
    id: int
    code: str
    title: str
    level: str
    standard: str
    area: AreaOut
    rule: str
    rule_n: int | None
    min_evidence: int
    review_required: bool
    items: list[CreditItemOut]


class CreditProgressOut(Schema):
    credit_id: int
    code: str
    title: str
    level: str
    area: str
    status: str
    status_label: str
    proficient_count: int
    item_count: int
    awarded_on: dt.date | None


class GraduationOut(Schema):
    eligible: bool
    rules_met: int
    rules_total: int
    foundational_awarded: int
    advanced_awarded: int
    detail: list[Any]


class TranscriptVersionOut(Schema):
    public_id: uuid.UUID
    number: int
    published_at: dt.datetime
    content_hash: str
    current: bool
    note: str


class TranscriptVersionDetailOut(TranscriptVersionOut):
    content: dict[str, Any]


class ShareLinkOut(Schema):
    id: int
    version: uuid.UUID
    recipient: str
    url: str | None = Field(
        None,
        description="The link's address: only in the answer that makes the link (Credo keeps its hash)",
    )
    created_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    view_count: int


class AwardRevokeIn(InputSchema):
    reason: str = Field(min_length=1, max_length=2000)


class AwardOut(Schema):
    student_id: int
    credit_id: int
    code: str
    awarded_on: dt.date
    revoked_at: dt.datetime | None
    revoke_reason: str


class ShareLinkIn(InputSchema):
    version: uuid.UUID
    recipient: str = Field(min_length=1, max_length=120)
    expires_on: dt.date | None = None


class DemographicsOut(Schema):
    student_id: int
    birth_date: dt.date | None
    sex: str
    american_indian_or_alaska_native: bool | None
    asian: bool | None
    black_or_african_american: bool | None
    native_hawaiian_or_other_pacific_islander: bool | None
    white: bool | None
    two_or_more_races: bool | None
    hispanic_or_latino: bool | None
    country_of_birth: str
    state_of_birth: str
    city_of_birth: str
    public_school_residence_status: str


class ProblemOut(Schema):
    file: str
    line: int
    column: str
    message: str


class ImportOut(Schema):
    state: Literal["applied", "dry_run", "refused"]
    summary: dict[str, Any]
    problems: list[ProblemOut]
