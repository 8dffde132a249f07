"""Activity Details pages without a browser: the Details tab (attempts with call progress
and T.30 data, the error and what it means, events), the View tab's rule (the sender or an
administrator with View outbound activity, while the content is kept), Resend with the
Fax Number field (refusals under the field), the received fax's tabs and the Bulk
Resubmit progress page's queries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from faxing.jobs_support import REMOTE, give_number, on_demand_covers
from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.core.vault import vault_store
from faxline.faxing.inbound import bulk
from faxline.faxing.inbound.models import DeliveryStatus, InboundFax
from faxline.faxing.models import FaxAttempt, FaxJob
from history import outbound
from telephony.fax_calls import make_tiff

from cast import Cast


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sender(cast: Cast) -> User:
    give_number(cast.billing_user)
    on_demand_covers(cast, cast.billing_user)
    return cast.billing_user


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_tiff(tmp_path_factory.mktemp("details") / "two.tif", pages=2).read_bytes()


def test_the_details_tab_shows_attempts_t30_data_and_events(cast: Cast, sender: User) -> None:
    job = outbound(
        sender,
        to=REMOTE,
        at=timezone.now() - timedelta(hours=1),
        status="failed",
        error="Transmission Failed",
        busy=1,
    )
    FaxAttempt.objects.filter(job=job, number=2).update(
        completion_code=49,
        completion_text="The call dropped prematurely",
        remote_csi="ACME FAX",
        pages_sent=1,
        statistics={"bit_rate": 14400, "ecm": True, "x_resolution": 204, "y_resolution": 196},
        progress=[
            {"kind": "dialing", "at_seconds": 0.0, "detail": ""},
            {"kind": "fax_tones", "at_seconds": 3.5, "detail": "CED"},
            {"kind": "t30_phase", "at_seconds": 9.0, "detail": "DCS"},
        ],
    )
    page = signed_in(cast.dept_admin).get(f"/faxes/sent/{job.identifier}/")
    text = page.content.decode()
    assert page.status_code == 200
    for words in (
        "Bill Payer",
        "Billing Level 1",
        "Attempt 1",
        "Attempt 2",
        "14400 bit/s",
        "ACME FAX",
        "49 The call dropped prematurely",
        "204 x 196 (fine)",
        "Fax tones heard",
        "+3.5 s",
        "Transmission Failed",
        "could not all be sent",  # what the error means
        "What to do:",
        "Retry scheduled",
        "Failed",
    ):
        assert words in text, words
    assert ">Resend</a>" in text and ">Cancel</a>" not in text  # finished: no Cancel tab
    reader = signed_in(cast.read_only_admin).get(f"/faxes/sent/{job.identifier}/").content
    assert b">Resend</a>" not in reader and b"Attempt 2" in reader


def test_view_shows_the_document_to_whom_it_may(cast: Cast, sender: User) -> None:
    client = signed_in(sender)
    note = SimpleUploadedFile("note.txt", b"Please find the figures.\n", "text/plain")
    client.post("/faxes/send/", {"to": REMOTE, "file": [note]})
    (job,) = FaxJob.objects.all()
    path = f"/faxes/sent/{job.identifier}/"
    for who in (sender, cast.company_admin, cast.dept_admin, cast.read_only_admin):
        view = signed_in(who).get(path + "?tab=view")
        assert f'src="{path}pages/1.png"'.encode() in view.content, who
        png = signed_in(who).get(path + "pages/1.png")
        assert (png.status_code, png["Content-Type"]) == (200, "image/png")
        assert png.content.startswith(b"\x89PNG")
    operator = signed_in(cast.operator)
    view = operator.get(path + "?tab=view")
    assert view.status_code == 200 and b"pages/1.png" not in view.content
    assert b"Only the sender and their company" in view.content
    assert operator.get(path + "pages/1.png").status_code == 403
    assert signed_in(cast.outsider_admin).get(path + "pages/1.png").status_code == 404
    assert client.get(path + "pages/9.png").status_code == 404


def test_view_says_when_the_content_is_gone(cast: Cast, sender: User) -> None:
    job = outbound(sender, to=REMOTE, at=timezone.now() - timedelta(hours=1))
    client = signed_in(sender)
    view = client.get(f"/faxes/sent/{job.identifier}/?tab=view")
    assert b"no longer kept" in view.content
    assert client.get(f"/faxes/sent/{job.identifier}/pages/1.png").status_code == 404


def test_resend_tab_prefills_the_number_and_shows_refusals_under_it(
    cast: Cast, sender: User
) -> None:
    job = outbound(sender, to=REMOTE, at=timezone.now() - timedelta(hours=1), status="failed")
    admin = signed_in(cast.company_admin)
    tab = admin.get(f"/faxes/sent/{job.identifier}/?tab=resend").content.decode()
    assert f'name="to" value="{REMOTE}"' in tab and "Resend Fax" in tab
    bad = admin.post(f"/faxes/sent/{job.identifier}/resend", {"to": "12"})
    assert bad.status_code == 422
    assert b"Invalid Fax Number" in bad.content and b"is-invalid" in bad.content
    assert b'value="12"' in bad.content
    done = admin.post(
        f"/faxes/sent/{job.identifier}/resend", {"to": "+1 617 555 0042"}, follow=True
    )
    again = FaxJob.objects.get(resent_from=job)
    assert (again.to_number, again.sender_id) == ("+16175550042", sender.pk)
    assert f"Your new fax job identifier is {again.identifier}".encode() in done.content
    assert done.request["PATH_INFO"] == f"/faxes/sent/{again.identifier}/"
    assert (
        signed_in(cast.read_only_admin)
        .post(f"/faxes/sent/{job.identifier}/resend", {"to": REMOTE})
        .status_code
        == 403
    )
    assert FaxJob.objects.filter(resent_from=job).count() == 1


def test_the_received_fax_tabs(cast: Cast, image: bytes) -> None:
    stored = vault_store(image, purpose="inbound-fax")
    fax = InboundFax.objects.create(
        to_number="+12125551234",
        from_number="+13125550000",
        company=cast.company,
        user=cast.billing_user,
        department=cast.billing_l1,
        received_at=timezone.now(),
        pages=2,
        remote_csid="ACME SENDER",
        call_seconds=61.5,
        partial=True,
        vault_name=stored.name,
        size=stored.size,
        sha256=stored.sha256,
        delivery_status=DeliveryStatus.DELIVERED,
    )
    path = f"/faxes/received/{fax.pk}/"
    details = signed_in(cast.dept_admin).get(path).content.decode()
    for words in (
        "ACME SENDER",
        "Fax Number",
        "Caller",
        "61.5 s",
        "Potential partial",
        "Message Events",
    ):
        assert words in details, words
    view = signed_in(cast.billing_user).get(path + "?tab=view").content.decode()
    assert f'src="{path}pages/2.png"' in view
    png = signed_in(cast.company_admin).get(path + "pages/2.png")
    assert (png.status_code, png["Content-Type"]) == (200, "image/png")
    assert signed_in(cast.sales_user).get(path + "pages/1.png").status_code == 404
    resubmit = signed_in(cast.billing_user).get(path + "?tab=resubmit").content.decode()
    assert "Resubmit Fax allows you to re-deliver a fax" in resubmit
    assert ">Resubmit Fax</button>" in resubmit
    assert b">Resubmit</a>" not in signed_in(cast.read_only_admin).get(path).content
    response = signed_in(cast.billing_user).post(path + "resubmit", follow=True)
    assert b"will be delivered again" in response.content
    fax.refresh_from_db()
    assert fax.delivery_round == 2


def test_the_progress_page_queries_do_not_grow_with_its_rows(
    cast: Cast, image: bytes, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    def some(count: int) -> str:
        faxes = [
            InboundFax.objects.create(
                to_number="+12125551234",
                company=cast.company,
                user=cast.billing_user,
                received_at=timezone.now(),
                sha256="0" * 64,
                delivery_status=DeliveryStatus.DELIVERED,
            )
            for _ in range(count)
        ]
        job = bulk.bulk_resubmit_start(
            actor=Actor(user=cast.company_admin), fax_ids=[f.pk for f in faxes]
        )
        bulk.bulk_resubmit_run(job_id=job.pk)
        return f"/faxes/received/resubmit/{job.pk}/"

    client = signed_in(cast.company_admin)
    small, large = some(2), some(40)
    client.get(small)
    with django_assert_max_num_queries(12):
        page = client.get(large)
    assert b"0 of 40 resubmitted, 40 refused." in page.content
    assert page.content.count(b"no longer kept") == 40


def test_a_bulk_resubmit_of_a_whole_page(cast: Cast, after_commit) -> None:  # type: ignore[no-untyped-def]
    """Row Count 1000 of Inbound Activity: 1000 chosen faxes post as one form; more is
    refused by name."""
    faxes = InboundFax.objects.bulk_create(
        InboundFax(
            to_number="+12125551234",
            company=cast.company,
            user=cast.billing_user,
            received_at=timezone.now(),
            sha256="0" * 64,
            delivery_status=DeliveryStatus.DELIVERED,
        )
        for _ in range(1000)
    )
    client = signed_in(cast.company_admin)
    ids = [str(f.pk) for f in faxes]
    response = client.post("/faxes/received/resubmit", {"fax": ids, "back": "/activity/"})
    assert response.status_code == 302 and "/faxes/received/resubmit/" in response["Location"]
    job = bulk.BulkResubmit.objects.get()
    assert job.total == 1000
    assert response["Location"].endswith("?back=%2Factivity%2F")
    elsewhere = client.post("/faxes/received/resubmit", {"fax": ids[:1], "back": "/\\evil.example"})
    assert "evil" not in elsewhere["Location"]
    too_many = client.post("/faxes/received/resubmit", {"fax": [*ids, "99999"]}, follow=True)
    assert b"Resubmit at most 1000 faxes at once" in too_many.content
