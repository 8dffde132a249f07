"""`faxline demo`: idempotent, prints the roles outside checks rely on, with working keys."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client

from faxline.numbers.models import FaxNumber

ROLES = {
    "operator",
    "channel_partner",
    "company_admin",
    "department_admin",
    "read_only_admin",
    "fax_user",
    "fax_user_2",
}


@pytest.mark.django_db
def test_demo_is_idempotent_and_usable(settings, tmp_path) -> None:
    settings.FAXLINE_HOME = tmp_path
    out1, out2 = StringIO(), StringIO()
    call_command("demo", stdout=out1)
    call_command("demo", stdout=out2)
    first, second = json.loads(out1.getvalue()), json.loads(out2.getvalue())
    assert first == second
    by_role = {u["role"]: u for u in first["users"]}
    assert set(by_role) >= ROLES
    assert first["portal"].startswith("http")
    for role in ("fax_user", "fax_user_2"):
        number = by_role[role]["fax_number"]
        assert FaxNumber.objects.get(number=number).user.username == by_role[role]["username"]
    me = Client(HTTP_AUTHORIZATION=f"Bearer {by_role['company_admin']['api_key']}")
    response = me.get("/api/v1/numbers/inventory")
    assert response.status_code == 200
    assert response.json()["total"]["assigned"] >= 2
    client = Client()
    assert client.login(
        username=by_role["department_admin"]["username"],
        password=by_role["department_admin"]["password"],
    )
