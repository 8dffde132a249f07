"""Rendering and sealing an LOA happen outside any database transaction (on SQLite a write
transaction holds the database's only write lock: seconds of PDF work there made every
other write wait), and the short transaction that stores the result refuses or renders
again when the request changed meanwhile.

These tests commit for real (``transaction=True``), so that "inside a transaction" means
what it means in production; the rendering and sealing functions are the real ones,
watched on their way through.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from documents_support import (
    documents_env,  # noqa: F401 (fixture)
    signing_key_files,  # noqa: F401 (fixture)
)
from porting_support import request_data

from faxline.accounts.access import Actor
from faxline.core.errors import Conflict
from faxline.porting.choices import DocumentKind
from faxline.porting.files import loa
from faxline.porting.files.loa import SignatureInput, signing, unsigned
from faxline.porting.models import LoaSignature, PortDocument, PortRequest
from faxline.porting.requests import services

from cast import Cast
from worker import run_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("documents_env")]


@pytest.fixture
def port(cast: Cast) -> PortRequest:
    return services.port_request_create(
        actor=cast.actor(cast.company_admin),
        company=cast.company,
        data=request_data(pin="4321", authorized_email="carol@acme.example"),
    )


def carol(cast: Cast) -> Actor:
    return Actor(user=cast.company_admin, ip_address="203.0.113.7")


SIGNATURE = SignatureInput(signer_name="Carol Chief", signer_title="CEO", consent=True)


def watch(
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    name: str,
    meanwhile: Callable[[], None] | None = None,
) -> list[bool]:
    """Record, each time ``module.name`` runs, whether a transaction is open; optionally
    do ``meanwhile`` (another person's change) before it returns."""
    original = getattr(module, name)
    seen: list[bool] = []

    def watched(*args: Any, **kwargs: Any) -> Any:
        seen.append(connection.in_atomic_block)
        result = original(*args, **kwargs)
        if meanwhile is not None:
            meanwhile()
        return result

    monkeypatch.setattr(module, name, watched)
    return seen


def change_the_carrier(port: PortRequest, carrier: str) -> Callable[[], None]:
    def change() -> None:
        PortRequest.objects.filter(pk=port.pk).update(losing_carrier=carrier)

    return change


def test_generating_renders_outside_any_transaction(
    cast: Cast, port: PortRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = watch(monkeypatch, unsigned, "render_loa_pdf")
    document = loa.loa_generate(actor=carol(cast), request=port)
    assert rendered == [False]
    assert document.kind == DocumentKind.LOA


def test_signing_renders_and_seals_outside_any_transaction(
    cast: Cast, port: PortRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = watch(monkeypatch, unsigned, "render_loa_pdf")
    sealed = watch(monkeypatch, signing, "build_signed_pdf")
    signature = loa.loa_sign(actor=carol(cast), request=port, data=SIGNATURE)
    assert (rendered, sealed) == ([False], [False])
    assert signature.signed_document is not None


def test_the_link_is_sent_and_signed_with_rendering_and_sealing_outside_transactions(
    cast: Cast, port: PortRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = watch(monkeypatch, unsigned, "render_loa_pdf")
    sealed = watch(monkeypatch, signing, "build_signed_pdf")
    sent = loa.loa_send_link(actor=carol(cast), request=port)
    run_tasks()
    token = mail.outbox[-1].body.split("/settings/porting/sign/", 1)[1].split("/", 1)[0]
    signature = loa.loa_sign_with_token(token=token, data=SIGNATURE, ip_address="198.51.100.9")
    assert (rendered, sealed) == ([False], [False])
    assert signature.pk == sent.signature.pk and signature.signed_at is not None


def test_a_change_while_the_loa_renders_makes_it_render_again(
    cast: Cast, port: PortRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    changes = iter([change_the_carrier(port, "Newer Telco")])

    def once() -> None:
        next(changes, lambda: None)()

    rendered = watch(monkeypatch, unsigned, "render_loa_pdf", meanwhile=once)
    document = loa.loa_generate(actor=carol(cast), request=port)
    assert len(rendered) == 2  # the first rendering stated the old carrier
    port.refresh_from_db()
    assert loa.loa_current(port) == document
    assert PortDocument.objects.filter(kind=DocumentKind.LOA).count() == 1


def test_a_change_while_the_signature_is_sealed_refuses_the_signature(
    cast: Cast, port: PortRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    watch(monkeypatch, signing, "build_signed_pdf", meanwhile=change_the_carrier(port, "Other"))
    with pytest.raises(Conflict) as refused:
        loa.loa_sign(actor=carol(cast), request=port, data=SIGNATURE)
    assert refused.value.code == "loa_changed"
    assert not PortDocument.objects.filter(kind=DocumentKind.SIGNED_LOA).exists()
    assert not LoaSignature.objects.exists()


def test_a_link_used_while_the_signature_was_sealed_signs_once(
    cast: Cast, port: PortRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    loa.loa_send_link(actor=carol(cast), request=port)
    run_tasks()
    token = mail.outbox[-1].body.split("/settings/porting/sign/", 1)[1].split("/", 1)[0]

    def the_other_tab_signs() -> None:
        monkeypatch.undo()  # the second signature goes through unwatched
        loa.loa_sign_with_token(token=token, data=SIGNATURE, ip_address=None)

    watch(monkeypatch, signing, "build_signed_pdf", meanwhile=the_other_tab_signs)
    with pytest.raises(Conflict) as refused:
        loa.loa_sign_with_token(token=token, data=SIGNATURE, ip_address=None)
    assert refused.value.code == "link_used"
    assert LoaSignature.objects.filter(signed_at__isnull=False).count() == 1
    assert PortDocument.objects.filter(kind=DocumentKind.SIGNED_LOA).count() == 1
