"""The test fax to each ported number (the guide: each port is tested).

When a port completes, :func:`~faxline.porting.requests.completion.port_request_complete`
records a "test fax pending" event and nudges the ``porting.tasks.test_fax`` task after
commit. The task (:func:`port_request_test_faxes`) places a real one-page fax to each ported
number through the fax engine's transport (a SIP trunk when an operator enabled one: the call
goes out to the carrier and comes back to the number; otherwise the sandbox PSTN, where a
number in service here stays on-net; either way what arrives is kept as an inbound fax of the
number, like any other), and records
the result as a ``test_fax`` event of the request: "Test fax to +1 …: Sent, 1 page, received
on-net", or the failure by the guide's outcome name. The port's status does not change.

It runs outside any transaction (the page is converted in the documents sandbox, the call
takes seconds). It is idempotent: a number that already has its ``test_fax`` event is not
called again, and the event is written under the request's row lock after a second look, so
that a repeated task records once. A lost nudge is found by :func:`port_test_fax_sweep` (a
periodic job of the porting app).
"""

from __future__ import annotations

import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from faxline.accounts.access import SYSTEM
from faxline.documents.coverpage import CoverFields, render_default_cover
from faxline.documents.faximage import convert_to_fax
from faxline.faxing.trunks.wiring import fax_transport
from faxline.numbers.plan import display_number
from faxline.porting.choices import NumberStatus, PortStatus
from faxline.porting.models import PortEvent, PortRequest
from faxline.porting.requests.services import record_event
from faxline.telephony.outcomes import OutcomeName, outcome_named
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.transport import CallOutcome, CallRequest, Transport

log = logging.getLogger(__name__)

# The sweep nudges again a request completed at least SWEEP_AFTER ago (its task had time to
# run) and at most SWEEP_WITHIN ago (an old port is not tested out of the blue).
SWEEP_AFTER = timedelta(minutes=10)
SWEEP_WITHIN = timedelta(days=2)

KIND = "test_fax"
IDENT = "FAXLINE PORT TEST"

TEST_FAX_PENDING = (
    "Test fax pending: faxline sends a one-page test fax to each ported number; the result "
    "of each appears here (the guide: each port is tested)."
)


def port_test_fax_from() -> str:
    """The number the test faxes come from (``FAXLINE_PORT_TEST_FAX_FROM``)."""
    return str(settings.FAXLINE_PORT_TEST_FAX_FROM)


def _tested(request_id: int) -> set[str]:
    rows = PortEvent.objects.filter(request_id=request_id, kind=KIND).values_list(
        "detail", flat=True
    )
    return {str(d.get("number")) for d in rows if isinstance(d, dict)}


def port_test_page(request: PortRequest) -> bytes:
    """The one-page TIFF-F of the test fax (a cover page that says what it is)."""
    pdf = render_default_cover(
        CoverFields(
            to=request.company.name,
            sender=str(settings.FAXLINE_PROVIDER_NAME),
            from_fax=display_number(port_test_fax_from()),
            subject=f"Port test fax, port request {request.pk}",
            comments=(
                "This test fax confirms that your ported number receives faxes on "
                f"{settings.FAXLINE_PROVIDER_NAME}. No action is needed."
            ),
            pages=1,
            date=timezone.localtime().strftime("%m-%d-%Y %I:%M %p"),
        )
    )
    return convert_to_fax(pdf, filename="port-test.pdf").tiff


def describe(number: str, outcome: CallOutcome) -> str:
    """The event's message: "Test fax to +1 …: Sent, 1 page, received on-net", or the
    failure's name, its cause and what to do."""
    shown = display_number(number)
    if outcome.success:
        pages = outcome.fax.pages if outcome.fax is not None else 0
        where = {
            "inbound": ", received on-net",
            "remote_store": ", received by the far end",
        }.get(str(outcome.far_end.get("delivered", "")), "")
        return f"Test fax to {shown}: Sent, {pages} page{'s' if pages != 1 else ''}{where}."
    message = f"Test fax to {shown}: {outcome.name}"
    if outcome.outcome.t30_text:
        message += f" ({outcome.outcome.t30_text})"
    return f"{message}. {outcome.outcome.action}"


def _call(transport: Transport, number: str, tiff: Path) -> CallOutcome:
    """The call's outcome; a call that could not be placed at all (the transport failed) is a
    General Error, recorded like any other failure rather than retried forever."""
    try:
        request = CallRequest(
            from_number=port_test_fax_from(),
            to_number=number,
            tiff=tiff,
            options=FaxOptions(ident=IDENT, log_flow=False),
        )
        return transport.place_call_sync(request)
    except Exception as exc:
        log.exception("test fax to %s could not be placed", number)
        return CallOutcome(
            outcome=outcome_named(OutcomeName.GENERAL_ERROR, cause=f"error:{type(exc).__name__}"),
            connected=False,
            transport="none",
            from_number=port_test_fax_from(),
            to_number=number,
        )


def port_request_test_faxes(request_id: int, *, transport: Transport | None = None) -> int:
    """Fax each ported number of the completed request once and record the result; returns
    how many results it recorded (0: nothing left to test, or the request is not completed).
    Runs outside any transaction."""
    request = PortRequest.objects.select_related("company").filter(pk=request_id).first()
    if request is None or request.status != PortStatus.COMPLETED:
        return 0
    done = _tested(request_id)
    numbers = [
        n
        for n in request.numbers.filter(status=NumberStatus.PORTED)
        .order_by("number")
        .values_list("number", flat=True)
        if n not in done
    ]
    if not numbers:
        return 0
    transport = transport or fax_transport()
    recorded = 0
    with tempfile.TemporaryDirectory(prefix="faxline-port-test-") as folder:
        path = Path(folder) / "test.tif"
        path.write_bytes(port_test_page(request))
        for number in numbers:
            outcome = _call(transport, number, path)
            with transaction.atomic():
                locked = PortRequest.objects.select_for_update().get(pk=request_id)
                if number in _tested(request_id):
                    continue  # another run recorded it meanwhile
                record_event(
                    locked,
                    kind=KIND,
                    actor=SYSTEM,
                    message=describe(number, outcome),
                    number=number,
                    outcome=str(outcome.name),
                    success=outcome.success,
                    pages=outcome.fax.pages if outcome.fax is not None else 0,
                    cause=outcome.outcome.cause,
                    completion_code=outcome.outcome.t30_code,
                    delivered=str(outcome.far_end.get("delivered", "")),
                )
                recorded += 1
            log.info("port request %s: test fax to %s: %s", request_id, number, outcome.name)
    return recorded


def untested_requests() -> list[int]:
    """Completed requests (SWEEP_AFTER to SWEEP_WITHIN ago) with a ported number that has no
    test fax result yet."""
    now = timezone.now()
    candidates = PortRequest.objects.filter(
        status=PortStatus.COMPLETED,
        completed_at__lte=now - SWEEP_AFTER,
        completed_at__gte=now - SWEEP_WITHIN,
    ).values_list("pk", flat=True)
    found = []
    for pk in candidates:
        ported = set(
            PortRequest.objects.get(pk=pk)
            .numbers.filter(status=NumberStatus.PORTED)
            .values_list("number", flat=True)
        )
        if ported - _tested(pk):
            found.append(pk)
    return found


def port_test_fax_sweep() -> int:
    """Nudge the test fax task again for every request whose results are missing (a lost
    nudge); returns how many it nudged."""
    from faxline.core.aftercommit import enqueue_now
    from faxline.porting.tasks import test_fax

    ids = untested_requests()
    for pk in ids:
        enqueue_now(test_fax, pk)
    return len(ids)
