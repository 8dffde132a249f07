"""Shared pieces of the tests of the platform over a SIP trunk: the lab carrier with our
platform and a remote faxline on it, the platform's transport as the dispatcher runs it, and
waiting for what a call's threads write."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import OperationalError

from faxline.faxing.trunks import wiring
from faxline.telephony.lab import Endpoint, SipLab, free_port
from faxline.telephony.sip.trunk import SipTrunkTransport
from telephony.lab.trunk_pair import FAST, Party

PLATFORM_NUMBERS = ("+1212555",)  # what the carrier routes to the platform
REMOTE_NUMBERS = ("+1617555",)  # what it routes to the remote faxline


@dataclass
class Carrier:
    lab: SipLab
    platform_port: int
    remote: Party


@contextmanager
def lab_carrier(username: str, password: str) -> Iterator[Carrier]:
    """kamailio + rtpengine with two endpoints: the platform (digest ``username`` /
    ``password``) and a remote faxline (IP-authenticated, started; stopped afterwards,
    whatever the test's outcome)."""
    platform_port = free_port(tcp_too=True)
    remote = Party("remote", free_port(tcp_too=True), REMOTE_NUMBERS)
    endpoints = [
        Endpoint(
            "platform",
            port=platform_port,
            numbers=PLATFORM_NUMBERS,
            username=username,
            password=password,
        ),
        remote.endpoint(),
    ]
    with SipLab(endpoints) as lab:
        try:
            remote.start(lab, speed=FAST)
            yield Carrier(lab, platform_port, remote)
        finally:
            remote.stop()


def platform_transport(carrier: Carrier) -> SipTrunkTransport:
    """What `faxline serve`'s dispatcher runs (faxing's wiring), on the platform's port,
    paced like the remote (both ends are ours)."""
    return wiring.sip_transport(
        host="127.0.0.1", port=carrier.platform_port, speed=FAST, listen_seconds=4.0
    )


def wait_for(query: Callable[[], object], seconds: float = 10.0) -> None:
    """Wait until ``query()`` is true: the transport's threads write what a call brought in
    (the in-memory SQLite database may be locked by them meanwhile)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if query():
                return
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
        time.sleep(0.1)
    raise AssertionError(f"not settled after {seconds} s")
