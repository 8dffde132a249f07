"""REST API of onboarding: orders, documents, checklists, completion, FOC-day readiness and
the first sign-in. The same services and selectors as the portal."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from faxline.accounts.access import Actor
from faxline.accounts.api_auth import actor_of
from faxline.accounts.models import Company
from faxline.accounts.selectors import actor_company, company_get
from faxline.core.calendar import next_business_day
from faxline.core.errors import ValidationFailed
from faxline.core.pagination import paginate
from faxline.core.vault import vault_read
from faxline.documents.limits import MAX_DOCUMENT_BYTES
from faxline.numbers.plan import display_number
from faxline.onboarding import selectors, services
from faxline.onboarding.choices import Decision, OrderStatus
from faxline.onboarding.models import OnboardingDocument, OnboardingOrder

router = Router(tags=["Onboarding"])


# --- schemas --------------------------------------------------------------------------


class PortNumberIn(Schema):
    number: str
    use: Literal["fax", "voice"] = "fax"
    port: bool = True
    user_id: int | None = None
    note: str = Field(default="", max_length=200)


class OnboardingPortNumberOut(Schema):
    number: str
    display: str
    use: str
    port: bool
    user_id: int | None
    note: str


class OnboardingDocumentOut(Schema):
    id: int
    kind: str
    original_name: str
    content_type: str
    size: int
    sha256: str
    pages: int
    statement_date: date | None
    uploaded_at: datetime
    uploaded_by: str | None

    @staticmethod
    def of(doc: OnboardingDocument) -> OnboardingDocumentOut:
        return OnboardingDocumentOut(
            id=doc.pk,
            kind=doc.kind,
            original_name=doc.original_name,
            content_type=doc.content_type,
            size=doc.size,
            sha256=doc.sha256,
            pages=doc.pages,
            statement_date=doc.statement_date,
            uploaded_at=doc.uploaded_at,
            uploaded_by=doc.uploaded_by.get_username() if doc.uploaded_by else None,
        )


class OrderFields(Schema):
    """Fields of an order; on PATCH only those sent change."""

    billing_contact_name: str | None = None
    billing_contact_email: str | None = None
    tax_exempt: bool | None = None
    domain: str | None = None
    time_zone: str | None = None
    activation: Literal["", "asap", "porting"] | None = None
    temporary_numbers: int | None = None
    area_code: str | None = None
    port_date: date | None = None
    current_carrier: str | None = None
    pin: str | None = Field(default=None, description="Write only; always shown masked.")
    authorized_user_name: str | None = None
    authorized_user_title: str | None = None
    main_caller_id: str | None = None
    e911_number: str | None = None
    e911_address: str | None = None
    native_fax_type: Literal["", "email", "portal", "api", "fax_machine"] | None = None
    native_fax_number: str | None = None
    port_numbers: list[PortNumberIn] | None = None


class OrderCreateIn(OrderFields):
    company_id: int


class OrderOut(Schema):
    id: int
    company_id: int
    company: str
    channel_partner: str | None
    status: str
    decision: str
    decided_at: datetime | None
    billing_contact_name: str
    billing_contact_email: str
    tax_exempt: bool | None
    domain: str
    time_zone: str
    activation: str
    temporary_numbers: int
    area_code: str
    port_date: date | None
    partial_port: bool
    current_carrier: str
    pin_masked: str
    authorized_user_name: str
    authorized_user_title: str
    main_caller_id: str
    e911_number: str
    e911_address: str
    native_fax_type: str
    native_fax_number: str
    port_numbers: list[OnboardingPortNumberOut]
    documents: list[OnboardingDocumentOut]
    payment_authorization_on_file: bool
    porting_blocked: str | None
    created_at: datetime
    completed_at: datetime | None

    @staticmethod
    def of(order: OnboardingOrder) -> OrderOut:
        rows = selectors.port_rows(order)
        return OrderOut(
            id=order.pk,
            company_id=order.company_id,
            company=order.company.name,
            channel_partner=order.channel_partner.name if order.channel_partner else None,
            status=order.status,
            decision=order.decision,
            decided_at=order.decided_at,
            billing_contact_name=order.billing_contact_name,
            billing_contact_email=order.billing_contact_email,
            tax_exempt=order.tax_exempt,
            domain=order.domain,
            time_zone=order.time_zone,
            activation=order.activation,
            temporary_numbers=order.temporary_numbers,
            area_code=order.area_code,
            port_date=order.port_date,
            partial_port=any(not r.port for r in rows),
            current_carrier=order.current_carrier,
            pin_masked=order.pin_masked,
            authorized_user_name=order.authorized_user_name,
            authorized_user_title=order.authorized_user_title,
            main_caller_id=order.main_caller_id,
            e911_number=order.e911_number,
            e911_address=order.e911_address,
            native_fax_type=order.native_fax_type,
            native_fax_number=order.native_fax_number,
            port_numbers=[
                OnboardingPortNumberOut(
                    number=r.number,
                    display=display_number(r.number),
                    use=r.use,
                    port=r.port,
                    user_id=r.user_id,
                    note=r.note,
                )
                for r in rows
            ],
            documents=[
                OnboardingDocumentOut.of(d) for d in order.documents.select_related("uploaded_by")
            ],
            payment_authorization_on_file=selectors.payment_authorization_on_file(order),
            porting_blocked=selectors.porting_blocker(order),
            created_at=order.created_at,
            completed_at=order.completed_at,
        )


class OrderList(Schema):
    items: list[OrderOut]
    count: int


class ChecklistItemOut(Schema):
    key: str
    label: str
    status: str
    required: bool
    recommended: bool
    detail: str
    document_id: int | None


class ProblemOut(Schema):
    field: str
    message: str


class ChecklistOut(Schema):
    items: list[ChecklistItemOut]
    ready_to_complete: bool
    problems: list[ProblemOut]
    warnings: list[str]


class ConfigItemOut(Schema):
    key: str
    label: str
    ok: bool
    detail: str
    missing: list[str]
    fix_url: str


class ConfigurationOut(Schema):
    items: list[ConfigItemOut]
    ok: bool


class CheckOut(Schema):
    key: str
    label: str
    ok: bool
    detail: str


class NumberReadinessOut(Schema):
    number: str
    display: str
    use: str
    user: str
    ready: bool
    missing: list[str]
    checks: list[CheckOut]


class ScheduledPortOut(Schema):
    order_id: int
    company_id: int
    company: str
    port_date: date
    ready: bool
    numbers: list[NumberReadinessOut]


class FocOut(Schema):
    date: date
    items: list[ScheduledPortOut]
    count: int


class NewUserIn(Schema):
    first_name: str = Field(max_length=100)
    last_name: str = Field(max_length=100)
    email: str = Field(max_length=254)


class FirstSignInIn(Schema):
    choice: Literal["new_number", "keep_number"]
    company_id: int | None = None
    area_code: str = Field(
        default="",
        max_length=3,
        description="new_number: the area code of the new number; keep_number: the area "
        "code of the temporary number (default: that of the first number kept).",
    )
    user_id: int | None = None
    new_user: NewUserIn | None = None
    numbers: list[str] = Field(default_factory=list, max_length=200)
    carrier: str = Field(default="", max_length=100)


class FirstSignInOut(Schema):
    order_id: int
    decision: str
    number: str
    display: str
    temporary: bool
    user_id: int
    user: str
    username: str
    generated_password: str | None
    port_numbers: list[str]
    message: str


class OnboardingAreaCodeOut(Schema):
    area_code: str
    label: str


class AreaGroupOut(Schema):
    state_code: str
    state_name: str
    area_codes: list[OnboardingAreaCodeOut]


class FirstSignInStatusOut(Schema):
    due: bool
    company_id: int | None
    decision: str
    country: str
    area_codes: list[AreaGroupOut]


# --- helpers --------------------------------------------------------------------------


def _order(request: HttpRequest, order_id: int) -> tuple[Actor, OnboardingOrder]:
    actor = actor_of(request)
    return actor, selectors.order_get(actor=actor, order_id=order_id)


def _changes(payload: Schema, *, exclude: set[str] | None = None) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True, exclude=exclude or set())
    if "port_numbers" in data and data["port_numbers"] is not None:
        data["port_numbers"] = [dict(r) for r in data["port_numbers"]]
    if "port_date" in data and isinstance(data["port_date"], date):
        data["port_date"] = data["port_date"].isoformat()
    for key in ("activation", "native_fax_type"):
        if key in data and data[key] is None:
            data[key] = ""
    if "temporary_numbers" in data and data["temporary_numbers"] is None:
        data["temporary_numbers"] = 0
    if "port_numbers" in data and data["port_numbers"] is None:
        data["port_numbers"] = []
    return data


def _readiness_out(items: list[selectors.NumberReadiness]) -> list[NumberReadinessOut]:
    return [
        NumberReadinessOut(
            number=r.number,
            display=r.display,
            use=r.use,
            user=r.user_label,
            ready=r.ready,
            missing=r.missing,
            checks=[CheckOut(key=c.key, label=c.label, ok=c.ok, detail=c.detail) for c in r.checks],
        )
        for r in items
    ]


def _company(actor: Actor, company_id: int | None) -> Company:
    if company_id is not None:
        return company_get(actor=actor, company_id=company_id)
    return actor_company(actor=actor)


# --- orders ---------------------------------------------------------------------------


@router.get("/onboarding/orders", response=OrderList, summary="Onboarding orders")
def order_list(
    request: HttpRequest,
    status: Literal["", "gathering", "complete"] = "",
    search: str = "",
    limit: int = 50,
    offset: int = 0,
) -> OrderList:
    actor = actor_of(request)
    qs = selectors.order_list(actor=actor, status=status, search=search)
    items, count = paginate(qs, limit=limit, offset=offset)
    return OrderList(items=[OrderOut.of(o) for o in items], count=count)


@router.post("/onboarding/orders", response={201: OrderOut}, summary="Start an onboarding order")
def order_create(request: HttpRequest, payload: OrderCreateIn) -> Status[OrderOut]:
    """Operators, or the company's channel partner. Sends the requirements email."""
    actor = actor_of(request)
    company = company_get(actor=actor, company_id=payload.company_id)
    order = services.order_create(
        actor=actor, company=company, changes=_changes(payload, exclude={"company_id"})
    )
    return Status(201, OrderOut.of(order))


