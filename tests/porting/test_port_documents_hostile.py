"""Hostile documents at a port request's Files, through the service, the API and the portal:
each refused with a 4xx naming the field (never a 500), nothing stored, and the document
always decoded before the transaction begins (issue "Hardening")."""

from __future__ import annotations

import io
import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.db import transaction
from django.test import Client
from django.urls import reverse
from documents_support import (
    documents_env,  # noqa: F401 (fixture)
    drawn_signature,
    pdf_bytes,
    signing_key_files,  # noqa: F401 (fixture)
    vault_files,
)
from porting_support import request_data

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.api_keys import api_key_create
from faxline.core.errors import ValidationFailed
from faxline.documents import sandbox
from faxline.documents.limits import WorkerLimits
from faxline.porting.files import loa
from faxline.porting.files.loa import SignatureInput
from faxline.porting.files.services import port_document_add
from faxline.porting.models import LoaSignature, PortDocument, PortRequest
from faxline.porting.requests import services
from hostile_documents import (
    absurd_startxref_pdf,
    bomb_tiff,
    pdf_with_catalog,
    tiff_next_page_past_the_end,
)

from cast import Cast

pytestmark = pytest.mark.usefixtures("documents_env")

HOSTILE = {
    "the probe's TIFF bomb": (bomb_tiff(200, 6700, 6700), "document_too_large"),
    "absurd startxref": (absurd_startxref_pdf(), "document_unreadable"),
    "TIFF page past the end": (tiff_next_page_past_the_end(), "document_unreadable"),
    "PDF with JavaScript": (
        pdf_with_catalog(b"/OpenAction 4 0 R", b"", b"<</S /JavaScript /JS (app.alert(1))>>"),
        "document_active_content",
    ),
}


@pytest.fixture(autouse=True)
def _monday() -> Any:
    with time_machine.travel(datetime(2026, 12, 7, 15, tzinfo=UTC)):
        yield


@pytest.fixture
def port(cast: Cast) -> PortRequest:
    admin = cast.actor(cast.company_admin)
    return services.port_request_create(actor=admin, company=cast.company, data=request_data())


def _api(user: User) -> Client:
    secret = api_key_create(actor=Actor(user=user), name="docs").secret
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def _upload(name: str, data: bytes) -> io.BytesIO:
    upload = io.BytesIO(data)
    upload.name = name
    return upload


