"""Every CSV import has a limit on the length of a value and on the number of rows, and
refuses a file beyond either with a clear 422 on ``file`` (never a 500), writing nothing.

The imports all read through ``core.csvfile``; this pins the limits at each API entry point
(the onboarding order's numbers are in ``tests/onboarding/test_onboarding_api.py``, the New
Port Request wizard's pasted list in ``tests/porting/test_port_bulk.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from faxline.accounts import bulk as users_bulk
from faxline.accounts.models import BulkCreateJob, User
from faxline.numbers import services as numbers_services
from faxline.numbers.models import FaxNumber
from faxline.porting.models import PortRequest
from faxline.porting.requests import bulk as ports_bulk

from cast import Cast

pytestmark = pytest.mark.django_db

Call = Callable[..., Any]


@dataclass(frozen=True)
class Import:
    name: str
    path: str
    user: Callable[[Cast], User]
    header: str
    row: Callable[[int], str]
    max_rows: int
    written: Callable[[], int]


IMPORTS = [
    Import(
        "Bulk Create",
        "/users/bulk",
        lambda cast: cast.company_admin,
        "first_name,last_name,email,username",
        lambda n: f"Ann,Able{n},ann{n}@acme.example,ann{n}",
        users_bulk.MAX_ROWS,
        lambda: BulkCreateJob.objects.count(),
    ),
    Import(
        "bulk port requests",
        "/port-requests/bulk",
        lambda cast: cast.company_admin,
        ",".join(ports_bulk.REQUIRED_COLUMNS),
        lambda n: ",".join(f"x{n}" for _ in ports_bulk.REQUIRED_COLUMNS),
        ports_bulk.MAX_ROWS,
        lambda: PortRequest.objects.count(),
    ),
    Import(
        "number stock",
        "/numbers/stock",
        lambda cast: cast.operator,
        "number,carrier",
        lambda n: f"+1206555{n % 10000:04d},Acme",
        numbers_services.MAX_IMPORT_ROWS,
        lambda: FaxNumber.objects.count(),
    ),
]


def post(call: Call, user: User, path: str, text: str) -> tuple[int, dict[str, object]]:
    upload = SimpleUploadedFile("import.csv", text.encode(), content_type="text/csv")
    response = call(user, "post", path, files={"file": upload})
    return response.status_code, response.json()


@pytest.mark.parametrize("target", IMPORTS, ids=lambda i: i.name)
def test_a_200_kb_value_is_refused_naming_the_line(cast: Cast, call: Call, target: Import) -> None:
    before = target.written()
    first = target.row(1).split(",", 1)
    huge = f"{first[0]}{'x' * 200_000},{first[1]}"
    status, body = post(call, target.user(cast), target.path, f"{target.header}\n{huge}\n")
    assert status == 422, body
    assert (body["code"], body["field"]) == ("value_too_long", "file")
    assert str(body["message"]).startswith("Line 2:")
    assert target.written() == before


@pytest.mark.parametrize("target", IMPORTS, ids=lambda i: i.name)
def test_one_row_more_than_the_limit_is_refused(cast: Cast, call: Call, target: Import) -> None:
    before = target.written()
    rows = "\n".join(target.row(n) for n in range(target.max_rows + 1))
    status, body = post(call, target.user(cast), target.path, f"{target.header}\n{rows}\n")
    assert status == 422, body
    assert (body["code"], body["field"]) == ("too_many_rows", "file")
    assert target.written() == before
