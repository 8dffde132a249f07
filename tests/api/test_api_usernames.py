"""Which answers tell whether a username exists (decision 0011-usernames-and-sign-in-answers).

Usernames are unique across the platform, because signing in asks for the username alone.
So "already taken" must exist, and it is shown only to someone creating an account there
and then, who holds the right to create it where they asked: every check of rights and
scope comes before it. Everyone else gets the answer they would get for any name.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from faxline.accounts.models import User
from faxline.accounts.services.administrators import administrator_create

from cast import PASSWORD, Cast

pytestmark = pytest.mark.django_db
Call = Callable[..., Any]


def new_user(cast: Cast, username: str, department: Any = None) -> dict[str, Any]:
    return {
        "first_name": "Probe",
        "last_name": "Person",
        "email": "probe@acme.example",
        "username": username,
        "generate_password": True,
        "department_id": (department or cast.sales).pk,
    }


def test_only_an_account_creator_learns_that_a_username_is_taken(cast: Cast, call: Call) -> None:
    limited = administrator_create(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        department=None,
        first_name="Ann",
        last_name="Admins",
        email="ann@acme.example",
        username="ann",
        password=PASSWORD,
        rights=["administrators.manage"],
    ).user
    taken, free = "gina", "nobody-has-this"  # gina is Globex's
    cases = [
        (None, 401, "unauthenticated"),
        (cast.billing_user, 404, "not_found"),  # a fax user sees no departments
        (cast.read_only_admin, 403, "read_only"),
        (limited, 403, "missing_right"),  # no right to add user accounts
        (cast.dept_admin, 404, "not_found"),  # Sales is outside Billing
    ]
    for caller, status, code in cases:
        answers = []
        for name in (taken, free):
            response = call(caller, "post", "/users", new_user(cast, name))
            assert response.status_code == status, (caller, name, response.content)
            body = response.json()
            assert body["code"] == code
            answers.append(body)
        assert answers[0] == answers[1], f"{caller}: the answers differ for a taken name"
        assert "taken" not in str(answers)
    # The account's creator, allowed to create it there, is told (they need to pick another).
    response = call(cast.company_admin, "post", "/users", new_user(cast, taken))
    assert response.status_code == 422
    assert response.json()["field"] == "username" and "already taken" in response.json()["message"]
    assert User.objects.filter(username__iexact=taken).count() == 1
