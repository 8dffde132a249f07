"""The onboarding pages: they translate forms into the same services and show refusals."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from onboarding_support import exe_bytes, new_customer, pdf_bytes

from faxline.accounts.models import User
from faxline.numbers.models import FaxNumber
from faxline.onboarding.models import OnboardingOrder

from cast import Cast

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_welcome_new_number(cast: Cast) -> None:
    ian = new_customer(cast.operator)
    client = signed_in(ian)
    assert client.get("/onboarding/").url == "/onboarding/welcome/"  # type: ignore[attr-defined]
    page = client.get("/onboarding/welcome/")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Welcome — new number or keep your existing number?" in text
    assert '<optgroup label="Washington">' in text and ">206 - Seattle<" in text
    assert "has no fax user yet" in text
    fragment = client.get("/onboarding/welcome/area-codes/", {"country": "CA"}).content.decode()
    assert ">416 - Toronto<" in fragment and "206 - Seattle" not in fragment
    # Missing area code: the page says so next to the field.
    response = client.post(
        "/onboarding/welcome/",
        {
            "choice": "new_number",
            "first_name": "Ivy",
            "last_name": "Inbox",
            "email": "ivy@x.example",
        },
    )
    assert response.status_code == 422
    assert "Choose an area code." in response.content.decode()
    response = client.post(
        "/onboarding/welcome/",
        {
            "choice": "new_number",
            "country": "US",
            "area_code": "206",
            "first_name": "Ivy",
            "last_name": "Inbox",
            "email": "ivy@initech.example",
        },
    )
    assert response.status_code == 302 and response.url == "/onboarding/welcome/done/"  # type: ignore[attr-defined]
    done = client.get("/onboarding/welcome/done/").content.decode()
    number = FaxNumber.objects.get(company=ian.company)
    assert number.number[2:] in done.replace(" ", "")
    assert "Your fax service is active" in done
    assert "ivy@initech.example" in done  # the new account's username, shown once
    assert client.get("/onboarding/welcome/done/").status_code == 302
    # Asked once: the welcome page now leads to the order.
    assert client.get("/onboarding/welcome/").status_code == 302


def test_welcome_keep_number(cast: Cast) -> None:
    client = signed_in(cast.company_admin)
    response = client.post(
        "/onboarding/welcome/",
        {
            "choice": "keep_number",
            "numbers": "(206) 555-0147\n",
            "carrier": "Old Telco",
            "user": str(cast.billing_user.pk),
        },
        follow=True,
    )
    text = response.content.decode()
    assert "You can send faxes now" in text
    assert "Your temporary fax number" in text
    assert "until the port completes" in text
    assert FaxNumber.objects.get(company=cast.company).is_temporary


def test_welcome_only_for_new_companies(cast: Cast) -> None:
    assert signed_in(cast.billing_user).get("/onboarding/welcome/").status_code == 403
    assert signed_in(cast.read_only_admin).get("/onboarding/welcome/").status_code == 403


def test_dashboard_asks_a_new_customer_first(cast: Cast) -> None:
    page = signed_in(cast.company_admin).get("/").content.decode()
    assert "a new fax number, or keep your existing one?" in page
    assert 'href="/onboarding/welcome/"' in page
    for other in (cast.billing_user, cast.read_only_admin):
        assert "keep your existing one?" not in signed_in(other).get("/").content.decode()


@pytest.fixture
def order(cast: Cast, partner: User) -> OnboardingOrder:
    client = signed_in(partner)
    response = client.post("/onboarding/orders/", {"company": cast.company.pk})
    assert response.status_code == 302
    return OnboardingOrder.objects.get(company=cast.company)


def test_orders_and_tabs(cast: Cast, partner: User, order: OnboardingOrder) -> None:
    client = signed_in(partner)
    listing = client.get("/onboarding/orders/").content.decode()
    assert "Acme Corp" in listing and "0 of 3 required" in listing
    base = f"/onboarding/orders/{order.pk}/"
    for tab in ("documents", "final", "configuration", "summary"):
        assert client.get(base, {"tab": tab}).status_code == 200, tab
    documents = client.get(base).content.decode()
    assert "Payment authorization first." in documents
    assert "Locked until the payment authorization is on file." in documents
    assert signed_in(cast.outsider_admin).get(base).status_code == 404
    assert signed_in(cast.billing_user).get(base).status_code == 403
    # Acme has no number and made no first sign-in choice yet: its administrator is asked.
    assert signed_in(cast.company_admin).get("/onboarding/").url == "/onboarding/welcome/"  # type: ignore[attr-defined]
    assert signed_in(cast.read_only_admin).get("/onboarding/").url == base  # type: ignore[attr-defined]


def test_document_gathering_pages(cast: Cast, partner: User, order: OnboardingOrder) -> None:
    client = signed_in(partner)
    base = f"/onboarding/orders/{order.pk}/"
    response = client.post(
        base + "documents/",
        {
            "kind": "phone_bill",
            "statement_date": "2026-03-01",
            "file": SimpleUploadedFile("b.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 409
    assert "payment authorization" in response.content.decode().lower()
    response = client.post(
        base + "documents/",
        {"kind": "payment_authorization", "file": SimpleUploadedFile("ach.pdf", exe_bytes())},
    )
    assert response.status_code == 422
    assert "is not a PDF, PNG, JPEG or TIFF document" in response.content.decode()
    response = client.post(
        base + "documents/",
        {"kind": "payment_authorization", "file": SimpleUploadedFile("ach.pdf", pdf_bytes())},
    )
    assert response.status_code == 302
    response = client.post(
        base + "documents/",
        {
            "kind": "phone_bill",
            "statement_date": "2026-01-02",
            "file": SimpleUploadedFile("b.pdf", pdf_bytes()),
        },
    )
    assert response.status_code == 422
    assert "within the last 30 days" in response.content.decode()
    assert (
        client.post(
            base + "billing/",
            {"billing_contact_name": "Bea", "billing_contact_email": "bea@acme.example"},
        ).status_code
        == 302
    )
    assert client.post(base + "tax/", {"tax_exempt": "no"}).status_code == 302
    assert (
        client.post(
            base + "numbers/",
            {
                "number": "(206) 555-0147",
                "use": "fax",
                "port": "yes",
                "user": str(cast.billing_user.pk),
            },
        ).status_code
        == 302
    )
    response = client.post(base + "numbers/", {"number": "12", "use": "fax", "port": "yes"})
    assert response.status_code == 422
    response = client.post(
        base + "numbers/csv/",
        {
            "file": SimpleUploadedFile(
                "n.csv", b"number,use,port\n2065550147,fax,yes\n2065550148,voice,no\n"
            )
        },
    )
    assert response.status_code == 302
    assert order.port_numbers.count() == 2
    assert client.post(base + "numbers/", {"remove": "+12065550148"}).status_code == 302
    assert order.port_numbers.count() == 1
    response = client.post(
        base + "final/",
        {
            "time_zone": "America/Chicago",
            "activation": "porting",
            "port_date": "2026-03-14",
            "pin": "1234",
        },
    )
    assert response.status_code == 422
    assert "weekend" in response.content.decode()
    response = client.post(
        base + "final/",
        {
            "time_zone": "America/Chicago",
            "activation": "porting",
            "port_date": "2026-03-12",
            "pin": "1234",
            "authorized_user_name": "Carol Chief",
            "authorized_user_title": "COO",
            "temporary_numbers": "0",
        },
    )
    assert response.status_code == 302
    final = client.get(base, {"tab": "final"}).content.decode()
    assert "••••" in final and "••34" not in final and 'value="1234"' not in final
    summary = client.get(base, {"tab": "summary"}).content.decode()
    assert "Copy of the phone bill" in summary  # still missing
    client.post(
        base + "documents/",
        {
            "kind": "phone_bill",
            "statement_date": "2026-03-02",
            "file": SimpleUploadedFile("b.pdf", pdf_bytes()),
        },
    )
    summary = client.get(base, {"tab": "summary"}).content.decode()
    assert "Ready: all required items are in" in summary
    response = client.post(base + "complete/", follow=True)
    assert "Onboarding Complete" in response.content.decode()
    order.refresh_from_db()
    assert order.status == "complete"
    foc = client.get(base, {"tab": "foc"}).content.decode()
    assert "+1 2065550147" in foc and "Missing" in foc


def test_configuration_assign_from_the_page(
    cast: Cast, partner: User, order: OnboardingOrder
) -> None:
    from faxline.accounts.access import Actor
    from faxline.numbers.selectors import available_numbers
    from faxline.numbers.services import numbers_request

    admin = Actor(user=cast.company_admin)
    (n,) = numbers_request(
        actor=admin,
        company=cast.company,
        numbers=available_numbers(actor=admin, country="US", area="206", count=1),
    )
    client = signed_in(cast.company_admin)
    base = f"/onboarding/orders/{order.pk}/"
    page = client.get(base, {"tab": "configuration"}).content.decode()
    assert "is not routed to a user" in page and "Not assigned" in page
    response = client.post(base + "assign/", {"number": n.number, "user": cast.sales_user.pk})
    assert response.status_code == 302
    n.refresh_from_db()
    assert n.user == cast.sales_user
    page = client.get(base, {"tab": "configuration"}).content.decode()
    assert 'data-config="numbers_routed" data-ok="true"' in page
    assert signed_in(cast.read_only_admin).post(
        base + "assign/", {"number": n.number, "user": cast.sales_user.pk}
    ).status_code in (403, 409, 422)


def test_ports_tomorrow_page(cast: Cast, partner: User, order: OnboardingOrder) -> None:
    page = signed_in(partner).get("/onboarding/ports/tomorrow/")
    assert page.status_code == 200
    assert "No port is scheduled on the next business day." in page.content.decode()
    assert signed_in(cast.billing_user).get("/onboarding/ports/tomorrow/").status_code == 403
