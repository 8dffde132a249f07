"""Fax Number Inventory in the portal: the inventory and its Dashboard widget, Fax Pool
Details, Request Inventory, Assign / Unassign / Release, and the operators' pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import User
from faxline.numbers import selectors, services
from faxline.numbers.choices import NumberStatus
from faxline.numbers.models import FaxNumber

from cast import Cast

INVENTORY = reverse("numbers:inventory")
POOL = reverse("numbers:pool")
REQUEST = reverse("numbers:request")
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def take(cast: Cast, area: str, count: int) -> list[str]:
    """Put ``count`` numbers of ``area`` into Acme's inventory."""
    actor = Actor(user=cast.company_admin)
    country = "CA" if area in {"416", "604"} else "US"
    wanted = selectors.available_numbers(actor=actor, country=country, area=area, count=count)
    services.numbers_request(actor=actor, company=cast.company, numbers=wanted)
    return wanted


def assign(cast: Cast, number: str, user: User) -> None:
    services.number_assign(actor=Actor(user=cast.company_admin), number=number, user=user)


def text(response: Any) -> str:
    return str(response.content.decode())


@pytest.fixture
def admin(cast: Cast) -> Client:
    return signed_in(cast.company_admin)


@pytest.fixture
def stocked(cast: Cast) -> dict[str, list[str]]:
    """Acme: 206 with 2 unassigned + 1 assigned, 313 with 1 assigned."""
    seattle = take(cast, "206", 3)
    detroit = take(cast, "313", 1)
    assign(cast, seattle[0], cast.sales_user)
    assign(cast, detroit[0], cast.billing_user)
    return {"206": seattle, "313": detroit}


# --- the inventory ---------------------------------------------------------------------


def test_inventory_rows_and_total(cast: Cast, admin: Client, stocked: Any) -> None:
    response = admin.get(INVENTORY)
    assert response.status_code == 200
    rows = [(r.location, r.unassigned, r.assigned, r.pending) for r in response.context["rows"]]
    assert rows == [("USA, 206 (WA)", 2, 1, 0), ("USA, 313 (MI)", 0, 1, 0)]
    total = response.context["total"]
    assert (total.unassigned, total.assigned, total.pending) == (2, 2, 0)
    html = text(response)
    assert '<h1 class="fx-page-title">Fax Number Inventory</h1>' in html
    assert "USA, 206 (WA)" in html and "USA, 313 (MI)" in html
    assert "<td>Total</td>" in html
    assert "4 of 25 numbers" in html
    assert 'aria-label="2 unassigned numbers in USA, 206 (WA)"' in html
    assert ">Request Inventory</a>" in html
    assert 'id="fx-pool"' in html  # the Fax Pool Details dialog


def test_inventory_query_count_is_pinned(
    cast: Cast, admin: Client, stocked: Any, django_assert_max_num_queries: Any
) -> None:
    take(cast, "212", 2)
    take(cast, "415", 2)
    # Eight, and one for the account menu's Send Fax entry (has the person a fax number?).
    with django_assert_max_num_queries(9):
        assert admin.get(INVENTORY).status_code == 200


def test_sort_by_assigned_descending(cast: Cast, admin: Client, stocked: Any) -> None:
    take(cast, "212", 1)
    assign(cast, stocked["206"][1], cast.billing_user)
    response = admin.get(INVENTORY, {"sort": "assigned", "dir": "desc"})
    locations = [r.location for r in response.context["rows"]]
    assert locations == ["USA, 206 (WA)", "USA, 313 (MI)", "USA, 212 (NY)"]
    html = text(response)
    assert 'aria-sort="descending"' in html
    # The active column toggles to ascending; the others start ascending.
    assert 'href="/settings/numbers/?sort=assigned"' in html
    assert 'href="/settings/numbers/?sort=unassigned"' in html

    ascending = admin.get(INVENTORY, {"sort": "assigned"})
    assert ascending.context["rows"][0].location == "USA, 212 (NY)"


def test_sorting_by_htmx_swaps_only_the_widget(cast: Cast, admin: Client, stocked: Any) -> None:
    response = admin.get(INVENTORY, {"sort": "unassigned"}, HTTP_HX_TARGET="fx-inventory", **HTMX)
    html = text(response)
    assert html.lstrip().startswith("<section") or "<html" not in html
    assert 'id="fx-inventory"' in html
    assert "<html" not in html
    # The dashboard answers the same swap with the widget.
    dash = admin.get(
        reverse("portal:dashboard"), {"sort": "pending"}, HTTP_HX_TARGET="fx-inventory", **HTMX
    )
    assert "<html" not in text(dash) and 'id="fx-inventory"' in text(dash)