@router.get("/onboarding/orders/{order_id}", response=OrderOut, summary="One onboarding order")
def order_detail(request: HttpRequest, order_id: int) -> OrderOut:
    _, order = _order(request, order_id)
    return OrderOut.of(order)


@router.patch("/onboarding/orders/{order_id}", response=OrderOut, summary="Change an order")
def order_update(request: HttpRequest, order_id: int, payload: OrderFields) -> OrderOut:
    """Only the fields sent change. Porting fields are refused (409
    ``payment_authorization_required``) until payment authorization is on file."""
    actor, order = _order(request, order_id)
    order = services.order_update(actor=actor, order=order, changes=_changes(payload))
    return OrderOut.of(order)


@router.post(
    "/onboarding/orders/{order_id}/documents",
    response={201: OnboardingDocumentOut},
    summary="Upload a document",
)
def document_upload(
    request: HttpRequest,
    order_id: int,
    kind: Form[str],
    statement_date: Form[date | None] = None,
    file: File[UploadedFile | None] = None,
) -> Status[OnboardingDocumentOut]:
    """Multipart: ``kind`` (payment_authorization, tax_exemption, phone_bill, csr), ``file``
    (PDF, PNG, JPEG or TIFF, at most 10 MB, checked by content) and, for the phone bill,
    ``statement_date`` (within the last 30 days).

    A refused file is a 422 naming ``file``, its ``code`` one of ``document_empty``,
    ``document_too_large``, ``document_type``, ``document_unreadable``,
    ``document_encrypted``, ``document_active_content`` (a PDF with scripts, launch
    actions or embedded files) and ``document_too_complex`` (over the time or memory a
    document may take to read); 503 ``intake_busy`` when too many are being checked."""
    actor, order = _order(request, order_id)
    if file is None:
        raise ValidationFailed("Attach the document as the multipart field 'file'.", field="file")
    if file.size and file.size > MAX_DOCUMENT_BYTES:
        raise ValidationFailed("The file is larger than 10 MB.", field="file")
    doc = services.document_upload(
        actor=actor,
        order=order,
        kind=kind,
        data=file.read(MAX_DOCUMENT_BYTES + 1),
        filename=file.name or "",
        statement_date=statement_date,
    )
    return Status(201, OnboardingDocumentOut.of(doc))


