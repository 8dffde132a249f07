"""``POST /api/v1/porting/validate``: the first-time-right engine over the API.

Takes the same JSON as ``faxline porting validate`` and returns the same
``{"findings": [...]}``. Input that is not a port request is refused with 422
``validation_error`` naming the field, like every other endpoint.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Router, Schema

from faxline.accounts.api_auth import actor_of
from faxline.porting.validation import PortRequestIn, validate
from faxline.porting.validation.checks import platform_context
from faxline.porting.validation.codes import codes_markdown

router = Router(tags=["Number Porting"])


class ValidationFindingOut(Schema):
    code: str
    severity: Literal["error", "warning"]
    field: str
    message: str


class ValidationFindingsOut(Schema):
    findings: list[ValidationFindingOut]


@router.post(
    "/porting/validate",
    response=ValidationFindingsOut,
    summary="Validate a port request before submission",
    description=(
        "Checks a port request against what the losing carrier checks and returns every "
        "problem found, ordered by the field of the request it is about. An `error` blocks "
        "submission; a `warning` informs. `field` is a JSON path into the request "
        "(`numbers[2].number`, `csr.account_name`). Nothing is stored. The same check runs "
        "as `faxline porting validate FILE`.\n\n" + codes_markdown()
    ),
)
def porting_validate(request: HttpRequest, payload: PortRequestIn) -> ValidationFindingsOut:
    actor_of(request)  # authenticated like every endpoint
    findings = validate(payload, context=platform_context())
    return ValidationFindingsOut(
        findings=[
            ValidationFindingOut(code=f.code, severity=f.severity, field=f.field, message=f.message)
            for f in findings
        ]
    )
