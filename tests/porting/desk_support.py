"""Helpers of the porting desk tests: requests in each state of the state machine."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.test import Client
from porting_support import ready_request

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.porting.models import PortRequest
from faxline.porting.requests import services

from cast import Cast


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def submitted(cast: Cast, **changes: Any) -> PortRequest:
    """A valid request of Acme, submitted by its company administrator (New)."""
    admin = cast.actor(cast.company_admin)
    request = ready_request(admin, cast.company, **changes)
    services.port_request_submit(actor=admin, request=request)
    request.refresh_from_db()
    return request


def pending(cast: Cast, **changes: Any) -> PortRequest:
    request = submitted(cast, **changes)
    services.port_request_accept(actor=Actor(user=cast.operator), request=request)
    request.refresh_from_db()
    return request


def scheduled(cast: Cast, foc: date, **changes: Any) -> PortRequest:
    request = pending(cast, **changes)
    services.port_request_schedule(actor=Actor(user=cast.operator), request=request, foc_date=foc)
    request.refresh_from_db()
    return request
