"""accounts' access decisions: the details pages explain a tab they cannot save with the very
sentence the service refuses with, and the add pages and services share one rule for where
people and departments may be added."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from faxline.accounts.access import (
    Actor,
    may_add_at,
    may_add_company,
    may_change_security_policy,
    may_change_settings,
    may_move_user,
)
from faxline.accounts.services.companies import company_create, company_update
from faxline.accounts.services.departments import department_create
from faxline.accounts.services.security import security_policy_save
from faxline.accounts.services.settings import settings_update
from faxline.accounts.services.users import user_move
from faxline.core.errors import DomainError, Forbidden, NotFound

from cast import Cast

pytestmark = pytest.mark.django_db


def _refusal(call: Callable[[], object]) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def _page_refusal(cast: Cast, user_key: str, url: str) -> str:
    client = Client()
    client.force_login(getattr(cast, user_key))
    response = client.get(url)
    assert response.status_code == 200
    return str(response.context["refusal"])


@pytest.mark.parametrize(
    ("user_key", "tab"),
    [
        ("dept_admin", "fax"),  # a company's tabs: company-level administrators only
        ("read_only_admin", "archive"),  # read-only
        ("dept_admin", "custom"),
    ],
)
def test_company_tab_refusal_is_the_services_sentence(cast: Cast, user_key: str, tab: str) -> None:
    actor = Actor(user=getattr(cast, user_key))
    url = reverse("accounts:company_details", args=[cast.company.pk]) + f"?tab={tab}"
    shown = _page_refusal(cast, user_key, url)
    refused = _refusal(lambda: settings_update(actor=actor, owner=cast.company, tab=tab, values={}))
    assert shown and shown == refused.message
    assert shown == may_change_settings(actor, cast.company, tab).reason


def test_department_security_tab_without_the_right(cast: Cast) -> None:
    cast.dept_admin.rights = [r for r in cast.dept_admin.rights if r != "settings.security"]
    cast.dept_admin.save(update_fields=["rights"])
    actor = Actor(user=cast.dept_admin)
    url = reverse("accounts:department_details", args=[cast.billing.pk]) + "?tab=security"
    shown = _page_refusal(cast, "dept_admin", url)
    refused = _refusal(
        lambda: security_policy_save(
            actor=actor, company=cast.company, department=cast.billing, values={}
        )
    )
    assert "do not have the right" in shown and shown == refused.message
    decision = may_change_security_policy(actor, cast.company, cast.billing)
    assert decision.code == "missing_right"


def test_company_details_need_the_whole_company(cast: Cast) -> None:
    actor = Actor(user=cast.dept_admin)
    refused = _refusal(lambda: company_update(actor=actor, company=cast.company, name="Dana"))
    assert isinstance(refused, Forbidden)
    assert refused.message == "Only company-level administrators can change company details."


def test_add_at_a_level(cast: Cast) -> None:
    dana = Actor(user=cast.dept_admin)
    # At company level: refused; inside her subtree: allowed; elsewhere: not found.
    top = may_add_at(dana, cast.company, None, right="departments.manage", field="parent_id")
    assert not top and top.refusal is not None and top.refusal.field == "parent_id"
    assert may_add_at(dana, cast.company, cast.billing_l1, right="users.manage")
    assert may_add_at(dana, cast.company, cast.sales, right="users.manage").code == "not_found"
    refused = _refusal(
        lambda: department_create(actor=dana, company=cast.company, parent=None, name="Top")
    )
    assert refused.message == top.reason
    # The page says the same before anything is typed.
    client = Client()
    client.force_login(cast.dept_admin)
    page = client.get(reverse("accounts:department_add", args=[cast.company.pk]))
    assert page.status_code == 403 and escape(top.reason) in page.content.decode()
    # Read-only: the right is refused first.
    rita = Actor(user=cast.read_only_admin)
    assert may_add_at(rita, cast.company, None, right="users.manage").code == "read_only"


def test_move_user_and_add_company(cast: Cast) -> None:
    dana = Actor(user=cast.dept_admin)
    assert not may_move_user(dana, cast.billing_user, None)
    refused = _refusal(lambda: user_move(actor=dana, user=cast.billing_user, department=None))
    assert refused.message == may_move_user(dana, cast.billing_user, None).reason
    assert may_move_user(dana, cast.billing_user, cast.billing_l1)
    assert isinstance(
        _refusal(lambda: user_move(actor=dana, user=cast.billing_user, department=cast.sales)),
        NotFound,
    )

    assert may_add_company(Actor(user=cast.operator))
    carol = Actor(user=cast.company_admin)
    assert not may_add_company(carol)
    refused = _refusal(lambda: company_create(actor=carol, name="Initech"))
    assert refused.message == may_add_company(carol).reason
