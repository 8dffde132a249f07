"""The numbers API: paths used by outside checks, with outsider, fax user and bad input."""

from __future__ import annotations

import pytest
from django.test import Client

from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create

from cast import Cast


def client_for(user: User) -> Client:
    from faxline.accounts.access import Actor

    secret = api_key_create(actor=Actor(user=user), name="test").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def admin(cast: Cast) -> Client:
    return client_for(cast.company_admin)


def available(client: Client, area: str = "206", count: int = 2) -> list[str]:
    response = client.get(f"/api/v1/numbers/available?country=US&area_code={area}&count={count}")
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_request_then_inventory_and_assign(cast: Cast, admin: Client) -> None:
    numbers = available(admin)
    response = admin.post(
        "/api/v1/numbers/requests", {"numbers": numbers}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    rows = admin.get("/api/v1/numbers/inventory").json()
    assert rows["items"] == [
        {
            "country": "US",
            "area_code": "206",
            "location": "USA, 206 (WA)",
            "unassigned": 2,
            "assigned": 0,
            "pending": 0,
        }
    ]
    assert rows["total"]["unassigned"] == 2
    response = admin.post(
        f"/api/v1/numbers/{numbers[0]}/assign",
        {"user_id": cast.sales_user.pk},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["assignee"] == "Sarah Salesperson"
    pool = admin.get("/api/v1/numbers?area_code=206&status=assigned").json()
    assert [n["number"] for n in pool["items"]] == [numbers[0]]
    response = admin.post(f"/api/v1/numbers/{numbers[0]}/unassign")
    assert response.status_code == 200
    assert response.json()["user_id"] is None


def test_taken_number_named(cast: Cast, admin: Client) -> None:
    numbers = available(admin, count=1)
    other = client_for(cast.outsider_admin)
    assert (
        other.post(
            "/api/v1/numbers/requests", {"numbers": numbers}, content_type="application/json"
        ).status_code
        == 201
    )
    response = admin.post(
        "/api/v1/numbers/requests", {"numbers": numbers}, content_type="application/json"
    )
    assert response.status_code == 409
    assert numbers[0] in response.json()["message"]
    assert response.json()["field"] == "numbers"


def test_fax_user_gets_403(cast: Cast, admin: Client) -> None:
    numbers = available(admin, count=1)
    response = client_for(cast.sales_user).post(
        "/api/v1/numbers/requests", {"numbers": numbers}, content_type="application/json"
    )
    assert response.status_code == 403


def test_outsider_gets_404(cast: Cast, admin: Client) -> None:
    numbers = available(admin, count=1)
    admin.post("/api/v1/numbers/requests", {"numbers": numbers}, content_type="application/json")
    other = client_for(cast.outsider_admin)
    assert other.post(f"/api/v1/numbers/{numbers[0]}/unassign").status_code == 404
    response = other.post(
        f"/api/v1/numbers/{numbers[0]}/assign",
        {"user_id": cast.outsider_user.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    # Assigning one's own number to another company's user: that user does not exist for you.
    response = admin.post(
        f"/api/v1/numbers/{numbers[0]}/assign",
        {"user_id": cast.outsider_user.pk},
        content_type="application/json",
    )
    assert response.status_code == 404
    assert other.get(f"/api/v1/numbers/inventory?company_id={cast.company.pk}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"numbers": ["not a number"]}, "numbers"),
        ({"numbers": []}, "numbers"),
        ({"numbers": "+12065550123"}, "numbers"),
        ({}, "numbers"),
    ],
)
def test_bad_request_names_field(cast: Cast, admin: Client, body: dict, field: str) -> None:
    response = admin.post("/api/v1/numbers/requests", body, content_type="application/json")
    assert response.status_code in (400, 422)
    assert response.json()["field"] == field


def test_bad_area_code_and_no_credentials(cast: Cast, admin: Client) -> None:
    response = admin.get("/api/v1/numbers/available?country=US&area_code=999")
    assert response.status_code == 422
    assert response.json()["field"] == "area_code"
    assert Client().get("/api/v1/numbers/inventory").status_code == 401


def test_operator_raises_limit(cast: Cast, admin: Client) -> None:
    operator = client_for(cast.operator)
    url = f"/api/v1/companies/{cast.company.pk}/max-inventory"
    assert admin.put(url, {"max_inventory": 99}, content_type="application/json").status_code == 403
    response = operator.put(url, {"max_inventory": 1}, content_type="application/json")
    assert response.status_code == 200
    response = admin.post(
        "/api/v1/numbers/requests",
        {"numbers": available(admin, count=2)},
        content_type="application/json",
    )
    assert response.status_code == 409
    assert "maximum inventory is 1" in response.json()["message"]


def test_stock_import_reads_through_the_shared_csv_reader(cast: Cast) -> None:
    operator = client_for(cast.operator)
    from django.core.files.uploadedfile import SimpleUploadedFile

    def post(data: bytes) -> dict[str, object]:
        response = operator.post(
            "/api/v1/numbers/stock", {"file": SimpleUploadedFile("stock.csv", data)}
        )
        assert response.status_code in (200, 422), response.content
        return {"status": response.status_code, **response.json()}

    # One 200 kB value: a clear refusal naming the line, not a crash, and nothing imported.
    huge = post(b"number,carrier\n+12065550100," + b"x" * 200_000 + b"\n")
    assert (huge["status"], huge["code"], huge["field"]) == (422, "value_too_long", "file")
    assert "Line 2" in str(huge["message"])
    # Extra columns are ignored; rows are reported with the line they start on.
    report = post(b"number,carrier,rate_center\n\n+12065550100,Acme,Seattle\nnonsense,X,Y\n")
    assert report["imported"] == ["+12065550100"]
    refused = report["refused"]
    assert isinstance(refused, list)
    assert [(r["line"], r["number"]) for r in refused] == [(4, "nonsense")]
    assert post(b"\xff\xfe\x00n")["code"] == "file_not_text"
    assert post(b"number\n")["code"] == "no_rows"
