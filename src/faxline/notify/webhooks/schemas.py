"""The webhooks' API bodies and the payloads endpoints receive (a stable schema: fields are
added, never renamed or removed, within ``v1``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from faxline.accounts.schemas import InputSchema

VERIFY_PYTHON = '''\
import hashlib, hmac, time


def verify(secret: str, header: str, body: bytes, tolerance: int = 300) -> bool:
    """header: the Faxline-Signature request header; body: the raw request body."""
    fields = dict(part.split("=", 1) for part in header.split(","))
    timestamp = int(fields["t"])
    signed = f"{timestamp}.".encode() + body
    expected = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    fresh = abs(time.time() - timestamp) <= tolerance
    return fresh and hmac.compare_digest(expected, fields["v1"])
'''

SIGNATURE_DOC = (
    "Every delivery is a `POST` of JSON `{id, type, created_at, data}` (see `WebhookPayload`) "
    "with the headers `Faxline-Event-Id`, `Faxline-Event-Type`, `Faxline-Delivery-Id` and "
    '`Faxline-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with '
    "the endpoint's secret>`. Verify it and refuse requests older than 5 minutes:\n\n"
    "```python\n" + VERIFY_PYTHON + "```\n\n"
    "Answer 2xx within 10 seconds; anything else (or no answer) is retried after 5 s, 25 s, "
    "2 min, 10 min, 52 min, 4 h and 22 h, then the endpoint is paused and the company's "
    "administrators are emailed. `410 Gone` pauses it at once. Redirects are not followed. "
    "The same event may arrive twice: deduplicate on `id`."
)


# --- payloads -------------------------------------------------------------------------


class FaxEventData(Schema):
    """An outbound fax job (``fax.queued``, ``fax.in_progress``, ``fax.delivered``,
    ``fax.failed``)."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(description='The job identifier, e.g. "501-26438917".')
    status: Literal["queued", "in_progress", "success", "failed", "cancelled"]
    previous_status: str | None = Field(description="null when the job was just accepted.")
    from_: str = Field(alias="from", description="The sending fax number (E.164).")
    to: str = Field(description="The destination (E.164).")
    pages: int
    source: Literal["portal", "api", "email"]
    error: str | None = Field(description='The guide\'s error name, e.g. "No Answer".')
    error_code: int | None = Field(description="The raw T.30 completion code, when known.")
    will_retry: bool
    created_at: datetime
    completed_at: datetime | None


class InboundFaxEventData(Schema):
    """A fax received on one of the company's numbers (``fax.inbound.received``)."""

    model_config = ConfigDict(populate_by_name=True)

    id: int = Field(description="Its id in `/api/v1/inbound/{fax_id}`.")
    from_: str | None = Field(alias="from", description="The caller's number, when known.")
    to: str = Field(description="The number that received it (E.164).")
    pages: int
    received_at: datetime
    partial: bool = Field(description="The call ended early: pages may be missing.")


class PortRequestEventData(Schema):
    """A port request (``port_request.*``); never its account number, PIN or address.

    ``previous_status`` is set on ``status_changed``, ``previous_foc_date`` on ``foc_set``,
    ``note_id``, ``from_porting_team`` and ``action_required`` on ``note_added`` (read the
    note itself through the API: its text is not sent)."""

    id: int = Field(description="The request's tracking id (`/api/v1/port-requests/{id}`).")
    status: str
    foc_date: date | None
    previous_status: str | None = None
    previous_foc_date: date | None = None
    note_id: int | None = None
    from_porting_team: bool | None = None
    action_required: bool | None = None


class NumberAssignedData(Schema):
    """A number of the company's given to one of its fax users (``number.assigned``)."""

    number: str = Field(description="E.164.")
    user_id: int
    username: str


class TestEventData(Schema):
    """What "Send test event" sends (``webhook.test``)."""

    endpoint_id: int
    message: str


class _Envelope(Schema):
    id: str = Field(description='The event id, "evt_…": deduplicate on it.')
    created_at: datetime


