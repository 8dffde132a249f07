"""The Received pages without a browser: scope, the secure link's page, download, delete,
resubmit and Bulk Resubmit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from faxline.accounts.models import User
from faxline.core.vault import vault_store
from faxline.faxing.inbound.models import DeliveryStatus, EventKind, InboundFax
from telephony.fax_calls import STANDARD, make_tiff

from cast import Cast


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    folder = tmp_path_factory.mktemp("inbound-portal")
    return make_tiff(folder / "one.tif", pages=1, dpi=STANDARD).read_bytes()


def received(cast: Cast, image: bytes, user: User | None, minutes: int = 0) -> InboundFax:
    stored = vault_store(image, purpose="inbound-fax")
    return InboundFax.objects.create(
        to_number="+12125551234",
        from_number="+13125550000",
        company=cast.company,
        user=user,
        department=user.department if user else None,
        received_at=timezone.now() - timedelta(minutes=minutes),
        pages=1,
        vault_name=stored.name,
        size=stored.size,
        sha256=stored.sha256,
        delivery_status=DeliveryStatus.DELIVERED,
    )


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_received_list_and_the_page_an_email_links_to(cast: Cast, image: bytes) -> None:
    fax = received(cast, image, cast.billing_user)
    page = signed_in(cast.billing_user).get("/faxes/received/")
    assert page.status_code == 200 and b"+13125550000" in page.content
    page = signed_in(cast.billing_user).get(f"/faxes/received/{fax.pk}/")
    assert page.status_code == 200 and b"Message events" in page.content
    assert signed_in(cast.sales_user).get(f"/faxes/received/{fax.pk}/").status_code == 404
    assert signed_in(cast.outsider_admin).get(f"/faxes/received/{fax.pk}/").status_code == 404
    anonymous = Client().get(f"/faxes/received/{fax.pk}/")
    assert anonymous.status_code == 302 and "login" in anonymous["Location"]


def test_download_delete_and_resubmit(cast: Cast, image: bytes) -> None:
    fax = received(cast, image, cast.billing_user)
    client = signed_in(cast.billing_user)
    response = client.get(f"/faxes/received/{fax.pk}/download?format=tif")
    assert response.status_code == 200 and response["Content-Type"] == "image/tiff"
    response = client.post(f"/faxes/received/{fax.pk}/resubmit")
    assert response.status_code == 302
    fax.refresh_from_db()
    assert fax.delivery_status == DeliveryStatus.PENDING and fax.delivery_round == 2
    assert (
        signed_in(cast.read_only_admin).post(f"/faxes/received/{fax.pk}/delete").status_code == 403
    )
    assert client.post(f"/faxes/received/{fax.pk}/delete").status_code == 302
    fax.refresh_from_db()
    assert not fax.retained
    assert fax.events.filter(kind=EventKind.DELETED).exists()
    assert client.get(f"/faxes/received/{fax.pk}/download").status_code == 404


def test_bulk_resubmit(cast: Cast, image: bytes, after_commit) -> None:  # type: ignore[no-untyped-def]
    first = received(cast, image, cast.billing_user, minutes=2)
    second = received(cast, image, None, minutes=1)
    busy = received(cast, image, cast.sales_user)
    InboundFax.objects.filter(pk=busy.pk).update(delivery_status=DeliveryStatus.PENDING)
    theirs = received(cast, image, None)
    InboundFax.objects.filter(pk=theirs.pk).update(company=cast.outsider_company)
    client = signed_in(cast.company_admin)
    page = client.get("/faxes/received/")
    assert b"Bulk Resubmit" in page.content
    with after_commit():
        response = client.post(
            "/faxes/received/resubmit",
            {"fax": [first.pk, second.pk, busy.pk, theirs.pk], "back": "/faxes/received/"},
        )
    assert response.status_code == 302 and "/faxes/received/resubmit/" in response["Location"]
    progress = client.get(response["Location"])
    text = progress.content.decode()
    assert "2 of 3 resubmitted, 1 refused." in text
    assert "The fax is being delivered already" in text
    assert 'href="/faxes/received/"' in text
    assert "hx-trigger" not in text  # done: the block stops asking for itself
    rounds = dict(InboundFax.objects.values_list("pk", "delivery_round"))
    assert rounds == {first.pk: 2, second.pk: 2, busy.pk: 1, theirs.pk: 1}
    # Someone else's progress page does not exist for them.
    assert signed_in(cast.dept_admin).get(response["Location"]).status_code == 404
    refused = client.post("/faxes/received/resubmit", {"fax": [theirs.pk]}, follow=True)
    assert b"None of the chosen faxes exists." in refused.content


def test_delivery_settings_on_the_received_page(cast: Cast) -> None:
    from faxline.faxing.inbound.models import InboundSettings

    admin = signed_in(cast.company_admin)
    assert b"Delivery settings" in admin.get("/faxes/received/").content
    response = admin.post("/faxes/received/settings", {"retention_days": "14"}, follow=True)
    assert b"The delivery settings were saved." in response.content
    row = InboundSettings.objects.get(company=cast.company)
    assert (row.attach_files, row.retention_days) == (False, 14)
    response = admin.post("/faxes/received/settings", {"retention_days": "0"}, follow=True)
    assert b"between 1 and 3650 days" in response.content
    assert b"Delivery settings" not in signed_in(cast.billing_user).get("/faxes/received/").content
    assert b"Delivery settings" not in signed_in(cast.dept_admin).get("/faxes/received/").content
    reader = signed_in(cast.read_only_admin)
    assert reader.post("/faxes/received/settings", {"retention_days": "5"}).status_code == 403
    assert signed_in(cast.dept_admin).post("/faxes/received/settings", {}).status_code == 403
    row.refresh_from_db()
    assert row.retention_days == 14
