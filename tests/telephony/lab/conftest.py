"""One lab carrier for a test module (starting one takes about a second), with the endpoints
every lab test dials, and SIPp runners that put their traces in the test's directory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lab_cast import Cast, SippFactory

from faxline.telephony.lab import Endpoint, FaxCarriage, SipLab, free_port
from faxline.telephony.lab.sipp import Sipp
from faxline.telephony.sip.config import SipTransportName


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
