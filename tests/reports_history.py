"""The fax history of the reports tests (tests/activity/test_reports_*.py and the browser
test) and the figures every report must give for it.

Time is frozen at NOW (2026-12-06 12:00 UTC): the rolling 90 days run from 2026-09-08 to
2026-12-06. Acme's faxes fall on two days, D1 (2026-12-01) and D2 (2026-12-03), plus one
fax of each direction on 2026-08-01, outside the period. The Billing user sends and receives
on NUM_1, the Sales user on NUM_2.

Outbound (wait: acceptance to first dial; completion: acceptance to the end):
  1. Bill → DEST_A, D1 10:00, success, 2 pages              wait 20 s, completion 60 s
  2. Bill → DEST_A, D1 10:30, failed "No Answer", 2 busy, 1  wait 20 s, completion 420 s
  3. Sarah (NUM_2) → DEST_B, D2 09:00, success, 3 pages      wait 60 s, completion 100 s
  4. Bill → DEST_B, D2 11:00, failed "Busy", 1 busy, 4 pages wait 20 s, completion 240 s
     (the retry and the final attempt both met a busy line: 2 busy)
  5. Bill → DEST_A, D2 12:00, still in progress, 1 page      wait 20 s
Inbound (forward: reception to first forward):
  a. NUM_1 (Bill), D1 08:00, 3 pages, forwarded after 4 s
  b. NUM_1 (Bill), D1 09:00, 2 pages, potential partial, forwarded after 10 s
  c. NUM_2 (Sarah), D2 08:00, no fax data (0 pages), not forwarded
  d. NUM_2 (Sarah), D2 09:00, 1 page, forwarded after 6 s
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from history import inbound, outbound

from cast import Cast

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
D1 = datetime(2026, 12, 1, tzinfo=UTC)
D2 = datetime(2026, 12, 3, tzinfo=UTC)
OLD = datetime(2026, 8, 1, 10, tzinfo=UTC)
START, END = "2026-09-08", "2026-12-06"
NUM_1 = "+12125557001"
NUM_2 = "+12125557002"
DEST_A = "+16175550100"
DEST_B = "+13105550199"


def acme_history(cast: Cast, *, days: tuple[datetime, datetime, datetime] = (D1, D2, OLD)) -> None:
    """Acme's faxes (above) on ``days``: D1, D2 and the day outside the period."""
    bill, sarah = cast.billing_user, cast.sales_user
    D1, D2, OLD = days
    h = timedelta(hours=1)
    outbound(bill, to=DEST_A, at=OLD, pages=5)
    outbound(bill, to=DEST_A, at=D1 + 10 * h, pages=2)
    outbound(bill, to=DEST_A, at=D1 + 10.5 * h, status="failed", error="No Answer", busy=2, pages=1)
    outbound(
        sarah, to=DEST_B, at=D2 + 9 * h, pages=3, from_number=NUM_2, wait=timedelta(seconds=60)
    )
    outbound(bill, to=DEST_B, at=D2 + 11 * h, status="failed", error="Busy", busy=1, pages=4)
    # Last: one call to a destination is in progress at a time.
    outbound(bill, to=DEST_A, at=D2 + 12 * h, status="in_progress", pages=1)
    inbound(bill, number=NUM_1, at=D1 + 8 * h, pages=3)
    inbound(
        bill,
        number=NUM_1,
        at=D1 + 9 * h,
        pages=2,
        partial=True,
        forwarded_after=timedelta(seconds=10),
    )
    inbound(sarah, number=NUM_2, at=D2 + 8 * h, pages=0, forwarded_after=None)
    inbound(sarah, number=NUM_2, at=D2 + 9 * h, pages=1, forwarded_after=timedelta(seconds=6))
    inbound(bill, number=NUM_1, at=OLD, pages=1)


def _usage(faxes: int, success: int, failed: int, pages: int, average: float) -> dict[str, Any]:
    return {
        "faxes": faxes,
        "success": success,
        "failed": failed,
        "pages": pages,
        "average_pages": average,
    }


