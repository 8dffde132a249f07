"""The cast of the lab tests (the carrier's endpoints by role) and their small helpers, in a
module of its own so that test modules can import them (``conftest`` names are ambiguous
across the test tree)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from faxline.telephony.lab import Endpoint
from faxline.telephony.lab.sipp import Sipp

SippFactory = Callable[..., Sipp]


@dataclass(frozen=True)
class Cast:
    """The lab's endpoints, by role (ports are where a SIPp answerer must listen)."""

    faxline: Endpoint  # digest (alice), numbers +1212555..., relays T.38 as offered
    remote: Endpoint  # IP-authenticated answerer, +1646555..., pass-through
    no_t38: Endpoint  # +1718555..., the carrier refuses T.38 towards it (488)
    t38_machine: Endpoint  # +1917555..., carries faxes in T.38 only
    g711_machine: Endpoint  # +1312555..., carries faxes in G.711 only
    registered: Endpoint  # digest (bob), +1415555..., its declared port has nobody
    tcp_remote: Endpoint  # +1303555..., reached over TCP

    def all(self) -> list[Endpoint]:
        return [
            self.faxline,
            self.remote,
            self.no_t38,
            self.t38_machine,
            self.g711_machine,
            self.registered,
            self.tcp_remote,
        ]


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)
