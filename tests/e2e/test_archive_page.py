"""The Archive tab in a browser: the company administrator tests the saved FTP destination
(a real FTP server on loopback) with "Test FTP connection", then a sent fax's page shows
its archive copy in the job's events."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from faxing.archive.ftp_support import FTP_PASSWORD, FTP_USER, LoopbackFtp
from faxing.jobs_support import REMOTE, give_number, on_demand_covers, three_pages, transport
from faxline.accounts.access import Actor
from faxline.accounts.services.settings import settings_update
from faxline.faxing.archive.models import ArchiveCopy, ArchiveStatus
from faxline.faxing.jobs.dispatcher import dispatch_due
from faxline.faxing.jobs.send import fax_send

from cast import cast_from_snapshot
from helpers import login_as
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)


def test_test_ftp_connection_then_the_job_page_shows_the_archive_copy(
    live_server: Any, page: Page, tmp_path: Path, settings: Any
) -> None:
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    root = tmp_path / "ftp"
    root.mkdir()
    server = LoopbackFtp(root).start()
    try:
        cast = cast_from_snapshot()
        give_number(cast.billing_user)
        on_demand_covers(cast, cast.billing_user)
        values = {
            "enabled": True,
            "destination": "ftp",
            "ftp_host": "127.0.0.1",
            "ftp_port": server.port,
            "ftp_username": FTP_USER,
            "ftp_password": FTP_PASSWORD,
            "ftp_directory": "/archive",
            "original_file_name": True,
        }
        for level in (cast.company, cast.billing_l1):
            settings_update(
                actor=Actor(user=cast.company_admin), owner=level, tab="archive", values=values
            )

        login_as(page, live_server, cast.company_admin)
        page.goto(
            live_server.url
            + reverse("accounts:company_details", args=[cast.company.pk])
            + "?tab=archive"
        )
        page.get_by_role("button", name="Test FTP connection").click()
        expect(page.get_by_text("logged in and wrote a test file in /archive")).to_be_visible()
        page.screenshot(path="/tmp/archive_ftp_test_1280.png", full_page=True)

        [job] = fax_send(
            actor=Actor(user=cast.billing_user), to=[REMOTE], files=[three_pages(tmp_path)]
        )
        assert dispatch_due(transport()) == 1
        run_tasks()
        assert ArchiveCopy.objects.get(job=job).status == ArchiveStatus.DONE
        page.goto(live_server.url + reverse("outbound:job", args=[job.identifier]))
        events = page.get_by_role("table", name="Events")
        expect(events).to_contain_text("Archived")
        expect(events).to_contain_text("three.pdf")
        page.screenshot(path="/tmp/archive_job_events_1280.png", full_page=True)
        assert server.files() == ["three.pdf"]
    finally:
        server.stop()
