"""accounts' part of ``faxline demo``: the demo provider and company, shaped like the
Concord guide's examples, its departments and people, and their sign-ins.

Idempotent: running it again finds what exists and creates only what is missing. API keys
are kept encrypted between runs so that the printed sign-ins stay valid. The apps above
accounts add to what this step prints (numbers gives the fax users their numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import ApiKey, ChannelPartner, Company, Department, User
from faxline.accounts.rights import ALL_RIGHTS
from faxline.accounts.services.administrators import administrator_create
from faxline.accounts.services.api_keys import api_key_create
from faxline.accounts.services.companies import company_create
from faxline.accounts.services.departments import department_create
from faxline.accounts.services.partners import (
    channel_partner_staff_create,
    company_assign_channel_partner,
)
from faxline.accounts.services.users import user_create
from faxline.core.crypto import decrypt_text, encrypt_text
from faxline.core.demo import DemoData

DEMO_PASSWORD = "Demo-Fax-2026!"
DEMO_KEY_NAME = "demo"


@dataclass(frozen=True)
class DemoPerson:
    role: str
    username: str
    first_name: str
    last_name: str
    department: tuple[str, ...] | None  # path of department names; None = company level


PEOPLE = (
    DemoPerson("company_admin", "admin@concord-demo.example", "Dave", "Kastl", None),
    DemoPerson(
        "department_admin",
        "billing.admin@concord-demo.example",
        "Bea",
        "Billings",
        ("Billing Dept",),
    ),
    DemoPerson("read_only_admin", "auditor@concord-demo.example", "Rita", "Reader", None),
    DemoPerson(
        "fax_user",
        "test.user@concord-demo.example",
        "Test",
        "User",
        ("Billing Dept", "Billing Level 1"),
    ),
    DemoPerson(
        "fax_user_2",
        "sarah.salesperson@concord-demo.example",
        "Sarah",
        "Salesperson",
        ("Sales",),
    ),
    DemoPerson("fax_user_3", "otis.ops@concord-demo.example", "Otis", "Ops", ("Operations",)),
    DemoPerson(
        "fax_user_4",
        "lev.two@concord-demo.example",
        "Lev",
        "Two",
        ("Billing Dept", "Billing Level 1", "Billing Level 2"),
    ),
)
DEPARTMENTS = (
    ("Billing Dept",),
    ("Billing Dept", "Billing Level 1"),
    ("Billing Dept", "Billing Level 1", "Billing Level 2"),
    ("Sales",),
    ("Operations",),
)


def _operator() -> User:
    user = User.objects.filter(username__iexact="operator@provider.example").first()
    if user is None:
        user = User.objects.create_user(
            username="operator@provider.example",
            password=DEMO_PASSWORD,
            role=Role.OPERATOR,
            first_name="Pat",
            last_name="Porting",
            email="operator@provider.example",
        )
    return user


def _partner_staff(op: Actor, partner: ChannelPartner) -> User:
    found = User.objects.filter(username__iexact="partner@reseller.example").first()
    if found is not None:
        return found
    return channel_partner_staff_create(
        actor=op,
        partner=partner,
        first_name="Paula",
        last_name="Partner",
        email="partner@reseller.example",
        username="partner@reseller.example",
        password=DEMO_PASSWORD,
    ).user


def _department(company: Company, actor: Actor, names: tuple[str, ...]) -> Department:
    parent: Department | None = None
    for name in names:
        found = Department.objects.filter(company=company, parent=parent, name=name).first()
        if found is None:
            found = department_create(actor=actor, company=company, parent=parent, name=name)
        parent = found
    assert parent is not None
    return parent


def _api_key(user: User) -> str:
    """The demo key of ``user``. Its secret is kept encrypted under FAXLINE_HOME so that
    repeated runs print the same working key (the database only holds its digest)."""
    store = settings.FAXLINE_HOME / "demo-keys"
    store.mkdir(parents=True, exist_ok=True)
    path = store / f"{user.pk}.key"
    if path.exists():
        secret = decrypt_text(path.read_text())
        from faxline.core.crypto import keyed_digest

        if ApiKey.objects.filter(digest=keyed_digest(secret), revoked_at__isnull=True).exists():
            return secret
    created = api_key_create(actor=Actor(user=user), name=DEMO_KEY_NAME)
    path.write_text(encrypt_text(created.secret))
    path.chmod(0o600)
    return created.secret


def demo_accounts(data: DemoData) -> None:
    """Create (or find) the demo provider, company and people; put the portal address, the
    company and every sign-in into ``data``."""
    operator = _operator()
    op = Actor(user=operator)
    partner, _ = ChannelPartner.objects.get_or_create(name="Demo Channel Partner")
    partner_staff = _partner_staff(op, partner)
    company = Company.objects.filter(name="Concord Demo Company").first()
    if company is None:
        company = company_create(
            actor=op, name="Concord Demo Company", domain="concord-demo.example"
        )
        company_assign_channel_partner(actor=op, company=company, partner=partner)
    departments: dict[tuple[str, ...], Department] = {
        names: _department(company, op, names) for names in DEPARTMENTS
    }
    people: list[tuple[DemoPerson, User]] = []
    for person in PEOPLE:
        user = User.objects.filter(username__iexact=person.username).first()
        department = departments[person.department] if person.department else None
        if user is None:
            if person.role.endswith("admin"):
                user = administrator_create(
                    actor=op,
                    company=company,
                    department=department,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    email=person.username,
                    username=person.username,
                    password=DEMO_PASSWORD,
                    rights=sorted(ALL_RIGHTS),
                    read_only=person.role == "read_only_admin",
                    time_zone="America/Los_Angeles",
                ).user
            else:
                user = user_create(
                    actor=op,
                    company=company,
                    department=department,
                    first_name=person.first_name,
                    last_name=person.last_name,
                    email=person.username,
                    username=person.username,
                    password=DEMO_PASSWORD,
                ).user
        people.append((person, user))
    users = [
        {
            "role": "operator",
            "username": operator.username,
            "email": operator.email,
            "password": DEMO_PASSWORD,
            "api_key": _api_key(operator),
        },
        {
            "role": "channel_partner",
            "username": partner_staff.username,
            "email": partner_staff.email,
            "password": DEMO_PASSWORD,
            "api_key": _api_key(partner_staff),
        },
    ]
    for person, user in people:
        entry = {
            "role": person.role,
            "username": user.username,
            "email": user.email,
            "password": DEMO_PASSWORD,
            "api_key": _api_key(user),
        }
        users.append(entry)
    data.update(portal=settings.FAXLINE_PORTAL_URL, company=company.name, users=users)
