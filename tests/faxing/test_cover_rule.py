"""The cover page rule (the four modes, table-tested) and the cover a sender's fax gets:
their default cover or the built-in, the page count with the cover, the date in their
format and zone; the header line from their company."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cover_files import form_template
from faxline.accounts.access import Actor
from faxline.accounts.services.coverpages import (
    company_header_line_update,
    cover_page_delete,
    cover_page_upload,
)
from faxline.accounts.services.settings import settings_update
from faxline.faxing.coverpages import (
    Recipient,
    build_cover,
    cover_wanted,
    header_line_for,
    sender_wants_cover,
)

from cast import Cast

MOMENT = datetime(2026, 12, 6, 14, 5, tzinfo=UTC)
RECIPIENT = Recipient(fax_number="+1 212 555 0142", name="Margaret Quimby", company="Riverside")

# mode, the sender asked (None: did not say), the email body (None: not an email), cover?
RULE = [
    ("automatic", None, None, True),
    ("automatic", False, None, True),
    ("automatic", True, "", True),
    ("on_demand", None, None, False),
    ("on_demand", False, None, False),
    ("on_demand", True, None, True),
    ("on_demand", None, "Body text", False),
    ("none", None, None, False),
    ("none", True, None, False),
    ("none", True, "Body text", False),
    ("with_body_text", None, None, False),
    ("with_body_text", None, "", False),
    ("with_body_text", None, " \n\t ", False),
    ("with_body_text", None, "Please sign.", True),
    ("with_body_text", True, None, False),
]


@pytest.mark.database_independent
@pytest.mark.parametrize(("mode", "requested", "body", "expected"), RULE)
def test_the_four_modes(
    mode: str, requested: bool | None, body: str | None, expected: bool
) -> None:
    assert cover_wanted(mode, requested=requested, body_text=body) is expected


@pytest.mark.database_independent
def test_an_unknown_mode_is_a_defect() -> None:
    with pytest.raises(ValueError, match="sometimes"):
        cover_wanted("sometimes")


@pytest.fixture
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_text(pdf: bytes) -> str:
    from pypdf import PdfReader

    return " ".join((PdfReader(io.BytesIO(pdf)).pages[0].extract_text() or "").split())


@pytest.mark.django_db
def test_the_senders_effective_mode_decides(cast: Cast) -> None:
    sender = cast.billing_user
    admin = Actor(user=cast.company_admin)
    assert sender_wants_cover(sender) is True  # Automatic, the default
    settings_update(actor=admin, owner=sender, tab="coverpage", values={"mode": "none"})
    sender.refresh_from_db()
    assert sender_wants_cover(sender, requested=True) is False
    settings_update(actor=admin, owner=sender, tab="coverpage", values={"mode": "with_body_text"})
    sender.refresh_from_db()
    assert sender_wants_cover(sender, body_text="Hello") is True
    assert sender_wants_cover(sender, body_text="") is False


@pytest.mark.django_db
@pytest.mark.usefixtures("_media")
def test_build_cover_default_then_template_then_fallback(cast: Cast) -> None:
    sender = cast.billing_user
    admin = Actor(user=cast.company_admin)
    sender.phone = "+1 646 555 0111"
    sender.save(update_fields=["phone"])
    settings_update(
        actor=admin,
        owner=sender,
        tab="custom",
        values={"time_zone": "Europe/Berlin", "date_format": "dd.MM.yyyy", "time_format": "HH:mm"},
    )
    sender.refresh_from_db()
    cover = build_cover(
        sender=sender,
        recipient=RECIPIENT,
        subject="Purchase agreement",
        comments="Please countersign.",
        body_pages=3,
        from_fax="+1 646 555 0110",
        moment=MOMENT,
    )
    assert cover.template_id is None
    assert cover.fields.pages == 4
    assert cover.fields.date == "06.12.2026 15:05"
    text = pdf_text(cover.pdf)
    for words in ("Margaret Quimby", "Riverside", "Bill Payer", "Acme Corp", "06.12.2026 15:05"):
        assert words in text
    assert "4 pages with this cover" in text

    template = cover_page_upload(
        actor=admin, owner=cast.billing, data=form_template(), filename="b.pdf", name="Billing"
    )
    settings_update(
        actor=admin, owner=sender, tab="coverpage", values={"default_coverpage": template.key}
    )
    sender.refresh_from_db()
    cover = build_cover(sender=sender, recipient=RECIPIENT, body_pages=1, moment=MOMENT)
    assert cover.template_id == template.pk
    text = pdf_text(cover.pdf)
    assert "ACME MEDICAL GROUP" in text and "Margaret Quimby" in text

    # "Only my cover(s)" on the user: a department's cover is not theirs, the built-in is used.
    sender.settings["coverpage"]["only_my_covers"] = True
    sender.save(update_fields=["settings"])
    assert build_cover(sender=sender, recipient=RECIPIENT, body_pages=1).template_id is None
    sender.settings["coverpage"]["only_my_covers"] = False
    sender.save(update_fields=["settings"])
    cover_page_delete(actor=admin, cover=template)
    fallback = build_cover(sender=sender, recipient=RECIPIENT, body_pages=1, moment=MOMENT)
    assert fallback.template_id is None
    assert "Margaret Quimby" in pdf_text(fallback.pdf)


@pytest.mark.django_db
def test_header_line_for_a_sender(cast: Cast) -> None:
    line = header_line_for(cast.billing_user, moment=MOMENT)
    assert line is not None
    assert line.ident == "Acme Corp"
    assert line.when == "12-06-2026 9:05 AM"
    admin = Actor(user=cast.company_admin)
    company_header_line_update(actor=admin, company=cast.company, ident="ACME BILLING")
    cast.billing_user.company.refresh_from_db()
    assert header_line_for(cast.billing_user).ident == "ACME BILLING"  # type: ignore[union-attr]
    company_header_line_update(actor=admin, company=cast.company, enabled=False)
    cast.billing_user.company.refresh_from_db()
    assert header_line_for(cast.billing_user) is None