@router.get(
    "/onboarding/orders/{order_id}/documents/{document_id}",
    summary="Download a document",
    response={200: None},
)
def document_download(request: HttpRequest, order_id: int, document_id: int) -> HttpResponse:
    actor, order = _order(request, order_id)
    doc = selectors.document_get(actor=actor, order=order, document_id=document_id)
    response = HttpResponse(vault_read(doc.vault_name), content_type=doc.content_type)
    response["Content-Disposition"] = f'attachment; filename="{doc.original_name}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@router.post(
    "/onboarding/orders/{order_id}/numbers/csv", response=OrderOut, summary="Numbers from CSV"
)
def numbers_csv(
    request: HttpRequest, order_id: int, file: File[UploadedFile | None] = None
) -> OrderOut:
    """Replace the list of numbers with a CSV file (``number,use,port,note``)."""
    actor, order = _order(request, order_id)
    if file is None:
        raise ValidationFailed("Attach the CSV file as the multipart field 'file'.", field="file")
    order = services.port_numbers_import_csv(
        actor=actor, order=order, data=file.read(services.MAX_CSV_BYTES + 1)
    )
    return OrderOut.of(order)


@router.get(
    "/onboarding/orders/{order_id}/checklist",
    response=ChecklistOut,
    summary="Document gathering checklist",
)
def checklist(request: HttpRequest, order_id: int) -> ChecklistOut:
    _, order = _order(request, order_id)
    items = selectors.document_checklist(order)
    problems = selectors.completion_problems(order)
    return ChecklistOut(
        items=[
            ChecklistItemOut(
                key=i.key,
                label=i.label,
                status=i.status,
                required=i.required,
                recommended=i.recommended,
                detail=i.detail,
                document_id=i.document.pk if i.document else None,
            )
            for i in items
        ],
        ready_to_complete=not problems and order.status == OrderStatus.GATHERING,
        problems=[ProblemOut(field=p.field, message=p.message) for p in problems],
        warnings=[f"{i.label}: {i.detail}" for i in items if i.warning],
    )