def test_unknown_sort_falls_back_to_location(cast: Cast, admin: Client, stocked: Any) -> None:
    response = admin.get(INVENTORY, {"sort": "number; drop", "dir": "sideways"})
    assert response.status_code == 200
    assert response.context["sort"] == "location"


def test_pool_details(cast: Cast, admin: Client, stocked: Any) -> None:
    response = admin.get(POOL, {"area": "206", "status": "assigned"})
    assert response.status_code == 200
    html = text(response)
    number = stocked["206"][0]
    assert f"Sarah Salesperson ({cast.sales_user.pk})" in html
    assert f"US +1 {number[2:]}" in html
    assert "In Use" in html
    assert f'aria-label="Unassign +1 {number[2:]}"' in html

    unassigned = text(admin.get(POOL, {"area": "206", "status": "unassigned"}))
    assert unassigned.count(">Unassigned</span>") == 2
    # Assign names the fax user with suggestions as one types (no drop-down of every user).
    assert 'list="fx-assignees"' in unassigned and "<datalist" in unassigned
    assert "Sarah Salesperson" not in unassigned
    assignees = reverse("numbers:assignees")
    # Only the company's fax users are suggested.
    offered = text(admin.get(assignees, {"user": "s"}))
    assert (
        f'<option value="{cast.sales_user.username}">Sarah Salesperson ({cast.sales_user.pk})'
        in (offered)
    )
    assert f"({cast.company_admin.pk})</option>" not in offered
    assert "Gina Globex" not in text(admin.get(assignees, {"user": "gina"}))
    assert text(admin.get(assignees, {"user": ""})).strip() == ""


def test_pool_details_in_the_dialog(cast: Cast, admin: Client, stocked: Any) -> None:
    response = admin.get(
        POOL,
        {"area": "313", "status": "assigned"},
        HTTP_HX_TARGET="fx-pool-content",
        HTTP_HX_CURRENT_URL="http://testserver/?sort=pending",
        **HTMX,
    )
    html = text(response)
    assert "<html" not in html
    assert 'class="modal-header"' in html and "Fax Pool Details" in html
    assert "USA, 313 (MI) · Assigned · 1 number" in html
    # Actions return to the page the dialog was opened from.
    assert 'name="next" value="/?sort=pending"' in html


def test_pool_bad_parameters_are_404(cast: Cast, admin: Client) -> None:
    assert admin.get(POOL, {"area": "20", "status": "assigned"}).status_code == 404
    assert admin.get(POOL, {"area": "206", "status": "aging"}).status_code == 404


# --- who may see it ----------------------------------------------------------------------


def test_fax_user_gets_403_and_no_widget(cast: Cast, stocked: Any) -> None:
    client = signed_in(cast.billing_user)
    response = client.get(INVENTORY)
    assert response.status_code == 403
    assert "for administrators" in text(response)
    assert client.get(POOL, {"area": "206", "status": "assigned"}).status_code == 403
    assert client.get(REQUEST).status_code == 403
    dashboard = text(client.get(reverse("portal:dashboard")))
    assert 'id="fx-inventory"' not in dashboard
    assert f'href="{INVENTORY}"' not in dashboard  # no menu item either


def test_sign_in_is_required(cast: Cast) -> None:
    for url in (INVENTORY, POOL, REQUEST, reverse("numbers:stock_import")):
        response = Client().get(url)
        assert response.status_code == 302 and response["Location"].startswith("/auth/login/")


def test_administrator_without_the_right_gets_403(cast: Cast) -> None:
    clerk = User.objects.create_user(
        username="clerk",
        password="x",
        role=Role.ADMINISTRATOR,
        company=cast.company,
        first_name="Cleo",
        last_name="Clerk",
        email="cleo@acme.example",
        rights=[],
    )
    client = signed_in(clerk)
    assert client.get(INVENTORY).status_code == 403
    assert client.get(REQUEST).status_code == 403
    assert 'id="fx-inventory"' not in text(client.get(reverse("portal:dashboard")))