# (rows, totals) of every report for Acme as a whole (the API's JSON).
EXPECTED: dict[tuple[str, str], tuple[list[dict[str, Any]], dict[str, Any]]] = {
    ("outbound", "average-time-to-first-dial"): (
        [
            {"day": "2026-12-01", "faxes": 2, "average_seconds": 20.0},
            {"day": "2026-12-03", "faxes": 3, "average_seconds": 33.3},
        ],
        {"faxes": 5, "average_seconds": 28.0},
    ),
    ("outbound", "average-total-completion-time"): (
        [
            {"day": "2026-12-01", "faxes": 2, "average_seconds": 240.0},
            {"day": "2026-12-03", "faxes": 2, "average_seconds": 170.0},
        ],
        {"faxes": 4, "average_seconds": 205.0},
    ),
    ("outbound", "frequent-busy-destinations"): (
        [
            {"remote": DEST_B, "busy": 2, "faxes": 2},
            {"remote": DEST_A, "busy": 2, "faxes": 3},
        ],
        {"busy": 4, "faxes": 5},
    ),
    ("outbound", "highest-volume-destinations"): (
        [
            {
                "remote": DEST_A,
                "faxes": 3,
                "success": 1,
                "failed": 1,
                "pages": 4,
                "success_rate": 33.3,
            },
            {
                "remote": DEST_B,
                "faxes": 2,
                "success": 1,
                "failed": 1,
                "pages": 7,
                "success_rate": 50.0,
            },
        ],
        {"faxes": 5, "success": 2, "failed": 2, "pages": 11, "success_rate": 40.0},
    ),
    ("outbound", "outbound-failures"): (
        [
            {"error": "Busy", "faxes": 1, "share": 50.0},
            {"error": "No Answer", "faxes": 1, "share": 50.0},
        ],
        {"faxes": 2, "share": 100.0},
    ),
    ("outbound", "usage-summary"): (
        [
            {"day": "2026-12-01", **_usage(2, 1, 1, 3, 1.5)},
            {"day": "2026-12-03", **_usage(3, 1, 1, 8, 2.67)},
        ],
        _usage(5, 2, 2, 11, 2.2),
    ),
    ("inbound", "average-time-to-first-forward"): (
        [
            {"day": "2026-12-01", "faxes": 2, "average_seconds": 7.0},
            {"day": "2026-12-03", "faxes": 1, "average_seconds": 6.0},
        ],
        {"faxes": 3, "average_seconds": 6.7},
    ),
    ("inbound", "highest-volume-numbers"): (
        [
            {
                "number": NUM_1,
                "faxes": 2,
                "success": 1,
                "failed": 1,
                "pages": 5,
                "success_rate": 50.0,
            },
            {
                "number": NUM_2,
                "faxes": 2,
                "success": 1,
                "failed": 1,
                "pages": 1,
                "success_rate": 50.0,
            },
        ],
        {"faxes": 4, "success": 2, "failed": 2, "pages": 6, "success_rate": 50.0},
    ),
    ("inbound", "potential-partial-faxes"): (
        [
            {"day": "2026-12-01", "faxes": 2, "partial": 1, "partial_rate": 50.0},
            {"day": "2026-12-03", "faxes": 2, "partial": 0, "partial_rate": 0.0},
        ],
        {"faxes": 4, "partial": 1, "partial_rate": 25.0},
    ),
    ("inbound", "transmission-failures"): (
        [
            {"day": "2026-12-01", "no_fax_data": 0, "potential_partial": 1, "failures": 1},
            {"day": "2026-12-03", "no_fax_data": 1, "potential_partial": 0, "failures": 1},
        ],
        {"no_fax_data": 1, "potential_partial": 1, "failures": 2},
    ),
    ("inbound", "usage-summary"): (
        [
            {"day": "2026-12-01", **_usage(2, 1, 1, 5, 2.5)},
            {"day": "2026-12-03", **_usage(2, 1, 1, 1, 0.5)},
        ],
        _usage(4, 2, 2, 6, 1.5),
    ),
}

REPORT_KEYS = list(EXPECTED)