@pytest.mark.parametrize(("data", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_api_refuses_hostile_documents_with_a_422(
    cast: Cast, port: PortRequest, data: bytes, code: str
) -> None:
    response = _api(cast.company_admin).post(
        f"/api/v1/port-requests/{port.pk}/documents",
        {"kind": "bill", "file": _upload("bill.tif", data), "statement_date": "2026-12-01"},
    )
    assert response.status_code == 422, response.content
    body = response.json()
    assert (body["code"], body["field"]) == (code, "file")
    assert body["message"].startswith("“bill.tif”")
    assert not PortDocument.objects.exists() and not vault_files()


@pytest.mark.parametrize(("data", "code"), HOSTILE.values(), ids=HOSTILE.keys())
def test_portal_shows_the_refusal(cast: Cast, port: PortRequest, data: bytes, code: str) -> None:
    client = Client()
    client.force_login(cast.company_admin)
    response = client.post(
        reverse("porting:files", args=[port.pk]),
        {
            "kind": "bill",
            "file": _upload("bill.tif", data),
            "bill_statement_date": "2026-12-01",
        },
    )
    assert response.status_code == 422
    assert "“bill.tif”" in response.content.decode()
    assert not PortDocument.objects.exists() and not vault_files()


def test_a_document_over_the_cpu_limit_is_a_422_not_a_500(
    cast: Cast, port: PortRequest, settings: Any
) -> None:
    """Within every budget read from the headers (200 pages of 2100 x 2100 pixels of noise,
    880 MB decoded) but more than a second of CPU to convert: the worker is killed at its
    limit."""
    settings.FAXLINE_INTAKE_CPU_SECONDS = 1
    response = _api(cast.company_admin).post(
        f"/api/v1/port-requests/{port.pk}/documents",
        {
            "kind": "bill",
            # Noise, not blank pages: blank ones now convert within the second.
            "file": _upload("scan.tif", bomb_tiff(200, 2100, 2100, noise=True)),
            "statement_date": "2026-12-01",
        },
    )
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "document_too_complex"
    assert "takes too long to read" in response.json()["message"]
    assert not vault_files()


def test_too_many_documents_at_once_is_a_503(cast: Cast, port: PortRequest, settings: Any) -> None:
    settings.FAXLINE_INTAKE_CONCURRENCY = 1
    settings.FAXLINE_INTAKE_WALL_SECONDS = 1
    # A sandbox that answers first: after a test whose worker was killed at its limit, the
    # job holding the slot could otherwise fail at once and free it (the test then depended
    # on which tests ran before it).
    sandbox.run_job("selftest.echo", b"", {}, limits=WorkerLimits(wall_seconds=30))
    started = threading.Event()
    held: list[bool] = []

    def hold_the_slot() -> None:
        started.set()
        sandbox.run_job("selftest.sleep", b"", {"seconds": 3}, limits=WorkerLimits(wall_seconds=10))
        held.append(True)

    holder = threading.Thread(target=hold_the_slot)
    holder.start()
    started.wait()
    time.sleep(0.3)
    try:
        response = _api(cast.company_admin).post(
            f"/api/v1/port-requests/{port.pk}/documents",
            {
                "kind": "bill",
                "file": _upload("bill.pdf", pdf_bytes()),
                "statement_date": "2026-12-01",
            },
        )
    finally:
        holder.join()
    assert held, "the job holding the slot failed"
    assert response.status_code == 503
    assert response.json()["code"] == "intake_busy"


def test_the_document_is_checked_before_any_transaction(cast: Cast, port: PortRequest) -> None:
    """The service opens its transaction only after the sandbox answered: called inside a
    caller's transaction, it refuses to decode at all."""
    with transaction.atomic(), pytest.raises(RuntimeError, match="before the database"):
        port_document_add(
            actor=cast.actor(cast.company_admin),
            request=port,
            kind="bill",
            filename="bill.pdf",
            data=pdf_bytes(),
            facts={"statement_date": "2026-12-01"},
        )
    assert not vault_files()


def _signer(cast: Cast) -> Actor:
    return Actor(user=cast.company_admin, ip_address="203.0.113.7")


def test_a_hostile_drawn_signature_is_refused(cast: Cast, port: PortRequest) -> None:
    import base64

    # A real PNG bomb: a small file declaring 15000 x 15000 pixels.
    from PIL import Image

    out = io.BytesIO()
    Image.new("1", (15000, 15000)).save(out, "PNG", optimize=True)
    bomb = "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()
    truncated = drawn_signature()[:-200]
    for image in (bomb, truncated):
        with pytest.raises(ValidationFailed) as caught:
            loa.loa_sign(
                actor=_signer(cast),
                request=port,
                data=SignatureInput(
                    signer_name="Carol Chief",
                    consent=True,
                    signature_kind="drawn",
                    signature_image=image,
                ),
            )
        assert caught.value.field == "signature_image"
        assert "could not be read" in caught.value.message
    assert not LoaSignature.objects.filter(signed_at__isnull=False).exists()


def test_the_signature_checks_keep_their_order(cast: Cast, port: PortRequest) -> None:
    """The drawn image is decoded before the transaction, but its refusal still comes after
    the name's: the first thing to fix is named first."""
    with pytest.raises(ValidationFailed) as caught:
        loa.loa_sign(
            actor=_signer(cast),
            request=port,
            data=SignatureInput(
                signer_name="",
                consent=True,
                signature_kind="drawn",
                signature_image="data:image/png;base64,AAAA",
            ),
        )
    assert caught.value.field == "signer_name"


def test_a_drawn_signature_is_decoded_before_the_transaction(cast: Cast, port: PortRequest) -> None:
    with transaction.atomic(), pytest.raises(RuntimeError, match="before the database"):
        loa.loa_sign(
            actor=_signer(cast),
            request=port,
            data=SignatureInput(
                signer_name="Carol Chief",
                consent=True,
                signature_kind="drawn",
                signature_image=drawn_signature(),
            ),
        )
