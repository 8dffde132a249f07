"""The inbound API: scope (own, department, company, operators), outsiders 404, read-only
403 on changes, 422 naming the field, 401 without credentials; download, delete, resubmit;
retention."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from PIL import Image

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.errors import Forbidden, ValidationFailed
from faxline.core.vault import vault_read, vault_store
from faxline.faxing.inbound.models import (
    DeliveryStatus,
    EventKind,
    InboundEvent,
    InboundFax,
    InboundSettings,
)
from faxline.faxing.inbound.services import (
    inbound_fax_deliver,
    inbound_retention_sweep,
    inbound_settings_set,
)
from faxline.notify.models import NotificationLog
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from telephony.fax_calls import make_tiff

from cast import Cast

NUMBER = "+12125551234"


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_tiff(tmp_path_factory.mktemp("inbound-api") / "two.tif", pages=2).read_bytes()


@pytest.fixture
def fax(cast: Cast, image: bytes) -> InboundFax:
    """A fax received on the billing user's number, delivered."""
    FaxNumber.objects.create(
        number=NUMBER,
        country="US",
        area_code="212",
        source=NumberSource.SANDBOX,
        status=NumberStatus.IN_SERVICE,
        company=cast.company,
        user=cast.billing_user,
    )
    return received(cast, image, user=cast.billing_user)


def received(cast: Cast, image: bytes, *, user: User | None, days_ago: float = 0) -> InboundFax:
    stored = vault_store(image, purpose="inbound-fax")
    row = InboundFax.objects.create(
        to_number=NUMBER,
        from_number="+13125550000",
        company=cast.company,
        user=user,
        department=user.department if user else None,
        received_at=timezone.now() - timedelta(days=days_ago),
        pages=2,
        remote_csid="SENDER",
        vault_name=stored.name,
        size=stored.size,
        sha256=stored.sha256,
        delivery_status=DeliveryStatus.DELIVERED,
    )
    InboundEvent.objects.create(fax=row, at=row.received_at, kind=EventKind.RECEIVED)
    return row


def client_for(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="t").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def ids(client: Client, query: str = "") -> list[int]:
    response = client.get("/api/v1/inbound" + query)
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_each_sees_their_scope(cast: Cast, fax: InboundFax) -> None:
    for who in ("billing_user", "dept_admin", "company_admin", "read_only_admin", "operator"):
        assert ids(client_for(getattr(cast, who))) == [fax.pk], who
        assert client_for(getattr(cast, who)).get(f"/api/v1/inbound/{fax.pk}").status_code == 200
    for who in ("sales_user", "outsider_admin", "outsider_user"):
        assert ids(client_for(getattr(cast, who))) == [], who
        client = client_for(getattr(cast, who))
        for path in (f"/api/v1/inbound/{fax.pk}", f"/api/v1/inbound/{fax.pk}/download"):
            response = client.get(path)
            assert response.status_code == 404 and response.json()["code"] == "not_found", who
        assert client.delete(f"/api/v1/inbound/{fax.pk}").status_code == 404
        assert client.post(f"/api/v1/inbound/{fax.pk}/resubmit").status_code == 404


def test_a_department_administrator_does_not_see_the_unrouted(cast: Cast, image: bytes) -> None:
    spare = received(cast, image, user=None)
    assert ids(client_for(cast.company_admin)) == [spare.pk]
    assert ids(client_for(cast.dept_admin)) == []


def test_the_list_shows_the_fields_of_the_issue(cast: Cast, fax: InboundFax) -> None:
    [item] = client_for(cast.billing_user).get("/api/v1/inbound").json()["items"]
    assert set(item) == {"id", "from", "to", "pages", "received_at", "partial"}
    assert (item["from"], item["to"], item["pages"], item["partial"]) == (
        "+13125550000",
        NUMBER,
        2,
        False,
    )


def test_without_credentials_401(fax: InboundFax) -> None:
    client = Client()
    assert client.get("/api/v1/inbound").status_code == 401
    assert client.get(f"/api/v1/inbound/{fax.pk}").status_code == 401
    assert client.get(f"/api/v1/inbound/{fax.pk}/download").status_code == 401
    assert client.delete(f"/api/v1/inbound/{fax.pk}").status_code == 401
    assert client.post(f"/api/v1/inbound/{fax.pk}/resubmit").status_code == 401


def test_read_only_administrators_may_not_change(cast: Cast, fax: InboundFax) -> None:
    client = client_for(cast.read_only_admin)
    for response in (
        client.delete(f"/api/v1/inbound/{fax.pk}"),
        client.post(f"/api/v1/inbound/{fax.pk}/resubmit"),
    ):
        assert response.status_code == 403 and response.json()["code"] == "read_only"
    fax.refresh_from_db()
    assert fax.retained


