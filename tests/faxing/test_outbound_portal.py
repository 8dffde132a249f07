"""The Send Fax and Sent pages without a browser: refusals on the form naming the field
(nothing written), one job per recipient, the Sent list's scope (outsiders 404), the job
page's Cancel, Resend and receipt."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from faxing.jobs_support import REMOTE, give_number, on_demand_covers, transport
from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.faxing import credits
from faxline.faxing.jobs.dispatcher import dispatch_due
from faxline.faxing.models import CreditEntry, FaxJob, FaxJobStatus
from telephony.fax_calls import make_tiff

from cast import Cast


@pytest.fixture
def sender(cast: Cast) -> User:
    give_number(cast.billing_user)
    on_demand_covers(cast, cast.billing_user)
    return cast.billing_user


@pytest.fixture(scope="module")
def tiff(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_tiff(tmp_path_factory.mktemp("portal") / "three.tif", pages=3).read_bytes()


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def note(text: bytes = b"Please find the figures.\n") -> SimpleUploadedFile:
    return SimpleUploadedFile("note.txt", text, "text/plain")


def errors_of(response, field: str) -> str:  # type: ignore[no-untyped-def]
    form = response.context["form"]
    return " ".join(form.errors.get(field, []))


@pytest.mark.parametrize(
    ("data", "field", "words"),
    [
        ({"to": "not a number"}, "to", "Invalid Fax Number"),
        ({"to": f"{REMOTE}, 12"}, "to", "Invalid Fax Number"),
        ({"to": ""}, "to", "required"),
        ({"to": REMOTE, "send_at": "2099-01-01T10:00"}, "send_at", "30 days"),
    ],
)
def test_refusals_name_their_field_and_write_nothing(
    sender: User, data: dict, field: str, words: str
) -> None:
    response = signed_in(sender).post("/faxes/send/", {**data, "file": [note()]})
    assert response.status_code == 422, response.context["form"].errors
    assert words in errors_of(response, field), response.context["form"].errors
    assert words.encode() in response.content
    assert not FaxJob.objects.exists() and not CreditEntry.objects.exists()


def test_a_bad_file_is_an_invalid_attachment_not_a_500(sender: User) -> None:
    bad = SimpleUploadedFile("figures.pdf", b"%PDF-1.4 this is no PDF at all", "application/pdf")
    response = signed_in(sender).post("/faxes/send/", {"to": REMOTE, "file": [bad]})
    assert response.status_code == 422
    assert "Invalid Attachment" in errors_of(response, "file")
    assert not FaxJob.objects.exists()


def test_no_file_and_no_cover_is_no_attachment(sender: User) -> None:
    response = signed_in(sender).post("/faxes/send/", {"to": REMOTE})
    assert response.status_code == 422
    assert b"No Attachment" in response.content
    assert not FaxJob.objects.exists()


def test_the_on_demand_checkbox_follows_the_coverpage_mode(cast: Cast, sender: User) -> None:
    page = signed_in(sender).get("/faxes/send/")
    assert page.status_code == 200 and b'name="cover"' in page.content
    assert b'name="cover_subject"' in page.content
    give_number(cast.sales_user, "+12125557002")  # the company's default: Automatic
    page = signed_in(cast.sales_user).get("/faxes/send/")
    assert page.status_code == 200 and b'name="cover"' not in page.content
    assert b"Automatic" in page.content and b'name="cover_subject"' in page.content


def test_success_creates_one_job_per_recipient(sender: User, tiff: bytes) -> None:
    client = signed_in(sender)
    response = client.post(
        "/faxes/send/",
        {
            "to": f"{REMOTE}\n+1 617 555 0042, {REMOTE}",
            "file": [SimpleUploadedFile("p.tif", tiff, "image/tiff"), note()],
            "cover": "on",
            "cover_subject": "Figures",
        },
        follow=True,
    )
    assert response.status_code == 200
    jobs = list(FaxJob.objects.order_by("id"))
    assert [j.to_number for j in jobs] == [REMOTE, "+16175550042"]
    assert all(j.sender_id == sender.pk and j.cover and j.pages == 5 for j in jobs)
    assert b"Your new fax job identifiers are" in response.content
    for job in jobs:
        assert job.identifier.encode() in response.content
    one = client.post("/faxes/send/", {"to": REMOTE, "file": [note()]}, follow=True)
    newest = FaxJob.objects.order_by("-id").first()
    assert newest is not None and not newest.cover
    assert f"Your new fax job identifier is {newest.identifier}".encode() in one.content.replace(
        b"<strong>", b""
    ).replace(b"</strong>", b"").replace(b"</a>", b"").replace(
        f'<a href="/faxes/sent/{newest.identifier}/">'.encode(), b""
    )


def test_who_may_open_send_fax(cast: Cast) -> None:
    assert signed_in(cast.billing_user).get("/faxes/send/").status_code == 403  # no number
    assert signed_in(cast.company_admin).get("/faxes/send/").status_code == 403
    give_number(cast.company_admin)
    assert signed_in(cast.company_admin).get("/faxes/send/").status_code == 200
    anonymous = Client().get("/faxes/send/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_sent_list_scope_and_the_job_page(cast: Cast, sender: User, tmp_path: Path) -> None:
    client = signed_in(sender)
    client.post("/faxes/send/", {"to": REMOTE, "file": [note()]})
    (job,) = FaxJob.objects.all()
    listed = client.get("/faxes/sent/")
    assert listed.status_code == 200 and job.identifier.encode() in listed.content
    assert b"Queued" in listed.content
    admin = signed_in(cast.company_admin).get("/faxes/sent/")
    assert job.identifier.encode() in admin.content
    for other in (cast.sales_user, cast.outsider_admin, cast.outsider_user):
        assert job.identifier.encode() not in signed_in(other).get("/faxes/sent/").content
        assert signed_in(other).get(f"/faxes/sent/{job.identifier}/").status_code == 404
        assert signed_in(other).post(f"/faxes/sent/{job.identifier}/cancel").status_code == 404
    # A read-only administrator sees the job but may not cancel it; the sender and an
    # administrator with "Resend faxes" have the Cancel tab.
    page = signed_in(cast.read_only_admin).get(f"/faxes/sent/{job.identifier}/?tab=cancel")
    assert page.status_code == 200 and b">Cancel</button>" not in page.content
    page = signed_in(cast.company_admin).get(f"/faxes/sent/{job.identifier}/?tab=cancel")
    assert b">Cancel</button>" in page.content
    page = client.get(f"/faxes/sent/{job.identifier}/?tab=cancel")
    assert b">Cancel</button>" in page.content and b"Delivery receipt" not in page.content
    client.post(f"/faxes/sent/{job.identifier}/cancel")
    job.refresh_from_db()
    assert job.status == FaxJobStatus.CANCELLED

    resent = client.post(f"/faxes/sent/{job.identifier}/resend", {"to": ""}, follow=True)
    again = FaxJob.objects.get(resent_from=job)
    assert f"Your new fax job identifier is {again.identifier}".encode() in resent.content
    assert again.to_number == REMOTE
    assert dispatch_due(transport()) == 1
    page = client.get(f"/faxes/sent/{again.identifier}/")
    assert b"Sent" in page.content and b"Delivery receipt" in page.content
    receipt = client.get(f"/faxes/sent/{again.identifier}/receipt")
    assert receipt.status_code == 200 and receipt.content.startswith(b"%PDF")
    refused = client.post(f"/faxes/sent/{again.identifier}/resend", {"to": "nonsense"}, follow=True)
    assert b"Invalid Fax Number" in refused.content
    assert FaxJob.objects.count() == 2


def test_a_scheduled_send_is_read_in_the_senders_time_zone(sender: User) -> None:
    zone = ZoneInfo(sender.time_zone or "UTC")
    when = (timezone.now() + timedelta(days=2)).astimezone(zone).replace(second=0, microsecond=0)
    signed_in(sender).post(
        "/faxes/send/", {"to": REMOTE, "file": [note()], "send_at": when.strftime("%Y-%m-%dT%H:%M")}
    )
    (job,) = FaxJob.objects.all()
    assert job.send_at == when and job.status == FaxJobStatus.QUEUED
    assert dispatch_due(transport()) == 0  # not yet due


def test_a_shortfall_of_credits_is_shown_above_the_form(cast: Cast, sender: User) -> None:
    balance = credits.credits_balance(cast.company).balance
    credits.credits_adjust(
        actor=Actor(user=cast.operator), company=cast.company, credits=-balance, note="test"
    )
    response = signed_in(sender).post("/faxes/send/", {"to": REMOTE, "file": [note()]})
    assert response.status_code == 409
    assert "Not enough fax credits" in " ".join(response.context["form"].non_field_errors())
    assert not FaxJob.objects.exists()


def test_a_locked_user_cannot_send(sender: User) -> None:
    client = signed_in(sender)
    User.objects.filter(pk=sender.pk).update(is_locked=True)
    # A locked user's session no longer counts: back to the sign-in page, nothing sent.
    response = client.post("/faxes/send/", {"to": REMOTE, "file": [note()]})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not FaxJob.objects.exists()
