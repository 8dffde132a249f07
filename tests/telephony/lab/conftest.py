"""One lab carrier for a test module (starting one takes about a second), with the endpoints
every lab test dials, and SIPp runners that put their traces in the test's directory."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from faxline.telephony.lab import Endpoint, FaxCarriage, SipLab, free_port
from faxline.telephony.lab.sipp import SIPP, Sipp
from faxline.telephony.sip.config import SipTransportName

NEEDED = ("/usr/sbin/kamailio", "/usr/bin/rtpengine", SIPP)

# every test module here: ``pytestmark = LAB_MARKS`` (copied, as conftest is not imported)
LAB_INSTALLED = all(os.access(path, os.X_OK) for path in NEEDED)


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


@pytest.fixture(scope="module")
def cast() -> Cast:
    return Cast(
        faxline=Endpoint(
            "faxline", port=free_port(), numbers=("+1212555",), username="alice",
            password="s3cret",
        ),
        remote=Endpoint("remote", port=free_port(), numbers=("+1646555",)),
        no_t38=Endpoint("no-t38", port=free_port(), numbers=("+1718555",), refuse_t38=True),
        t38_machine=Endpoint(
            "t38-machine", port=free_port(), numbers=("+1917555",), t38=FaxCarriage.T38
        ),
        g711_machine=Endpoint(
            "g711-machine", port=free_port(), numbers=("+1312555",), t38=FaxCarriage.G711
        ),
        registered=Endpoint(
            "registered", port=free_port(), numbers=("+1415555",), username="bob",
            password="b0b-pw",
        ),
        tcp_remote=Endpoint(
            "tcp-remote", port=free_port(tcp_too=True), numbers=("+1303555",),
            transport=SipTransportName.TCP,
        ),
    )  # fmt: skip


@pytest.fixture(scope="module")
def lab(cast: Cast) -> Iterator[SipLab]:
    with SipLab(cast.all()) as running:
        yield running


SippFactory = Callable[..., Sipp]


@pytest.fixture
def sipp(tmp_path: Path) -> Iterator[SippFactory]:
    """``sipp(scenario, name=..., ...)``: a :class:`Sipp` working in the test's directory;
    every one made is killed at the end of the test."""
    made: list[Sipp] = []

    def make(scenario: str, *, name: str, **options: object) -> Sipp:
        runner = Sipp(scenario, workdir=tmp_path, name=name, **options)  # type: ignore[arg-type]
        made.append(runner)
        return runner

    yield make
    for runner in made:
        runner.kill()
        if runner.process is not None:
            runner.process.wait()


def wait_for(condition: Callable[[], object], timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.02)
