"""The Outbound Number Blocking API: list (paged, Lookup Number), add, check, export,
remove; outsider 404, department administrator and read-only 403, bad input 422 naming the
field, no credentials 401, a duplicate 422 ``number_already_blocked``."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest

from faxline.accounts.models import BlockedNumber
from faxline.core.models import AuditEvent

from cast import Cast

pytestmark = pytest.mark.django_db

Call = Callable[..., Any]


def base(cast: Cast) -> str:
    return f"/companies/{cast.company.pk}/blocked-numbers"


def test_add_list_lookup_check_and_remove(cast: Cast, call: Call) -> None:
    added = call(cast.company_admin, "post", base(cast), {"number": "(732) 920-0193"})
    assert added.status_code == 201, added.content
    assert added.json()["number"] == "+17329200193"
    assert added.json()["added_by"] == "carol"
    call(cast.company_admin, "post", base(cast), {"number": "+44 20 7946 0958"})

    listed = call(cast.read_only_admin, "get", base(cast))
    assert listed.status_code == 200
    assert listed.json()["count"] == 2
    assert [i["number"] for i in listed.json()["items"]] == ["+17329200193", "+442079460958"]

    paged = call(cast.company_admin, "get", base(cast), limit=1, offset=1)
    assert paged.json() == {"count": 2, "items": [paged.json()["items"][0]]}
    assert paged.json()["items"][0]["number"] == "+442079460958"

    found = call(cast.company_admin, "get", base(cast), q="17329200193")
    assert [i["number"] for i in found.json()["items"]] == ["+17329200193"]
    partial = call(cast.company_admin, "get", base(cast), q="7946")
    assert [i["number"] for i in partial.json()["items"]] == ["+442079460958"]

    check = call(cast.read_only_admin, "get", base(cast) + "/check", number="1-732-920-0193")
    assert check.status_code == 200
    assert check.json()["blocked"] is True and check.json()["number"] == "+17329200193"
    free = call(cast.company_admin, "get", base(cast) + "/check", number="212 555 0100")
    assert free.json() == {"number": "+12125550100", "blocked": False, "entry": None}

    removed = call(cast.company_admin, "delete", base(cast) + "/%2B17329200193")
    assert removed.status_code == 204
    assert not BlockedNumber.objects.filter(number="+17329200193").exists()
    again = call(cast.company_admin, "delete", base(cast) + "/7329200193")
    assert again.status_code == 404 and again.json()["field"] == "number"
    kinds = list(
        AuditEvent.objects.filter(kind__startswith="blocked_number").values_list("kind", flat=True)
    )
    assert sorted(kinds) == [
        "blocked_number.added",
        "blocked_number.added",
        "blocked_number.removed",
    ]


def test_a_duplicate_in_another_spelling_is_422(cast: Cast, call: Call) -> None:
    assert call(cast.company_admin, "post", base(cast), {"number": "7329200193"}).status_code == 201
    again = call(cast.company_admin, "post", base(cast), {"number": "1 (732) 920-0193"})
    assert again.status_code == 422
    assert again.json()["code"] == "number_already_blocked"
    assert again.json()["field"] == "number"
    assert BlockedNumber.objects.count() == 1


@pytest.mark.parametrize("number", ["12345", "not a number", "", "+1 999 000 0000", "9" * 60])
def test_bad_numbers_are_422_naming_the_field(cast: Cast, call: Call, number: str) -> None:
    added = call(cast.company_admin, "post", base(cast), {"number": number})
    assert added.status_code == 422
    assert added.json()["field"] == "number"
    checked = call(cast.company_admin, "get", base(cast) + "/check", number=number or "x")
    assert checked.status_code == 422 and checked.json()["field"] == "number"
    assert not BlockedNumber.objects.exists()


def test_unknown_fields_are_422(cast: Cast, call: Call) -> None:
    answer = call(cast.company_admin, "post", base(cast), {"number": "7329200193", "x": 1})
    assert answer.status_code == 422


def test_who_may_do_what(cast: Cast, call: Call) -> None:
    call(cast.company_admin, "post", base(cast), {"number": "7329200193"})
    # The outsider's company does not exist for them: 404 everywhere.
    for method, path, body in [
        ("get", base(cast), None),
        ("post", base(cast), {"number": "2125550100"}),
        ("get", base(cast) + "/check?number=7329200193", None),
        ("get", base(cast) + "/export.csv", None),
        ("delete", base(cast) + "/7329200193", None),
    ]:
        answer = call(cast.outsider_admin, method, path, body)
        assert answer.status_code == 404, (method, path)
        # A fax user does not see the company's list either.
        assert call(cast.billing_user, method, path, body).status_code == 404, (method, path)
        # A department administrator sees the company but not its list.
        assert call(cast.dept_admin, method, path, body).status_code == 403, (method, path)
        assert call(None, method, path, body).status_code == 401, (method, path)
    # A read-only administrator sees, but does not change.
    assert call(cast.read_only_admin, "get", base(cast)).status_code == 200
    refused = call(cast.read_only_admin, "post", base(cast), {"number": "2125550100"})
    assert refused.status_code == 403 and refused.json()["code"] == "read_only"
    gone = call(cast.read_only_admin, "delete", base(cast) + "/7329200193")
    assert gone.status_code == 403
    assert BlockedNumber.objects.count() == 1
    # The operator may.
    assert call(cast.operator, "post", base(cast), {"number": "2125550100"}).status_code == 201


def test_export_is_csv_and_neutralised(cast: Cast, call: Call) -> None:
    call(cast.company_admin, "post", base(cast), {"number": "7329200193"})
    call(cast.company_admin, "post", base(cast), {"number": "+44 20 7946 0958"})
    # A username a spreadsheet would run as a formula (usernames allow "+", "-", "@").
    cast.company_admin.username = "=cmd@x"
    cast.company_admin.save(update_fields=["username"])
    answer = call(cast.read_only_admin, "get", base(cast) + "/export.csv")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/csv")
    assert "attachment" in answer["Content-Disposition"]
    text = b"".join(answer.streaming_content).decode()  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Blocked Fax Number", "Added By", "Added At"]
    # Phone numbers are plain numbers (no mark); the formula-looking username is marked.
    assert [r[0] for r in rows[1:]] == ["+17329200193", "+442079460958"]
    assert {r[1] for r in rows[1:]} == {"'=cmd@x"}
