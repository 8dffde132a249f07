"""Activity Details through the API: Resend to a new number (a new job, the original left
as it was; by the sender or an administrator holding "Resend faxes", for the sender), its
refusals (422 naming ``to``, outsiders 404, read-only 403, no right 403), and Cancel."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from faxing.jobs_support import give_number
from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.administrators import administrator_create
from faxline.accounts.services.api_keys import api_key_create
from faxline.faxing.models import FaxJob, FaxJobEvent, FaxJobStatus
from history import outbound

from cast import PASSWORD, Cast

NEW_NUMBER = "+16175550077"
FIRST = "+16175559876"


@pytest.fixture
def sent(cast: Cast) -> FaxJob:
    """A failed job the billing user sent (who has a number to send from)."""
    give_number(cast.billing_user)
    moment = timezone.now() - timedelta(hours=2)
    return outbound(cast.billing_user, to=FIRST, at=moment, status="failed", error="Busy", busy=2)


def client_for(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def resend(user: User, job: FaxJob, body: dict) -> object:
    return client_for(user).post(
        f"/api/v1/faxes/{job.identifier}/resend", body, content_type="application/json"
    )


def test_the_sender_resends_to_a_new_number(cast: Cast, sent: FaxJob) -> None:
    before = FaxJob.objects.filter(pk=sent.pk).values().get()
    response = resend(cast.billing_user, sent, {"to": "(617) 555-0077"})
    assert response.status_code == 202, response.content
    (new,) = response.json()["jobs"]
    assert new["id"] != sent.identifier and new["to"] == NEW_NUMBER
    again = FaxJob.objects.get(identifier=new["id"])
    assert (again.resent_from_id, again.status, again.sender_id) == (
        sent.pk,
        FaxJobStatus.QUEUED,
        cast.billing_user.pk,
    )
    # The original is untouched.
    assert FaxJob.objects.filter(pk=sent.pk).values().get() == before
    # Without a number: the original's.
    response = resend(cast.billing_user, sent, {})
    assert response.json()["jobs"][0]["to"] == FIRST


def test_an_administrator_with_resend_faxes_resends_for_the_sender(
    cast: Cast, sent: FaxJob
) -> None:
    for admin in (cast.company_admin, cast.dept_admin):
        response = resend(admin, sent, {"to": NEW_NUMBER})
        assert response.status_code == 202, response.content
        again = FaxJob.objects.get(identifier=response.json()["jobs"][0]["id"])
        # The sender's job, from the sender's number, counted under their department ...
        assert again.sender_id == cast.billing_user.pk
        assert again.department_id == cast.billing_user.department_id
        assert again.from_number == sent.from_number
        # ... whose first event names who resent it.
        accepted = FaxJobEvent.objects.get(job=again, kind="accepted")
        assert accepted.actor_id == admin.pk


@pytest.mark.parametrize(
    ("to", "code"),
    [("12", "invalid_fax_number"), ("not a number", "invalid_fax_number")],
)
def test_a_bad_number_is_422_naming_to(cast: Cast, sent: FaxJob, to: str, code: str) -> None:
    count = FaxJob.objects.count()
    for user in (cast.billing_user, cast.company_admin):
        response = resend(user, sent, {"to": to})
        assert response.status_code == 422, response.content
        assert (response.json()["field"], response.json()["code"]) == ("to", code)
    assert FaxJob.objects.count() == count


def test_outsiders_404_read_only_and_no_right_403(cast: Cast, sent: FaxJob) -> None:
    count = FaxJob.objects.count()
    for outsider in (cast.outsider_admin, cast.outsider_user, cast.sales_user):
        assert resend(outsider, sent, {"to": NEW_NUMBER}).status_code == 404
        cancel = client_for(outsider).post(f"/api/v1/faxes/{sent.identifier}/cancel")
        assert cancel.status_code == 404
    refused = resend(cast.read_only_admin, sent, {"to": NEW_NUMBER})
    assert (refused.status_code, refused.json()["code"]) == (403, "read_only")
    viewer = administrator_create(
        actor=Actor(user=cast.company_admin),
        company=cast.company,
        department=None,
        first_name="Vera",
        last_name="Viewer",
        email="vera@acme.example",
        username="vera",
        password=PASSWORD,
        rights=["activity.outbound", "activity.inbound"],
    ).user
    refused = resend(viewer, sent, {"to": NEW_NUMBER})
    assert (refused.status_code, refused.json()["code"]) == (403, "missing_right")
    assert FaxJob.objects.count() == count


def test_a_departed_sender_cannot_be_resent_for(cast: Cast, sent: FaxJob) -> None:
    User.objects.filter(pk=cast.billing_user.pk).update(is_locked=True)
    refused = resend(cast.company_admin, sent, {"to": NEW_NUMBER})
    assert (refused.status_code, refused.json()["code"]) == (403, "user_locked")


def test_cancel_by_the_sender_or_an_administrator(cast: Cast) -> None:
    give_number(cast.billing_user)
    moment = timezone.now() - timedelta(minutes=5)
    waiting = [outbound(cast.billing_user, to=FIRST, at=moment, status="queued") for _ in "ab"]
    read_only = client_for(cast.read_only_admin).post(
        f"/api/v1/faxes/{waiting[0].identifier}/cancel"
    )
    assert (read_only.status_code, read_only.json()["code"]) == (403, "read_only")
    for job, who in zip(waiting, (cast.billing_user, cast.company_admin), strict=True):
        response = client_for(who).post(f"/api/v1/faxes/{job.identifier}/cancel")
        assert response.status_code == 200, response.content
        assert response.json()["status"] == "cancelled"
        event = FaxJobEvent.objects.get(job=job, kind="cancelled")
        assert event.actor_id == who.pk
    again = client_for(cast.company_admin).post(f"/api/v1/faxes/{waiting[0].identifier}/cancel")
    assert (again.status_code, again.json()["code"]) == (409, "invalid_transition")


def test_the_details_show_attempts_and_events(cast: Cast, sent: FaxJob) -> None:
    body = client_for(cast.company_admin).get(f"/api/v1/faxes/{sent.identifier}").json()
    assert [a["outcome"] for a in body["attempts"]] == ["Busy", "Busy", "Busy"]
    kinds = [e["kind"] for e in body["events"]]
    assert kinds[0] == "accepted" and kinds[-1] == "gave_up"
    assert datetime.fromisoformat(body["created_at"]) < datetime.now(UTC)
