"""LAB: a fax machine on the far side of the lab carrier, for trying a SIP trunk by hand.

:class:`RemoteFaxMachine` is faxline's own SIP trunk transport playing someone else's fax
machine: it answers calls to its numbers through the lab carrier, writes each fax it
receives as a TIFF-F file into ``inbox``, and sends a TIFF-F to any number when asked
(:meth:`send`). ``faxline sip_lab`` runs one as the remote party, so that a newcomer can send
a fax from the portal to it and receive one from it. Nothing here is used by a real
installation.
"""

from __future__ import annotations

import itertools
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from faxline.telephony.sip.config import (
    InboundAnswer,
    SipTransportName,
    T38Mode,
    TrunkConfig,
    TrunkDirectory,
)
from faxline.telephony.sip.trunk import SipTrunkTransport
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.transport import CallOutcome, CallRequest, ReceivedFax


class RemoteFaxMachine:
    """A fax machine reached through the lab carrier at ``carrier_host:carrier_port``,
    listening on ``host:port`` for calls to ``numbers`` (E.164 numbers or prefixes)."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        numbers: Sequence[str],
        carrier_host: str,
        carrier_port: int,
        inbox: Path,
        transport: SipTransportName = SipTransportName.UDP,
        t38: T38Mode = T38Mode.PREFERRED,
    ):
        self.numbers = tuple(numbers)
        self.inbox = inbox
        self.received: list[Path] = []
        self._serial = itertools.count(1)
        self.trunk = TrunkConfig(
            key="lab",
            name="lab carrier",
            host=carrier_host,
            port=carrier_port,
            transport=transport,
            t38=t38,
        )
        self.transport = SipTrunkTransport(
            lambda: [self.trunk],
            TrunkDirectory(inbound_answer=self._answer),
            self._keep,
            host=host,
            port=port,
        )

    def _answer(self, did: str, _caller: str) -> InboundAnswer:
        if any(did.startswith(number) for number in self.numbers):
            return InboundAnswer.ACCEPT
        return InboundAnswer.UNKNOWN_NUMBER

    def _keep(self, fax: ReceivedFax) -> None:
        self.inbox.mkdir(parents=True, exist_ok=True)
        stamp = time.strftime("%Y%m%d-%H%M%S")
        name = f"{stamp}-{next(self._serial)}-from{fax.from_number}-to{fax.to_number}.tif"
        path = self.inbox / name
        shutil.copyfile(fax.tiff, path)
        self.received.append(path)

    def start(self) -> None:
        self.transport.start()

    def stop(self) -> None:
        self.transport.close()

    def send(self, tiff: Path, *, to: str, from_number: str) -> CallOutcome:
        """Fax ``tiff`` (a TIFF-F) to ``to`` through the carrier; waits for the outcome."""
        request = CallRequest(
            from_number=from_number,
            to_number=to,
            tiff=tiff,
            options=FaxOptions(ident=from_number),
        )
        return self.transport.place_call_sync(request)
