"""Security policy per level: in force, customized, inherited, reset; the global one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from faxline.accounts.models import SecurityPolicy

from cast import Cast

pytestmark = pytest.mark.django_db
Call = Callable[..., Any]


def test_customize_inherit_and_reset(cast: Cast, call: Call) -> None:
    carol = cast.company_admin
    company = f"/companies/{cast.company.pk}/security-policy"
    billing = f"/departments/{cast.billing.pk}/security-policy"
    level1 = f"/departments/{cast.billing_l1.pk}/security-policy"

    start = call(carol, "get", company).json()
    assert (start["source"], start["customized"], start["min_length"]) == ("global", False, 8)

    saved = call(carol, "put", company, {"min_length": 10, "history_count": 3})
    assert saved.status_code == 200
    assert (saved.json()["source"], saved.json()["customized"]) == ("company", True)
    assert saved.json()["min_length"] == 10 and saved.json()["max_length"] == 100

    inherited = call(carol, "get", billing).json()
    assert (inherited["source"], inherited["customized"], inherited["min_length"]) == (
        "company",
        False,
        10,
    )
    assert call(cast.dept_admin, "put", billing, {"min_upper": 1}).json()["source"] == "department"
    below = call(carol, "get", level1).json()
    assert (below["source"], below["department_id"], below["min_upper"]) == (
        "department",
        cast.billing.pk,
        1,
    )
    assert below["min_length"] == 10  # started from the company's policy

    assert call(carol, "delete", billing).status_code == 204
    assert call(carol, "get", level1).json()["source"] == "company"
    assert call(carol, "delete", company).status_code == 204
    assert call(carol, "get", company).json()["source"] == "global"
    again = call(carol, "delete", company)
    assert again.status_code == 409 and again.json()["code"] == "policy_not_customized"


def test_department_admin_cannot_change_company_policy(cast: Cast, call: Call) -> None:
    path = f"/companies/{cast.company.pk}/security-policy"
    assert call(cast.dept_admin, "get", path).status_code == 200
    assert call(cast.dept_admin, "put", path, {"min_length": 20}).status_code == 403
    assert not SecurityPolicy.objects.filter(company=cast.company).exists()


def test_global_policy_is_for_operators(cast: Cast, call: Call) -> None:
    assert call(cast.company_admin, "get", "/security-policy/global").status_code == 403
    shown = call(cast.operator, "get", "/security-policy/global").json()
    assert shown["source"] == "global" and shown["company_id"] is None
    saved = call(cast.operator, "put", "/security-policy/global", {"lockout_attempts": 3})
    assert saved.status_code == 200 and saved.json()["lockout_attempts"] == 3
    # Acme has no policy of its own, so the global one is in force there.
    acme = call(cast.company_admin, "get", f"/companies/{cast.company.pk}/security-policy")
    assert acme.json()["lockout_attempts"] == 3
