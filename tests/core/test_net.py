"""Destinations a customer may set (``core.net``): never this machine or the provider's
private networks, in whatever notation, directly or through a name, unless the operator
allows the network (``FAXLINE_ALLOW_PRIVATE_NETWORKS``)."""

from __future__ import annotations

import ipaddress
import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from faxline.core import net
from faxline.core.errors import ValidationFailed
from faxline.core.net import check_public_host, check_public_url, resolve_public

FIELD = "settings.archive.ftp_host"
REFUSED = [
    # IPv4, in the notations getaddrinfo accepts
    "127.0.0.1",
    "127.1",
    "0x7f000001",
    "2130706433",
    "017700000001",
    "127.0.0.1.",
    "0",
    "0.0.0.0",
    "10.0.0.5",
    "172.16.3.4",
    "192.168.1.10",
    "100.64.0.1",  # shared address space (carrier-grade NAT)
    "169.254.169.254",  # link-local: cloud metadata services
    "224.0.0.1",  # multicast
    "240.0.0.1",  # reserved
    "255.255.255.255",
    # IPv6
    "::1",
    "[::1]",
    "::",
    "fe80::1",
    "fe80::1%eth0",
    "fc00::1",
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:7f00:1",
    "[::ffff:10.0.0.1]",
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2002:c0a8:0101::1",  # 6to4 of 192.168.1.1
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    # names of this machine
    "localhost",
    "LOCALHOST.",
    "ftp.localhost",
]
ACCEPTED = [
    "8.8.8.8",
    "93.184.215.14",
    "2606:4700:4700::1111",
    "[2001:4860:4860::8888]",
    "ftp.acme.example",  # does not resolve here: checked again when used
]


@pytest.mark.parametrize("host", REFUSED)
def test_refused(host: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_public_host(host, field=FIELD)
    assert caught.value.field == FIELD and caught.value.code == "private_destination"
    assert caught.value.status == 422
    assert "FAXLINE_ALLOW_PRIVATE_NETWORKS" in caught.value.message


@pytest.mark.parametrize("host", ACCEPTED)
def test_accepted(host: str) -> None:
    assert check_public_host(host, field=FIELD) == host


@pytest.mark.parametrize("host", ["", " ", "ftp host", "a/b", "-x.example", "1.2.3.4.5", "08"])
def test_not_a_host(host: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        check_public_host(host, field=FIELD)
    assert caught.value.field == FIELD


@pytest.fixture
def dns(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[str]]:
    """A stand-in for the resolver (the system's, not faxline's): name -> addresses."""
    answers: dict[str, list[str]] = {}
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host in answers:
            return [
                (
                    socket.AF_INET6 if ":" in a else socket.AF_INET,
                    socket.SOCK_STREAM,
                    6,
                    "",
                    (a, 0, 0, 0) if ":" in a else (a, 0),
                )
                for a in answers[host]
            ]
        return real(host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    net._cache.clear()
    yield answers
    net._cache.clear()


def test_a_name_that_resolves_to_a_private_address(dns: dict[str, list[str]]) -> None:
    dns["internal.acme.example"] = ["93.184.215.14", "10.1.2.3"]
    dns["mapped.acme.example"] = ["::ffff:169.254.169.254"]
    dns["public.acme.example"] = ["93.184.215.14", "2606:4700:4700::1111"]
    for name, address in (("internal", "10.1.2.3"), ("mapped", "169.254.169.254")):
        with pytest.raises(ValidationFailed) as caught:
            check_public_host(f"{name}.acme.example", field=FIELD)
        assert "resolves to" in caught.value.message and address in caught.value.message
    assert check_public_host("public.acme.example", field=FIELD) == "public.acme.example"


def test_when_connecting_the_name_is_resolved_again(dns: dict[str, list[str]]) -> None:
    dns["rebind.acme.example"] = ["93.184.215.14"]
    assert check_public_host("rebind.acme.example", field=FIELD)
    dns["rebind.acme.example"] = ["127.0.0.1"]  # re-pointed after it was saved
    with pytest.raises(ValidationFailed):
        resolve_public("rebind.acme.example", field=FIELD)
    dns["rebind.acme.example"] = ["93.184.215.14"]
    assert resolve_public("rebind.acme.example", field=FIELD) == (
        ipaddress.ip_address("93.184.215.14"),
    )
    with pytest.raises(ValidationFailed, match="does not resolve"):
        resolve_public("nowhere.acme.example", field=FIELD)


def test_the_operator_allows_a_network(settings: Any) -> None:
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = ["10.20.0.0/16", "fd00:1::/64"]
    assert check_public_host("10.20.3.4", field=FIELD)
    assert check_public_host("::ffff:10.20.3.4", field=FIELD)
    assert check_public_host("fd00:1::5", field=FIELD)
    for other in ("10.21.0.1", "127.0.0.1", "fd00:2::5"):
        with pytest.raises(ValidationFailed):
            check_public_host(other, field=FIELD)
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = ["127.0.0.0/8"]
    assert check_public_host("localhost", field=FIELD)


def test_a_bad_network_stops_the_start(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "faxline.settings",
        "FAXLINE_HOME": str(tmp_path),
        "FAXLINE_ALLOW_PRIVATE_NETWORKS": "10.0.0.0/8,not-a-network",
    }
    done = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; settings.DEBUG"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode != 0
    assert "FAXLINE_ALLOW_PRIVATE_NETWORKS" in done.stderr and "not-a-network" in done.stderr


def test_urls() -> None:
    url = "https://hooks.acme.example/fax?x=1"
    assert check_public_url(url, field="url") == url
    for bad in (
        "http://hooks.acme.example/",  # https only by default
        "https://127.0.0.1/hook",
        "https://[::1]:8443/hook",
        "https://user:pw@hooks.acme.example/",
        "https://localhost./",
        "ftp://hooks.acme.example/",
        "https:///nohost",
        "https://hooks.acme.example:99999/",
    ):
        with pytest.raises(ValidationFailed) as caught:
            check_public_url(bad, field="url")
        assert caught.value.field == "url", bad


PRIVATE_V4 = [
    ipaddress.ip_network(n)
    for n in ("127.0.0.0/8", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16")
]


@given(
    st.sampled_from(PRIVATE_V4).flatmap(
        lambda n: st.integers(int(n.network_address), int(n.broadcast_address))
    ),
    st.sampled_from(["dotted", "decimal", "hex", "mapped", "mapped_hex"]),
)
def test_every_private_v4_in_every_notation_is_refused(value: int, notation: str) -> None:
    address = ipaddress.IPv4Address(value)
    host = {
        "dotted": str(address),
        "decimal": str(value),
        "hex": hex(value),
        "mapped": f"::ffff:{address}",
        "mapped_hex": f"::ffff:{value >> 16:x}:{value & 0xFFFF:x}",
    }[notation]
    with pytest.raises(ValidationFailed):
        check_public_host(host, field=FIELD)
