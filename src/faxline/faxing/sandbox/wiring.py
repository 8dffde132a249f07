"""The sandbox PSTN of this process, built from the settings with faxing's callbacks.

:func:`sandbox_transport` is the transport every call of this process goes through (one
instance, so that its lines, ``FAXLINE_SANDBOX_LINES``, are shared by all of them).
"""

from __future__ import annotations

import logging
import threading

from django.conf import settings

from faxline.faxing.sandbox.services import sandbox_remote_fax_keep
from faxline.numbers.selectors import number_in_service
from faxline.telephony.sandbox.pstn import LocalLines, SandboxPSTN, SandboxTimings
from faxline.telephony.transport import ReceivedFax

logger = logging.getLogger(__name__)


def number_directory(number: str) -> bool:
    """The sandbox's directory: a number is on-net when it is in service here."""
    return number_in_service(number)


def inbound_receive(fax: ReceivedFax) -> int:
    """On-net calls' received faxes: kept and delivered to the number's user (the fax
    engine's inbound reception); returns the received fax's id."""
    from faxline.faxing.inbound.services import inbound_fax_receive

    return inbound_fax_receive(fax)


_lock = threading.Lock()
_transport: SandboxPSTN | None = None


def sandbox_transport(
    *, timings: SandboxTimings | None = None, real_time: bool | None = None
) -> SandboxPSTN:
    """This process's sandbox PSTN (``FAXLINE_SANDBOX_LINES`` lines,
    ``FAXLINE_SANDBOX_REAL_TIME`` pacing). ``timings`` or ``real_time`` give another
    instance on the same lines (the CLI's ``--real-time``; tests shorten the network's
    waits)."""
    global _transport
    with _lock:
        if _transport is None or _transport_settings(_transport) != _wanted():
            _transport = SandboxPSTN(
                directory=number_directory,
                inbound=inbound_receive,
                remote_store=sandbox_remote_fax_keep,
                lines=LocalLines(int(settings.FAXLINE_SANDBOX_LINES)),
                real_time=bool(settings.FAXLINE_SANDBOX_REAL_TIME),
            )
        if timings is None and real_time is None:
            return _transport
        return SandboxPSTN(
            directory=_transport.directory,
            inbound=_transport.inbound,
            remote_store=_transport.remote_store,
            lines=_transport.lines,
            real_time=_transport.real_time if real_time is None else real_time,
            timings=timings,
        )


def _wanted() -> tuple[int, bool]:
    return int(settings.FAXLINE_SANDBOX_LINES), bool(settings.FAXLINE_SANDBOX_REAL_TIME)


def _transport_settings(transport: SandboxPSTN) -> tuple[int, bool]:
    lines = transport.lines
    return (lines.count if isinstance(lines, LocalLines) else -1), transport.real_time
