"""Account Administration at provider scale: a big company opens a level at a time (a
department's children are fetched when it is expanded, a page at a time), search by name,
operators pick the company first, and the cost of each request does not grow with the
company (query counts pinned, pages bounded).

The data is ``bench/seed.py``'s provider-scale set, scaled down: "Scale Corp" with a Call
Center holding a fifth of its people, more departments and people than the tree shows whole.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django.urls import reverse

from bench.seed import seed_provider
from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import Department, User
from faxline.accounts.selectors import TREE_PAGE, TREE_SEARCH_LIMIT
from faxline.accounts.services.users import user_lock
from faxline.accounts.views.tree import EXPAND_ALL_UP_TO

pytestmark = pytest.mark.django_db

TREE = reverse("accounts:tree")
CHILDREN = reverse("accounts:tree_children")
SEARCH = reverse("accounts:tree_search")
ROW = re.compile(r'<li class="fx-node fx-node-(\w+)[^"]*" id="(?:node|result)-\w+-(\d+)"')


@pytest.fixture
def scale() -> dict[str, Any]:
    seeded = seed_provider(scale=0.05)
    assert seeded["counts"]["users"] > EXPAND_ALL_UP_TO  # big enough to open lazily
    return seeded


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def html(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def rows(page: str) -> list[tuple[str, int]]:
    """(kind, id) of each entry, in page order."""
    return [(kind, int(pk)) for kind, pk in ROW.findall(page)]


def more_url(page: str) -> str | None:
    found = re.search(r'data-fx-more="([^"]+)"', page)
    return found.group(1).replace("&amp;", "&") if found else None


def children(client: Client, company: Any, department: Any = None, **params: Any) -> str:
    query = {"company": company.pk, **params}
    if department is not None:
        query["department"] = department.pk
    return html(client.get(CHILDREN, query))


def add_people(company: Any, department: Any, count: int, prefix: str) -> None:
    """More fax users, cheaply (the tree's cost must not follow)."""
    password = make_password("x")
    User.objects.bulk_create(
        User(
            username=f"{prefix}{n}@scale.example",
            email=f"{prefix}{n}@scale.example",
            first_name="Extra",
            last_name=f"{prefix.title()}{n:04d}",
            role=Role.FAX_USER,
            company=company,
            department=department,
            password=password,
        )
        for n in range(count)
    )


# --- the page ---------------------------------------------------------------------------


def test_big_company_shows_its_own_level_with_departments_to_expand(scale: dict) -> None:
    company, call_center = scale["company"], scale["call_center"]
    page = html(signed_in(scale["company_admin"]).get(TREE))
    found = rows(page)
    assert found[0] == ("company", company.pk)
    top = list(Department.objects.filter(company=company, parent=None).order_by("name"))
    # The top-level departments, by name, collapsed: their children are fetched on demand.
    assert [pk for kind, pk in found if kind == "department"] == [d.pk for d in top]
    assert f'aria-label="Expand {call_center.name}"' in page
    assert f'data-fx-children="{CHILDREN}?company={company.pk}&amp;show=all' in page
    # The company's own people (fax users at company level, its administrators) are there;
    # no one of the Call Center is.
    at_company = set(
        User.objects.filter(
            company=company, department=None, role__in=[Role.FAX_USER, Role.ADMINISTRATOR]
        ).values_list("pk", flat=True)
    )
    people = {pk for kind, pk in found if kind in ("user", "administrator")}
    assert people and people <= at_company
    assert scale["fax_user"].pk not in people
    # Bounded: one page of the company's children under the company.
    assert len(found) <= TREE_PAGE + 1
    # The legend counts what the administrator sees, not what is shown.
    users = User.objects.filter(company=company, role=Role.FAX_USER).count()
    assert f"{users} user accounts" in page
    # Every entry keeps its actions menu.
    assert page.count('class="btn btn-sm fx-gear"') == len(found)


def test_expanding_fetches_departments_then_pages_of_people(scale: dict) -> None:
    company, call_center = scale["company"], scale["call_center"]
    client = signed_in(scale["company_admin"])
    expected = list(
        User.objects.filter(
            department=call_center, role__in=[Role.FAX_USER, Role.ADMINISTRATOR]
        ).values_list("role", "last_name", "first_name", "pk")
    )
    # Fax users by name, then the department's administrators.
    expected.sort(key=lambda p: (p[0] == Role.ADMINISTRATOR, p[1], p[2], p[3]))
    subs = list(Department.objects.filter(parent=call_center).order_by("name"))
    assert len(expected) + len(subs) > 2 * TREE_PAGE  # three pages at least

    seen: list[tuple[str, int]] = []
    fragment = children(client, company, call_center)
    pages = 0
    while True:
        pages += 1
        assert "<html" not in fragment
        page_rows = rows(fragment)
        assert 0 < len(page_rows) <= TREE_PAGE
        seen += page_rows
        url = more_url(fragment)
        if url is None:
            break
        assert "Show more" in fragment
        fragment = html(client.get(url))
    assert pages >= 3
    assert [pk for kind, pk in seen if kind == "department"] == [d.pk for d in subs]
    assert [pk for kind, pk in seen if kind != "department"] == [p[3] for p in expected]
    assert seen[-1] == ("administrator", scale["dept_admin"].pk)


def test_show_filters_apply_to_each_level(scale: dict) -> None:
    company, call_center = scale["company"], scale["call_center"]
    admin = scale["company_admin"]
    locked = User.objects.filter(department=call_center, is_locked=True)
    assert locked.exists()
    client = signed_in(admin)

    # Locked Users: only departments with a locked person below them, only locked people.
    page = html(client.get(TREE, {"show": "locked"}))
    with_locked = {
        int(p)
        for path in User.objects.filter(company=company, is_locked=True)
        .exclude(department=None)
        .values_list("department__path", flat=True)
        for p in path.strip("/").split("/")
        if p
    }
    shown = [pk for kind, pk in rows(page) if kind == "department"]
    assert shown and set(shown) <= with_locked
    fragment = children(client, company, call_center, show="locked")
    assert {pk for _, pk in rows(fragment)} == set(locked.values_list("pk", flat=True))

    # Departments: no people at all, and no toggle on a department without sub-departments.
    fragment = children(client, company, call_center, show="departments")
    assert all(kind == "department" for kind, _ in rows(fragment))
    leaf = Department.objects.filter(company=company, children=None).first()
    assert leaf is not None
    fragment = children(client, company, leaf.parent, show="departments")
    assert f"Expand {leaf.name}" not in fragment and f">{leaf.name}</a>" in fragment

    # Administrators: the Call Center's administrator only.
    fragment = children(client, company, call_center, show="administrators")
    assert rows(fragment) == [("administrator", scale["dept_admin"].pk)]


def test_open_at_a_department_expands_the_way_down(scale: dict) -> None:
    company, deepest = scale["company"], scale["deepest"]
    page = html(signed_in(scale["company_admin"]).get(TREE, {"open": deepest.pk}))
    ancestors = [int(p) for p in deepest.path.strip("/").split("/") if p]
    for pk in ancestors:  # expanded, their children listed
        assert f'id="node-department-{pk}-children" class="fx-children">' in page
    assert f'id="node-department-{deepest.pk}" data-fx-opened' in page
    # Its people are listed; the levels above show their departments and "Show more".
    people = set(User.objects.filter(department=deepest).values_list("pk", flat=True))
    shown = {pk for kind, pk in rows(page) if kind in ("user", "administrator")}
    assert people and people <= shown
    assert scale["fax_user"].pk not in shown
    # A department that is not the actor's to see opens nothing (and is no error).
    outsider_dept = Department.objects.filter(company=scale["outsider_company"]).first()
    assert outsider_dept is not None
    page = html(signed_in(scale["company_admin"]).get(TREE, {"open": outsider_dept.pk}))
    assert "data-fx-opened" not in page
    assert not re.search(r'id="node-department-\d+-children" class="fx-children">', page)
    assert rows(page)[0] == ("company", company.pk)


def test_search_by_name_is_bounded_and_scoped(scale: dict) -> None:
    company = scale["company"]
    client = signed_in(scale["company_admin"])
    person = scale["fax_user"]
    fragment = html(client.get(SEARCH, {"company": company.pk, "q": person.username}))
    assert "<html" not in fragment and 'id="fx-tree-results"' in fragment
    assert rows(fragment) == [("user", person.pk)]
    # Where it is, its actions, and the tree opened there.
    assert f"in {scale['call_center'].name}" in fragment
    assert f'aria-label="Actions for {person.full_name}"' in fragment
    assert reverse("accounts:user_lock", args=[person.pk]) in fragment
    assert f"{TREE}?open={scale['call_center'].pk}#node-user-{person.pk}" in fragment

    # Departments and people, every word matching; a common name is cut at the limit.
    fragment = html(client.get(SEARCH, {"company": company.pk, "q": "call center"}))
    assert ("department", scale["call_center"].pk) in rows(fragment)
    add_people(company, scale["call_center"], TREE_SEARCH_LIMIT + 5, "zebra")
    fragment = html(client.get(SEARCH, {"company": company.pk, "q": "Zebra"}))
    assert len(rows(fragment)) == TREE_SEARCH_LIMIT
    assert "More entries match" in fragment
    # Too short to search, or nothing: said so.
    assert rows(html(client.get(SEARCH, {"company": company.pk, "q": "a"}))) == []
    assert "Nothing matches" in html(client.get(SEARCH, {"company": company.pk, "q": "qqxqq"}))

    # Another company's people are not found; a department administrator finds only their
    # subtree.
    outsider = User.objects.filter(company=scale["outsider_company"], role=Role.FAX_USER)[0]
    assert rows(html(client.get(SEARCH, {"company": company.pk, "q": outsider.username}))) == []
    dana = signed_in(scale["dept_admin"])
    elsewhere = User.objects.filter(company=company, role=Role.FAX_USER).exclude(
        department__path__startswith=scale["call_center"].path
    )[0]
    assert rows(html(dana.get(SEARCH, {"company": company.pk, "q": elsewhere.username}))) == []
    found = rows(html(dana.get(SEARCH, {"company": company.pk, "q": person.username})))
    assert found == [("user", person.pk)]

    # Without JavaScript the search form loads the page with the results on top.
    page = html(client.get(TREE, {"q": person.username}))
    assert 'id="result-user-' in page and 'id="fx-tree"' in page


# --- who may fetch what -------------------------------------------------------------------


def test_department_administrator_fetches_only_their_subtree(scale: dict) -> None:
    company, call_center = scale["company"], scale["call_center"]
    dana = signed_in(scale["dept_admin"])
    page = html(dana.get(TREE))
    shown = [pk for kind, pk in rows(page) if kind == "department"]
    assert shown[0] == call_center.pk
    assert set(shown) <= set(
        Department.objects.filter(path__startswith=call_center.path).values_list("pk", flat=True)
    )
    # The company level holds her department only.
    assert rows(children(dana, company)) == [("department", call_center.pk)]
    sibling = Department.objects.filter(company=company, parent=None).exclude(pk=call_center.pk)[0]
    response = dana.get(CHILDREN, {"company": company.pk, "department": sibling.pk})
    assert response.status_code == 404


def test_outsiders_and_fax_users_fetch_nothing(scale: dict) -> None:
    company, call_center = scale["company"], scale["call_center"]
    outsider = signed_in(scale["outsider_admin"])
    for url, params in (
        (CHILDREN, {"company": company.pk}),
        (CHILDREN, {"company": company.pk, "department": call_center.pk}),
        (SEARCH, {"company": company.pk, "q": "smith"}),
        (TREE, {"company": company.pk}),
    ):
        assert outsider.get(url, params).status_code == 404, url
    # Their own company, with Scale Corp's department: not found either.
    own = scale["outsider_company"]
    response = outsider.get(CHILDREN, {"company": own.pk, "department": call_center.pk})
    assert response.status_code == 404
    fax_user = signed_in(scale["fax_user"])
    response = fax_user.get(CHILDREN, {"company": company.pk}, HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and response["HX-Retarget"] == "#main"
    assert fax_user.get(SEARCH, {"company": company.pk, "q": "smith"}).status_code == 403
    # Not signed in: the sign-in page.
    response = Client().get(CHILDREN, {"company": company.pk})
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_read_only_administrator_gets_no_changing_action_in_fetched_rows(scale: dict) -> None:
    company = scale["company"]
    fragment = children(signed_in(scale["read_only_admin"]), company, scale["call_center"])
    assert rows(fragment)
    assert "User Account Details" in fragment
    for action in ("Lock User", "Delete User Account", "Add User Account", "Delete Department"):
        assert action not in fragment, action


def test_bad_paging_input_is_refused_not_a_crash(scale: dict) -> None:
    company, call_center = scale["company"], scale["call_center"]
    client = signed_in(scale["company_admin"])
    base = {"company": company.pk, "department": call_center.pk}
    for bad in ({"d": "x"}, {"p": "-1"}, {"p": "9" * 40}, {"department": "abc"}, {"company": ""}):
        assert client.get(CHILDREN, {**base, **bad}).status_code == 404, bad
    assert client.get(SEARCH, {"q": "smith"}).status_code == 404  # no company
    # Past the end: an empty page. An unknown filter: Show All.
    assert rows(children(client, company, call_center, d=100_000, p=100_000)) == []
    assert rows(children(client, company, call_center, show="bogus")) == rows(
        children(client, company, call_center)
    )


# --- operators and channel partners --------------------------------------------------------


def test_operator_picks_a_company_with_search(scale: dict) -> None:
    operator = signed_in(scale["operator"])
    page = html(operator.get(TREE))
    assert 'id="fx-tree"' not in page and 'name="company_q"' in page
    links = re.findall(rf'href="{TREE}\?company=(\d+)"', page)
    assert 0 < len(links) <= 20
    # Typing narrows the list (htmx swaps the list alone).
    target = scale["outsider_company"]
    fragment = html(
        operator.get(
            TREE,
            {"company_q": target.name.upper()},
            HTTP_HX_REQUEST="true",
            HTTP_HX_TARGET="fx-company-list",
        )
    )
    assert "<html" not in fragment
    assert re.findall(rf'href="{TREE}\?company=(\d+)"', fragment) == [str(target.pk)]
    assert "No company matches" in html(operator.get(TREE, {"company_q": "no such company"}))
    # The chosen company's tree, with a way back to the list.
    page = html(operator.get(TREE, {"company": scale["company"].pk}))
    assert "Change company" in page and rows(page)[0] == ("company", scale["company"].pk)


def test_channel_partner_picks_among_their_companies(scale: dict) -> None:
    partner = scale["partner"]
    scale["outsider_company"].channel_partner = partner
    scale["outsider_company"].save(update_fields=["channel_partner"])
    client = signed_in(scale["partner_user"])
    # One company: opened at once.
    page = html(client.get(TREE))
    assert rows(page)[0] == ("company", scale["outsider_company"].pk)
    assert client.get(TREE, {"company": scale["company"].pk}).status_code == 404
    scale["company"].channel_partner = partner
    scale["company"].save(update_fields=["channel_partner"])
    page = html(client.get(TREE))
    assert 'id="fx-tree"' not in page
    assert len(re.findall(rf'href="{TREE}\?company=(\d+)"', page)) == 2


# --- cost: pinned, and not growing with the company ---------------------------------------


def test_query_counts_are_pinned_and_do_not_grow(
    scale: dict, django_assert_num_queries: Any
) -> None:
    company, call_center = scale["company"], scale["call_center"]
    client = signed_in(scale["company_admin"])
    requests: list[tuple[str, str, dict[str, Any], int]] = [
        # Session, person, security policy, whether the person has a fax number (the account
        # menu's Send Fax entry, asked by the portal's context on every page) (5), then the
        # tree's own: the totals (2), a
        # level's departments and people (2); the opened department (1); the departments
        # with someone listed below them (1); the company, the department (2); the matches
        # and where they are (3).
        ("page", TREE, {}, 9),
        ("page, opened deep", TREE, {"open": scale["deepest"].pk}, 10),
        ("page, locked users", TREE, {"show": "locked"}, 10),
        ("child fetch", CHILDREN, {"company": company.pk, "department": call_center.pk}, 9),
        (
            "users page",
            CHILDREN,
            {"company": company.pk, "department": call_center.pk, "d": 1, "p": TREE_PAGE},
            9,
        ),
        ("search", SEARCH, {"company": company.pk, "q": "adams"}, 9),
    ]
    for label, url, params, queries in requests:
        client.get(url, params)  # warm the session's caches
        with django_assert_num_queries(queries):
            assert len(html(client.get(url, params))) < 200_000, label
    # Ten times the people in the Call Center and at company level, more departments:
    # the same queries, and pages still bounded.
    add_people(company, call_center, 2000, "many")
    add_people(company, None, 500, "top")
    user_lock(actor=Actor(user=scale["company_admin"]), user=scale["fax_user"])
    for n in range(30):
        Department.objects.create(
            company=company, parent=call_center, name=f"Extra {n}", path="", depth=1
        )
    for dept in Department.objects.filter(path=""):
        dept.path = f"{call_center.path}{dept.pk}/"
        dept.save(update_fields=["path"])
    for label, url, params, queries in requests:
        with django_assert_num_queries(queries):
            size = len(html(client.get(url, params)))
        assert size < 200_000, label
