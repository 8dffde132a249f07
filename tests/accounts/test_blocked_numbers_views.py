"""Outbound Number Blocking on the company's Fax tab through the test client: the section
for those who may see it, Add (typed, pasted, CSV; htmx and plain), the per-line report,
Lookup Number, Display All paged, Remove, Export; read-only administrators see no Add or
Remove, department administrators and other levels no section."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from faxline.accounts.models import BlockedNumber, User

from cast import Cast

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "fx-blocking"}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fax_tab(cast: Cast) -> str:
    return reverse("accounts:company_details", args=[cast.company.pk]) + "?tab=fax"


def add(client: Client, url: str, numbers: str = "", file: Any = None, **headers: Any) -> Any:
    data: dict[str, Any] = {"tab": "fax", "action": "block_add", "numbers": numbers}
    if file is not None:
        data["file"] = file
    return client.post(url, data, **headers)


def test_the_section_and_add_remove_round_trip(cast: Cast) -> None:
    client = signed_in(cast.company_admin)
    url = fax_tab(cast)
    page = client.get(url).content.decode()
    assert "Outbound Number Blocking" in page and "Blocked Number Count:" in page
    assert "Lookup Number" in page and "Display All" in page and "Export" in page
    assert "Total Number(s): 0" in page and "block_add=1" in page

    form = client.get(url + "&block_add=1", **HTMX).content.decode()
    assert form.lstrip().startswith("<section") and "Add blocked numbers" in form

    answer = add(client, url, "(732) 920-0193\n+44 20 7946 0958", **HTMX)
    assert answer.status_code == 200
    text = answer.content.decode()
    assert "2 numbers blocked" in text and "Total Number(s): 2" in text
    assert "+17329200193" in text and 'value="block_remove"' in text

    # Plain (no htmx): redirect back to the tab with the message.
    plain = add(client, url, "212-555-0100")
    assert plain.status_code == 302
    assert "1 number blocked" in client.get(plain["Location"]).content.decode()
    assert BlockedNumber.objects.count() == 3

    removed = client.post(
        url, {"tab": "fax", "action": "block_remove", "number": "+17329200193"}, **HTMX
    )
    assert removed.status_code == 200 and "+17329200193 removed" in removed.content.decode()
    assert not BlockedNumber.objects.filter(number="+17329200193").exists()
    missing = client.post(url, {"tab": "fax", "action": "block_remove", "number": "7329200193"})
    assert missing.status_code == 404


def test_bad_lines_are_named_and_nothing_is_added(cast: Cast) -> None:
    client = signed_in(cast.company_admin)
    answer = add(client, fax_tab(cast), "7329200193\n12345\nhello", **HTMX)
    text = answer.content.decode()
    assert "Nothing was added" in text and "line 2" in text and "line 3" in text
    assert 'data-testid="blocking-report"' in text and "Not a fax number" in text
    assert not BlockedNumber.objects.exists()
    # Without htmx the whole page comes back with 422 and the report.
    plain = add(client, fax_tab(cast), "12345")
    assert plain.status_code == 422 and "Fax Preferences" in plain.content.decode()
    assert 'data-testid="blocking-report"' in plain.content.decode()
    empty = add(client, fax_tab(cast), "", **HTMX)
    assert "Enter at least one fax number" in empty.content.decode()


def test_a_csv_import(cast: Cast) -> None:
    client = signed_in(cast.company_admin)
    upload = SimpleUploadedFile(
        "list.csv", b"Blocked Fax Number\n7329200193\n212-555-0100\n", "text/csv"
    )
    answer = add(client, fax_tab(cast), file=upload, **HTMX)
    assert "2 numbers blocked" in answer.content.decode()
    bad = SimpleUploadedFile("list.csv", b"\x00\x01", "text/csv")
    refused = add(client, fax_tab(cast), file=bad, **HTMX)
    assert "not a CSV text file" in refused.content.decode()
    assert BlockedNumber.objects.count() == 2


def test_lookup_and_display_all_are_paged(cast: Cast) -> None:
    BlockedNumber.objects.bulk_create(
        BlockedNumber(company=cast.company, number=f"+1212555{i:04d}") for i in range(30)
    )
    client = signed_in(cast.read_only_admin)
    url = fax_tab(cast)
    first = client.get(url).content.decode()
    assert first.count('data-testid="blocked-row"') == 25
    assert "Total Number(s): 30" in first and "block_page=2" in first
    second = client.get(url + "&block_page=2", **HTMX).content.decode()
    assert second.count('data-testid="blocked-row"') == 5
    found = client.get(url + "&block_q=(212) 555-0007", **HTMX).content.decode()
    assert found.count('data-testid="blocked-row"') == 1 and "+12125550007" in found
    assert 'data-testid="blocked-count">30<' in found
    none = client.get(url + "&block_q=9999999", **HTMX).content.decode()
    assert "No blocked number matches" in none


def test_read_only_sees_but_has_no_add_or_remove(cast: Cast) -> None:
    BlockedNumber.objects.create(company=cast.company, number="+17329200193")
    client = signed_in(cast.read_only_admin)
    page = client.get(fax_tab(cast)).content.decode()
    assert "+17329200193" in page and "read-only administrator" in page
    assert "block_add=1" not in page and 'value="block_remove"' not in page
    refused = add(client, fax_tab(cast), "2125550100")
    assert refused.status_code == 403
    gone = client.post(
        fax_tab(cast), {"tab": "fax", "action": "block_remove", "number": "+17329200193"}
    )
    assert gone.status_code == 403
    assert BlockedNumber.objects.count() == 1


def test_no_section_for_department_pages_and_department_administrators(cast: Cast) -> None:
    BlockedNumber.objects.create(company=cast.company, number="+17329200193")
    admin = signed_in(cast.company_admin)
    department = reverse("accounts:department_details", args=[cast.billing.pk]) + "?tab=fax"
    assert "Outbound Number Blocking" not in admin.get(department).content.decode()
    dept = signed_in(cast.dept_admin)
    assert "Outbound Number Blocking" not in dept.get(department).content.decode()
    page = dept.get(fax_tab(cast))
    assert "Outbound Number Blocking" not in page.content.decode()
    assert add(dept, fax_tab(cast), "2125550100").status_code in (403, 404)
    export = reverse("accounts:blocked_numbers_export", args=[cast.company.pk])
    assert dept.get(export).status_code == 403
    assert signed_in(cast.outsider_admin).get(export).status_code == 404
    assert signed_in(cast.billing_user).get(export).status_code == 404


def test_export_downloads_neutralised_csv(cast: Cast) -> None:
    BlockedNumber.objects.create(
        company=cast.company, number="+17329200193", added_by=cast.company_admin
    )
    cast.company_admin.username = "@SUM(A1)"
    cast.company_admin.save(update_fields=["username"])
    client = signed_in(cast.read_only_admin)
    answer = client.get(reverse("accounts:blocked_numbers_export", args=[cast.company.pk]))
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    text = b"".join(answer.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Blocked Fax Number", "Added By", "Added At"]
    assert rows[1][:2] == ["+17329200193", "'@SUM(A1)"]
