"""Query counts of the number lists, pinned: Fax Pool Details and ``GET /api/v1/numbers``
run the same queries however many numbers and fax users the company and the platform hold
(DESIGN.md convention 13)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

import scale_support as grow
from faxline.numbers.choices import NumberStatus

from cast import Cast

POOL = reverse("numbers:pool")
CEILING = 20


def _grow(cast: Cast) -> None:
    """Many more fax users and numbers in Acme's pools, and in another company."""
    people = grow.fax_users(cast.company, 60)
    grow.fax_numbers(cast.company, 70)
    grow.fax_numbers(cast.company, 70, users=people)
    grow.fax_numbers(cast.company, 30, status=NumberStatus.PENDING)
    grow.fax_numbers(cast.outsider_company, 50, users=grow.fax_users(cast.outsider_company, 20))


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_pool_details_and_numbers_api_do_not_grow_with_the_data(cast: Cast) -> None:
    grow.fax_numbers(cast.company, 2)
    grow.fax_numbers(cast.company, 2, users=[cast.sales_user])
    admin = _client(cast.company_admin)
    operator = _client(cast.operator)
    acme = str(cast.company.pk)
    pages = {
        "pool unassigned": lambda: admin.get(POOL, {"area": "206", "status": "unassigned"}),
        "pool assigned": lambda: admin.get(POOL, {"area": "206", "status": "assigned"}),
        "pool, operator": lambda: operator.get(
            POOL, {"company": acme, "area": "206", "status": "unassigned"}
        ),
        "pool page 2": lambda: admin.get(
            POOL, {"area": "206", "status": "unassigned", "page": "2", "rows": "10"}
        ),
        "assignees": lambda: admin.get(reverse("numbers:assignees"), {"user": "grown"}),
        "api numbers": lambda: admin.get("/api/v1/numbers"),
        "api pool": lambda: admin.get("/api/v1/numbers?area_code=206&status=assigned"),
        "api numbers, operator": lambda: operator.get(f"/api/v1/numbers?company_id={acme}"),
    }
    before = {name: grow.queries_of(fetch) for name, fetch in pages.items()}
    _grow(cast)
    after = {name: grow.queries_of(fetch) for name, fetch in pages.items()}
    assert after == before
    assert max(after.values()) <= CEILING, after


def test_a_pool_page_is_bounded(cast: Cast) -> None:
    grow.fax_numbers(cast.company, 130)
    grow.fax_users(cast.company, 50)
    admin = _client(cast.company_admin)
    html = admin.get(POOL, {"area": "206", "status": "unassigned"}).content.decode()
    assert html.count('name="number"') == 25  # the default Row Count
    assert "1\u201325 of 130" in html and "Grown" not in html
    last = admin.get(POOL, {"area": "206", "status": "unassigned", "page": "99", "rows": "100"})
    assert last.content.decode().count('name="number"') == 30  # page 2 of 100 rows
    body = admin.get("/api/v1/numbers", {"limit": 500}).json()
    assert body["count"] == 130 and len(body["items"]) == 130
    assert len(admin.get("/api/v1/numbers").json()["items"]) == 50
    refused = admin.get("/api/v1/numbers", {"limit": 501})
    assert refused.status_code == 422 and refused.json()["field"] == "limit"
