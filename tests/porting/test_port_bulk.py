"""Bulk port requests: a CSV of many numbers split into one Draft per losing carrier + BTN +
service address + authorized person; all or nothing per group; file checks and limits; the
wizard's pasted list of numbers; the portal page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from faxline.core.errors import Forbidden, NotFound, ValidationFailed
from faxline.porting.choices import PortStatus
from faxline.porting.models import PortNumber, PortRequest
from faxline.porting.requests import bulk
from faxline.porting.requests.bulk import numbers_from_text, port_requests_bulk_create

from cast import Cast

BASE = {
    "line_type": "landline",
    "account_number": "ACCT-1001",
    "pin": "",
    "business_name": "Acme Corp",
    "authorized_name": "Carol Chief",
    "authorized_title": "CEO",
    "authorized_email": "carol@acme.example",
    "street": "1313 Mockingbird Lane",
    "unit": "Suite 15",
    "city": "Seattle",
    "state": "WA",
    "postal_code": "98101",
    "country": "US",
    "contact_first_name": "",
    "contact_last_name": "",
    "contact_email": "",
    "contact_phone": "",
}


@pytest.fixture(autouse=True)
def _monday() -> Any:
    with time_machine.travel(datetime(2026, 12, 7, 15, tzinfo=UTC)):
        yield


def row(number: str, carrier: str, btn: str, **changes: str) -> dict[str, str]:
    return {"number": number, "losing_carrier": carrier, "btn": btn, **BASE, **changes}


def csv_bytes(rows: list[dict[str, str]], columns: tuple[str, ...] = bulk.COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def five_numbers() -> list[dict[str, str]]:
    """5 numbers over 2 carriers and 2 BTNs: Old Telco / 2062345600 (2 numbers), Old Telco /
    2062345700 (1), Other Tel / 2062345700 (2): three accounts, three requests."""
    return [
        row("+1 206 234 5601", "Old Telco", "2062345600"),
        row("(206) 234-5602", "Old Telco", "+12062345600"),
        row("206.234.5701", "Old Telco", "2062345700", account_number="ACCT-2002"),
        row("2062345702", "Other Tel", "2062345700", account_number="OT-77"),
        row("2062345703", "other tel ", "206-234-5700", account_number="OT-77"),
    ]


def test_five_numbers_two_carriers_two_btns_make_three_requests(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    report = port_requests_bulk_create(
        actor=admin, company=cast.company, data=csv_bytes(five_numbers())
    )
    assert (report.rows, report.created, report.refused) == (5, 3, 0)
    assert report.refused_rows == []
    requests = PortRequest.objects.filter(pk__in=report.request_ids).order_by("pk")
    assert [r.status for r in requests] == [PortStatus.DRAFT] * 3
    shape = [
        (r.losing_carrier, r.btn, sorted(r.numbers.values_list("number", flat=True)))
        for r in requests
    ]
    assert shape == [
        ("Old Telco", "+12062345600", ["+12062345601", "+12062345602"]),
        ("Old Telco", "+12062345700", ["+12062345701"]),
        ("Other Tel", "+12062345700", ["+12062345702", "+12062345703"]),
    ]
    first = requests[0]
    # Blank contact columns default to the person importing; secrets are stored encrypted.
    assert (first.contact_first_name, first.contact_email) == ("Carol", "carol@acme.example")
    assert first.account_number == "ACCT-1001"
    assert [g.rows for g in report.groups] == [[1, 2], [3], [4, 5]]


def test_address_and_authorized_person_split_groups(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    rows = [
        row("2062345601", "Old Telco", "2062345600"),
        row("2062345602", "Old Telco", "2062345600", street="1 Other Street"),
        row("2062345603", "Old Telco", "2062345600", authorized_name="Dana Dept"),
        # Case and spacing do not split a group.
        row("2062345604", "Old Telco", "2062345600", street="1313  MOCKINGBIRD lane"),
    ]
    report = port_requests_bulk_create(actor=admin, company=cast.company, data=csv_bytes(rows))
    assert report.created == 3
    assert [g.rows for g in report.groups] == [[1, 4], [2], [3]]


def test_a_refused_row_refuses_its_group_only(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    rows = five_numbers()
    rows[1]["number"] = "555"  # group 1 loses a row: it is not created at all
    rows[4]["line_type"] = "carrier-pigeon"  # group 3 too
    report = port_requests_bulk_create(actor=admin, company=cast.company, data=csv_bytes(rows))
    assert report.created == 1 and report.refused == 2
    assert [(p.row, p.field) for p in report.refused_rows] == [(2, "number"), (5, "line_type")]
    statuses = [(g.rows, g.status) for g in report.groups]
    assert statuses == [([1, 2], "refused"), ([3], "created"), ([4, 5], "refused")]
    assert "row 2 of this group was refused" in report.groups[0].message
    assert PortRequest.objects.count() == 1
    assert PortNumber.objects.count() == 1


def test_rows_of_one_group_must_agree(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    rows = five_numbers()
    rows[1]["account_number"] = "ACCT-9999"
    report = port_requests_bulk_create(actor=admin, company=cast.company, data=csv_bytes(rows))
    group = report.groups[0]
    assert (group.status, group.field) == ("refused", "account_number")
    assert report.created == 2


def test_duplicates_and_service_refusals_are_reported(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    rows = five_numbers()
    rows[2]["number"] = rows[0]["number"]  # the same number twice in the file
    rows[3]["contact_email"] = "not-an-email"  # the service refuses the group
    report = port_requests_bulk_create(actor=admin, company=cast.company, data=csv_bytes(rows))
    assert report.refused_rows[0].row == 3 and "listed twice" in report.refused_rows[0].message
    refused = {g.index: (g.field, g.message) for g in report.groups if g.status == "refused"}
    assert refused[3][0] == "contact_email"
    assert report.created == 1


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "file_empty"),
        (b"number,foo\n2062345601,x\n", "unknown_columns"),
        (b"number,losing_carrier\n2062345601,x\n", "bad_header"),
        (b"\x00\x01\x02", "file_not_text"),
        ("number\n".encode("utf-16"), "file_not_text"),
        (b"\xff\xfenumber", "file_not_utf8"),
        (",".join(bulk.COLUMNS).encode() + b"\n", "no_rows"),
    ],
)
def test_file_problems_create_nothing(cast: Cast, data: bytes, code: str) -> None:
    admin = cast.actor(cast.company_admin)
    with pytest.raises(ValidationFailed) as err:
        port_requests_bulk_create(actor=admin, company=cast.company, data=data)
    assert (err.value.code, err.value.field) == (code, "file")
    assert not PortRequest.objects.exists()


def test_limits(cast: Cast, monkeypatch: pytest.MonkeyPatch) -> None:
    admin = cast.actor(cast.company_admin)
    monkeypatch.setattr(bulk, "MAX_ROWS", 2)
    with pytest.raises(ValidationFailed) as err:
        port_requests_bulk_create(actor=admin, company=cast.company, data=csv_bytes(five_numbers()))
    assert err.value.code == "too_many_rows"
    with pytest.raises(ValidationFailed) as err:
        port_requests_bulk_create(
            actor=admin, company=cast.company, data=b"number\n" + b"x" * (bulk.MAX_BYTES + 1)
        )
    assert err.value.code == "file_too_large"
    monkeypatch.setattr(bulk, "MAX_ROWS", 2000)
    monkeypatch.setattr(bulk, "MAX_NUMBERS", 1)
    report = port_requests_bulk_create(
        actor=admin, company=cast.company, data=csv_bytes(five_numbers())
    )
    assert report.created == 1  # only the one-number group fits
    assert not PortRequest.objects.exclude(pk__in=report.request_ids).exists()


def test_rights(cast: Cast) -> None:
    data = csv_bytes(five_numbers())
    with pytest.raises(Forbidden):
        port_requests_bulk_create(
            actor=cast.actor(cast.read_only_admin), company=cast.company, data=data
        )
    with pytest.raises(NotFound):
        port_requests_bulk_create(
            actor=cast.actor(cast.outsider_admin), company=cast.company, data=data
        )
    with pytest.raises(NotFound):
        port_requests_bulk_create(
            actor=cast.actor(cast.billing_user), company=cast.company, data=data
        )
    assert not PortRequest.objects.exists()
    report = port_requests_bulk_create(
        actor=cast.actor(cast.operator), company=cast.company, data=data
    )
    assert report.created == 3


def test_numbers_from_text() -> None:
    found = numbers_from_text(
        "number,line_type\n2062345601,wireless\n\n(206) 234-5602\n555\n2062345601"
    )
    assert found.numbers == [("+12062345601", "wireless"), ("+12062345602", "landline")]
    assert found.problems == ["Line 5: '555' is not a valid US or Canadian number."]
    plain = numbers_from_text("2062345601, voip\n2062345603,fax")
    assert plain.numbers == [("+12062345601", "voip")]
    assert "line type 'fax'" in plain.problems[0]
    assert numbers_from_text("1\n2\n", limit=0).numbers == []


def test_bulk_page(cast: Cast) -> None:
    client = Client()
    client.force_login(cast.company_admin)
    url = reverse("porting:bulk")
    page = client.get(url)
    assert page.status_code == 200 and "Download a sample CSV" in page.content.decode()
    sample = client.get(url + "?sample=1")
    assert sample["Content-Type"].startswith("text/csv")
    assert sample.content.decode().splitlines()[0] == ",".join(bulk.COLUMNS)
    # Each value stands in its own column (the contact's phone is a phone number).
    rows = list(csv.DictReader(io.StringIO(sample.content.decode())))
    assert rows[0]["contact_phone"] == "+1 206 555 0199"
    assert rows[0]["contact_email"] == "carol@acme.example"
    assert [r["number"] for r in rows] == ["+1 206 555 0100", "+1 206 555 0101"]
    imported = client.post(
        url, {"file": SimpleUploadedFile("sample.csv", sample.content, content_type="text/csv")}
    )
    assert "1 request created" in imported.content.decode(), imported.content.decode()
    PortRequest.objects.all().delete()
    upload = SimpleUploadedFile("ports.csv", csv_bytes(five_numbers()), content_type="text/csv")
    response = client.post(url, {"file": upload})
    text = response.content.decode()
    assert response.status_code == 200
    assert "3 requests created" in text and "0 groups refused" in text
    assert "ACCT-1001" not in text
    bad = client.post(url, {"file": SimpleUploadedFile("x.csv", b"foo\n1\n")})
    assert "Unknown column" in bad.content.decode()
    assert PortRequest.objects.count() == 3
    # Read-only administrators may not import; fax users see no porting at all.
    reader = Client()
    reader.force_login(cast.read_only_admin)
    assert reader.get(url).status_code == 403
    user = Client()
    user.force_login(cast.billing_user)
    assert user.get(url).status_code == 403


def test_the_columns_come_from_the_request_field_list() -> None:
    from faxline.porting.requests.fields import BY_NAME, FIELDS

    in_file = {f.name for f in FIELDS if f.csv}
    assert set(bulk.COLUMNS) | set(bulk.EXTRA_COLUMNS) == {"number", "line_type", *in_file}
    assert {c for c in bulk.REQUIRED_COLUMNS if c != "number"} <= {
        f.name for f in FIELDS if f.required
    }
    assert all(bulk.COLUMN_HELP[c] for c in (*bulk.COLUMNS, *bulk.EXTRA_COLUMNS))
    assert BY_NAME["account_number"].secret and BY_NAME["pin"].secret


def test_numbers_from_text_is_bounded_whatever_the_text() -> None:
    from faxline.porting.requests.bulk import MAX_TEXT_LINES, MAX_TEXT_PROBLEMS

    blank = numbers_from_text("\n" * (MAX_TEXT_LINES + 5) + "2062345601\n")
    assert blank.numbers == []
    assert blank.problems == [f"The list has more than {MAX_TEXT_LINES} lines; use Bulk import."]
    nonsense = numbers_from_text("555\n" * 1000)
    assert len(nonsense.problems) == MAX_TEXT_PROBLEMS + 1
    assert nonsense.problems[-1].startswith("Too many lines are wrong")
    repeats = numbers_from_text("2062345601\n" * 50_000, limit=3)
    assert repeats.numbers == [("+12062345601", "landline")]
    huge = numbers_from_text("number\n2062345601\n" + "x" * 200_000 + "\n")
    assert huge.numbers == [] and huge.problems[0].startswith("Line 3: a value is longer")
