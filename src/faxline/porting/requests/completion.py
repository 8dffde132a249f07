"""Completion of a port and the linking of its numbers (seed 002 steps 5 to 7).

On completion each number becomes a ``FaxNumber`` of the company (source *ported*, in
service: ``numbers.services.number_port_in``, the numbers' owner) and is linked to a user,
inbound only or inbound and outbound; a user sends from one number at most, so marking a new
outbound number demotes the old one to inbound only (``numbers.services.number_set_outbound``).
The temporary number the customer sent from meanwhile stays until they release it. Each port
is tested by a fax to it (the guide): a "test fax pending" event is recorded and, after
commit, the ``porting.tasks.test_fax`` task faxes each ported number and records the result
(``porting.requests.testfax``).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from faxline.accounts.access import SYSTEM, Actor, SystemActor
from faxline.accounts.choices import Role
from faxline.accounts.models import User
from faxline.core.aftercommit import enqueue_after_commit
from faxline.core.errors import Conflict, ValidationFailed
from faxline.numbers.plan import display_number, normalize_number
from faxline.numbers.selectors import temporary_numbers
from faxline.numbers.services import number_port_in, number_set_outbound
from faxline.porting.access import may_act_as_porting_team
from faxline.porting.choices import TERMINAL, LinkDirection, NumberStatus, PortStatus
from faxline.porting.models import PortNumber, PortRequest
from faxline.porting.requests.services import _notify, record_event, transition
from faxline.porting.requests.testfax import TEST_FAX_PENDING

Link = tuple[User | None, str]


def linkable_users(request: PortRequest, *, search: str = "") -> QuerySet[User]:
    """The fax users a number of the request can be linked to (``search``: whose name,
    username or email contains it)."""
    qs = User.objects.filter(
        company_id=request.company_id,
        role=Role.FAX_USER,
        is_active=True,
        deleted_at__isnull=True,
    )
    if search:
        qs = qs.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(email__icontains=search)
        )
    return qs.order_by("last_name", "first_name", "pk")


def _usable(user: User | None, request: PortRequest) -> bool:
    return (
        user is not None
        and user.company_id == request.company_id
        and user.role == Role.FAX_USER
        and user.is_active
        and user.deleted_at is None
    )


def clean_links(request: PortRequest, links: Mapping[str, Link]) -> dict[str, Link]:
    """Check links: numbers of the request, fax users of its company, a known direction,
    outbound only with a user and at most one outbound number per user."""
    ours = set(request.numbers.values_list("number", flat=True))
    cleaned: dict[str, Link] = {}
    for raw, link in links.items():
        number = normalize_number(raw, field="links")
        if number not in ours:
            raise ValidationFailed(f"{number} is not a number of this request.", field="links")
        user, direction = link
        if direction not in LinkDirection.values:
            raise ValidationFailed(
                "direction must be inbound or inbound_outbound.", field="links.direction"
            )
        if user is not None and not _usable(user, request):
            raise ValidationFailed(
                f"Link {display_number(number)} to an active fax user of {request.company.name}.",
                field="links.user_id",
            )
        if user is None and direction == LinkDirection.INBOUND_OUTBOUND:
            raise ValidationFailed(
                f"{display_number(number)} can send faxes only once it is linked to a user.",
                field="links.direction",
            )
        cleaned[number] = (user, direction)
    senders: dict[int, str] = {}
    for number, (user, direction) in cleaned.items():
        if user is None or direction != LinkDirection.INBOUND_OUTBOUND:
            continue
        if user.pk in senders:
            raise ValidationFailed(
                f"{user} can send from one number only: choose inbound and outbound for "
                f"{display_number(senders[user.pk])} or {display_number(number)}, not both.",
                field="links.direction",
            )
        senders[user.pk] = number
    return cleaned


def _describe(number: str, user: User | None, direction: str) -> str:
    if user is None:
        return f"{display_number(number)} → inventory, not linked"
    return f"{display_number(number)} → {user} ({LinkDirection(direction).label.lower()})"


@transaction.atomic
def port_request_set_links(
    *, actor: Actor, request: PortRequest, links: Mapping[str, Link]
) -> PortRequest:
    """Choose, before completion, whom each number will be linked to (FOC-day readiness
    checks that every number is routed to a user)."""
    may_act_as_porting_team(actor).check()
    locked = PortRequest.objects.select_for_update().select_related("company").get(pk=request.pk)
    if locked.status in TERMINAL:
        raise Conflict("The request is closed.", code="request_closed")
    cleaned = clean_links(locked, links)
    for number, (user, direction) in cleaned.items():
        PortNumber.objects.filter(request=locked, number=number).update(
            link_user=user, link_direction=direction
        )
    if cleaned:
        record_event(
            locked,
            kind="links_set",
            actor=actor,
            message="Links: " + "; ".join(_describe(n, u, d) for n, (u, d) in cleaned.items()),
            links={n: [u.pk if u else None, d] for n, (u, d) in cleaned.items()},
        )
    return locked


@transaction.atomic
def port_request_complete(
    *,
    actor: Actor | SystemActor,
    request: PortRequest,
    links: Mapping[str, Link] | None = None,
) -> PortRequest:
    """Scheduled → Completed: the numbers enter the company's inventory
    (``numbers.services.number_port_in``) and are linked.

    ``links`` maps a number to (user or None, direction); numbers it leaves out keep the
    link chosen earlier on the request (none: in the inventory, unassigned). A system actor
    is a carrier adapter (the sandbox completing on the FOC date).
    """
    may_act_as_porting_team(actor).check()
    locked = PortRequest.objects.select_for_update().select_related("company").get(pk=request.pk)
    cleaned = clean_links(locked, links or {})
    rows = list(locked.numbers.select_related("link_user").order_by("number"))
    plan: list[tuple[PortNumber, User | None, str]] = []
    for row in rows:
        user, direction = cleaned.get(row.number, (row.link_user, row.link_direction))
        if not _usable(user, locked):
            user = None
        if user is None:
            direction = LinkDirection.INBOUND
        plan.append((row, user, direction))
    # Re-check one outbound per user over the links kept from earlier too.
    clean_links(locked, {row.number: (user, direction) for row, user, direction in plan})
    temporary = temporary_numbers(locked.company)
    message = f"{len(rows)} number(s) now in service"
    if temporary:
        message += (
            f"; temporary number {', '.join(display_number(t) for t in temporary)} stays "
            "until the customer releases it"
        )
    transition(
        locked,
        actor=actor,
        allowed_from=(PortStatus.SCHEDULED,),
        to=PortStatus.COMPLETED,
        kind="completed",
        message=message,
        fields={"completed_at": timezone.now(), "action_required": False},
        detail={
            "links": {row.number: [u.pk if u else None, d] for row, u, d in plan},
            "temporary_numbers": temporary,
        },
    )
    for row, user, direction in plan:
        fax_number = number_port_in(
            actor=actor,
            number=row.number,
            company=locked.company,
            user=user,
            country=locked.country,
            losing_carrier=locked.losing_carrier,
            port_request_id=locked.pk,
            direction=direction,
        )
        PortNumber.objects.filter(pk=row.pk).update(
            status=NumberStatus.PORTED, link_user=fax_number.user, link_direction=direction
        )
    for row, user, direction in plan:
        if user is not None and direction == LinkDirection.INBOUND_OUTBOUND:
            number_set_outbound(actor=actor, number=row.number, outbound=True)
    record_event(
        locked,
        kind="test_fax_pending",
        actor=SYSTEM,
        message=TEST_FAX_PENDING,
        numbers=[row.number for row in rows],
    )
    _notify(locked, "completed")
    from faxline.porting.tasks import test_fax  # the tasks module imports the desk's services

    enqueue_after_commit(test_fax, locked.pk)
    request.refresh_from_db()
    return request
