"""Bulk Create in a browser: reached from the Add User Account wizard, upload a CSV with one
bad row; the job's page shows the progress while the task worker runs it, then the report
shows that row refused and the others created."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from faxline.accounts.models import User

from cast import Cast, cast_from_snapshot
from worker import run_tasks

pytestmark = pytest.mark.django_db(transaction=True)

CSV = (
    "first_name,last_name,email,username,department,password\n"
    "Ann,Able,ann@acme.example,ann,,\n"
    "Ben,Baker,ben@acme.example,sarah,,Fax-Machine-42\n"
    "Cat,Cole,cat@acme.example,cat,Billing Dept -> Billing Level 1,Fax-Machine-42\n"
)


@pytest.fixture
def acme(live_server) -> Cast:
    return cast_from_snapshot()


def test_bulk_create_with_one_bad_row(live_server, page: Page, sign_in, acme: Cast) -> None:
    sign_in(acme.company_admin)
    page.goto(live_server.url + "/settings/accounts/")
    page.get_by_role("link", name="Add User Account").click()
    page.get_by_role("link", name="Bulk Create").click()
    expect(page.get_by_role("heading", name="Bulk Create")).to_be_visible()
    # The expected columns and a sample file.
    for column in ("first_name", "last_name", "email", "receiving_emails"):
        expect(page.locator(".fx-columns").get_by_text(column, exact=True)).to_be_visible()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download a sample CSV").click()
    assert download.value.suggested_filename == "faxline-users-sample.csv"

    page.get_by_label("Default department").select_option(label="Sales")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "users.csv", "mimeType": "text/csv", "buffer": CSV.encode()}]
    )
    page.get_by_role("button", name="Upload").click()

    # The upload answered at once: the job waits for the worker, the page polls.
    expect(page.get_by_role("heading", name="Waiting for the background worker")).to_be_visible()
    expect(page.get_by_text("0 of 3 rows processed")).to_be_visible()
    assert not User.objects.filter(username="ann").exists()
    run_tasks()

    report = page.get_by_role("region", name="Report")
    expect(report).to_be_visible()
    expect(report.get_by_text("2 created")).to_be_visible()
    expect(report.get_by_text("1 refused")).to_be_visible()
    rows = report.locator("tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("ann")
    expect(rows.nth(0)).to_contain_text("Created")
    expect(rows.nth(1)).to_contain_text("Refused")
    expect(rows.nth(1)).to_contain_text("already taken")
    expect(rows.nth(2)).to_contain_text("Created")
    # Ann had no password: hers was generated and is shown here, once.
    expect(report.get_by_text("only once")).to_be_visible()
    secret = rows.nth(0).locator("code").inner_text().strip()
    ann = User.objects.get(username="ann")
    assert ann.check_password(secret)
    assert ann.department_id == acme.sales.pk
    assert User.objects.get(username="cat").department_id == acme.billing_l1.pk
    assert not User.objects.filter(email="ben@acme.example").exists()

    page.get_by_role("link", name="Back to Account Administration").click()
    expect(page.get_by_role("button", name="Actions for Ann Able")).to_be_visible()
    expect(page.get_by_role("button", name="Actions for Cat Cole")).to_be_visible()


def test_a_file_with_unknown_columns_is_refused_whole(
    live_server, page: Page, sign_in, acme: Cast
) -> None:
    sign_in(acme.company_admin)
    page.goto(live_server.url + f"/settings/accounts/companies/{acme.company.pk}/users/bulk/")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "users.csv", "mimeType": "text/csv", "buffer": b"name,mail\nx,y\n"}]
    )
    page.get_by_role("button", name="Upload").click()
    expect(page.locator("#id_file_error")).to_contain_text("Unknown columns: name, mail")
    expect(page.get_by_role("region", name="Report")).to_have_count(0)
