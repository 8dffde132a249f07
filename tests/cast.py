"""The standard cast of every tenant test (DESIGN.md convention 8).

Acme Corp: departments Billing Dept -> Billing Level 1, and Sales; a company administrator
(all rights), a department administrator of Billing Dept, a read-only administrator, fax users
in Billing Level 1 and Sales. Globex: another company with its own administrator and user
(the outsider). An operator of the provider sees everything.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company, Department, User
from faxline.accounts.rights import ALL_RIGHTS
from faxline.accounts.services.administrators import administrator_create
from faxline.accounts.services.companies import company_create
from faxline.accounts.services.departments import department_create
from faxline.accounts.services.users import user_create

PASSWORD = "Fax-Secret-2026"


@dataclass
class Cast:
    operator: User
    company: Company
    billing: Department
    billing_l1: Department
    sales: Department
    company_admin: User
    dept_admin: User
    read_only_admin: User
    billing_user: User
    sales_user: User
    outsider_company: Company
    outsider_admin: User
    outsider_user: User

    def actor(self, user: User) -> Actor:
        return Actor(user=user)


def make_operator(username: str = "operator") -> User:
    return User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=Role.OPERATOR,
        first_name="Olga",
        last_name="Operator",
        email=f"{username}@provider.example",
    )


def build_cast() -> Cast:
    operator = make_operator()
    op = Actor(user=operator)
    company = company_create(actor=op, name="Acme Corp")
    boss = administrator_create(
        actor=op,
        company=company,
        department=None,
        first_name="Carol",
        last_name="Chief",
        email="carol@acme.example",
        username="carol",
        password=PASSWORD,
        rights=sorted(ALL_RIGHTS),
    ).user
    admin_actor = Actor(user=boss)
    billing = department_create(
        actor=admin_actor, company=company, parent=None, name="Billing Dept"
    )
    billing_l1 = department_create(
        actor=admin_actor, company=company, parent=billing, name="Billing Level 1"
    )
    sales = department_create(actor=admin_actor, company=company, parent=None, name="Sales")
    dept_admin = administrator_create(
        actor=admin_actor,
        company=company,
        department=billing,
        first_name="Dana",
        last_name="Dept",
        email="dana@acme.example",
        username="dana",
        password=PASSWORD,
        rights=sorted(ALL_RIGHTS),
    ).user
    read_only = administrator_create(
        actor=admin_actor,
        company=company,
        department=None,
        first_name="Rita",
        last_name="Reader",
        email="rita@acme.example",
        username="rita",
        password=PASSWORD,
        rights=sorted(ALL_RIGHTS),
        read_only=True,
    ).user
    billing_user = user_create(
        actor=admin_actor,
        company=company,
        department=billing_l1,
        first_name="Bill",
        last_name="Payer",
        email="bill@acme.example",
        username="bill",
        password=PASSWORD,
    ).user
    sales_user = user_create(
        actor=admin_actor,
        company=company,
        department=sales,
        first_name="Sarah",
        last_name="Salesperson",
        email="sarah@acme.example",
        username="sarah",
        password=PASSWORD,
    ).user
    other = company_create(actor=op, name="Globex")
    outsider_admin = administrator_create(
        actor=op,
        company=other,
        department=None,
        first_name="Otto",
        last_name="Outsider",
        email="otto@globex.example",
        username="otto",
        password=PASSWORD,
        rights=sorted(ALL_RIGHTS),
    ).user
    outsider_user = user_create(
        actor=Actor(user=outsider_admin),
        company=other,
        department=None,
        first_name="Gina",
        last_name="Globex",
        email="gina@globex.example",
        username="gina",
        password=PASSWORD,
    ).user
    return Cast(
        operator,
        company,
        billing,
        billing_l1,
        sales,
        boss,
        dept_admin,
        read_only,
        billing_user,
        sales_user,
        other,
        outsider_admin,
        outsider_user,
    )


@pytest.fixture
def cast(db: None) -> Cast:
    return build_cast()
