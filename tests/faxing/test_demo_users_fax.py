"""The issue's first "Done when", on the demo itself: right after ``faxline demo`` one demo
fax user sends a 3-page PDF through ``POST /api/v1/faxes`` to the other's number; it is
sent, and arrives as a readable 3-page PDF at the recipient's receiving address (a real
SMTP listener on loopback) and in their ``GET /api/v1/inbound``."""

from __future__ import annotations

import email
import email.policy
import json
import subprocess
from collections.abc import Callable
from contextlib import AbstractContextManager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from faxing.jobs_support import transport
from faxing.test_inbound import Inbox, smtp_server, three_page_pdf  # noqa: F401
from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.settings import settings_update
from faxline.faxing.jobs.dispatcher import dispatch_due
from faxline.faxing.models import FaxJob

pytestmark = pytest.mark.django_db


def demo(settings: Any, home: Path) -> dict[str, dict[str, str]]:
    settings.FAXLINE_HOME = home
    out = StringIO()
    call_command("demo", stdout=out)
    return {u["role"]: u for u in json.loads(out.getvalue())["users"]}


def test_a_demo_user_faxes_a_three_page_pdf_to_the_other(
    settings: Any,
    tmp_path: Path,
    smtp_server: Inbox,  # noqa: F811
    after_commit: Callable[[], AbstractContextManager[Any]],
    run_tasks: Callable[[], int],
) -> None:
    users = demo(settings, tmp_path / "home")
    sender, recipient = users["fax_user"], users["fax_user_2"]
    # The demo's company sends a cover page automatically; this sender chooses (On Demand)
    # and asks for none, so the 3 pages arrive as 3 pages.
    settings_update(
        actor=Actor(user=User.objects.get(username=users["company_admin"]["username"])),
        owner=User.objects.get(username=sender["username"]),
        tab="coverpage",
        values={"mode": "on_demand"},
    )
    api = Client(HTTP_AUTHORIZATION=f"Bearer {sender['api_key']}")
    pdf = three_page_pdf(tmp_path / "letter.pdf").read_bytes()
    with after_commit():
        response = api.post(
            "/api/v1/faxes",
            {
                "to": [recipient["fax_number"]],
                "file": [SimpleUploadedFile("letter.pdf", pdf, "application/pdf")],
                "cover": "false",
            },
        )
    assert response.status_code == 202, response.content
    (job,) = response.json()["jobs"]
    with after_commit():
        assert dispatch_due(transport()) == 1
    run_tasks()
    detail = api.get(f"/api/v1/faxes/{job['id']}").json()
    assert (detail["status"], detail["pages"], detail["cover"]) == ("success", 3, False)
    assert detail["from"] == sender["fax_number"]  # "from", not "from_" (fixed)
    assert FaxJob.objects.get(identifier=job["id"]).from_number == sender["fax_number"]
    (attempt,) = detail["attempts"]
    assert attempt["pages_sent"] >= 3

    mine = Client(HTTP_AUTHORIZATION=f"Bearer {recipient['api_key']}")
    listed = mine.get("/api/v1/inbound").json()
    assert listed["count"] == 1
    item = listed["items"][0]
    assert (item["from"], item["to"], item["pages"], item["partial"]) == (
        sender["fax_number"],
        recipient["fax_number"],
        detail["pages"],
        False,
    )
    to_recipient = [
        email.message_from_bytes(m, policy=email.policy.default) for m in smtp_server.messages
    ]
    to_recipient = [m for m in to_recipient if recipient["email"] in str(m["To"])]
    assert len(to_recipient) == 1
    [part] = list(to_recipient[0].iter_attachments())
    assert part.get_content_type() == "application/pdf"
    attached = tmp_path / "attached.pdf"
    attached.write_bytes(part.get_content())
    info = subprocess.run(["pdfinfo", str(attached)], capture_output=True, text=True, check=True)
    assert f"Pages:           {detail['pages']}" in info.stdout
    subprocess.run(
        [
            "pdftoppm",
            "-f",
            "2",
            "-l",
            "2",
            "-r",
            "200",
            "-gray",
            "-png",
            str(attached),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    [png] = sorted(tmp_path.glob("page*.png"))
    text = subprocess.run(
        ["tesseract", str(png), "-", "--psm", "4"], capture_output=True, text=True, check=True
    ).stdout
    assert "Remittance advice" in text
