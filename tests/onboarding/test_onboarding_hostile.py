"""Hostile documents at an onboarding order's checklist (API and portal): each refused with a
422 naming the file field, nothing stored, the file decoded before any transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from onboarding_support import pdf_bytes, vault_files

from faxline.accounts.models import User
from faxline.onboarding import services
from faxline.onboarding.models import OnboardingDocument, OnboardingOrder
from hostile_documents import (
    absurd_startxref_pdf,
    bomb_tiff,
    pdf_with_catalog,
    tiff_next_page_past_the_end,
)

from cast import Cast

NOW = datetime(2026, 3, 10, 15, 0, tzinfo=UTC)
Call = Callable[..., Any]
HOSTILE = {
    "the probe's TIFF bomb": (bomb_tiff(200, 6700, 6700), "document_too_large"),
    "absurd startxref": (absurd_startxref_pdf(), "document_unreadable"),
    "TIFF page past the end": (tiff_next_page_past_the_end(), "document_unreadable"),
    "PDF with a launch action": (
        pdf_with_catalog(b"/OpenAction 4 0 R", b"", b"<</S /Launch /F (calc.exe)>>"),
        "document_active_content",
    ),
}


@pytest.fixture(autouse=True)
def _frozen() -> Any:
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def order_id(cast: Cast, partner: User, call: Call) -> int:
    response = call(partner, "post", "/onboarding/orders", {"company_id": cast.company.pk})
    assert response.status_code == 201, response.content
    return int(response.json()["id"])


@pytest.mark.parametrize(("data", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_api_refuses_with_a_422(
    partner: User, call: Call, order_id: int, media: Any, data: bytes, code: str
) -> None:
    files = {"kind": "payment_authorization", "file": SimpleUploadedFile("auth.pdf", data)}
    response = call(partner, "post", f"/onboarding/orders/{order_id}/documents", files=files)
    assert response.status_code == 422, response.content
    assert (response.json()["code"], response.json()["field"]) == (code, "file")
    assert vault_files(media) == [] and not OnboardingDocument.objects.exists()


def test_portal_shows_the_refusal(partner: User, order_id: int, media: Any) -> None:
    client = Client()
    client.force_login(partner)
    response = client.post(
        f"/onboarding/orders/{order_id}/documents/",
        {
            "kind": "payment_authorization",
            "file": SimpleUploadedFile("auth.tif", bomb_tiff(200, 6700, 6700)),
        },
    )
    assert response.status_code == 422
    assert "decompression bomb" in response.content.decode()
    assert vault_files(media) == [] and not OnboardingDocument.objects.exists()


def test_the_document_is_checked_before_any_transaction(
    cast: Cast, partner: User, order_id: int, media: Any
) -> None:
    from faxline.accounts.access import Actor

    order = OnboardingOrder.objects.get(pk=order_id)
    with transaction.atomic(), pytest.raises(RuntimeError, match="before the database"):
        services.document_upload(
            actor=Actor(user=partner), order=order, kind="payment_authorization", data=pdf_bytes()
        )
    assert vault_files(media) == []