def test_outsider_cannot_see_acme_inventory(cast: Cast, stocked: Any) -> None:
    client = signed_in(cast.outsider_admin)
    acme = str(cast.company.pk)
    assert client.get(INVENTORY, {"company": acme}).status_code == 404
    assert (
        client.get(POOL, {"company": acme, "area": "206", "status": "assigned"}).status_code == 404
    )
    assert client.get(REQUEST, {"company": acme}).status_code == 404
    assert client.get(reverse("portal:dashboard"), {"company": acme}).status_code == 404
    # Their own inventory is empty.
    own = client.get(INVENTORY)
    assert own.status_code == 200 and own.context["rows"] == []
    # Nor can they act on Acme's numbers.
    number = stocked["206"][0]
    client.post(reverse("numbers:unassign"), {"number": number})
    assert FaxNumber.objects.get(number=number).user == cast.sales_user


def test_read_only_admin_sees_but_cannot_request(cast: Cast, stocked: Any) -> None:
    client = signed_in(cast.read_only_admin)
    response = client.get(INVENTORY)
    assert response.status_code == 200
    html = text(response)
    assert "USA, 206 (WA)" in html
    assert ">Request Inventory</a>" not in html
    assert "Read-only administrator" in html
    pool = text(client.get(POOL, {"area": "206", "status": "unassigned"}))
    assert 'list="fx-assignees"' not in pool and ">Release<" not in pool
    assert client.get(reverse("numbers:assignees"), {"user": "s"}).status_code == 403
    dashboard = text(client.get(reverse("portal:dashboard")))
    assert 'id="fx-inventory"' in dashboard and ">Request Inventory</a>" not in dashboard

    assert client.get(REQUEST).status_code == 403
    before = FaxNumber.objects.filter(company=cast.company).count()
    offered = selectors.available_numbers(
        actor=Actor(user=cast.company_admin), country="US", area="206", count=1
    )
    response = client.post(REQUEST, {"action": "add", "numbers": offered})
    assert response.status_code == 403
    assert "read-only" in text(response)
    assert FaxNumber.objects.filter(company=cast.company).count() == before


# --- Request Inventory ---------------------------------------------------------------------


def test_request_inventory_cascade(cast: Cast, admin: Client) -> None:
    page = text(admin.get(REQUEST))
    assert "United States" in page and "Canada" in page
    assert "maximum inventory threshold" in page

    states = admin.get(REQUEST, {"country": "US"}, HTTP_HX_TARGET="fx-request-fields", **HTMX)
    html = text(states)
    assert "<html" not in html and 'id="fx-request-fields"' in html
    assert '<option value="WA">Washington</option>' in html

    areas = text(
        admin.get(
            REQUEST, {"country": "US", "state": "MI"}, HTTP_HX_TARGET="fx-request-fields", **HTMX
        )
    )
    assert '<option value="313">313 - Detroit</option>' in areas

    numbers = admin.get(REQUEST, {"country": "US", "state": "MI", "area": "313"})
    available = [c.value for c in numbers.context["available"]]
    assert len(available) == 20 and all(n.startswith("+1313") for n in available)
    assert f"+1 {available[0][2:]}" in text(numbers)

    # A state of another country (the country changed) is dropped, and the area with it.
    stale = admin.get(REQUEST, {"country": "CA", "state": "MI", "area": "313"})
    selection = stale.context["selection"]
    assert (selection.country, selection.state, selection.area) == ("CA", "", "")
    assert stale.context["available"] == []