@router.get(
    "/onboarding/orders/{order_id}/configuration",
    response=ConfigurationOut,
    summary="Account configuration checklist",
)
def configuration(request: HttpRequest, order_id: int) -> ConfigurationOut:
    """Computed from the company's real configuration (never ticked by hand)."""
    _, order = _order(request, order_id)
    items = selectors.configuration_checklist(order.company, order=order)
    return ConfigurationOut(
        items=[
            ConfigItemOut(
                key=i.key,
                label=i.label,
                ok=i.ok,
                detail=i.detail,
                missing=i.missing,
                fix_url=i.fix_url,
            )
            for i in items
        ],
        ok=all(i.ok for i in items),
    )


@router.get(
    "/onboarding/orders/{order_id}/foc-readiness",
    response=list[NumberReadinessOut],
    summary="FOC-day readiness of the order's numbers",
)
def order_foc(request: HttpRequest, order_id: int) -> list[NumberReadinessOut]:
    _, order = _order(request, order_id)
    return _readiness_out(selectors.foc_readiness(order))


@router.post(
    "/onboarding/orders/{order_id}/complete", response=OrderOut, summary="Complete onboarding"
)
def complete(request: HttpRequest, order_id: int) -> OrderOut:
    """Refused (422 ``onboarding_incomplete``, naming the first missing field) until every
    required item is in. Sends Onboarding Complete, and Request to activate when ASAP."""
    actor, order = _order(request, order_id)
    return OrderOut.of(services.order_complete(actor=actor, order=order))