class FaxEvent(_Envelope):
    type: Literal["fax.queued", "fax.in_progress", "fax.delivered", "fax.failed"]
    data: FaxEventData


class InboundFaxEvent(_Envelope):
    type: Literal["fax.inbound.received"]
    data: InboundFaxEventData


class PortRequestEvent(_Envelope):
    type: Literal["port_request.status_changed", "port_request.note_added", "port_request.foc_set"]
    data: PortRequestEventData


class NumberAssignedEvent(_Envelope):
    type: Literal["number.assigned"]
    data: NumberAssignedData


class TestEvent(_Envelope):
    type: Literal["webhook.test"]
    data: TestEventData


WebhookPayload = Annotated[
    FaxEvent | InboundFaxEvent | PortRequestEvent | NumberAssignedEvent | TestEvent,
    Field(discriminator="type", description=SIGNATURE_DOC),
]


# What each event type's request looks like, for the OpenAPI document's ``webhooks``.
_WEBHOOKS: tuple[tuple[str, type[Schema], str], ...] = (
    ("fax.queued", FaxEvent, "An outbound fax was accepted."),
    ("fax.in_progress", FaxEvent, "A call for an outbound fax started."),
    ("fax.delivered", FaxEvent, "An outbound fax was sent."),
    ("fax.failed", FaxEvent, "An outbound fax failed for good, or was cancelled."),
    ("fax.inbound.received", InboundFaxEvent, "A fax arrived on one of your numbers."),
    ("port_request.status_changed", PortRequestEvent, "A port request changed status."),
    ("port_request.note_added", PortRequestEvent, "A note was added to a port request."),
    ("port_request.foc_set", PortRequestEvent, "A port request's FOC date was set or moved."),
    ("number.assigned", NumberAssignedEvent, "A number was given to a fax user."),
    ("webhook.test", TestEvent, "Send test event, to one endpoint."),
)


def openapi_webhooks() -> list[dict[str, Any]]:
    """The webhooks as ``faxline.api.document_webhooks`` documents them."""
    return [
        {"name": name, "summary": summary, "description": SIGNATURE_DOC, "schema": schema}
        for name, schema, summary in _WEBHOOKS
    ]


# --- the API's bodies -----------------------------------------------------------------


class WebhookIn(InputSchema):
    url: str = Field(description="http(s) URL; private, loopback and link-local refused.")
    events: list[str] = Field(description="Event types to receive (at least one).")
    number: str | None = Field(
        default=None,
        description="One of the company's numbers: only events about it (its inbound faxes, "
        "faxes sent from it, its assignment). Omit for every event of the company.",
    )
    description: str | None = Field(default=None, max_length=200)
    company_id: int | None = Field(
        default=None, description="Operators and partners: whose endpoint. Default: yours."
    )


class WebhookPatch(InputSchema):
    url: str | None = None
    events: list[str] | None = None
    number: str | None = Field(default=None, description='"" makes it company-wide.')
    description: str | None = Field(default=None, max_length=200)


class WebhookOut(Schema):
    id: int
    company_id: int
    url: str
    description: str
    number: str | None
    events: list[str]
    status: Literal["active", "paused"]
    paused_reason: str
    paused_at: datetime | None
    secret_rotated_at: datetime | None
    created_at: datetime


class WebhookWithSecret(WebhookOut):
    secret: str = Field(
        description="Shown this once (creation and rotation): keep it; sign checks use it."
    )


class WebhookPage(Schema):
    items: list[WebhookOut]
    count: int


class DeliveryOut(Schema):
    id: int
    event_id: str
    event_type: str
    status: Literal["pending", "sending", "retrying", "delivered", "failed", "held"]
    attempts: int
    response_code: int | None
    latency_ms: int | None
    error: str
    response_excerpt: str = Field(description="At most the first 200 characters of the answer.")
    next_attempt_at: datetime | None
    last_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class DeliveryDetail(DeliveryOut):
    payload: WebhookPayload


class DeliveryPage(Schema):
    items: list[DeliveryOut]
    count: int
