"""The faxes API: 202 with one job per recipient, the job with its attempts, the list and
its filters, cancel, resend; 401 / 404 / 403 / 422 naming the field; Idempotency-Key."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from faxing.jobs_support import REMOTE, give_number, on_demand_covers, transport
from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.faxing.jobs.dispatcher import dispatch_due
from faxline.faxing.models import FaxJob, FaxJobEvent
from telephony.fax_calls import make_tiff

from cast import Cast


@pytest.fixture
def sender(cast: Cast) -> User:
    give_number(cast.billing_user)
    on_demand_covers(cast, cast.billing_user)
    return cast.billing_user


@pytest.fixture(scope="module")
def tiff(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_tiff(tmp_path_factory.mktemp("api") / "three.tif", pages=3).read_bytes()


def client_for(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def form(*to: str, text: bytes = b"Hello fax\n", **extra: object) -> dict:
    return {"to": list(to), "file": [SimpleUploadedFile("a.txt", text, "text/plain")], **extra}


def test_send_read_and_list(sender: User, tiff: bytes) -> None:
    api = client_for(sender)
    response = api.post(
        "/api/v1/faxes",
        {
            "to": [REMOTE, "+16175550042"],
            "file": [SimpleUploadedFile("p.tif", tiff, "image/tiff")],
        },
    )
    assert response.status_code == 202, response.content
    jobs = response.json()["jobs"]
    assert [(j["to"], j["status"]) for j in jobs] == [
        (REMOTE, "queued"),
        ("+16175550042", "queued"),
    ]
    assert dispatch_due(transport()) == 2
    detail = api.get(f"/api/v1/faxes/{jobs[0]['id']}").json()
    assert (detail["status"], detail["error"], detail["error_code"], detail["pages"]) == (
        "success",
        "",
        None,
        3,
    )
    (attempt,) = detail["attempts"]
    assert attempt["outcome"] == "Sent" and attempt["completion_code"] == 0
    assert attempt["completion_text"] == "OK" and attempt["pages_sent"] == 3
    assert attempt["statistics"]["bit_rate"] > 0 and attempt["duration_seconds"] > 0
    assert attempt["progress"][0]["kind"] == "dialing"
    listed = api.get("/api/v1/faxes", {"status": "success", "to": "(617) 555-9876"}).json()
    assert [i["id"] for i in listed["items"]] == [jobs[0]["id"]] and listed["count"] == 1
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    assert api.get("/api/v1/faxes", {"since": later}).json()["count"] == 0


def test_a_busy_number_shows_the_guides_name_and_will_retry(sender: User) -> None:
    api = client_for(sender)
    (job,) = api.post("/api/v1/faxes", form("+12125550100")).json()["jobs"]
    dispatch_due(transport())
    detail = api.get(f"/api/v1/faxes/{job['id']}").json()
    assert (detail["status"], detail["error"], detail["will_retry"]) == ("retrying", "Busy", True)
    assert detail["attempts"][0]["retry"] == "later"


def test_a_negotiation_failure_keeps_the_raw_code(sender: User, tiff: bytes) -> None:
    api = client_for(sender)
    files = [SimpleUploadedFile("p.tif", tiff, "image/tiff")]
    (job,) = api.post("/api/v1/faxes", {"to": ["+12125550107"], "file": files}).json()["jobs"]
    dispatch_due(transport())
    detail = api.get(f"/api/v1/faxes/{job['id']}").json()
    assert (detail["status"], detail["error"], detail["error_code"]) == (
        "failed",
        "Negotiation Failed",
        11,
    )


@pytest.mark.parametrize(
    ("data", "code", "field"),
    [
        (form("not a number"), "invalid_fax_number", "to"),
        (form(REMOTE, "+1 999 000 0000"), "invalid_fax_number", "to"),
        ({"to": [REMOTE]}, "no_attachment", "document"),
        (form(REMOTE, text=b"\x00\x9f\x92\x96" * 50), "invalid_attachment", "file"),
        (form(REMOTE, send_at="2099-01-01T00:00:00Z"), "validation_error", "send_at"),
    ],
)
def test_bad_input_is_422_naming_the_field(sender: User, data, code, field) -> None:
    response = client_for(sender).post("/api/v1/faxes", data)
    assert response.status_code == 422, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not FaxJob.objects.exists() and not FaxJobEvent.objects.exists()


def test_without_credentials_401(sender: User) -> None:
    assert Client().post("/api/v1/faxes", form(REMOTE)).status_code == 401
    assert Client().get("/api/v1/faxes").status_code == 401


def test_outsiders_get_404_and_read_only_403(cast: Cast, sender: User) -> None:
    (job,) = (
        client_for(sender)
        .post(
            "/api/v1/faxes", form(REMOTE, send_at=(timezone.now() + timedelta(hours=1)).isoformat())
        )
        .json()["jobs"]
    )
    path = f"/api/v1/faxes/{job['id']}"
    for outsider in (cast.outsider_admin, cast.outsider_user, cast.sales_user):
        api = client_for(outsider)
        assert api.get(path).status_code == 404
        assert api.post(path + "/cancel").status_code == 404
        assert api.post(path + "/resend", {}, content_type="application/json").status_code == 404
        assert api.get("/api/v1/faxes").json()["count"] == 0
    read_only = client_for(cast.read_only_admin)
    assert read_only.get(path).status_code == 200
    refused = read_only.post(path + "/cancel")
    assert (refused.status_code, refused.json()["code"]) == (403, "read_only")
    assert read_only.post(path + "/resend", {}, content_type="application/json").status_code == 403
    assert read_only.post("/api/v1/faxes", form(REMOTE)).status_code == 403
    assert client_for(cast.company_admin).get("/api/v1/faxes").json()["count"] == 1


def test_a_locked_user_cannot_send(sender: User) -> None:
    api = client_for(sender)
    sender.is_locked = True
    sender.save(update_fields=["is_locked"])
    response = api.post("/api/v1/faxes", form(REMOTE))
    assert response.status_code in (401, 403)
    assert not FaxJob.objects.exists()


def test_cancel_then_resend_to_another_number(sender: User) -> None:
    api = client_for(sender)
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    (job,) = api.post("/api/v1/faxes", form(REMOTE, send_at=later)).json()["jobs"]
    cancelled = api.post(f"/api/v1/faxes/{job['id']}/cancel")
    assert cancelled.status_code == 200
    assert (cancelled.json()["status"], cancelled.json()["error"]) == ("cancelled", "Job Cancelled")
    again = api.post(f"/api/v1/faxes/{job['id']}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")
    resent = api.post(
        f"/api/v1/faxes/{job['id']}/resend", {"to": "+16175550077"}, content_type="application/json"
    )
    assert resent.status_code == 202, resent.content
    (new,) = resent.json()["jobs"]
    assert new["id"] != job["id"] and new["to"] == "+16175550077"
    assert api.get(f"/api/v1/faxes/{new['id']}").json()["resent_from"] == job["id"]
    bad = api.post(
        f"/api/v1/faxes/{job['id']}/resend", {"to": "12"}, content_type="application/json"
    )
    assert (bad.status_code, bad.json()["field"]) == (422, "to")


def test_an_idempotent_retry_returns_the_same_jobs(sender: User) -> None:
    api = client_for(sender)
    first = api.post("/api/v1/faxes", form(REMOTE, "+16175550001"), HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 202
    again = api.post("/api/v1/faxes", form(REMOTE, "+16175550001"), HTTP_IDEMPOTENCY_KEY="k-1")
    assert (again.status_code, again.content) == (202, first.content)
    assert again["Idempotent-Replayed"] == "true"
    assert FaxJob.objects.count() == 2
    other = api.post("/api/v1/faxes", form(REMOTE, text=b"other\n"), HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 422
    assert FaxJob.objects.count() == 2


def test_the_file_field_is_path_free(sender: User, tmp_path: Path) -> None:
    """A file named with a path is only a name (nothing is written where it says)."""
    response = client_for(sender).post(
        "/api/v1/faxes",
        {"to": [REMOTE], "file": [SimpleUploadedFile("../../etc/x.txt", b"hi\n", "text/plain")]},
    )
    assert response.status_code == 202


def test_the_delivery_receipt_of_a_sent_fax(cast: Cast, sender: User, tiff: bytes) -> None:
    import hashlib
    import io

    from pypdf import PdfReader

    from faxline.faxing.images import fax_image_bytes
    from faxline.faxing.models import FaxAttempt

    api = client_for(sender)
    files = [SimpleUploadedFile("p.tif", tiff, "image/tiff")]
    (job,) = api.post("/api/v1/faxes", {"to": [REMOTE], "file": files}).json()["jobs"]
    early = api.get(f"/api/v1/faxes/{job['id']}/receipt")
    assert (early.status_code, early.json()["code"]) == (409, "not_sent")
    dispatch_due(transport())
    response = api.get(f"/api/v1/faxes/{job['id']}/receipt")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    attempt = FaxAttempt.objects.get(job__identifier=job["id"])
    assert attempt.sent_image is not None
    sent = fax_image_bytes(attempt.sent_image)
    # The receipt states the hash of the image as transmitted (header line stamped).
    assert hashlib.sha256(sent).hexdigest() in text.replace("\n", "").replace(" ", "")
    assert job["id"] in text and REMOTE in text
    assert (
        client_for(cast.outsider_user).get(f"/api/v1/faxes/{job['id']}/receipt").status_code == 404
    )
    assert (
        client_for(cast.read_only_admin).get(f"/api/v1/faxes/{job['id']}/receipt").status_code
        == 200
    )


@pytest.mark.parametrize(
    ("query", "field"),
    [({"status": "sent"}, "status"), ({"to": "12"}, "to"), ({"limit": 0}, "limit")],
)
def test_a_bad_filter_is_422_naming_it(sender: User, query: dict, field: str) -> None:
    response = client_for(sender).get("/api/v1/faxes", query)
    assert response.status_code == 422, response.content
    assert response.json()["field"] == field
