"""Account Administration of a big company in a browser: expand a department (its children
are fetched), Show more, the keyboard, search by name, and an action from the right-click
menu of an entry that was loaded on demand; an operator picks the company by searching."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from test_account_tree import node, open_tree

from bench.seed import seed_provider
from faxline.accounts.choices import Role
from faxline.accounts.models import Department, User
from faxline.accounts.selectors import TREE_PAGE

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def scale(live_server) -> dict:
    return seed_provider(scale=0.04)


def people_of(department) -> list[User]:
    """The department's people in the tree's order: fax users, then administrators."""
    people = User.objects.filter(
        department=department, role__in=[Role.FAX_USER, Role.ADMINISTRATOR]
    ).order_by("last_name", "first_name", "pk")
    return sorted(people, key=lambda p: p.role == Role.ADMINISTRATOR)


def test_expand_show_more_search_and_act_on_a_loaded_entry(
    live_server, page: Page, sign_in, scale: dict
) -> None:
    call_center = scale["call_center"]
    people = people_of(call_center)
    subs = Department.objects.filter(parent=call_center).count()
    on_first_page = TREE_PAGE - subs
    assert len(people) > on_first_page + TREE_PAGE  # three pages
    first, last = people[0], people[-1]
    sign_in(scale["company_admin"])
    open_tree(page, live_server)
    tree = page.get_by_role("list", name="Account hierarchy of Scale Corp")
    expect(node(page, "Call Center")).to_be_visible()
    expect(tree.get_by_text(first.full_name, exact=True)).to_have_count(0)

    # Expand: the department's first page is fetched and shown under it.
    page.get_by_role("button", name="Expand Call Center").click()
    children = page.locator(f"#node-department-{call_center.pk}-children")
    entries = children.locator(":scope > li.fx-node")
    expect(children.locator(f"#node-user-{first.pk}")).to_be_visible()
    expect(entries).to_have_count(TREE_PAGE)
    expect(page.get_by_role("button", name="Collapse Call Center")).to_have_attribute(
        "aria-expanded", "true"
    )
    expect(page.locator(f"#node-administrator-{last.pk}")).to_have_count(0)

    # Show more: the next page, in place of the button; the focus moves to its first entry.
    children.get_by_role("button", name="Show more").click()
    expect(entries).to_have_count(2 * TREE_PAGE)
    expect(page.locator(f"#node-user-{people[on_first_page].pk} .fx-node-name")).to_be_focused()
    children.get_by_role("button", name="Show more").click()
    expect(page.locator(f"#node-administrator-{last.pk}")).to_be_visible()
    expect(children.get_by_role("button", name="Show more")).to_have_count(0)
    expect(entries).to_have_count(len(people) + subs)

    # Collapse and expand again from the keyboard: nothing is fetched again, all is kept.
    toggle = page.get_by_role("button", name="Collapse Call Center")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(children).to_be_hidden()
    page.get_by_role("button", name="Expand Call Center").focus()
    page.keyboard.press("ArrowRight")
    expect(children).to_be_visible()
    expect(entries).to_have_count(len(people) + subs)
    # ArrowLeft on an entry's name goes up to its department.
    page.locator(f"#node-user-{first.pk} .fx-node-name").focus()
    page.keyboard.press("ArrowLeft")
    expect(
        page.locator(f"#node-department-{call_center.pk} > .fx-node-row .fx-node-name")
    ).to_be_focused()

    # Right-click on an entry that was loaded on demand: its menu, Lock User, OK.
    target = people[1]
    assert target.role == Role.FAX_USER
    node(page, target.full_name).first.locator(".fx-node-name").click(button="right")
    menu = node(page, target.full_name).first.locator(".dropdown-menu")
    expect(menu).to_be_visible()
    menu.get_by_role("link", name="Lock User").click()
    dialog = page.get_by_role("dialog", name="Lock User")
    expect(dialog).to_contain_text(f"Are you sure you want to lock {target.full_name}?")
    dialog.get_by_role("button", name="OK").click()

    # Back on the tree, opened at the Call Center, the person marked locked.
    expect(page.get_by_text(f"{target.full_name} is locked.")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"\?open={call_center.pk}$"))
    locked = page.locator(f"#node-user-{target.pk}")
    expect(locked.get_by_role("img", name="Locked")).to_be_visible()
    target.refresh_from_db()
    assert target.is_locked

    # Search as you type: the matches, each with its menu, and the way into the tree.
    other = next(p for p in people_of(scale["deepest"]) if p.role == Role.FAX_USER)
    page.get_by_label("Search", exact=True).fill(other.username)
    results = page.get_by_role("list", name="Search results")
    expect(results.locator(f"#result-user-{other.pk}")).to_be_visible()
    expect(results.locator(".fx-node")).to_have_count(1)
    expect(results).to_contain_text(re.compile(rf"in .*{re.escape(scale['deepest'].name)}"))
    results.get_by_role("button", name=f"Actions for {other.full_name}").click()
    expect(results.get_by_role("link", name="User Account Details")).to_be_visible()
    page.keyboard.press("Escape")
    results.get_by_role("link", name="Show in tree").click()
    expect(page).to_have_url(re.compile(rf"\?open={scale['deepest'].pk}#node-user-{other.pk}$"))
    expect(page.locator(f"#node-user-{other.pk}")).to_be_visible()
    expect(page.locator(f"#node-user-{other.pk}")).to_be_in_viewport()


def test_operator_finds_the_company_by_name(live_server, page: Page, sign_in, scale: dict) -> None:
    sign_in(scale["operator"])
    open_tree(page, live_server)
    companies = page.get_by_role("list", name="Companies")
    expect(companies.get_by_role("link", name="Scale Corp")).to_be_visible()
    small = scale["outsider_company"]
    page.get_by_label("Company", exact=True).fill(small.name[:9])
    expect(companies.get_by_role("link")).to_have_count(1)
    companies.get_by_role("link", name=small.name).click()
    expect(page.get_by_role("list", name=f"Account hierarchy of {small.name}")).to_be_visible()
    page.get_by_role("link", name="Change company").click()
    expect(page.get_by_role("list", name="Companies")).to_be_visible()
