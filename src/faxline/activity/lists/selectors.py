"""Reads of the Activity lists, for the page and the API alike: the search a query string
asks for (:func:`activity_search`) and a page's rows as both show them
(:func:`rows_of`)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from faxline.accounts.access import Actor
from faxline.activity.lists import inbound, outbound
from faxline.activity.lists.filters import (
    ActivityQuery,
    ListDefinition,
    Params,
    parse,
    search,
    today_for,
)
from faxline.faxing.inbound.models import InboundFax
from faxline.faxing.models import FaxJob


def activity_search(
    *, actor: Actor, definition: ListDefinition, params: Params
) -> tuple[ActivityQuery, QuerySet[Any]]:
    """The list's rows that the query string ``params`` asks for, in the actor's scope
    (403 when the list is not theirs; 422 naming a bad parameter)."""
    definition.may_see(actor).check()
    query = parse(definition, params, today=today_for(actor))
    return query, search(definition, actor, query)


def _person(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "username": user.username, "name": user.full_name}


def _department(department: Any) -> dict[str, Any] | None:
    return None if department is None else {"id": department.pk, "name": department.name}


def outbound_rows(jobs: list[FaxJob]) -> list[dict[str, Any]]:
    """A page of Outbound Activity (one more query for the calls of the page)."""
    calls = outbound.call_times(jobs)
    rows = []
    for job in jobs:
        call = calls.get(job.pk, outbound.CallTime(0, 0.0))
        rows.append(
            {
                "id": job.identifier,
                "status": job.status,
                "status_label": job.get_status_display(),
                "status_group": outbound.status_group(job),
                "created_at": job.created_at,
                "send_at": job.send_at,
                "first_dial_at": job.first_dial_at,
                "completed_at": job.completed_at,
                "from": job.from_number,
                "to": job.to_number,
                "pages": job.pages,
                "department": _department(job.department),
                "sender": _person(job.sender),
                "error": job.error,
                "error_code": job.error_code,
                "attempts": call.attempts,
                "duration_seconds": round(call.seconds, 1),
                "source": job.source,
            }
        )
    return rows


def inbound_rows(faxes: list[InboundFax]) -> list[dict[str, Any]]:
    """A page of Inbound Activity."""
    return [
        {
            "id": fax.pk,
            "status": inbound.status_group(fax),
            "status_group": inbound.status_group(fax),
            "received_at": fax.received_at,
            "first_forwarded_at": fax.first_forwarded_at,
            "to": fax.to_number,
            "from": fax.from_number,
            "remote_csid": fax.remote_csid,
            "department": _department(fax.department),
            "user": _person(fax.user),
            "pages": fax.pages,
            "partial": fax.partial,
            "duration_seconds": round(fax.call_seconds, 1),
            "delivery_status": fax.delivery_status,
            "delivery_label": fax.get_delivery_status_display(),
            "undeliverable": fax.get_undeliverable_display() if fax.undeliverable else "",
            "completion_code": fax.completion_code,
            "retained": fax.retained,
        }
        for fax in faxes
    ]


def rows_of(definition: ListDefinition, items: list[Any]) -> list[dict[str, Any]]:
    """A page's rows as the page and the API show them."""
    return (
        outbound_rows(items) if definition.name == outbound.OUTBOUND.name else inbound_rows(items)
    )
