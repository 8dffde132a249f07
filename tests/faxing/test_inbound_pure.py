"""Inbound faxes without a database: the potential-partial rule and the email's text (no
fax content beyond numbers and pages)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from faxline.faxing.inbound.models import InboundFax
from faxline.faxing.inbound.services import _email_text, _partial, reception_of
from faxline.telephony.t30 import FaxResult
from faxline.telephony.transport import ReceivedFax

pytestmark = pytest.mark.database_independent

RESULT = FaxResult(
    completion_code=0,
    completion_text="OK",
    success=True,
    pages=3,
    pages_in_file=0,
    bit_rate=14400,
    ecm=True,
    x_resolution=204,
    y_resolution=196,
    width=1728,
    length=2200,
    bad_rows=0,
    longest_bad_row_run=0,
    ecm_retries=0,
    remote_ident="SECRET CLINIC",
    call_seconds=42.0,
    phases=(),
    log=(),
)
AT = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def received(**changes: object) -> ReceivedFax:
    return ReceivedFax(
        "+12125551234", "+13125550000", Path("x.tif"), replace(RESULT, **changes), AT
    )


def test_a_proper_end_is_not_partial() -> None:
    assert not _partial(received())


def test_a_call_ended_without_proper_termination_is_a_potential_partial() -> None:
    assert _partial(received(terminated=True))
    assert _partial(received(completion_code=48, completion_text="Disconnected", success=False))


def test_an_error_before_any_page_is_no_partial_fax() -> None:
    assert not _partial(received(completion_code=11, pages=0, success=False))


def fax(**fields: object) -> InboundFax:
    values: dict[str, object] = {
        "pk": 7,
        "to_number": "+12125551234",
        "from_number": "+13125550000",
        "received_at": AT,
        "pages": 3,
        "remote_csid": "SECRET CLINIC",
        "call_seconds": 42.0,
        "completion_text": "OK",
    }
    values.update(fields)
    return InboundFax(**values)


def test_the_email_says_numbers_and_pages_and_nothing_of_the_content() -> None:
    subject, body = _email_text(fax(), attached=True, link="https://portal/faxes/received/7/")
    assert subject == "Fax received from +13125550000 (3 pages)"
    assert "The fax is attached." in body and "https://" not in body
    assert "SECRET CLINIC" not in subject + body
    subject, body = _email_text(fax(from_number=""), attached=True, link="")
    assert subject == "Fax received from unknown (3 pages)"
    assert "from an unknown number" in body and "SECRET CLINIC" not in body
    subject, body = _email_text(
        fax(partial=True, pages=1), attached=False, link="https://portal/faxes/received/7/"
    )
    assert subject == "Fax received from +13125550000 (1 page)"
    assert "https://portal/faxes/received/7/" in body and "attached" not in body
    assert "may be incomplete" in body


def test_the_reception_for_the_metadata() -> None:
    reception = reception_of(fax(partial=True), time_zone="America/New_York")
    assert reception.fax_id == "7" and reception.partial
    assert (reception.ended_at - reception.started_at).total_seconds() == 42.0
    assert reception.time_zone == "America/New_York"
