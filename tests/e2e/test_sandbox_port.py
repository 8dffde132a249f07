"""The SANDBOX carrier runs a port request from New to Completed on its own business-day
clock (time-machine), and the customer sees each step in the portal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from playwright.sync_api import Page, expect

from faxline.porting.desk.services import porting_tick
from faxline.porting.requests import services
from porting.porting_support import ready_request

from cast import cast_from_snapshot
from helpers import login_as

pytestmark = pytest.mark.django_db(transaction=True)


def day(d: int) -> datetime:
    return datetime(2026, 12, d, 15, tzinfo=UTC)


def open_request(page: Page, live_server, request_id: int) -> None:
    page.goto(f"{live_server.url}/settings/porting/{request_id}/?tab=timeline")


def test_sandbox_runs_new_to_completed(live_server, page: Page, settings) -> None:
    settings.FAXLINE_PORTING_CARRIER = "sandbox"
    acme = cast_from_snapshot()
    admin = acme.actor(acme.company_admin)
    with time_machine.travel(day(7), tick=False) as clock:  # Monday
        request = ready_request(admin, acme.company)
        services.port_request_submit(actor=admin, request=request)
        login_as(page, live_server, acme.company_admin)
        open_request(page, live_server, request.pk)
        expect(page.get_by_test_id("port-status")).to_have_text("New")

        clock.move_to(day(8))
        porting_tick()  # the upstream provider approves: Pending
        clock.move_to(day(9))
        porting_tick()  # the losing carrier agrees: Scheduled, FOC in 5 business days
        login_as(page, live_server, acme.company_admin)
        open_request(page, live_server, request.pk)
        expect(page.get_by_test_id("port-status")).to_have_text("Scheduled")
        expect(page.get_by_text("2026-12-16").first).to_be_visible()

        clock.move_to(day(16))
        porting_tick()  # FOC day: completed, the number is in the inventory
        login_as(page, live_server, acme.company_admin)
        open_request(page, live_server, request.pk)
        expect(page.get_by_test_id("port-status")).to_have_text("Completed")
        page.goto(f"{live_server.url}/settings/numbers/")
        expect(page.get_by_text("USA, 206 (WA)")).to_be_visible()
