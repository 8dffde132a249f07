"""Account Administration in a browser: the tree, its actions menus, Add Department,
Lock User / Unlock User Account, Delete Department and a department administrator's view."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from faxline.accounts.models import Department

from cast import PASSWORD, Cast, cast_from_snapshot

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def acme(live_server, sign_in) -> Cast:
    return cast_from_snapshot()


def open_tree(page: Page, live_server) -> None:
    page.goto(live_server.url + "/settings/accounts/")
    expect(page.get_by_role("heading", name="Account Administration", level=1)).to_be_visible()


def node(page: Page, name: str):
    """The row of a node in the tree."""
    return page.locator("[data-fx-node]").filter(
        has=page.locator(".fx-node-name", has_text=re.compile(f"^{re.escape(name)}$"))
    )


def choose_action(page: Page, node_name: str, action: str) -> None:
    page.get_by_role("button", name=f"Actions for {node_name}").click()
    node(page, node_name).get_by_role("link", name=action).click()


def test_settings_menu_leads_to_the_tree_with_icons(
    live_server, page: Page, sign_in, acme: Cast
) -> None:
    sign_in(acme.company_admin)
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="Settings").click()
    page.get_by_role("link", name="Account Administration").click()
    expect(page).to_have_title("Account Administration · faxline")
    tree = page.get_by_role("list", name="Account hierarchy of Acme Corp")
    for name in (
        "Acme Corp",
        "Billing Dept",
        "Billing Level 1",
        "Sales",
        "Bill Payer",
        "Sarah Salesperson",
        "Dana Dept",
        "Carol Chief",
    ):
        expect(tree.get_by_text(name, exact=True)).to_be_visible()
    # Each kind of node says what it is (icon + text for screen readers).
    expect(page.locator(f"#node-company-{acme.company.pk}")).to_contain_text("Company:")
    expect(page.locator(f"#node-department-{acme.sales.pk}")).to_contain_text("Department:")
    expect(page.locator(f"#node-administrator-{acme.dept_admin.pk}")).to_contain_text(
        "Administrator:"
    )
    # The company's actions, as in the guide.
    page.get_by_role("button", name="Actions for Acme Corp").click()
    menu = node(page, "Acme Corp").get_by_role("list")
    for action in ("Company Details", "Add Department", "Add User Account", "Add Administrator"):
        expect(menu.get_by_role("link", name=action)).to_be_visible()
    page.keyboard.press("Escape")

    # Right-click opens a row's menu too.
    node(page, "Sarah Salesperson").click(button="right", position={"x": 5, "y": 5})
    expect(node(page, "Sarah Salesperson").get_by_role("link", name="Lock User")).to_be_visible()


def test_add_department(live_server, page: Page, sign_in, acme: Cast) -> None:
    sign_in(acme.company_admin)
    open_tree(page, live_server)
    choose_action(page, "Billing Dept", "Add Department")

    expect(page.get_by_role("heading", name="Department Details")).to_be_visible()
    expect(page.get_by_text("in Billing Dept")).to_be_visible()
    # Next without a name: the error is on the field.
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_text("This field is required.")).to_be_visible()
    page.get_by_label("Department Name").fill("Billing Level 2")
    page.get_by_role("button", name="Next").click()

    expect(page.get_by_role("heading", name="Default Fax settings")).to_be_visible()
    page.get_by_label("Inbound Fax Message File Type").select_option("TIF")
    page.get_by_label("Fax Page Separation").check()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Default Coverpage settings")).to_be_visible()
    page.get_by_text("No Coverpages").click()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Default Notifications settings")).to_be_visible()
    # Back keeps what was entered.
    page.get_by_role("button", name="Back").click()
    expect(page.get_by_role("heading", name="Default Coverpage settings")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("No Coverpages"))).to_be_checked()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Default Notifications settings")).to_be_visible()
    page.get_by_role("button", name="Next").click()
    expect(page.get_by_role("heading", name="Default Date settings")).to_be_visible()
    page.get_by_label("Time zone", exact=True).select_option("Europe/Paris")
    page.get_by_role("button", name="Finish").click()

    expect(page.get_by_text("Department Billing Level 2 was added.")).to_be_visible()
    expect(page.get_by_role("button", name="Actions for Billing Level 2")).to_be_visible()
    dept = Department.objects.get(name="Billing Level 2")
    assert dept.parent_id == acme.billing.pk
    assert dept.settings["fax"]["inbound_file_type"] == "TIF"
    assert dept.settings["fax"]["page_separation"] is True
    assert dept.settings["coverpage"]["mode"] == "none"
    assert dept.settings["custom"]["time_zone"] == "Europe/Paris"


def test_lock_and_unlock_user(live_server, page: Page, sign_in, acme: Cast) -> None:
    sign_in(acme.company_admin)
    open_tree(page, live_server)
    sarah = node(page, "Sarah Salesperson")
    expect(sarah.get_by_role("img", name="Locked")).to_have_count(0)

    choose_action(page, "Sarah Salesperson", "Lock User")
    dialog = page.get_by_role("dialog", name="Lock User")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Are you sure you want to lock Sarah Salesperson?")
    # Cancel changes nothing.
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    choose_action(page, "Sarah Salesperson", "Lock User")
    page.get_by_role("dialog", name="Lock User").get_by_role("button", name="OK").click()

    expect(page.get_by_text("Sarah Salesperson is locked.")).to_be_visible()
    expect(sarah.get_by_role("img", name="Locked")).to_be_visible()
    expect(sarah.locator(".fx-locked")).to_have_css("color", "rgb(198, 40, 40)")
    acme.sales_user.refresh_from_db()
    assert acme.sales_user.is_locked

    # The Locked Users filter (htmx) lists only her.
    page.get_by_label("Show").select_option(label="Locked Users")
    expect(page).to_have_url(re.compile(r"show=locked"))
    expect(node(page, "Bill Payer")).to_have_count(0)
    expect(sarah).to_be_visible()

    choose_action(page, "Sarah Salesperson", "Unlock User Account")
    page.get_by_role("dialog", name="Unlock User Account").get_by_role("button", name="OK").click()
    expect(page.get_by_text("Sarah Salesperson is unlocked.")).to_be_visible()
    expect(sarah.get_by_role("img", name="Locked")).to_have_count(0)
    acme.sales_user.refresh_from_db()
    assert not acme.sales_user.is_locked


def test_delete_department_with_active_users_is_refused(
    live_server, page: Page, sign_in, acme: Cast
) -> None:
    sign_in(acme.company_admin)
    open_tree(page, live_server)
    choose_action(page, "Billing Level 1", "Delete Department")
    dialog = page.get_by_role("dialog", name="Delete Department")
    expect(dialog).to_contain_text(
        "Are you sure you want to delete the department Billing Level 1?"
    )
    dialog.get_by_role("button", name="OK").click()
    expect(page.get_by_role("alert")).to_contain_text(
        "Billing Level 1 has 1 active user: delete or move them before deleting the department."
    )
    assert Department.objects.filter(pk=acme.billing_l1.pk).exists()

    # Delete the user, then the department goes.
    choose_action(page, "Bill Payer", "Delete User Account")
    page.get_by_role("dialog", name="Delete User Account").get_by_role("button", name="OK").click()
    expect(page.get_by_text("Bill Payer was deleted.")).to_be_visible()
    choose_action(page, "Billing Level 1", "Delete Department")
    page.get_by_role("dialog", name="Delete Department").get_by_role("button", name="OK").click()
    expect(page.get_by_text("Department Billing Level 1 was deleted.")).to_be_visible()
    expect(node(page, "Billing Level 1")).to_have_count(0)


def test_department_administrator_cannot_see_a_sibling_department(
    live_server, page: Page, acme: Cast
) -> None:
    # Through the real sign-in page: username, NEXT, password, ENTER.
    page.goto(live_server.url + "/auth/login/?next=/settings/accounts/")
    page.get_by_label("Username").fill("dana")
    page.get_by_role("button", name="NEXT").click()
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="ENTER").click()

    expect(page.get_by_role("heading", name="Account Administration", level=1)).to_be_visible()
    tree = page.get_by_role("list", name="Account hierarchy of Acme Corp")
    expect(tree.get_by_text("Billing Dept", exact=True)).to_be_visible()
    expect(tree.get_by_text("Bill Payer", exact=True)).to_be_visible()
    expect(tree.get_by_text("Sales", exact=True)).to_have_count(0)
    expect(tree.get_by_text("Sarah Salesperson")).to_have_count(0)
    # The company is not Dana's to manage, nor is the department she administers to delete.
    expect(page.get_by_role("button", name="Actions for Acme Corp")).to_have_count(0)
    page.get_by_role("button", name="Actions for Billing Dept").click()
    expect(node(page, "Billing Dept").get_by_role("link", name="Add User Account")).to_be_visible()
    expect(node(page, "Billing Dept").get_by_role("link", name="Delete Department")).to_have_count(
        0
    )

    # Sales' pages do not exist for her.
    response = page.goto(live_server.url + f"/settings/accounts/users/{acme.sales_user.pk}/lock/")
    assert response is not None and response.status == 404