def test_bad_input_422_names_the_field(cast: Cast, fax: InboundFax) -> None:
    client = client_for(cast.billing_user)
    response = client.get(f"/api/v1/inbound/{fax.pk}/download?format=gif")
    assert response.status_code == 422 and response.json()["field"] == "format"
    response = client.get("/api/v1/inbound?limit=0")
    assert response.status_code == 422 and response.json()["field"] == "limit"


def test_download_the_recipients_file_type_or_another(cast: Cast, fax: InboundFax) -> None:
    client = client_for(cast.billing_user)
    response = client.get(f"/api/v1/inbound/{fax.pk}/download")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="fax-{fax.pk}.pdf"' in response["Content-Disposition"]
    user = cast.billing_user
    user.settings = {**(user.settings or {}), "fax": {"inbound_file_type": "TIF"}}
    user.save(update_fields=["settings"])
    response = client.get(f"/api/v1/inbound/{fax.pk}/download")
    assert response["Content-Type"] == "image/tiff"
    with Image.open(io.BytesIO(response.content)) as tiff:
        assert tiff.n_frames == 2
    response = client.get(f"/api/v1/inbound/{fax.pk}/download?format=pdf")
    assert response["Content-Type"] == "application/pdf"
    events = client.get(f"/api/v1/inbound/{fax.pk}").json()["events"]
    assert [e["event"] for e in events].count("Message retrieved") == 3


def test_delete_removes_the_content_and_says_so(cast: Cast, fax: InboundFax) -> None:
    client = client_for(cast.billing_user)
    name = fax.vault_name
    assert client.delete(f"/api/v1/inbound/{fax.pk}").status_code == 204
    with pytest.raises(Exception, match="not found"):
        vault_read(name)
    assert ids(client) == []
    assert ids(client, "?include_deleted=true") == [fax.pk]
    one = client.get(f"/api/v1/inbound/{fax.pk}").json()
    assert one["retained"] is False
    assert one["events"][-1]["event"] == "Message deleted"
    assert "Content deleted by" in one["events"][-1]["detail"]
    response = client.get(f"/api/v1/inbound/{fax.pk}/download")
    assert response.status_code == 404 and response.json()["code"] == "content_deleted"
    response = client.delete(f"/api/v1/inbound/{fax.pk}")
    assert response.status_code == 409 and response.json()["code"] == "content_deleted"
    response = client.post(f"/api/v1/inbound/{fax.pk}/resubmit")
    assert response.status_code == 409 and response.json()["code"] == "content_deleted"


def test_resubmit_delivers_again_to_the_current_addresses(
    cast: Cast, fax: InboundFax, after_commit: Any
) -> None:
    user = cast.billing_user
    user.receiving_emails = ["new@acme.example"]
    user.save(update_fields=["receiving_emails"])
    with after_commit():
        response = client_for(cast.company_admin).post(f"/api/v1/inbound/{fax.pk}/resubmit")
    assert response.status_code == 202, response.content
    assert response.json()["delivery_status"] == "pending"  # answered before the worker ran
    fax.refresh_from_db()
    assert fax.delivery_status == DeliveryStatus.DELIVERED and fax.delivery_round == 2
    assert list(NotificationLog.objects.values_list("recipient", flat=True)) == ["new@acme.example"]
    kinds = [e["event"] for e in client_for(user).get(f"/api/v1/inbound/{fax.pk}").json()["events"]]
    assert kinds == ["Message received", "Message resubmitted", "Message forwarded"]


def test_resubmit_while_a_delivery_runs_is_409(cast: Cast, fax: InboundFax) -> None:
    InboundFax.objects.filter(pk=fax.pk).update(delivery_status=DeliveryStatus.PENDING)
    response = client_for(cast.billing_user).post(f"/api/v1/inbound/{fax.pk}/resubmit")
    assert response.status_code == 409 and response.json()["code"] == "delivery_in_progress"


def test_retention_deletes_old_content_with_an_event(cast: Cast, image: bytes) -> None:
    old = received(cast, image, user=cast.billing_user, days_ago=29)
    recent = received(cast, image, user=cast.billing_user, days_ago=1)
    other = received(cast, image, user=None, days_ago=29)
    other.company = cast.outsider_company
    other.save(update_fields=["company"])
    InboundSettings.objects.create(company=cast.outsider_company, retention_days=60)
    assert inbound_retention_sweep() == 0
    with time_machine.travel(timezone.now() + timedelta(days=2), tick=False):
        assert inbound_retention_sweep() == 1
        assert inbound_retention_sweep() == 0
    for row in (old, recent, other):
        row.refresh_from_db()
    assert not old.retained and recent.retained and other.retained
    last = old.events.order_by("-at", "-pk").first()
    assert last is not None and last.kind == EventKind.DELETED
    assert last.detail == "Content deleted: the retention period of 30 days ended."
    with time_machine.travel(timezone.now() + timedelta(days=40), tick=False):
        assert inbound_retention_sweep() == 2  # recent (30 days) and other (60)
    other.refresh_from_db()
    assert not other.retained