@router.get("/onboarding/foc-readiness", response=FocOut, summary="Ports scheduled on a day")
def foc_readiness(request: HttpRequest, date: date | None = None) -> FocOut:
    """Readiness of the ports scheduled on ``date`` (default: the next business day)."""
    actor = actor_of(request)
    if date is None:
        scheduled = selectors.ports_next_business_day(actor=actor)
        day = next_business_day(timezone.localdate())
    else:
        scheduled = selectors.ports_on(actor=actor, day=date)
        day = date
    items = [
        ScheduledPortOut(
            order_id=s.order.pk,
            company_id=s.order.company_id,
            company=s.order.company.name,
            port_date=s.port_date,
            ready=s.ready,
            numbers=_readiness_out(s.numbers),
        )
        for s in scheduled
    ]
    return FocOut(date=day, items=items, count=len(items))


# --- first sign-in --------------------------------------------------------------------


@router.get(
    "/onboarding/first-sign-in", response=FirstSignInStatusOut, summary="First sign-in question"
)
def first_sign_in_status(
    request: HttpRequest, country: Literal["US", "CA"] = "US"
) -> FirstSignInStatusOut:
    """Whether the acting administrator's company still has to choose (new number or keep
    the existing one), and the area codes with stock."""
    actor = actor_of(request)
    order = (
        selectors.order_of_company(actor.user.company) if actor.user.company is not None else None
    )
    return FirstSignInStatusOut(
        due=selectors.first_sign_in_due(actor),
        company_id=actor.user.company_id,
        decision=order.decision if order else "",
        country=country,
        area_codes=[
            AreaGroupOut(
                state_code=g.state_code,
                state_name=g.state_name,
                area_codes=[
                    OnboardingAreaCodeOut(area_code=c.area_code, label=c.label) for c in g.codes
                ],
            )
            for g in selectors.area_code_groups(country)
        ],
    )


@router.post(
    "/onboarding/first-sign-in",
    response={201: FirstSignInOut},
    summary="New number or keep my number",
)
def first_sign_in(request: HttpRequest, payload: FirstSignInIn) -> Status[FirstSignInOut]:
    """``new_number``: a number of ``area_code`` is requested and assigned at once.
    ``keep_number``: ``numbers`` (and ``carrier``) are recorded for porting and a temporary
    number is assigned at once. The choice is made once per company (409 afterwards)."""
    actor = actor_of(request)
    company = _company(actor, payload.company_id)
    new_user = payload.new_user.dict() if payload.new_user else None
    if payload.choice == Decision.NEW_NUMBER:
        result = services.first_sign_in_new_number(
            actor=actor,
            company=company,
            area_code=payload.area_code,
            user_id=payload.user_id,
            new_user=new_user,
        )
        message = "Your new number is in service: send and receive faxes now."
    else:
        result = services.first_sign_in_keep_number(
            actor=actor,
            company=company,
            numbers=payload.numbers,
            carrier=payload.carrier,
            area_code=payload.area_code,
            user_id=payload.user_id,
            new_user=new_user,
        )
        message = (
            "Send now from your temporary number. Incoming faxes stay with your current "
            "carrier until the port completes."
        )
    return Status(
        201,
        FirstSignInOut(
            order_id=result.order.pk,
            decision=result.order.decision,
            number=result.number.number,
            display=display_number(result.number.number),
            temporary=result.number.is_temporary,
            user_id=result.user.pk,
            user=result.user.full_name or result.user.username,
            username=result.user.username,
            generated_password=result.created_password,
            port_numbers=result.port_numbers,
            message=message,
        ),
    )
