"""REST API of the email-to-fax gateway: what became of the emails received."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from faxline.accounts.api_auth import actor_of
from faxline.core.pagination import paginate
from faxline.gateway import selectors
from faxline.gateway.models import GatewayMessage

router = Router(tags=["Email to fax"])


class GatewayMessageOut(Schema):
    id: int
    received_at: datetime
    client_ip: str | None
    mail_from: str
    sender: str
    recipients: list[str]
    message_id: str
    size: int
    status: str
    outcome_code: str
    outcome: str
    detail: str
    jobs: list[str]
    spf: str
    dkim: str
    notified: bool
    notice_withheld: str
    notice_withheld_reason: str
    finished_at: datetime | None
    raw_kept: bool

    @staticmethod
    def of(m: GatewayMessage) -> GatewayMessageOut:
        return GatewayMessageOut(
            id=m.pk,
            received_at=m.received_at,
            client_ip=m.peer_ip,
            mail_from=m.mail_from,
            sender=m.sender_address,
            recipients=list(m.recipients),
            message_id=m.message_id,
            size=m.size,
            status=m.status,
            outcome_code=m.outcome_code,
            outcome=m.outcome_name,
            detail=m.outcome_detail,
            jobs=list(m.job_identifiers),
            spf=m.spf_result,
            dkim=m.dkim_result,
            notified=m.notified,
            notice_withheld=m.notice_withheld,
            notice_withheld_reason=m.get_notice_withheld_display() if m.notice_withheld else "",
            finished_at=m.finished_at,
            raw_kept=bool(m.raw_vault_name),
        )


class GatewayMessageList(Schema):
    items: list[GatewayMessageOut]
    count: int


@router.get("/gateway/messages", response=GatewayMessageList, summary="Emails received for fax")
def gateway_message_list(
    request: HttpRequest, status: str = "", limit: int = 50, offset: int = 0
) -> GatewayMessageList:
    """The emails the SMTP gateway accepted, newest first, and what became of each:
    ``received``/``processing`` (the worker has it), ``done`` (the fax jobs' identifiers) or
    ``refused`` (the guide's error name, e.g. "Unauthorized Sending Address", and the detail).
    Operators see all, channel partners their clients', company-level administrators their
    company's. Never the content of an email. ``notified`` says whether the sender was sent
    the Initial Notification; when not, ``notice_withheld`` says why: ``null_sender``,
    ``automatic`` (an automatic reply, a bounce or list mail), ``own_domain`` (faxline's own
    address or fax domain), ``no_domain``, ``settings`` (the sender's Notifications tab),
    ``address_limit`` (3 notices to that unregistered address in the last hour) or
    ``platform_limit`` (the platform-wide hourly cap on notices to unregistered senders)."""
    actor = actor_of(request)
    qs = selectors.gateway_message_list(actor=actor, status=status)
    items, count = paginate(qs, limit=limit, offset=offset)
    return GatewayMessageList(items=[GatewayMessageOut.of(m) for m in items], count=count)