def test_request_inventory_happy_path(cast: Cast, admin: Client) -> None:
    offered = [
        c.value
        for c in admin.get(REQUEST, {"country": "US", "state": "WA", "area": "206"}).context[
            "available"
        ]
    ]
    # Without JavaScript: tick two, Continue, remove one (its remove button), then Add Inventory.
    step = admin.post(
        REQUEST,
        {"country": "US", "state": "WA", "area": "206", "choose": offered[:2], "action": "update"},
    )
    assert step.context["selection"].selected == offered[:2]
    assert f'aria-label="Remove +1 {offered[1][2:]}"' in text(step)
    removed = admin.post(
        REQUEST,
        {
            "country": "US",
            "state": "WA",
            "area": "206",
            "numbers": offered[:2],
            "remove": offered[1],
        },
    )
    assert removed.context["selection"].selected == offered[:1]

    response = admin.post(
        REQUEST,
        {
            "country": "US",
            "state": "WA",
            "area": "206",
            "numbers": offered[:1],
            "choose": offered[:1],
            "action": "add",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == INVENTORY
    html = text(response)
    assert f"Added 1 number to the inventory: +1 {offered[0][2:]}." in html
    assert [(r.location, r.unassigned) for r in response.context["rows"]] == [("USA, 206 (WA)", 1)]
    number = FaxNumber.objects.get(number=offered[0])
    assert number.company == cast.company and number.status == NumberStatus.IN_SERVICE


def test_request_nothing_selected(cast: Cast, admin: Client) -> None:
    response = admin.post(REQUEST, {"country": "US", "state": "WA", "area": "206", "action": "add"})
    assert response.status_code == 200
    assert "Choose at least one number." in text(response)


def test_request_beyond_the_threshold_warns_and_adds_nothing(cast: Cast, admin: Client) -> None:
    cast.company.max_inventory = 1
    cast.company.save(update_fields=["max_inventory"])
    offered = selectors.available_numbers(
        actor=Actor(user=cast.company_admin), country="US", area="206", count=2
    )
    response = admin.post(
        REQUEST,
        {"country": "US", "state": "WA", "area": "206", "numbers": offered, "action": "add"},
    )
    assert response.status_code == 200
    html = text(response)
    assert 'class="alert alert-warning' in html
    assert "Your maximum inventory is 1 numbers and you hold 0" in html
    assert FaxNumber.objects.filter(company=cast.company).count() == 0
    # The selection is kept for the administrator to trim.
    assert response.context["selection"].selected == offered


def test_request_of_a_number_taken_meanwhile_names_it(cast: Cast, admin: Client) -> None:
    offered = selectors.available_numbers(
        actor=Actor(user=cast.company_admin), country="US", area="206", count=2
    )
    services.numbers_request(
        actor=Actor(user=cast.outsider_admin), company=cast.outsider_company, numbers=offered[1:]
    )
    response = admin.post(REQUEST, {"numbers": offered, "action": "add"})
    html = text(response)
    assert f"{offered[1]} is no longer available" in html
    assert 'class="alert alert-danger' in html
    assert FaxNumber.objects.filter(company=cast.company).count() == 0


# --- Assign / Unassign / Release -----------------------------------------------------------


def test_assign_unassign_release(cast: Cast, admin: Client) -> None:
    number = take(cast, "206", 1)[0]
    response = admin.post(
        reverse("numbers:assign"),
        {"number": number, "user": cast.sales_user.pk, "next": "/?sort=assigned"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/?sort=assigned"
    assert f"US +1 {number[2:]} is assigned to Sarah Salesperson" in text(response)
    assert FaxNumber.objects.get(number=number).user == cast.sales_user

    # Releasing an assigned number is refused with the service's message.
    response = admin.post(reverse("numbers:release"), {"number": number}, follow=True)
    assert "unassign it before releasing it" in text(response)

    response = admin.post(reverse("numbers:unassign"), {"number": number}, follow=True)
    assert response.redirect_chain[-1][0] == INVENTORY
    assert "is unassigned" in text(response)
    assert FaxNumber.objects.get(number=number).user is None

    confirm = text(admin.get(reverse("numbers:release"), {"number": number}))
    assert "returns to the provider" in confirm and "30 days" in confirm
    response = admin.post(reverse("numbers:release"), {"number": number}, follow=True)
    assert "is released" in text(response)
    released = FaxNumber.objects.get(number=number)
    assert released.status == NumberStatus.AGING and released.company is None


def test_assign_refusals_are_messages(cast: Cast, admin: Client) -> None:
    number = take(cast, "206", 1)[0]
    response = admin.post(
        reverse("numbers:assign"),
        {"number": number, "user": cast.company_admin.pk},
        follow=True,
    )
    assert "Choose the fax user" in text(response)
    assert FaxNumber.objects.get(number=number).user is None

    reader = signed_in(cast.read_only_admin)
    response = reader.post(
        reverse("numbers:assign"), {"number": number, "user": cast.sales_user.pk}, follow=True
    )
    assert "read-only administrator" in text(response)
    assert FaxNumber.objects.get(number=number).user is None
    assert reader.get(reverse("numbers:release"), {"number": number}).status_code == 403


def test_actions_refuse_foreign_next_urls(cast: Cast, admin: Client) -> None:
    number = take(cast, "206", 1)[0]
    response = admin.post(
        reverse("numbers:assign"),
        {"number": number, "user": cast.sales_user.pk, "next": "https://evil.example/"},
    )
    assert response["Location"] == INVENTORY


# --- operators -----------------------------------------------------------------------------


def test_operator_chooses_a_company_and_changes_the_limit(cast: Cast, stocked: Any) -> None:
    client = signed_in(cast.operator)
    html = text(client.get(INVENTORY, {"company": cast.company.pk}))
    assert f'<option value="{cast.outsider_company.pk}">Globex</option>' in html
    assert 'name="max_inventory"' in html and "Import number stock" in html
    assert "USA, 206 (WA)" in html

    response = client.post(
        reverse("numbers:limit"),
        {"company": cast.company.pk, "max_inventory": "40"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == f"{INVENTORY}?company={cast.company.pk}"
    assert "The maximum inventory of Acme Corp is now 40 numbers." in text(response)
    cast.company.refresh_from_db()
    assert cast.company.max_inventory == 40

    bad = client.post(
        reverse("numbers:limit"),
        {"company": cast.company.pk, "max_inventory": "-3"},
        follow=True,
    )
    assert "Maximum inventory:" in text(bad)
    cast.company.refresh_from_db()
    assert cast.company.max_inventory == 40


def test_administrators_cannot_change_the_limit(cast: Cast, admin: Client) -> None:
    response = admin.post(reverse("numbers:limit"), {"max_inventory": "500"})
    assert response.status_code == 403
    cast.company.refresh_from_db()
    assert cast.company.max_inventory == 25
    assert 'name="max_inventory"' not in text(admin.get(INVENTORY))


def test_operator_requests_for_a_company(cast: Cast) -> None:
    client = signed_in(cast.operator)
    offered = selectors.available_numbers(
        actor=Actor(user=cast.operator), country="CA", area="416", count=1
    )
    response = client.post(
        REQUEST, {"company": cast.outsider_company.pk, "numbers": offered, "action": "add"}
    )
    assert response["Location"] == f"{INVENTORY}?company={cast.outsider_company.pk}"
    assert FaxNumber.objects.get(number=offered[0]).company == cast.outsider_company


def test_stock_import(cast: Cast) -> None:
    client = signed_in(cast.operator)
    assert client.get(reverse("numbers:stock_import")).status_code == 200
    upload = SimpleUploadedFile(
        "stock.csv",
        b"number,carrier\n+12065550100,Acme Telecom\nnot a number,X\n+12065550100,Dup\n",
        content_type="text/csv",
    )
    response = client.post(reverse("numbers:stock_import"), {"file": upload})
    assert response.status_code == 200
    report = response.context["report"]
    assert report.imported == ["+12065550100"]
    assert [r["line"] for r in report.refused] == [3, 4]
    html = text(response)
    assert "Imported 1 number; refused 2 lines." in html
    assert "is already in the stock" in html
    stock = FaxNumber.objects.get(number="+12065550100")
    assert stock.status == NumberStatus.AVAILABLE and stock.carrier == "Acme Telecom"

    empty = client.post(
        reverse("numbers:stock_import"),
        {"file": SimpleUploadedFile("x.csv", b"carrier\nX\n", content_type="text/csv")},
    )
    assert "needs a &#x27;number&#x27; column" in text(empty)


def test_stock_import_is_for_operators(cast: Cast, admin: Client) -> None:
    assert admin.get(reverse("numbers:stock_import")).status_code == 403
    upload = SimpleUploadedFile("s.csv", b"number\n+12065550100\n", content_type="text/csv")
    assert admin.post(reverse("numbers:stock_import"), {"file": upload}).status_code == 403
    assert not FaxNumber.objects.filter(number="+12065550100").exists()


# --- the Dashboard ---------------------------------------------------------------------------


def test_dashboard_widget_with_limit_and_credits(cast: Cast, admin: Client, stocked: Any) -> None:
    response = admin.get(reverse("portal:dashboard"))
    html = text(response)
    assert 'id="fx-inventory"' in html
    assert "USA, 206 (WA)" in html and "<td>Total</td>" in html
    assert "4 of 25 numbers" in html
    assert "Fax credits this month" in html
    credits = response.context["credits"]
    assert f"<dd>{credits.allotment}</dd>" in html
    assert ">Request Inventory</a>" in html
    assert f'href="{INVENTORY}">Open inventory</a>' in html


def test_dashboard_for_an_operator_offers_the_companies(cast: Cast, stocked: Any) -> None:
    client = signed_in(cast.operator)
    html = text(client.get(reverse("portal:dashboard"), {"company": cast.company.pk}))
    assert 'name="company"' in html and "Globex" in html
    assert "USA, 313 (MI)" in html
    assert f"?company={cast.company.pk}&amp;area=206&amp;status=unassigned" in html
