"""The Archive tab: a sent fax copied to a real FTP server (pyftpdlib on loopback) as PDF or
TIF with the metadata XML, a received fax copied by email through the notification log,
retries with backoff while the server is down (visible in the job's events), giving up,
a person's retry, the sweep, once per destination, nothing when the tab says no."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from faxing.archive.ftp_support import FTP_PASSWORD, FTP_USER, LoopbackFtp
from faxing.archive.ftps_support import LoopbackFtps
from faxing.jobs_support import REMOTE, give_number, on_demand_covers, three_pages, transport
from faxline.accounts.access import Actor
from faxline.accounts.models import Department, User
from faxline.accounts.services.api_keys import api_key_create
from faxline.accounts.services.settings import settings_update
from faxline.core.errors import Conflict, Forbidden, NotFound
from faxline.faxing.archive.models import ArchiveCopy, ArchiveStatus
from faxline.faxing.archive.services import (
    RETRY,
    archive_copies_resume,
    archive_copy_deliver,
    archive_copy_retry,
    archive_outbound,
    archive_tab,
)
from faxline.faxing.archive.tasks import deliver
from faxline.faxing.inbound.models import InboundFax
from faxline.faxing.jobs.dispatcher import dispatch_due
from faxline.faxing.jobs.send import Attachment, fax_send
from faxline.faxing.models import FaxJob, FaxJobStatus
from faxline.faxing.sandbox.wiring import sandbox_transport
from faxline.notify.models import NotificationLog
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.transport import CallRequest
from telephony.fax_calls import make_tiff

from cast import Cast

INBOUND_NUMBER = "+12125551234"
CALLER = "+13125550000"


@pytest.fixture(scope="module")
def pages3(tmp_path_factory: pytest.TempPathFactory) -> Attachment:
    return three_pages(tmp_path_factory.mktemp("archive"))


@pytest.fixture
def sender(cast: Cast) -> User:
    give_number(cast.billing_user)
    on_demand_covers(cast, cast.billing_user)
    return cast.billing_user


def archive_to(cast: Cast, level: Department, **values: Any) -> None:
    """Save the Archive tab of ``level`` as its administrator would (the real service:
    the FTP host is vetted, the password encrypted)."""
    settings_update(
        actor=Actor(user=cast.company_admin),
        owner=level,
        tab="archive",
        values={"enabled": True, **values},
    )


def ftp_values(server: LoopbackFtp, **extra: Any) -> dict[str, Any]:
    return {
        "destination": "ftp",
        "ftp_host": "127.0.0.1",
        "ftp_port": server.port,
        "ftp_username": FTP_USER,
        "ftp_password": FTP_PASSWORD,
        "ftp_directory": "/archive",
        **extra,
    }


def send_one(user: User, pages3: Attachment, capture: Any, *, enqueue: bool = False) -> FaxJob:
    """A fax sent successfully through the sandbox PSTN; the archive copy's nudge is
    enqueued when the sending transaction commits with ``enqueue`` (else dropped: the tests
    run the task themselves, or the sweep finds it)."""
    [job] = fax_send(actor=Actor(user=user), to=[REMOTE], files=[pages3])
    with capture(execute=enqueue):
        assert dispatch_due(transport()) == 1
    job.refresh_from_db()
    assert job.status == FaxJobStatus.SUCCESS
    return job


def job_events(job: FaxJob) -> list[str]:
    return [e.kind for e in job.events.order_by("at", "pk") if e.kind.startswith("archive")]


def api_for(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


# --- outbound to FTP ------------------------------------------------------------------------


@pytest.mark.parametrize(("file_type", "original"), [("PDF", True), ("TIF", False)])
def test_a_sent_fax_is_archived_to_ftp_with_its_metadata(
    cast: Cast,
    sender: User,
    pages3: Attachment,
    ftp_server: LoopbackFtp,
    django_capture_on_commit_callbacks: Any,
    run_tasks: Any,
    file_type: str,
    original: bool,
) -> None:
    archive_to(
        cast,
        cast.billing_l1,
        **ftp_values(
            ftp_server, file_type=file_type, original_file_name=original, include_metadata=True
        ),
    )
    job = send_one(sender, pages3, django_capture_on_commit_callbacks, enqueue=True)
    [copy] = ArchiveCopy.objects.filter(job=job)
    assert copy.status == ArchiveStatus.PENDING and copy.destination == "ftp"
    # The password is kept encrypted in the copy, never in clear.
    assert copy.ftp_password_encrypted and FTP_PASSWORD not in copy.ftp_password_encrypted
    assert run_tasks() >= 1
    copy.refresh_from_db()
    assert copy.status == ArchiveStatus.DONE, copy.error
    extension = file_type.lower()
    stem = (
        "three" if original else f"outbound-{job.completed_at:%Y%m%d-%H%M%S}-{job.identifier}"  # type: ignore[union-attr]
    )
    assert ftp_server.files() == sorted([f"{stem}.{extension}", f"{stem}.xml"])
    assert copy.file_names == [f"{stem}.{extension}", f"{stem}.xml"]
    # Stored under a temporary name, then renamed: a reader never sees half a file.
    assert "RNFR" in ftp_server.commands and "RNTO" in ftp_server.commands
    # pyftpdlib without TLS offers no AUTH TLS: plain FTP, said so in the event.
    assert "AUTH" not in ftp_server.commands
    data = (ftp_server.root / "archive" / f"{stem}.{extension}").read_bytes()
    if file_type == "PDF":
        assert len(PdfReader(io.BytesIO(data)).pages) == 3
    else:
        with Image.open(io.BytesIO(data)) as image:
            assert image.n_frames == 3 and image.size[0] == 1728
    root = ET.fromstring((ftp_server.root / "archive" / f"{stem}.xml").read_bytes())
    ns = {"s": "urn:faxline:sent-fax:1"}
    assert root.get("id") == job.identifier
    assert root.findtext("s:toNumber", namespaces=ns) == REMOTE
    assert root.findtext("s:fromNumber", namespaces=ns) == job.from_number
    assert root.findtext("s:pages", namespaces=ns) == "3"
    [listed] = root.findall("s:files/s:file", ns)
    assert listed.get("name") == f"{stem}.{extension}" and listed.get("bytes") == str(len(data))
    assert job_events(job) == ["archived"]
    [event] = job.events.filter(kind="archived")
    assert "by FTP to ftp://127.0.0.1" in event.detail["note"]
    assert event.detail["encrypted"] is False
    # The API and the job page show it.
    detail = api_for(cast.company_admin).get(f"/api/v1/faxes/{job.identifier}").json()
    [archived] = [e for e in detail["events"] if e["kind"] == "archived"]
    assert archived["label"] == "Archived" and f"{stem}.{extension}" in archived["note"]
    page = Client()
    page.force_login(cast.company_admin)
    html = page.get(f"/faxes/sent/{job.identifier}/").content.decode()
    assert "Archived" in html and f"{stem}.{extension}" in html


def test_a_server_offering_tls_gets_the_password_and_the_files_encrypted(
    cast: Cast,
    sender: User,
    pages3: Attachment,
    ftps_server: LoopbackFtps,
    django_capture_on_commit_callbacks: Any,
) -> None:
    archive_to(
        cast,
        cast.billing_l1,
        destination="ftp",
        ftp_host="127.0.0.1",
        ftp_port=ftps_server.port,
        ftp_username=FTP_USER,
        ftp_password=FTP_PASSWORD,
        ftp_directory="/records/faxes",
        original_file_name=True,
    )
    job = send_one(sender, pages3, django_capture_on_commit_callbacks)
    [copy] = ArchiveCopy.objects.filter(job=job)
    copy = archive_copy_deliver(copy_id=copy.pk)  # type: ignore[assignment]
    assert copy is not None and copy.status == ArchiveStatus.DONE, copy.error
    seen = ftps_server.commands
    # FEAT in clear, then AUTH TLS before anything else; the login and every later command
    # encrypted; the data connections protected (PROT P).
    assert seen[:2] == [("FEAT", False), ("AUTH", False)]
    assert all(encrypted for _command, encrypted in seen[2:])
    assert ("PASS", True) in seen and ("PROT", True) in seen
    # The missing directories are made, the file stored under a temporary name, renamed.
    stored = ftps_server.root / "records" / "faxes" / "three.pdf"
    assert stored.read_bytes().startswith(b"%PDF")
    assert len(PdfReader(io.BytesIO(stored.read_bytes())).pages) == 3
    assert sorted(p.name for p in stored.parent.iterdir()) == ["three.pdf"]
    [event] = job.events.filter(kind="archived")
    assert event.detail["encrypted"] is True and "by FTPS" in event.detail["note"]
    # A second fax of the same name does not replace the first one.
    job2 = send_one(sender, pages3, django_capture_on_commit_callbacks)
    [copy2] = ArchiveCopy.objects.filter(job=job2)
    assert archive_copy_deliver(copy_id=copy2.pk).status == ArchiveStatus.DONE  # type: ignore[union-attr]
    assert sorted(p.name for p in stored.parent.iterdir()) == sorted(
        ["three.pdf", f"three-{job2.identifier}.pdf"]
    )


def test_a_sent_fax_is_archived_once_per_destination(
    cast: Cast,
    sender: User,
    pages3: Attachment,
    ftp_server: LoopbackFtp,
    django_capture_on_commit_callbacks: Any,
) -> None:
    archive_to(cast, cast.billing_l1, **ftp_values(ftp_server))
    job = send_one(sender, pages3, django_capture_on_commit_callbacks)
    # Told again (a replayed follow-up): no second copy.
    with transaction.atomic():
        assert archive_outbound(job, to_status=FaxJobStatus.SUCCESS) is None
    [copy] = ArchiveCopy.objects.filter(job=job)
    assert archive_copy_deliver(copy_id=copy.pk) is not None
    uploaded = ftp_server.files()
    assert len(uploaded) == 1
    # Nudged again: nothing happens twice.
    assert archive_copy_deliver(copy_id=copy.pk) is None
    assert deliver.call(copy.pk) == "skipped"
    assert ftp_server.files() == uploaded
    assert job_events(job) == ["archived"]


def test_failed_faxes_and_a_disabled_tab_archive_nothing(
    cast: Cast,
    sender: User,
    pages3: Attachment,
    ftp_server: LoopbackFtp,
    django_capture_on_commit_callbacks: Any,
) -> None:
    # Outbound archiving switched off for this department: nothing.
    archive_to(cast, cast.billing_l1, **ftp_values(ftp_server, archive_outbound=False))
    job = send_one(sender, pages3, django_capture_on_commit_callbacks)
    assert not ArchiveCopy.objects.exists()
    # Archiving on, but the fax failed: only transmitted faxes are archived.
    archive_to(cast, cast.billing_l1, archive_outbound=True)
    with transaction.atomic():
        assert archive_outbound(job, to_status=FaxJobStatus.FAILED) is None
        assert archive_outbound(job, to_status=FaxJobStatus.CANCELLED) is None
    # The whole tab disabled: nothing.
    archive_to(cast, cast.billing_l1, enabled=False)
    with transaction.atomic():
        assert archive_outbound(job, to_status=FaxJobStatus.SUCCESS) is None
    assert not ArchiveCopy.objects.exists()
    assert job_events(job) == []
    assert ftp_server.files() == []


# --- retries --------------------------------------------------------------------------------


def test_a_server_that_is_down_is_retried_with_backoff_then_archived(
    cast: Cast,
    sender: User,
    pages3: Attachment,
    ftp_server: LoopbackFtp,
    django_capture_on_commit_callbacks: Any,
) -> None:
    archive_to(cast, cast.billing_l1, **ftp_values(ftp_server))
    job = send_one(sender, pages3, django_capture_on_commit_callbacks)
    [copy] = ArchiveCopy.objects.filter(job=job)
    ftp_server.stop()
    start = timezone.now()
    with time_machine.travel(start, tick=True):
        copy = archive_copy_deliver(copy_id=copy.pk)
    assert copy is not None
    assert copy.status == ArchiveStatus.RETRYING and copy.attempts == 1
    assert "Could not connect" in copy.error
    assert copy.next_attempt_at is not None
    assert copy.next_attempt_at - start >= RETRY.delay(1)
    # Not due yet: a nudge now does nothing.
    assert archive_copy_deliver(copy_id=copy.pk) is None
    assert job_events(job) == ["archive_retrying"]
    detail = api_for(cast.company_admin).get(f"/api/v1/faxes/{job.identifier}").json()
    [failed] = [e for e in detail["events"] if e["kind"] == "archive_retrying"]
    assert failed["label"] == "Archive attempt failed"
    assert "Could not connect" in failed["note"] and "Next attempt" in failed["note"]
    # The server is back; at the next attempt the copy is archived.
    ftp_server.start()
    with time_machine.travel(copy.next_attempt_at + timedelta(seconds=1), tick=True):
        copy = archive_copy_deliver(copy_id=copy.pk)
    assert copy is not None and copy.status == ArchiveStatus.DONE, copy.error
    assert copy.attempts == 2
    assert len(ftp_server.files()) == 1
    assert job_events(job) == ["archive_retrying", "archived"]


def test_after_the_last_attempt_the_copy_fails_and_a_person_can_retry_it(
    cast: Cast,
    sender: User,
    pages3: Attachment,
    ftp_server: LoopbackFtp,
    django_capture_on_commit_callbacks: Any,
) -> None:
    archive_to(cast, cast.billing_l1, **ftp_values(ftp_server))
    job = send_one(sender, pages3, django_capture_on_commit_callbacks)
    [copy] = ArchiveCopy.objects.filter(job=job)
    ftp_server.stop()
    moment = timezone.now()
    for _ in range(RETRY.max_attempts):
        with time_machine.travel(moment, tick=True):
            done = archive_copy_deliver(copy_id=copy.pk)
        assert done is not None
        copy = done
        moment = (copy.next_attempt_at or moment) + timedelta(seconds=1)
    assert copy.status == ArchiveStatus.FAILED and copy.attempts == RETRY.max_attempts
    assert copy.error.startswith(f"Gave up after {RETRY.max_attempts} attempts")
    assert job_events(job) == ["archive_retrying"] * (RETRY.max_attempts - 1) + ["archive_failed"]
    # A read-only administrator may not retry; another company's administrator does not
    # see it; the company's administrator may.
    with pytest.raises(Forbidden):
        archive_copy_retry(actor=Actor(user=cast.read_only_admin), copy=copy)
    with pytest.raises(NotFound):
        archive_copy_retry(actor=Actor(user=cast.outsider_admin), copy=copy)
    ftp_server.start()
    with time_machine.travel(moment, tick=True):
        copy = archive_copy_retry(actor=Actor(user=cast.company_admin), copy=copy)
        assert copy.status == ArchiveStatus.PENDING and copy.attempts == 0
        with pytest.raises(Conflict):
            archive_copy_retry(actor=Actor(user=cast.company_admin), copy=copy)
        copy = archive_copy_deliver(copy_id=copy.pk)  # type: ignore[assignment]
    assert copy is not None and copy.status == ArchiveStatus.DONE
    assert job_events(job)[-2:] == ["archive_retried", "archived"]


def test_the_sweep_resumes_a_lost_nudge_and_a_worker_that_died(
    cast: Cast,
    sender: User,
    pages3: Attachment,
    ftp_server: LoopbackFtp,
    django_capture_on_commit_callbacks: Any,
    run_tasks: Any,
) -> None:
    archive_to(cast, cast.billing_l1, **ftp_values(ftp_server))
    job = send_one(sender, pages3, django_capture_on_commit_callbacks)  # nudge never sent
    [copy] = ArchiveCopy.objects.filter(job=job)
    # A worker claimed it and died.
    claimed = timezone.now()
    ArchiveCopy.objects.filter(pk=copy.pk).update(
        status=ArchiveStatus.SENDING, claimed_at=claimed, attempts=1
    )
    assert archive_copies_resume() == 0  # the claim is not stale yet
    with time_machine.travel(claimed + timedelta(minutes=11), tick=True):
        archive_copies_resume()  # stale: the attempt counts, due after the backoff
        copy.refresh_from_db()
        assert copy.status == ArchiveStatus.RETRYING and copy.attempts == 1
    with time_machine.travel(claimed + timedelta(minutes=20), tick=True):
        assert archive_copies_resume() == 1  # overdue: nudged again
        assert run_tasks() >= 1
    copy.refresh_from_db()
    assert copy.status == ArchiveStatus.DONE
    assert job_events(job) == ["archive_retrying", "archived"]


# --- inbound to email -----------------------------------------------------------------------


def receive(cast: Cast, tmp_path: Path) -> InboundFax:
    FaxNumber.objects.create(
        number=INBOUND_NUMBER,
        country="US",
        area_code=INBOUND_NUMBER[2:5],
        source=NumberSource.SANDBOX,
        status=NumberStatus.IN_SERVICE,
        company=cast.company,
        user=cast.billing_user,
    )
    tiff = make_tiff(tmp_path / "in.tif", pages=2)
    outcome = sandbox_transport().place_call_sync(
        CallRequest(
            from_number=CALLER,
            to_number=INBOUND_NUMBER,
            tiff=tiff,
            options=FaxOptions(ident="ACME BILLING"),
        )
    )
    assert outcome.success, outcome.as_dict()
    return InboundFax.objects.get(pk=outcome.far_end["stored"])


def test_a_received_fax_is_archived_by_email_with_its_metadata(
    cast: Cast, tmp_path: Path, django_capture_on_commit_callbacks: Any, run_tasks: Any
) -> None:
    archive_to(
        cast,
        cast.billing_l1,
        destination="email",
        email_address="records@acme.example",
        file_type="TIF",
        original_file_name=True,
        include_metadata=True,
        archive_outbound=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        fax = receive(cast, tmp_path)
    [copy] = ArchiveCopy.objects.filter(inbound_fax=fax)
    assert (copy.destination, copy.email_address) == ("email", "records@acme.example")
    run_tasks()  # the recipient's delivery, the archive copy, then the emails
    copy.refresh_from_db()
    assert copy.status == ArchiveStatus.EMAILING
    [log] = NotificationLog.objects.filter(kind="faxing.archive")
    assert log.recipient == "records@acme.example" and log.status == "logged"
    assert [a["name"] for a in log.attachments] == [f"fax-{fax.pk}.tif", f"fax-{fax.pk}.xml"]
    [message] = [m for m in mail.outbox if m.to == ["records@acme.example"]]
    (tif_name, tif, _), (xml_name, xml, kind) = message.attachments
    assert (tif_name, xml_name, kind) == (
        f"fax-{fax.pk}.tif",
        f"fax-{fax.pk}.xml",
        "application/xml",
    )
    with Image.open(io.BytesIO(tif)) as image:
        assert image.n_frames == 2
    root = ET.fromstring(xml)
    assert root.findtext("{urn:faxline:received-fax:1}callerNumber") == CALLER
    # The sweep sees the email sent: archived, an event on the fax, the files let go.
    archive_copies_resume()
    copy.refresh_from_db()
    assert copy.status == ArchiveStatus.DONE and copy.files == []
    events = [(e.get_kind_display(), e.receiving_address, e.status) for e in fax.events.all()]
    assert ("Message archived", "records@acme.example", "Success") in events
    api = api_for(cast.company_admin).get(f"/api/v1/inbound/{fax.pk}").json()
    assert any(e["event"] == "Message archived" for e in api["events"])
    # Inbound archiving switched off: the next fax is not archived.
    archive_to(cast, cast.billing_l1, archive_inbound=False)
    FaxNumber.objects.filter(number=INBOUND_NUMBER).delete()
    second = receive(cast, tmp_path)
    assert not ArchiveCopy.objects.filter(inbound_fax=second).exists()


# --- Retry archive: the API and the portal --------------------------------------------------


def test_retry_archive_in_the_api_and_on_the_pages(
    cast: Cast,
    sender: User,
    pages3: Attachment,
    ftp_server: LoopbackFtp,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    archive_to(cast, cast.billing_l1, **ftp_values(ftp_server))
    job = send_one(sender, pages3, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=False):
        fax = receive(cast, tmp_path)
    # Both copies failed (their attempts spent, as the test above does for real).
    assert ArchiveCopy.objects.update(status=ArchiveStatus.FAILED, error="Gave up.") == 2
    path = f"/api/v1/faxes/{job.identifier}/archive/retry"
    assert api_for(cast.outsider_admin).post(path).status_code == 404
    assert api_for(cast.billing_user).post(path).status_code == 404  # no company settings
    refused = api_for(cast.read_only_admin).post(path)
    assert refused.status_code == 403 and refused.json()["code"]
    admin = api_for(cast.company_admin)
    done = admin.post(path)
    assert (done.status_code, done.json()) == (202, {"retried": 1})
    again = admin.post(path)
    assert (again.status_code, again.json()["code"]) == (409, "nothing_to_retry")
    assert ArchiveCopy.objects.get(job=job).status == ArchiveStatus.PENDING
    assert job_events(job) == ["archive_retried"]
    # The received fax's page offers it to the administrator, not to its recipient.
    page = f"/faxes/received/{fax.pk}/"
    recipient = Client()
    recipient.force_login(cast.billing_user)
    assert "Retry archive" not in recipient.get(page).content.decode()
    portal = Client()
    portal.force_login(cast.company_admin)
    assert "Retry archive" in portal.get(page).content.decode()
    response = portal.post(f"/faxes/archive/received/{fax.pk}/retry")
    assert response.status_code == 302 and response["Location"] == page
    assert ArchiveCopy.objects.get(inbound_fax=fax).status == ArchiveStatus.PENDING
    assert "Retry archive" not in portal.get(page).content.decode()
    events = [(e.get_kind_display(), e.status) for e in fax.events.all()]
    assert ("Message archived", "Pending") in events


def test_the_tab_in_force_is_the_nearest_level_that_has_one(cast: Cast) -> None:
    for level, address in (
        (cast.company, "company@acme.example"),
        (cast.billing, "billing@acme.example"),
        (cast.billing_l1, "level1@acme.example"),
    ):
        settings_update(
            actor=Actor(user=cast.company_admin),
            owner=level,
            tab="archive",
            values={"enabled": True, "destination": "email", "email_address": address},
        )

    def address_for(user_id: int | None) -> str | None:
        tab = archive_tab(cast.company, user_id)
        assert tab is not None
        return tab.email_address

    assert address_for(cast.billing_user.pk) == "level1@acme.example"
    assert address_for(None) == "company@acme.example"
    # A level without its own tab inherits from its nearest ancestor, then the company.
    for level in (cast.billing_l1, cast.billing):
        level.settings = {k: v for k, v in (level.settings or {}).items() if k != "archive"}
        level.save(update_fields=["settings"])
    Department.objects.filter(pk=cast.billing.pk).update(
        settings={**cast.billing.settings, "archive": {"enabled": False}}
    )
    assert address_for(cast.billing_user.pk) is None  # Billing Dept's own: disabled
    Department.objects.filter(pk=cast.billing.pk).update(settings={})
    assert address_for(cast.billing_user.pk) == "company@acme.example"
    # Another company's user is not this company's person: the company's tab.
    assert address_for(cast.outsider_user.pk) == "company@acme.example"
    # A stored tab that no longer validates archives nothing.
    cast.company.settings = {**cast.company.settings, "archive": {"enabled": True}}
    cast.company.save(update_fields=["settings"])
    assert archive_tab(cast.company, None) is None


# --- Test FTP connection --------------------------------------------------------------------


def test_test_ftp_connection_in_the_api_and_on_the_archive_tab(
    cast: Cast, ftp_server: LoopbackFtp, ftps_server: LoopbackFtps
) -> None:
    api = api_for(cast.company_admin)
    body = {"company_id": cast.company.pk}
    # Nothing saved yet: 422 naming the host.
    refused = api.post("/api/v1/archive/ftp-test", body, content_type="application/json")
    assert refused.status_code == 422
    assert refused.json()["field"] == "settings.archive.ftp_host"
    settings_update(
        actor=Actor(user=cast.company_admin),
        owner=cast.company,
        tab="archive",
        values={"enabled": True, **ftp_values(ftp_server, ftp_directory="/tests/here")},
    )
    ok = api.post("/api/v1/archive/ftp-test", body, content_type="application/json").json()
    assert ok["ok"] is True and ok["encrypted"] is False
    assert "by FTP (not encrypted" in ok["message"] and FTP_PASSWORD not in ok["message"]
    # The directory was made; the test file written and deleted.
    assert (ftp_server.root / "tests" / "here").is_dir()
    assert ftp_server.files("tests/here") == []
    assert "DELE" in ftp_server.commands
    # Who may: not a read-only administrator (403), not another company (404).
    assert (
        api_for(cast.read_only_admin)
        .post("/api/v1/archive/ftp-test", body, content_type="application/json")
        .status_code
        == 403
    )
    assert (
        api_for(cast.outsider_admin)
        .post("/api/v1/archive/ftp-test", body, content_type="application/json")
        .status_code
        == 404
    )
    # A department's own tab, on a server offering TLS.
    archive_to(
        cast,
        cast.billing,
        destination="ftp",
        ftp_host="127.0.0.1",
        ftp_port=ftps_server.port,
        ftp_username=FTP_USER,
        ftp_password=FTP_PASSWORD,
    )
    tls = api.post(
        "/api/v1/archive/ftp-test",
        {**body, "department_id": cast.billing.pk},
        content_type="application/json",
    ).json()
    assert tls["ok"] is True and tls["encrypted"] is True, tls
    # The server is down: the portal's button says why, on the Archive tab.
    ftp_server.stop()
    portal = Client()
    portal.force_login(cast.company_admin)
    tab = reverse("accounts:company_details", args=[cast.company.pk]) + "?tab=archive"
    assert "Test FTP connection" in portal.get(tab).content.decode()
    response = portal.post(f"/faxes/archive/ftp-test/company/{cast.company.pk}", follow=True)
    assert response.redirect_chain[-1][0] == tab
    page = response.content.decode()
    assert "failed" in page and "Connection refused" in page
