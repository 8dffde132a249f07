"""The Number Porting API (customer side): every path, with outsider (404), fax user (403),
read-only (403 on writes), bad input (422 naming the field, nothing written), and never a
PIN, a full account number or a private note in a customer's response."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpResponse
from django.test import Client
from porting_support import add_bill, ready_request, request_data, sign_loa

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.porting.choices import PortStatus
from faxline.porting.models import ChangeRequest, PortNote, PortRequest
from faxline.porting.requests import services

from cast import Cast

Call = Callable[..., HttpResponse]
PIN = "4321"
ACCOUNT = "ACCT-998877"


@pytest.fixture(autouse=True)
def _monday() -> Any:
    with time_machine.travel(datetime(2026, 12, 7, 15, tzinfo=UTC)):
        yield


@pytest.fixture
def call(client: Client) -> Call:
    """``call(user, "post", "/port-requests", {...})``: a JSON request to /api/v1 with an API
    key of ``user`` (None: without credentials); ``files=`` sends a multipart form."""
    keys: dict[int, str] = {}

    def send(
        user: User | None,
        method: str,
        path: str,
        body: Any = None,
        *,
        files: dict[str, Any] | None = None,
        **query: Any,
    ) -> HttpResponse:
        headers = {}
        if user is not None:
            if user.pk not in keys:
                keys[user.pk] = api_key_create(actor=Actor(user=user), name="tests").secret
            headers["HTTP_AUTHORIZATION"] = f"Bearer {keys[user.pk]}"
        fn = getattr(client, method.lower())
        url = "/api/v1" + path
        if files is not None:
            return fn(url, data=files, **headers)  # type: ignore[no-any-return]
        if method.lower() == "get":
            return fn(url, data=query, **headers)  # type: ignore[no-any-return]
        data = json.dumps(body) if body is not None else None
        return fn(url, data=data, content_type="application/json", **headers)  # type: ignore[no-any-return]

    return send


def body(**changes: Any) -> dict[str, Any]:
    data = request_data(pin=PIN, **changes)
    return data


def no_secrets(response: HttpResponse) -> None:
    content = response.content.decode()
    assert PIN not in content and ACCOUNT not in content


def test_create_list_detail(cast: Cast, call: Call) -> None:
    response = call(cast.company_admin, "post", "/port-requests", body())
    assert response.status_code == 201, response.content
    no_secrets(response)
    created = response.json()
    assert created["status"] == "draft" and created["company"] == "Acme Corp"
    assert created["account_number_masked"].endswith("8877") and created["pin_on_file"] is True
    assert created["numbers"] == [
        {"number": "+12062345678", "line_type": "landline", "status": "requested"}
    ]
    assert created["loa_signed"] is False and created["rejection"] is None
    listed = call(cast.company_admin, "get", "/port-requests")
    assert listed.json()["count"] == 1 and listed.json()["items"][0]["id"] == created["id"]
    no_secrets(listed)
    assert call(cast.company_admin, "get", "/port-requests", status="new").json()["count"] == 0
    assert call(cast.company_admin, "get", "/port-requests", search="2345678").json()["count"] == 1
    assert (
        call(cast.company_admin, "get", "/port-requests", action_required=True).json()["count"] == 0
    )
    assert call(cast.company_admin, "get", "/port-requests", status="bogus").status_code == 422
    assert call(cast.company_admin, "get", "/port-requests", limit=0).json()["field"] == "limit"
    detail = call(cast.company_admin, "get", f"/port-requests/{created['id']}")
    assert detail.status_code == 200 and detail.json()["id"] == created["id"]
    no_secrets(detail)
    # The read-only administrator reads; the operator sees every company.
    assert call(cast.read_only_admin, "get", "/port-requests").json()["count"] == 1
    assert call(cast.operator, "get", "/port-requests").json()["count"] == 1


def test_scope_and_rights(cast: Cast, call: Call) -> None:
    port = ready_request(cast.actor(cast.company_admin), cast.company)
    path = f"/port-requests/{port.pk}"
    assert call(cast.outsider_admin, "get", "/port-requests").json()["count"] == 0
    for method, suffix, payload in [
        ("get", "", None),
        ("patch", "", {"city": "Tacoma"}),
        ("get", "/findings", None),
        ("post", "/submit", None),
        ("post", "/cancel", {}),
        ("get", "/notes", None),
        ("post", "/notes", {"body": "hi"}),
        ("get", "/timeline", None),
        ("get", "/changes", None),
        ("post", "/changes", {"changes": {"city": "Tacoma"}, "reason": "x"}),
    ]:
        response = call(cast.outsider_admin, method, path + suffix, payload)
        assert response.status_code == 404, (method, suffix, response.content)
        response = call(cast.billing_user, method, path + suffix, payload)
        assert response.status_code == 403, (method, suffix, response.content)
    assert call(cast.billing_user, "get", "/port-requests").status_code == 403
    assert call(cast.billing_user, "post", "/port-requests", body()).status_code == 403
    assert call(None, "get", "/port-requests").status_code == 401
    # Read-only: reads yes, writes 403.
    assert call(cast.read_only_admin, "get", path).status_code == 200
    for method, suffix, payload in [
        ("patch", "", {"city": "Tacoma"}),
        ("post", "/submit", None),
        ("post", "/cancel", {}),
        ("post", "/notes", {"body": "hi"}),
    ]:
        response = call(cast.read_only_admin, method, path + suffix, payload)
        assert response.status_code == 403, (method, suffix, response.content)
    assert call(cast.read_only_admin, "post", "/port-requests", body()).status_code == 403
    # Outsider cannot create in another company.
    outsider = call(cast.outsider_admin, "post", "/port-requests", body(company_id=cast.company.pk))
    assert outsider.status_code == 404
    port.refresh_from_db()
    assert port.status == PortStatus.DRAFT and port.city == "Seattle"
    assert PortRequest.objects.count() == 1


def test_bad_input_names_the_field_and_writes_nothing(cast: Cast, call: Call) -> None:
    admin = cast.company_admin
    cases = [
        (body(contact_email="nope"), "contact_email"),
        (body(numbers=[]), "numbers"),
        (body(numbers=[{"number": "555"}]), "numbers[0].number"),
        (body(numbers=[{"number": "+12062345678", "line_type": "fax"}]), "numbers.0.line_type"),
        (body(btn="12"), "btn"),
        (body(state="Washington State"), "state"),
        (body(country="MX"), "country"),
        ({k: v for k, v in body().items() if k != "losing_carrier"}, "losing_carrier"),
        (body(shared_line_uses=["toaster"]), "shared_line_uses.0"),
        (body(requested_date="soon"), "requested_date"),
    ]
    for payload, field in cases:
        response = call(admin, "post", "/port-requests", payload)
        assert response.status_code == 422, (field, response.content)
        assert response.json()["field"] == field, response.json()
    assert call(cast.operator, "post", "/port-requests", body()).json()["field"] == "company_id"
    assert not PortRequest.objects.exists()
    port = ready_request(cast.actor(admin), cast.company)
    response = call(admin, "patch", f"/port-requests/{port.pk}", {"postal_code": "", "city": "X"})
    assert response.status_code == 422 and response.json()["field"] == "postal_code"
    response = call(admin, "patch", f"/port-requests/{port.pk}", {})
    assert response.status_code == 422
    port.refresh_from_db()
    assert (port.city, port.postal_code) == ("Seattle", "98101")


def test_patch_findings_submit(cast: Cast, call: Call) -> None:
    admin = cast.company_admin
    port_id = call(admin, "post", "/port-requests", body()).json()["id"]
    path = f"/port-requests/{port_id}"
    response = call(admin, "patch", path, {"unit": "Suite 16", "account_number": "ACCT-55551234"})
    assert response.status_code == 200 and response.json()["service_address"]["unit"] == "Suite 16"
    assert "ACCT-55551234" not in response.content.decode()
    assert response.json()["account_number_masked"].endswith("1234")
    findings = call(admin, "get", path + "/findings").json()
    codes = {f["code"] for f in findings["findings"]}
    assert {"LOA_MISSING", "BILL_MISSING", "CSR_MISSING"} <= codes
    assert findings["ready"] is False and findings["loa_signed"] is False
    refused = call(admin, "post", path + "/submit")
    assert refused.status_code == 409 and refused.json()["code"] == "loa_not_signed"
    port = PortRequest.objects.get(pk=port_id)
    sign_loa(port)
    refused = call(admin, "post", path + "/submit")
    assert refused.status_code == 422 and refused.json()["code"] == "BILL_MISSING"
    add_bill(port)
    assert call(admin, "get", path + "/findings").json()["ready"] is True
    submitted = call(admin, "post", path + "/submit")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "new" and submitted.json()["eta"]
    # After submission PATCH is refused: changes go through the porting team.
    refused = call(admin, "patch", path, {"city": "Tacoma"})
    assert refused.status_code == 409 and refused.json()["code"] == "not_editable"


def test_rejection_reopens_only_named_fields(cast: Cast, call: Call) -> None:
    admin, team = cast.actor(cast.company_admin), cast.actor(cast.operator)
    port = ready_request(admin, cast.company)
    services.port_request_submit(actor=admin, request=port)
    services.port_request_accept(actor=team, request=port)
    services.port_request_reject(actor=team, request=port, code="7402", fields_to_fix=["unit"])
    path = f"/port-requests/{port.pk}"
    data = call(cast.company_admin, "get", path).json()
    assert data["rejection"]["code"] == "7402" and "CSR" in data["rejection"]["remedy"]
    assert data["fields_to_fix"] == ["unit"] and data["action_required"] is True
    refused = call(cast.company_admin, "patch", path, {"city": "Tacoma"})
    assert refused.status_code == 403 and refused.json()["field"] == "city"
    assert call(cast.company_admin, "patch", path, {"unit": "Suite 51"}).status_code == 200
    listed = call(cast.company_admin, "get", "/port-requests", action_required=True).json()
    assert listed["count"] == 1


def test_cancel(cast: Cast, call: Call) -> None:
    admin, team = cast.actor(cast.company_admin), cast.actor(cast.operator)
    port = ready_request(admin, cast.company)
    services.port_request_submit(actor=admin, request=port)
    services.port_request_accept(actor=team, request=port)
    path = f"/port-requests/{port.pk}/cancel"
    refused = call(cast.company_admin, "post", path, {"reason": "no"})
    assert refused.status_code == 403 and refused.json()["code"] == "cancel_needs_porting_team"
    done = call(cast.operator, "post", path, {"reason": "asked by phone"})
    assert done.status_code == 200 and done.json()["status"] == "cancelled"
    again = call(cast.operator, "post", path)
    assert again.status_code == 409


def test_notes_private_ones_never_reach_customers(cast: Cast, call: Call) -> None:
    admin = cast.actor(cast.company_admin)
    port = ready_request(admin, cast.company)
    path = f"/port-requests/{port.pk}/notes"
    private = call(cast.operator, "post", path, {"body": "Agent eyes only", "private": True})
    assert private.status_code == 201 and private.json()["private"] is True
    public = call(cast.operator, "post", path, {"body": "Please confirm", "action_required": True})
    assert public.status_code == 201
    mine = call(cast.company_admin, "post", path, {"body": "Confirmed."})
    assert mine.status_code == 201 and mine.json()["from_porting_team"] is False
    refused = call(cast.company_admin, "post", path, {"body": "x", "private": True})
    assert refused.status_code == 403
    empty = call(cast.company_admin, "post", path, {"body": "  "})
    assert empty.status_code == 422 and empty.json()["field"] == "body"
    assert call(cast.company_admin, "post", path, {}).json()["field"] == "body"
    notes = call(cast.company_admin, "get", path)
    assert [n["body"] for n in notes.json()["items"]] == ["Please confirm", "Confirmed."]
    assert "Agent eyes only" not in notes.content.decode()
    timeline = call(cast.company_admin, "get", f"/port-requests/{port.pk}/timeline")
    assert "Agent eyes only" not in timeline.content.decode()
    assert "Request started" in [e["title"] for e in timeline.json()["items"]]
    team = call(cast.operator, "get", path).json()
    assert team["count"] == 3 and team["items"][0]["private"] is True
    assert PortNote.objects.count() == 3


def test_change_request_accepted_by_the_team_changes_the_request(cast: Cast, call: Call) -> None:
    admin = cast.actor(cast.company_admin)
    port = ready_request(admin, cast.company)
    path = f"/port-requests/{port.pk}/changes"
    early = call(cast.company_admin, "post", path, {"changes": {"unit": "Suite 51"}, "reason": "x"})
    assert early.status_code == 409 and early.json()["code"] == "edit_directly"
    services.port_request_submit(actor=admin, request=port)
    for payload, field in [
        ({"changes": {}, "reason": "x"}, "changes"),
        ({"changes": {"unit": "Suite 51"}, "reason": ""}, "reason"),
        ({"changes": {"colour": "red"}, "reason": "x"}, "colour"),
        ({"changes": {"btn": "12"}, "reason": "x"}, "btn"),
        ({"reason": "x"}, "changes"),
    ]:
        response = call(cast.company_admin, "post", path, payload)
        assert response.status_code == 422, (payload, response.content)
        assert response.json()["field"] == field
    assert not ChangeRequest.objects.exists()
    asked = call(
        cast.company_admin,
        "post",
        path,
        {"changes": {"unit": "Suite 51", "pin": "9999"}, "reason": "The CSR says 51"},
    )
    assert asked.status_code == 201, asked.content
    assert "9999" not in asked.content.decode()
    change_id = asked.json()["id"]
    assert {c["field"]: c["value"] for c in asked.json()["changes"]} == {
        "unit": "Suite 51",
        "pin": "••••",
    }
    listed = call(cast.company_admin, "get", path).json()
    assert listed["count"] == 1 and listed["items"][0]["status"] == "open"
    # Only the porting team decides.
    accept = f"{path}/{change_id}/accept"
    assert call(cast.company_admin, "post", accept, {}).status_code == 403
    decided = call(cast.operator, "post", accept, {"note": "Passed to the carrier"})
    assert decided.status_code == 200 and decided.json()["status"] == "accepted"
    port.refresh_from_db()
    assert (port.unit, port.pin) == ("Suite 51", "9999")
    assert call(cast.operator, "post", accept, {}).status_code == 409
    detail = call(cast.company_admin, "get", f"/port-requests/{port.pk}")
    assert detail.json()["service_address"]["unit"] == "Suite 51"
    no_secrets(detail)
    assert "9999" not in detail.content.decode()


def test_change_request_refused(cast: Cast, call: Call) -> None:
    admin = cast.actor(cast.company_admin)
    port = ready_request(admin, cast.company)
    services.port_request_submit(actor=admin, request=port)
    path = f"/port-requests/{port.pk}/changes"
    change_id = call(
        cast.company_admin, "post", path, {"changes": {"city": "Tacoma"}, "reason": "Moved"}
    ).json()["id"]
    refuse = f"{path}/{change_id}/refuse"
    assert call(cast.operator, "post", refuse, {"note": ""}).json()["field"] == "reason"
    done = call(cast.operator, "post", refuse, {"note": "The carrier has the old one."})
    assert done.json()["status"] == "refused"
    assert done.json()["decision_note"] == "The carrier has the old one."
    port.refresh_from_db()
    assert port.city == "Seattle"
    assert call(cast.outsider_admin, "post", refuse, {"note": "x"}).status_code == 404


def test_bulk(cast: Cast, call: Call) -> None:
    from test_port_bulk import csv_bytes, five_numbers

    upload = SimpleUploadedFile("ports.csv", csv_bytes(five_numbers()), content_type="text/csv")
    response = call(cast.company_admin, "post", "/port-requests/bulk", files={"file": upload})
    assert response.status_code == 200, response.content
    report = response.json()
    assert (report["rows"], report["created"], report["refused"]) == (5, 3, 0)
    assert len(report["request_ids"]) == 3 and "ACCT-1001" not in response.content.decode()
    bad = SimpleUploadedFile("x.csv", b"number,foo\n1,2\n")
    response = call(cast.company_admin, "post", "/port-requests/bulk", files={"file": bad})
    assert response.status_code == 422 and response.json()["field"] == "file"
    again = SimpleUploadedFile("ports.csv", csv_bytes(five_numbers()))
    response = call(cast.read_only_admin, "post", "/port-requests/bulk", files={"file": again})
    assert response.status_code == 403
    again = SimpleUploadedFile("ports.csv", csv_bytes(five_numbers()))
    response = call(cast.operator, "post", "/port-requests/bulk", files={"file": again})
    assert response.status_code == 422 and response.json()["field"] == "company_id"
    again = SimpleUploadedFile("ports.csv", csv_bytes(five_numbers()))
    response = call(
        cast.outsider_admin,
        "post",
        "/port-requests/bulk",
        files={"file": again, "company_id": str(cast.company.pk)},
    )
    assert response.status_code == 404
    assert PortRequest.objects.count() == 3


def test_openapi_documents_the_paths(cast: Cast, client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    for path in (
        "/api/v1/port-requests",
        "/api/v1/port-requests/{request_id}",
        "/api/v1/port-requests/{request_id}/findings",
        "/api/v1/port-requests/{request_id}/submit",
        "/api/v1/port-requests/{request_id}/cancel",
        "/api/v1/port-requests/{request_id}/notes",
        "/api/v1/port-requests/{request_id}/timeline",
        "/api/v1/port-requests/{request_id}/changes",
        "/api/v1/port-requests/bulk",
    ):
        assert path in schema["paths"], path
    created = schema["paths"]["/api/v1/port-requests"]["post"]
    assert created["tags"] == ["Number Porting"]
    out = json.dumps(schema["components"]["schemas"]["PortRequestOut"])
    assert '"pin"' not in out and '"account_number"' not in out


def test_create_can_keep_the_address_as_the_wizard_does(cast: Cast, call: Call) -> None:
    from faxline.porting.models import ServiceAddress

    plain = call(cast.company_admin, "post", "/port-requests", body())
    assert plain.status_code == 201 and not ServiceAddress.objects.exists()
    kept = call(
        cast.company_admin,
        "post",
        "/port-requests",
        {**body(numbers=[{"number": "+12062345679"}]), "save_address": True},
    )
    assert kept.status_code == 201, kept.content
    address = ServiceAddress.objects.get(company=cast.company)
    assert (address.street, address.city, address.state) == (
        "1313 Mockingbird Lane",
        "Seattle",
        "WA",
    )
    # A refused request keeps no address either (one transaction).
    refused = call(
        cast.company_admin,
        "post",
        "/port-requests",
        {**body(street="9 Elm St", business_name=""), "save_address": True},
    )
    assert refused.status_code == 422
    assert ServiceAddress.objects.count() == 1


def test_the_api_takes_the_request_fields_of_the_one_list() -> None:
    from faxline.porting.requests.api import PortRequestFields
    from faxline.porting.requests.fields import REQUEST_FIELDS

    assert sorted(PortRequestFields.model_fields) == sorted(REQUEST_FIELDS)
