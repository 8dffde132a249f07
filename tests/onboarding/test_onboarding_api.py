"""The onboarding API: every path, with outsider (404), fax user (403), read-only (403 on
writes) and bad input (422 naming the field)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from onboarding_support import bomb_png, exe_bytes, pdf_bytes, vault_files

from faxline.accounts.models import User
from faxline.notify.models import NotificationLog
from faxline.onboarding.models import OnboardingDocument

from cast import Cast

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
Call = Callable[..., Any]


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def order_id(cast: Cast, partner: User, call: Call) -> int:
    response = call(
        partner,
        "post",
        "/onboarding/orders",
        {"company_id": cast.company.pk, "billing_contact_name": "Bea Biller"},
    )
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


def upload(call: Call, user: User, order_id: int, kind: str, data: bytes, **extra: Any) -> Any:
    files = {"kind": kind, "file": SimpleUploadedFile("doc.pdf", data), **extra}
    return call(user, "post", f"/onboarding/orders/{order_id}/documents", files=files)


def test_create_and_list(
    cast: Cast, partner: User, other_partner: User, call: Call, order_id: int
) -> None:
    data = call(partner, "get", "/onboarding/orders").json()
    assert data["count"] == 1 and data["items"][0]["company"] == "Acme Corp"
    assert data["items"][0]["billing_contact_name"] == "Bea Biller"
    assert call(other_partner, "get", "/onboarding/orders").json()["count"] == 0
    assert call(cast.company_admin, "get", "/onboarding/orders").json()["count"] == 1
    assert call(cast.outsider_admin, "get", "/onboarding/orders").json()["count"] == 0
    assert call(cast.billing_user, "get", "/onboarding/orders").status_code == 403
    # Only operators and the company's partner create orders.
    response = call(
        cast.outsider_admin, "post", "/onboarding/orders", {"company_id": cast.company.pk}
    )
    assert response.status_code == 404
    response = call(
        cast.company_admin, "post", "/onboarding/orders", {"company_id": cast.company.pk}
    )
    assert response.status_code == 403
    response = call(cast.operator, "post", "/onboarding/orders", {"company_id": cast.company.pk})
    assert response.status_code == 409 and response.json()["code"] == "order_exists"
    response = call(cast.operator, "post", "/onboarding/orders", {})
    assert response.status_code == 422 and response.json()["field"] == "company_id"
    response = call(
        cast.operator,
        "post",
        "/onboarding/orders",
        {"company_id": cast.outsider_company.pk, "billing_contact_email": "nope"},
    )
    assert response.status_code == 422 and response.json()["field"] == "billing_contact_email"


def test_read_scope(cast: Cast, call: Call, order_id: int, other_partner: User) -> None:
    path = f"/onboarding/orders/{order_id}"
    assert call(cast.outsider_admin, "get", path).status_code == 404
    assert call(other_partner, "get", path).status_code == 404
    assert call(cast.billing_user, "get", path).status_code == 403
    assert call(cast.dept_admin, "get", path).status_code == 403
    assert call(cast.read_only_admin, "get", path).status_code == 200
    assert call(cast.company_admin, "get", path).status_code == 200
    assert call(None, "get", path).status_code == 401
    for sub in ("checklist", "configuration", "foc-readiness"):
        assert call(cast.outsider_admin, "get", f"{path}/{sub}").status_code == 404
        assert call(cast.billing_user, "get", f"{path}/{sub}").status_code == 403
        assert call(cast.company_admin, "get", f"{path}/{sub}").status_code == 200


def test_patch(cast: Cast, partner: User, call: Call, order_id: int) -> None:
    path = f"/onboarding/orders/{order_id}"
    response = call(cast.read_only_admin, "patch", path, {"domain": "acme.example"})
    assert response.status_code == 403 and response.json()["code"] == "read_only"
    assert call(cast.billing_user, "patch", path, {"domain": "x"}).status_code == 403
    assert call(cast.outsider_admin, "patch", path, {"domain": "x"}).status_code == 404
    response = call(partner, "patch", path, {"time_zone": "Nowhere/City"})
    assert response.status_code == 422 and response.json()["field"] == "time_zone"
    response = call(partner, "patch", path, {"temporary_numbers": "many"})
    assert response.status_code == 422 and response.json()["field"] == "temporary_numbers"
    response = call(partner, "patch", path, {"activation": "soon"})
    assert response.status_code == 422 and response.json()["field"] == "activation"
    response = call(partner, "patch", path, {"port_numbers": [{"number": "2065550147"}]})
    assert response.status_code == 409
    assert response.json()["code"] == "payment_authorization_required"
    assert response.json()["field"] == "port_numbers"
    response = call(partner, "patch", path, {"domain": "acme.example", "tax_exempt": False})
    assert response.status_code == 200
    assert response.json()["domain"] == "acme.example"
    assert response.json()["billing_contact_name"] == "Bea Biller"  # untouched


def test_documents(cast: Cast, partner: User, call: Call, order_id: int, media: Any) -> None:
    response = upload(
        call, partner, order_id, "phone_bill", pdf_bytes(), statement_date="2026-03-01"
    )
    assert response.status_code == 409
    assert "payment authorization" in response.json()["message"].lower()
    for hostile in (exe_bytes(), bomb_png()):
        response = upload(call, partner, order_id, "payment_authorization", hostile)
        assert response.status_code == 422 and response.json()["field"] == "file"
    assert vault_files(media) == [] and not OnboardingDocument.objects.exists()
    assert (
        upload(
            call, cast.read_only_admin, order_id, "payment_authorization", pdf_bytes()
        ).status_code
        == 403
    )
    assert (
        upload(call, cast.billing_user, order_id, "payment_authorization", pdf_bytes()).status_code
        == 403
    )
    assert (
        upload(
            call, cast.outsider_admin, order_id, "payment_authorization", pdf_bytes()
        ).status_code
        == 404
    )
    response = upload(call, partner, order_id, "payment_authorization", pdf_bytes())
    assert response.status_code == 201, response.content
    doc = response.json()
    assert doc["content_type"] == "application/pdf" and doc["original_name"] == "doc.pdf"
    response = upload(
        call, partner, order_id, "phone_bill", pdf_bytes(), statement_date="2026-01-15"
    )
    assert response.status_code == 422 and response.json()["code"] == "bill_too_old"
    assert response.json()["field"] == "statement_date"
    response = upload(call, partner, order_id, "lease", pdf_bytes())
    assert response.status_code == 422 and response.json()["field"] == "kind"
    response = call(
        partner, "post", f"/onboarding/orders/{order_id}/documents", files={"kind": "csr"}
    )
    assert response.status_code == 422 and response.json()["field"] == "file"
    # Downloads decrypt for those who may see the order only.
    path = f"/onboarding/orders/{order_id}/documents/{doc['id']}"
    got = call(cast.company_admin, "get", path)
    assert got.status_code == 200 and got.content.startswith(b"%PDF")
    assert got["Content-Type"] == "application/pdf"
    assert call(cast.outsider_admin, "get", path).status_code == 404
    assert call(cast.billing_user, "get", path).status_code == 403
    # The portal's download view checks the same way.
    from django.test import Client

    portal = Client()
    portal.force_login(cast.outsider_admin)
    assert portal.get(f"/onboarding/orders/{order_id}/documents/{doc['id']}/").status_code == 404
    portal.force_login(cast.company_admin)
    assert portal.get(f"/onboarding/orders/{order_id}/documents/{doc['id']}/").content.startswith(
        b"%PDF"
    )


def test_csv_numbers(partner: User, call: Call, order_id: int) -> None:
    upload(call, partner, order_id, "payment_authorization", pdf_bytes())
    response = call(
        partner,
        "post",
        f"/onboarding/orders/{order_id}/numbers/csv",
        files={"file": SimpleUploadedFile("n.csv", b"number,use,port\n2065550147,voice,yes\n")},
    )
    assert response.status_code == 200, response.content
    assert response.json()["port_numbers"][0]["use"] == "voice"


def test_checklist_and_complete(cast: Cast, partner: User, call: Call, order_id: int) -> None:
    path = f"/onboarding/orders/{order_id}"
    checklist = call(partner, "get", f"{path}/checklist").json()
    assert {i["key"]: i["status"] for i in checklist["items"]}["payment_authorization"] == "missing"
    assert checklist["ready_to_complete"] is False
    response = call(partner, "post", f"{path}/complete")
    assert response.status_code == 422 and response.json()["code"] == "onboarding_incomplete"
    assert response.json()["field"] == "payment_authorization"
    upload(call, partner, order_id, "payment_authorization", pdf_bytes())
    response = call(
        partner,
        "patch",
        path,
        {
            "billing_contact_email": "bea@acme.example",
            "tax_exempt": False,
            "activation": "porting",
            "port_date": "2026-03-11",
            "pin": "8765",
            "authorized_user_name": "Carol Chief",
            "authorized_user_title": "COO",
            "port_numbers": [
                {"number": "2065550147", "use": "fax", "user_id": cast.billing_user.pk}
            ],
        },
    )
    assert response.status_code == 200, response.content
    assert response.json()["pin_masked"] == "••••" and "8765" not in response.content.decode()
    upload(call, partner, order_id, "phone_bill", pdf_bytes(), statement_date="2026-03-02")
    checklist = call(partner, "get", f"{path}/checklist").json()
    assert checklist["ready_to_complete"] is True, checklist["problems"]
    assert checklist["warnings"] and "Customer Service Record" in checklist["warnings"][0]
    foc = call(partner, "get", f"{path}/foc-readiness").json()
    assert foc[0]["number"] == "+12065550147" and foc[0]["ready"] is False
    assert any("temporary" in m.lower() for m in foc[0]["missing"])
    day = call(partner, "get", "/onboarding/foc-readiness", date="2026-03-11").json()
    assert day["count"] == 1 and day["items"][0]["order_id"] == order_id
    tomorrow = call(partner, "get", "/onboarding/foc-readiness").json()
    assert tomorrow["date"] == "2026-03-11" and tomorrow["count"] == 1
    assert (
        call(cast.outsider_admin, "get", "/onboarding/foc-readiness", date="2026-03-11").json()[
            "count"
        ]
        == 0
    )
    assert call(cast.billing_user, "get", "/onboarding/foc-readiness").status_code == 403
    response = call(partner, "get", "/onboarding/foc-readiness", date="tomorrow")
    assert response.status_code == 422 and response.json()["field"] == "date"
    assert call(cast.read_only_admin, "post", f"{path}/complete").status_code == 403
    response = call(partner, "post", f"{path}/complete")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "complete"
    assert NotificationLog.objects.filter(kind="onboarding.complete").exists()
    configuration = call(partner, "get", f"{path}/configuration").json()
    assert configuration["ok"] is False
    assert {i["key"] for i in configuration["items"]} == {
        "users",
        "numbers_routed",
        "receiving_addresses",
        "coverpage",
        "notifications",
    }


def test_first_sign_in_api(cast: Cast, call: Call) -> None:
    status = call(cast.company_admin, "get", "/onboarding/first-sign-in").json()
    assert status["due"] is True
    wa = next(g for g in status["area_codes"] if g["state_code"] == "WA")
    assert {"area_code": "206", "label": "206 - Seattle"} in wa["area_codes"]
    body = {"choice": "new_number", "area_code": "206", "user_id": cast.sales_user.pk}
    assert call(cast.billing_user, "post", "/onboarding/first-sign-in", body).status_code == 403
    assert call(cast.read_only_admin, "post", "/onboarding/first-sign-in", body).status_code == 403
    outsider = {**body, "company_id": cast.company.pk}
    assert (
        call(cast.outsider_admin, "post", "/onboarding/first-sign-in", outsider).status_code == 404
    )
    response = call(
        cast.company_admin, "post", "/onboarding/first-sign-in", {**body, "choice": "maybe"}
    )
    assert response.status_code == 422 and response.json()["field"] == "choice"
    response = call(
        cast.company_admin, "post", "/onboarding/first-sign-in", {**body, "area_code": "000"}
    )
    assert response.status_code == 422 and response.json()["field"] == "area_code"
    response = call(cast.company_admin, "post", "/onboarding/first-sign-in", body)
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    assert response.json()["user"] == "Sarah Salesperson"
    inventory = call(cast.company_admin, "get", "/numbers/inventory").json()
    assert inventory["items"][0]["area_code"] == "206" and inventory["items"][0]["assigned"] == 1
    pool = call(cast.company_admin, "get", "/numbers", area_code="206", status="assigned").json()
    assert [n["number"] for n in pool["items"]] == [number]
    again = call(cast.company_admin, "post", "/onboarding/first-sign-in", body)
    assert again.status_code == 409
    assert call(cast.company_admin, "get", "/onboarding/first-sign-in").json()["due"] is False


def test_keep_number_api(cast: Cast, call: Call) -> None:
    response = call(
        cast.company_admin,
        "post",
        "/onboarding/first-sign-in",
        {
            "choice": "keep_number",
            "numbers": ["(206) 555-0147"],
            "carrier": "Old Telco",
            "new_user": None,
            "user_id": cast.billing_user.pk,
        },
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["temporary"] is True and data["port_numbers"] == ["+12065550147"]
    assert "current carrier until the port completes" in data["message"]
    response = call(
        cast.operator,
        "post",
        "/onboarding/first-sign-in",
        {"choice": "keep_number", "numbers": ["nope"], "company_id": cast.outsider_company.pk},
    )
    assert response.status_code == 422 and response.json()["field"] == "numbers"


def test_openapi_lists_the_paths(db: None, client: Any) -> None:
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/onboarding/orders",
        "/api/v1/onboarding/orders/{order_id}",
        "/api/v1/onboarding/orders/{order_id}/documents",
        "/api/v1/onboarding/orders/{order_id}/checklist",
        "/api/v1/onboarding/orders/{order_id}/configuration",
        "/api/v1/onboarding/orders/{order_id}/complete",
        "/api/v1/onboarding/foc-readiness",
        "/api/v1/onboarding/first-sign-in",
        "/api/v1/notifications",
    ):
        assert path in paths, path


def test_csv_numbers_with_a_huge_value_is_a_clear_422(
    partner: User, call: Call, order_id: int
) -> None:
    upload(call, partner, order_id, "payment_authorization", pdf_bytes())
    huge = b"number,use,note\n2065550147,fax," + b"x" * 200_000 + b"\n"
    response = call(
        partner,
        "post",
        f"/onboarding/orders/{order_id}/numbers/csv",
        files={"file": SimpleUploadedFile("n.csv", huge)},
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == ("value_too_long", "file")
    assert "Line 2" in body["message"]
    assert call(partner, "get", f"/onboarding/orders/{order_id}").json()["port_numbers"] == []


def test_csv_numbers_with_too_many_rows_is_a_clear_422(
    partner: User, call: Call, order_id: int
) -> None:
    upload(call, partner, order_id, "payment_authorization", pdf_bytes())
    rows = "".join(f"206555{n:04d},fax\n" for n in range(201))
    response = call(
        partner,
        "post",
        f"/onboarding/orders/{order_id}/numbers/csv",
        files={"file": SimpleUploadedFile("n.csv", ("number,use\n" + rows).encode())},
    )
    assert response.status_code == 422, response.content
    assert (response.json()["code"], response.json()["field"]) == ("too_many_rows", "file")
    assert call(partner, "get", f"/onboarding/orders/{order_id}").json()["port_numbers"] == []
