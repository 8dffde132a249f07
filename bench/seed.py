"""The provider-scale data set, built quickly, for benchmarks and tests.

``seed_provider(scale)`` creates, at ``scale=1.0``, what the hardening probe measured with
(issue 8): 50 companies, 352 departments, 11,000 users, 6,000 fax numbers and 2,000 port
requests. It writes with ``bulk_create`` and gives every person one precomputed password
hash (``SEED_PASSWORD``), so the whole set takes seconds, not the hours that hashing each
password would.

The shape is the one that hurts: most of it belongs to one big customer, "Scale Corp", with
a three-level department tree (10 top-level departments, then teams, then units), a Call
Center holding a fifth of its users directly, some users at company level, one administrator
per top-level department, and 1 in 100 users locked. The other companies are small: one
administrator and a few users in a "Main Office". Numbers: a big pool of available numbers
in one area code (``pool_area_code``), a spread of smaller pools, and the in-service numbers
of the companies, many given to users. Port requests spread over every status.

Call it inside a database that has been migrated (a test with ``django_db``, or the
benchmarks' own database); it assumes nothing else is there but does not clear anything.
Counts scale linearly with ``scale`` (at least two companies, one department each).
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from faxline.accounts.choices import Role
from faxline.accounts.models import ChannelPartner, Company, Department, User
from faxline.accounts.rights import ALL_RIGHTS
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.porting.choices import PortStatus
from faxline.porting.models import PortNumber, PortRequest

SEED_PASSWORD = "Seed-Secret-2026"  # a fixture's password, for signing in by hand

FULL_SCALE = {
    "companies": 50,
    "departments": 352,
    "users": 11_000,
    "numbers": 6_000,
    "port_requests": 2_000,
}
SMALL_COMPANY_USERS = 20  # at scale 1.0: each small company's people (one is its admin)
BIG_COMPANY = "Scale Corp"
TOP_DEPARTMENTS = (
    "Call Center",
    "Billing",
    "Sales",
    "Support",
    "Legal",
    "Finance",
    "Operations",
    "Human Resources",
    "Engineering",
    "Marketing",
)
FIRST_NAMES = (
    "Aaron",
    "Abigail",
    "Adam",
    "Alice",
    "Amelia",
    "Andrew",
    "Anna",
    "Benjamin",
    "Brian",
    "Caroline",
    "Charles",
    "Chloe",
    "Daniel",
    "David",
    "Diana",
    "Edward",
    "Elena",
    "Emily",
    "Ethan",
    "Fiona",
    "Frank",
    "Grace",
    "Hannah",
    "Henry",
    "Isaac",
    "Isabel",
    "Jack",
    "James",
    "Julia",
    "Kevin",
    "Laura",
    "Liam",
    "Lucy",
    "Mark",
    "Mia",
    "Nathan",
    "Olivia",
    "Paul",
    "Rachel",
    "Samuel",
    "Sophia",
    "Thomas",
    "Victoria",
    "William",
    "Zoe",
)
LAST_NAMES = (
    "Adams",
    "Allen",
    "Baker",
    "Bell",
    "Brooks",
    "Brown",
    "Campbell",
    "Carter",
    "Clark",
    "Collins",
    "Cook",
    "Cooper",
    "Davis",
    "Edwards",
    "Evans",
    "Fisher",
    "Foster",
    "Garcia",
    "Gray",
    "Green",
    "Hall",
    "Harris",
    "Hill",
    "Howard",
    "Hughes",
    "Jackson",
    "James",
    "Johnson",
    "Jones",
    "Kelly",
    "King",
    "Lee",
    "Lewis",
    "Long",
    "Martin",
    "Miller",
    "Mitchell",
    "Moore",
    "Morgan",
    "Morris",
    "Murphy",
    "Nelson",
    "Parker",
    "Perez",
    "Phillips",
    "Price",
    "Reed",
    "Roberts",
    "Robinson",
    "Rogers",
    "Ross",
    "Russell",
    "Sanders",
    "Scott",
    "Smith",
    "Stewart",
    "Taylor",
    "Thomas",
    "Turner",
    "Walker",
    "Ward",
    "Watson",
    "White",
    "Williams",
    "Wilson",
    "Wood",
    "Wright",
    "Young",
)
AREA_CODES = ("212", "312", "415", "617", "713", "206", "303", "404", "503", "602")
POOL_AREA_CODE = AREA_CODES[0]
BATCH = 1000


def _count(name: str, scale: float, minimum: int = 0) -> int:
    return max(minimum, round(FULL_SCALE[name] * scale))


def _person(
    *,
    username: str,
    first: str,
    last: str,
    role: str,
    company: Company | None,
    department: Department | None,
    password: str,
    now: Any,
    rights: list[str] | None = None,
    **extra: Any,
) -> User:
    domain = company.domain if company is not None else "provider.example"
    return User(
        username=username,
        email=f"{username}@{domain}",
        first_name=first,
        last_name=last,
        role=role,
        company=company,
        department=department,
        rights=rights or [],
        password=password,
        password_changed_at=now,
        **extra,
    )


def _departments(company: Company, count: int) -> list[list[Department]]:
    """The big company's tree, level by level: 10 top-level departments, then teams (five
    per top-level department at most), then units under the teams with what is left."""
    top = [
        Department(company=company, parent=None, name=TOP_DEPARTMENTS[i], depth=0, path="")
        for i in range(min(count, len(TOP_DEPARTMENTS)))
    ]
    levels = [top]
    left = count - len(top)
    if left > 0:
        per_top = min(5, -(-left // len(top)))
        teams = []
        for i in range(min(left, per_top * len(top))):
            parent = top[i % len(top)]
            teams.append(_child(parent, f"{parent.name} Team {i // len(top) + 1}"))
        levels.append(teams)
        left -= len(teams)
        if left > 0:
            units = [
                _child(teams[i % len(teams)], f"Unit {i // len(teams) + 1}") for i in range(left)
            ]
            levels.append(units)
    return levels


def _child(parent: Department, name: str) -> Department:
    return Department(
        company=parent.company, parent=parent, name=name, depth=parent.depth + 1, path=""
    )


def _save_departments(levels: list[list[Department]]) -> list[Department]:
    """Create each level (the parents' ids are needed below), then the materialized paths."""
    created: list[Department] = []
    parent_of: dict[int, Department | None] = {}
    for level in levels:
        for dept in level:
            parent = dept.parent
            parent_of[id(dept)] = parent
            # Setting the id drops Django's cached parent: keep our own (``parent_of``).
            dept.parent_id = parent.pk if parent is not None else None
        Department.objects.bulk_create(level, batch_size=BATCH)
        created.extend(level)
    for dept in created:  # parents come first, so their paths are set already
        parent = parent_of[id(dept)]
        dept.path = f"{parent.path if parent is not None else '/'}{dept.pk}/"
    Department.objects.bulk_update(created, ["path"], batch_size=BATCH)
    return created


def seed_provider(scale: float = 1.0) -> dict[str, Any]:
    """Create the provider-scale data set (see the module's docstring) and return what the
    pages need: the operator, the channel partner and its staff, the big company with its
    company administrator, a read-only administrator, the Call Center's administrator, a
    fax user of the Call Center, the Call Center (the largest department), a deepest
    department, every company, a small company and its administrator (the outsiders), the
    pool's area code, a port request of the big company, and the counts created."""
    now = timezone.now()
    password = make_password(SEED_PASSWORD)
    n_companies = _count("companies", scale, 2)
    n_departments = max(n_companies, _count("departments", scale))
    n_users = _count("users", scale)
    small_people = max(2, round(SMALL_COMPANY_USERS * scale))

    with transaction.atomic():
        partner = ChannelPartner.objects.create(name="Scale Partners")
        operator = _person(
            username="scale-operator",
            first="Olivia",
            last="Operator",
            role=Role.OPERATOR,
            company=None,
            department=None,
            password=password,
            now=now,
        )
        partner_user = _person(
            username="scale-partner",
            first="Paul",
            last="Partner",
            role=Role.CHANNEL_PARTNER,
            company=None,
            department=None,
            password=password,
            now=now,
            channel_partner=partner,
        )
        User.objects.bulk_create([operator, partner_user])

        companies = [Company(name=BIG_COMPANY, domain="scale.example")]
        companies += [
            Company(
                name=f"Client {i:03d} Inc",
                domain=f"client{i:03d}.example",
                channel_partner=partner if i % 5 == 0 else None,
                max_inventory=500,
            )
            for i in range(1, n_companies)
        ]
        companies[0].max_inventory = 100_000
        Company.objects.bulk_create(companies, batch_size=BATCH)
        big = companies[0]

        levels = _departments(big, n_departments - (n_companies - 1))
        offices = [
            Department(company=c, parent=None, name="Main Office", depth=0, path="")
            for c in companies[1:]
        ]
        levels[0].extend(offices)
        departments = _save_departments(levels)
        big_departments = [d for d in departments if d.company_id == big.pk]
        top = levels[0][: min(len(TOP_DEPARTMENTS), len(big_departments))]
        call_center = top[0]
        deepest = max(big_departments, key=lambda d: (d.depth, -d.pk))

        names = itertools.cycle(itertools.product(LAST_NAMES, FIRST_NAMES))
        people: list[User] = []
        full = sorted(ALL_RIGHTS)

        def next_name() -> tuple[str, str]:
            last, first = next(names)
            return first, last

        # The big company's administrators: one for the company, one read-only, one for
        # each top-level department.
        company_admin = _person(
            username="scale-admin",
            first="Casey",
            last="Chief",
            role=Role.ADMINISTRATOR,
            company=big,
            department=None,
            password=password,
            now=now,
            rights=full,
        )
        read_only_admin = _person(
            username="scale-reader",
            first="Riley",
            last="Reader",
            role=Role.ADMINISTRATOR,
            company=big,
            department=None,
            password=password,
            now=now,
            rights=full,
            read_only=True,
        )
        dept_admins = [
            _person(
                username=f"scale-dept-admin-{i}",
                first=next_name()[0],
                last=f"Admin{i}",
                role=Role.ADMINISTRATOR,
                company=big,
                department=dept,
                password=password,
                now=now,
                rights=full,
            )
            for i, dept in enumerate(top)
        ]
        people += [company_admin, read_only_admin, *dept_admins]

        # The small companies: an administrator and fax users in the Main Office.
        small_admins: dict[int, User] = {}
        for company, office in zip(companies[1:], offices, strict=True):
            admin = _person(
                username=f"admin@{company.domain}",
                first="Alex",
                last="Admin",
                role=Role.ADMINISTRATOR,
                company=company,
                department=None,
                password=password,
                now=now,
                rights=full,
            )
            small_admins[company.pk] = admin
            people.append(admin)
            for k in range(small_people - 1):
                first, last = next_name()
                people.append(
                    _person(
                        username=f"user{k}@{company.domain}",
                        first=first,
                        last=last,
                        role=Role.FAX_USER,
                        company=company,
                        department=office,
                        password=password,
                        now=now,
                    )
                )

        # The big company's fax users: 1% at company level, a fifth in the Call Center,
        # the rest spread over the other departments.
        n_big_users = max(1, n_users - len(people) - 2)
        rest = [d for d in big_departments if d.pk != call_center.pk] or [call_center]
        at_company = max(1, n_big_users // 100)
        in_call_center = n_big_users // 5
        for i in range(n_big_users):
            if i < at_company:
                department = None
            elif i < at_company + in_call_center:
                department = call_center
            else:
                department = rest[i % len(rest)]
            first, last = next_name()
            people.append(
                _person(
                    username=f"user{i}@scale.example",
                    first=first,
                    last=last,
                    role=Role.FAX_USER,
                    company=big,
                    department=department,
                    password=password,
                    now=now,
                    is_locked=i % 100 == 99,
                    locked_at=now if i % 100 == 99 else None,
                )
            )
        User.objects.bulk_create(people, batch_size=BATCH)
        fax_users: dict[int, list[User]] = {}
        for person in people:
            if person.role == Role.FAX_USER and person.company_id is not None:
                fax_users.setdefault(person.company_id, []).append(person)

        n_numbers = _numbers(scale, companies, fax_users)
        port_request = _port_requests(scale, companies, small_admins, company_admin, now)

    return {
        "operator": operator,
        "partner": partner,
        "partner_user": partner_user,
        "company": big,
        "companies": companies,
        "company_admin": company_admin,
        "read_only_admin": read_only_admin,
        "dept_admin": dept_admins[0],
        "fax_user": next(p for p in fax_users[big.pk] if p.department_id == call_center.pk),
        "outsider_company": companies[1],
        "outsider_admin": small_admins[companies[1].pk],
        "call_center": call_center,
        "deepest": deepest,
        "pool_area_code": POOL_AREA_CODE,
        "port_request": port_request,
        "password": SEED_PASSWORD,
        "counts": {
            "companies": len(companies),
            "departments": len(departments),
            "users": len(people) + 2,
            "numbers": n_numbers,
            "port_requests": _count("port_requests", scale),
        },
    }


def _numbers(scale: float, companies: list[Company], fax_users: dict[int, list[User]]) -> int:
    """6,000 numbers at full scale: 60% available (two thirds of them in the pool's area
    code), 40% in service in the companies (70% of those in the big one), given to users."""
    total = _count("numbers", scale)
    available = total * 6 // 10
    rows: list[FaxNumber] = []
    for i in range(total):
        if i < available:
            area = POOL_AREA_CODE if i < available * 2 // 3 else AREA_CODES[1 + i % 9]
            rows.append(
                FaxNumber(
                    number=f"+1{area}{2_000_000 + i:07d}",
                    country="US",
                    area_code=area,
                    source=NumberSource.STOCK,
                    status=NumberStatus.AVAILABLE,
                )
            )
            continue
        k = i - available
        company = companies[0] if k % 10 < 7 else companies[1 + k % (len(companies) - 1)]
        users = fax_users.get(company.pk, [])
        user = users[k % len(users)] if users and k % 3 else None
        area = AREA_CODES[k % len(AREA_CODES)]
        rows.append(
            FaxNumber(
                number=f"+1{area}{2_000_000 + i:07d}",
                country="US",
                area_code=area,
                source=NumberSource.STOCK,
                status=NumberStatus.IN_SERVICE,
                company=company,
                user=user,
            )
        )
    # Each number at most once per user: a user given a second number keeps the first.
    seen: set[int] = set()
    for row in rows:
        if row.user is not None:
            if row.user.pk in seen:
                row.user = None
            else:
                seen.add(row.user.pk)
    FaxNumber.objects.bulk_create(rows, batch_size=BATCH)
    return total


def _port_requests(
    scale: float,
    companies: list[Company],
    small_admins: dict[int, User],
    big_admin: User,
    now: Any,
) -> PortRequest | None:
    """2,000 port requests at full scale, half of them the big company's, over every
    status, each with one to three numbers."""
    total = _count("port_requests", scale)
    statuses = list(PortStatus)
    requests: list[PortRequest] = []
    for i in range(total):
        company = companies[0] if i % 2 == 0 else companies[1 + i % (len(companies) - 1)]
        creator = big_admin if company.pk == companies[0].pk else small_admins[company.pk]
        status = statuses[i % len(statuses)]
        area = AREA_CODES[i % len(AREA_CODES)]
        requests.append(
            PortRequest(
                company=company,
                created_by=creator,
                status=status,
                contact_first_name=creator.first_name,
                contact_last_name=creator.last_name,
                contact_email=creator.email,
                btn=f"+1{area}{3_000_000 + i * 3:07d}",
                losing_carrier="Old Telco",
                account_number=f"ACCT{100000 + i}",
                business_name=company.name,
                authorized_name=f"{creator.first_name} {creator.last_name}",
                street=f"{100 + i % 900} Main Street",
                city="Springfield",
                state="IL",
                postal_code="62701",
                submitted_at=None if status == PortStatus.DRAFT else now - timedelta(days=i % 60),
            )
        )
    PortRequest.objects.bulk_create(requests, batch_size=BATCH)
    numbers = [
        PortNumber(request=request, number=f"+1{request.btn[2:5]}{3_000_000 + i * 3 + k:07d}")
        for i, request in enumerate(requests)
        for k in range(1 + i % 3)
    ]
    PortNumber.objects.bulk_create(numbers, batch_size=BATCH)
    return requests[0] if requests else None