def test_a_message_whose_attachment_expired_fails_for_good(
    cast: Cast, fax: InboundFax, run_tasks: Any, django_capture_on_commit_callbacks: Any
) -> None:
    InboundFax.objects.filter(pk=fax.pk).update(delivery_status=DeliveryStatus.PENDING)
    with django_capture_on_commit_callbacks(execute=False):
        inbound_fax_deliver(fax_id=fax.pk)
    fax.refresh_from_db()
    assert fax.files
    client_for(cast.billing_user).delete(f"/api/v1/inbound/{fax.pk}")
    from faxline.notify.services import notification_deliver

    [row] = NotificationLog.objects.all()
    notification_deliver(notification_id=row.pk)
    row.refresh_from_db()
    assert row.status == "failed" and "no longer kept" in row.error


def test_inbound_settings(cast: Cast) -> None:
    path = f"/api/v1/companies/{cast.company.pk}/inbound-settings"
    admin = client_for(cast.company_admin)
    assert admin.get(path).json() == {"attach_files": True, "retention_days": 30}
    response = admin.put(path, {"retention_days": 7}, content_type="application/json")
    assert response.status_code == 200
    assert response.json() == {"attach_files": True, "retention_days": 7}
    response = admin.put(path, {"attach_files": False}, content_type="application/json")
    assert response.json() == {"attach_files": False, "retention_days": 7}
    row = InboundSettings.objects.get(company=cast.company)
    assert (row.attach_files, row.retention_days) == (False, 7)
    from faxline.core.models import AuditEvent

    assert AuditEvent.objects.filter(kind="inbound.settings_changed").count() == 2
    for days in (0, 3651):
        response = admin.put(path, {"retention_days": days}, content_type="application/json")
        assert response.status_code == 422 and response.json()["field"] == "retention_days"
    response = admin.put(path, {"colour": "red"}, content_type="application/json")
    assert response.status_code == 422
    for who, status in (("read_only_admin", 403), ("dept_admin", 403), ("billing_user", 404)):
        response = client_for(getattr(cast, who)).put(
            path, {"retention_days": 9}, content_type="application/json"
        )
        assert response.status_code == status, who
    other = f"/api/v1/companies/{cast.outsider_company.pk}/inbound-settings"
    assert admin.get(other).status_code == 404
    assert admin.put(other, {}, content_type="application/json").status_code == 404
    assert Client().get(path).status_code == 401
    assert client_for(cast.read_only_admin).get(path).status_code == 200
    assert client_for(cast.operator).put(
        other, {"retention_days": 90}, content_type="application/json"
    ).json() == {"attach_files": True, "retention_days": 90}
    with pytest.raises(ValidationFailed) as refused:
        inbound_settings_set(
            actor=Actor(user=cast.company_admin), company=cast.company, retention_days=0
        )
    assert refused.value.field == "retention_days"
    with pytest.raises(Forbidden):
        inbound_settings_set(
            actor=Actor(user=cast.read_only_admin), company=cast.company, attach_files=False
        )


def test_an_unreadable_image_fails_delivery_and_is_kept(cast: Cast, fax: InboundFax) -> None:
    stored = vault_store(b"II*\x00garbage" * 10, purpose="inbound-fax")
    InboundFax.objects.filter(pk=fax.pk).update(
        delivery_status=DeliveryStatus.PENDING, vault_name=stored.name
    )
    inbound_fax_deliver(fax_id=fax.pk)
    fax.refresh_from_db()
    assert fax.delivery_status == DeliveryStatus.FAILED and fax.retained
    assert ids(client_for(cast.company_admin), "?undeliverable=true") == [fax.pk]
    assert not NotificationLog.objects.exists()


def test_a_fax_deleted_while_it_is_converted_gets_no_files_back(
    cast: Cast, fax: InboundFax, monkeypatch: pytest.MonkeyPatch
) -> None:
    from faxline.faxing.inbound import services

    InboundFax.objects.filter(pk=fax.pk).update(delivery_status=DeliveryStatus.PENDING)
    convert = services.received_files

    def convert_then_delete(*args: Any, **kwargs: Any) -> Any:
        files = convert(*args, **kwargs)
        services.inbound_fax_delete(actor=Actor(user=cast.billing_user), fax=fax)
        return files

    monkeypatch.setattr(services, "received_files", convert_then_delete)
    stored_before = set(vault_names())
    assert inbound_fax_deliver(fax_id=fax.pk) is None  # its claim no longer holds
    fax.refresh_from_db()
    assert not fax.retained and fax.files == []
    assert not NotificationLog.objects.exists()
    assert set(vault_names()) <= stored_before  # the files made meanwhile were removed


def vault_names() -> list[str]:
    from django.core.files.storage import default_storage

    folder = "vault/inbound-file"
    if not default_storage.exists(folder):
        return []
    return [f"{folder}/{name}" for name in default_storage.listdir(folder)[1]]
