"""Inbound faxes: reception on our numbers (kept first, never lost), delivery by email with
the recipient's files through the notification log, undeliverable faxes kept for the
administrators, resuming after a crash, resubmit, delete, retention, the API."""

from __future__ import annotations

import email
import email.policy
import io
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from PIL import Image

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.vault import vault_read
from faxline.faxing.inbound.models import (
    DeliveryStatus,
    InboundFax,
    InboundSettings,
    Undeliverable,
)
from faxline.faxing.inbound.services import (
    inbound_deliveries_resume,
    inbound_fax_deliver,
)
from faxline.faxing.inbound.tasks import deliver
from faxline.faxing.sandbox.wiring import sandbox_transport
from faxline.notify.models import NotificationLog
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.transport import CallOutcome, CallRequest
from telephony.fax_calls import make_tiff, pages_of

from cast import Cast

USER_NUMBER = "+12125551234"
SPARE_NUMBER = "+12125551240"  # the company's, no user
CALLER = "+13125550000"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture(scope="module")
def tiff(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_tiff(tmp_path_factory.mktemp("inbound") / "three.tif")


@pytest.fixture
def numbers(cast: Cast) -> Cast:
    user = cast.billing_user
    user.receiving_emails = ["billing@acme.example", "archive@acme.example"]
    user.save(update_fields=["receiving_emails"])
    for number, owner in ((USER_NUMBER, user), (SPARE_NUMBER, None)):
        FaxNumber.objects.create(
            number=number,
            country="US",
            area_code=number[2:5],
            source=NumberSource.SANDBOX,
            status=NumberStatus.IN_SERVICE,
            company=cast.company,
            user=owner,
        )
    return cast


def call(tiff: Path, to: str = USER_NUMBER, ident: str = "ACME BILLING") -> CallOutcome:
    outcome = sandbox_transport().place_call_sync(
        CallRequest(from_number=CALLER, to_number=to, tiff=tiff, options=FaxOptions(ident=ident))
    )
    assert outcome.success, outcome.as_dict()
    return outcome


def received(outcome: CallOutcome) -> InboundFax:
    return InboundFax.objects.get(pk=outcome.far_end["stored"])


def events(fax: InboundFax) -> list[tuple[str, str, str]]:
    return [(e.get_kind_display(), e.receiving_address, e.status) for e in fax.events.all()]


def client_for(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def set_fax_tab(user: User, **values: Any) -> None:
    settings = dict(user.settings or {})
    settings["fax"] = {
        "inbound_file_type": "PDF",
        "page_separation": False,
        "require_spf": False,
        "add_metadata": False,
        **values,
    }
    user.settings = settings
    user.save(update_fields=["settings"])


# --- reception and delivery ----------------------------------------------------------------


def test_a_received_fax_is_kept_before_delivery_and_delivered_after_commit(
    numbers: Cast, tiff: Path, django_capture_on_commit_callbacks: Any, run_tasks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        outcome = call(tiff)
        fax = received(outcome)
        # Kept at once, encrypted, with its SHA-256; nothing delivered before commit.
        assert fax.delivery_status == DeliveryStatus.PENDING
        assert fax.user == numbers.billing_user and fax.company == numbers.company
        assert not NotificationLog.objects.exists()
    plain = vault_read(fax.vault_name)
    assert fax.sha256 == outcome.far_end["sha256"] and fax.size == len(plain)
    assert (fax.pages, fax.remote_csid, fax.completion_code, fax.partial) == (
        3,
        "ACME BILLING",
        0,
        False,
    )
    # The pages are charged once to the company's credits.
    from faxline.faxing.models import CreditEntry

    [charge] = CreditEntry.objects.filter(kind="inbound")
    assert (charge.company, charge.pages, charge.reference) == (
        numbers.company,
        3,
        f"inbound-{fax.pk}",
    )
    assert run_tasks() >= 1
    fax.refresh_from_db()
    assert fax.delivery_status == DeliveryStatus.DELIVERED
    sent = sorted(mail.outbox, key=lambda m: m.to[0])
    assert [m.to for m in sent] == [["archive@acme.example"], ["billing@acme.example"]]
    message = sent[0]
    assert message.subject == f"Fax received from {CALLER} (3 pages)"
    [(name, data, kind)] = message.attachments
    assert (name, kind) == (f"fax-{fax.pk}.pdf", "application/pdf")
    assert data.startswith(b"%PDF")
    assert events(fax) == [
        ("Message received", "", "Success"),
        ("Message forwarded", "billing@acme.example", "Pending"),
        ("Message forwarded", "archive@acme.example", "Pending"),
    ]


def test_delivery_runs_once_however_often_it_is_nudged(numbers: Cast, tiff: Path) -> None:
    fax = received(call(tiff))
    assert inbound_fax_deliver(fax_id=fax.pk) is not None
    assert inbound_fax_deliver(fax_id=fax.pk) is None
    assert deliver.call(fax.pk) == "skipped"
    assert NotificationLog.objects.count() == 2


def test_page_separation_and_metadata(numbers: Cast, tiff: Path) -> None:
    set_fax_tab(
        numbers.billing_user, inbound_file_type="TIF", page_separation=True, add_metadata=True
    )
    fax = received(call(tiff))
    inbound_fax_deliver(fax_id=fax.pk)
    row = NotificationLog.objects.filter(recipient="billing@acme.example").get()
    names = [a["name"] for a in row.attachments]
    assert names == [f"fax-{fax.pk}-page-{n:02d}.tif" for n in (1, 2, 3)] + [f"fax-{fax.pk}.xml"]
    xml = vault_read(row.attachments[-1]["vault_name"])
    root = ET.fromstring(xml)
    ns = {"f": "urn:faxline:received-fax:1"}
    assert root.findtext("f:callerNumber", namespaces=ns) == CALLER
    assert root.findtext("f:calledNumber", namespaces=ns) == USER_NUMBER
    assert root.findtext("f:pages", namespaces=ns) == "3"
    assert root.findtext("f:remoteCsid", namespaces=ns) == "ACME BILLING"
    first = vault_read(row.attachments[0]["vault_name"])
    with Image.open(io.BytesIO(first)) as image:
        assert image.n_frames == 1 and image.size[0] == 1728


def test_a_company_without_attachments_gets_a_link_and_no_content(
    numbers: Cast, tiff: Path
) -> None:
    InboundSettings.objects.create(company=numbers.company, attach_files=False)
    fax = received(call(tiff))
    inbound_fax_deliver(fax_id=fax.pk)
    for row in NotificationLog.objects.all():
        assert row.attachments == []
        assert f"/faxes/received/{fax.pk}/" in row.body
        assert "ACME BILLING" not in row.subject


@pytest.mark.parametrize("case", ["no_user", "locked", "no_address"])
def test_undeliverable_faxes_are_kept_and_shown_to_the_company_administrators(
    numbers: Cast, tiff: Path, case: str
) -> None:
    to = USER_NUMBER
    if case == "no_user":
        to = SPARE_NUMBER
    elif case == "locked":
        User.objects.filter(pk=numbers.billing_user.pk).update(is_locked=True)
    else:
        User.objects.filter(pk=numbers.billing_user.pk).update(receiving_emails=[], email="")
    fax = received(call(tiff, to=to))
    inbound_fax_deliver(fax_id=fax.pk)
    fax.refresh_from_db()
    assert fax.delivery_status == DeliveryStatus.UNDELIVERABLE
    assert (
        fax.undeliverable
        == {
            "no_user": Undeliverable.NO_ROUTE,
            "locked": Undeliverable.USER_LOCKED,
            "no_address": Undeliverable.NO_ADDRESS,
        }[case]
    )
    assert fax.retained and not NotificationLog.objects.exists()
    assert events(fax)[-1][0] == "Message held"
    listed = client_for(numbers.company_admin).get("/api/v1/inbound?undeliverable=true")
    assert [i["id"] for i in listed.json()["items"]] == [fax.pk]
    assert client_for(numbers.operator).get(f"/api/v1/inbound/{fax.pk}").status_code == 200
    assert client_for(numbers.outsider_admin).get(f"/api/v1/inbound/{fax.pk}").status_code == 404


def test_a_fax_to_a_number_of_no_company_is_kept_for_the_operators(
    numbers: Cast, tiff: Path
) -> None:
    FaxNumber.objects.filter(number=SPARE_NUMBER).update(
        company=None, status=NumberStatus.AVAILABLE
    )
    # Not in service: the sandbox would not route it on-net; the receiver keeps whatever
    # the transport hands it all the same.
    from faxline.faxing.inbound.services import inbound_fax_receive
    from faxline.telephony.transport import ReceivedFax

    outcome = call(tiff)
    original = received(outcome)
    work = Path(tiff).with_name("copy.tif")
    work.write_bytes(vault_read(original.vault_name))
    pk = inbound_fax_receive(
        ReceivedFax(SPARE_NUMBER, CALLER, work, outcome.fax, timezone.now())  # type: ignore[arg-type]
    )
    inbound_fax_deliver(fax_id=pk)
    fax = InboundFax.objects.get(pk=pk)
    assert fax.company is None and fax.delivery_status == DeliveryStatus.UNDELIVERABLE
    listed = client_for(numbers.operator).get("/api/v1/inbound?undeliverable=true").json()
    assert pk in [i["id"] for i in listed["items"]]
    listed = client_for(numbers.company_admin).get("/api/v1/inbound?undeliverable=true").json()
    assert pk not in [i["id"] for i in listed["items"]]


def test_delivery_resumes_after_a_crash_between_reception_and_delivery(
    numbers: Cast, tiff: Path, run_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """Reception committed, then the process died: its nudge never reached the queue. The
    sweep finds the fax pending and delivers it, once."""
    with django_capture_on_commit_callbacks(execute=False):  # the nudge is lost
        fax = received(call(tiff))
    assert not DBTaskResult.objects.exists()
    assert inbound_deliveries_resume() == 0  # too recent: its nudge may still be on its way
    with time_machine.travel(timezone.now() + timedelta(minutes=3), tick=False):
        assert inbound_deliveries_resume() == 1
        assert inbound_deliveries_resume() == 0  # nudged once
        run_tasks()
    fax.refresh_from_db()
    assert fax.delivery_status == DeliveryStatus.DELIVERED
    assert NotificationLog.objects.count() == 2
    with time_machine.travel(timezone.now() + timedelta(minutes=10), tick=False):
        assert inbound_deliveries_resume() == 0
        run_tasks()
    assert NotificationLog.objects.count() == 2


def test_a_worker_that_died_while_converting_is_taken_over(numbers: Cast, tiff: Path) -> None:
    fax = received(call(tiff))
    InboundFax.objects.filter(pk=fax.pk).update(
        delivery_status=DeliveryStatus.DELIVERING,
        claimed_at=timezone.now(),
        delivery_attempts=1,
    )
    assert inbound_fax_deliver(fax_id=fax.pk) is None  # claimed by the dead worker
    with time_machine.travel(timezone.now() + timedelta(minutes=11), tick=False):
        assert inbound_deliveries_resume() == 1
        inbound_fax_deliver(fax_id=fax.pk)
    fax.refresh_from_db()
    assert fax.delivery_status == DeliveryStatus.DELIVERED and fax.delivery_attempts == 2


# --- a real SMTP server, the API -------------------------------------------------------------


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.content)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings: Any) -> Iterator[Inbox]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = SMTP
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()


def three_page_pdf(path: Path) -> Path:
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=letter)
    for number, title in enumerate(("Quarterly invoice", "Remittance advice", "Terms"), 1):
        pdf.setFont("Helvetica-Bold", 20)
        pdf.drawString(72, 700, title)
        pdf.setFont("Helvetica", 11)
        for line in range(30):
            pdf.drawString(72, 660 - 18 * line, f"Page {number} line {line + 1}: please fax back.")
        pdf.showPage()
    pdf.save()
    return path


def test_a_three_page_pdf_arrives_by_email_as_a_readable_pdf_and_in_the_api(
    numbers: Cast,
    smtp_server: Inbox,
    tmp_path: Path,
    after_commit: Callable[[], AbstractContextManager[Any]],
) -> None:
    from faxline.documents.faximage import Resolution, convert_to_fax

    pdf = three_page_pdf(tmp_path / "letter.pdf")
    image = convert_to_fax(pdf.read_bytes(), filename="letter.pdf", resolution=Resolution.FINE)
    sent = tmp_path / "sent.tif"
    sent.write_bytes(image.tiff)
    with after_commit():
        fax = received(call(sent))
    assert NotificationLog.objects.filter(status="sent").count() == 2
    assert len(smtp_server.messages) == 2
    message = email.message_from_bytes(smtp_server.messages[0], policy=email.policy.default)
    assert message["Subject"] == f"Fax received from {CALLER} (3 pages)"
    [part] = [p for p in message.iter_attachments()]
    assert part.get_content_type() == "application/pdf"
    attached = tmp_path / "attached.pdf"
    attached.write_bytes(part.get_content())
    info = subprocess.run(["pdfinfo", str(attached)], capture_output=True, text=True, check=True)
    assert "Pages:           3" in info.stdout
    # An image, no text: read page 2 back by OCR.
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
    # The image received is the one sent, pixel for pixel.
    kept = tmp_path / "kept.tif"
    kept.write_bytes(vault_read(fax.vault_name))
    assert pages_of(kept) == pages_of(sent)
    listed = client_for(numbers.billing_user).get("/api/v1/inbound").json()
    assert listed["count"] == 1
    assert (
        listed["items"][0]
        | {
            "id": fax.pk,
            "from": CALLER,
            "to": USER_NUMBER,
            "pages": 3,
            "partial": False,
        }
        == listed["items"][0]
    )
    one = client_for(numbers.billing_user).get(f"/api/v1/inbound/{fax.pk}").json()
    assert [(e["event"], e["status"]) for e in one["events"]] == [
        ("Message received", "Success"),
        ("Message forwarded", "Success"),
        ("Message forwarded", "Success"),
    ]
