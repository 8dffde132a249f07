"""The DNS the gateway asks for SPF and DKIM: dnspython, with the name servers of
``FAXLINE_DNS_SERVERS`` (``host[:port]``, comma-separated) or, when it is empty, the
system's. Tests point it at a DNS server of their own on loopback."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Any

import dns.exception
import dns.name
import dns.nameserver
import dns.resolver
from django.conf import settings

LIFETIME_SECONDS = 5.0


class TemporaryDnsError(Exception):
    """The DNS did not answer (time-out, SERVFAIL): the same question may work later."""


@dataclass(frozen=True)
class NameServer:
    host: str
    port: int


def parse_servers(values: list[str]) -> list[NameServer]:
    """``["127.0.0.1:5353", "[::1]:53", "10.0.0.2"]`` as name servers (port 53 by default)."""
    servers: list[NameServer] = []
    for value in values:
        text = value.strip()
        host, port = text, 53
        if text.startswith("["):
            host, _, rest = text[1:].partition("]")
            if rest.startswith(":"):
                port = int(rest[1:])
        elif text.count(":") == 1:
            host, raw_port = text.split(":")
            port = int(raw_port)
        ipaddress.ip_address(host)  # a name server is given by its address
        servers.append(NameServer(host, port))
    return servers


def make_resolver() -> dns.resolver.Resolver:
    """A resolver on the configured name servers (or the system's)."""
    configured = list(getattr(settings, "FAXLINE_DNS_SERVERS", []) or [])
    if not configured:
        resolver = dns.resolver.Resolver()
    else:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [
            dns.nameserver.Do53Nameserver(s.host, s.port) for s in parse_servers(configured)
        ]
    resolver.lifetime = LIFETIME_SECONDS
    resolver.timeout = LIFETIME_SECONDS
    resolver.cache = None
    return resolver


class Dns:
    """The few questions SPF and DKIM ask. A name that does not exist or has no such
    record answers ``[]``; no answer at all raises :class:`TemporaryDnsError`."""

    def __init__(self, resolver: dns.resolver.Resolver | None = None) -> None:
        self.resolver = resolver or make_resolver()

    def _query(self, name: str, rdtype: str) -> list[Any]:
        try:
            return list(self.resolver.resolve(name, rdtype, search=False))
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except (dns.resolver.NoNameservers, dns.exception.Timeout) as exc:
            raise TemporaryDnsError(f"{name} {rdtype}: {type(exc).__name__}") from exc
        except dns.exception.DNSException:  # a name that cannot exist (empty label...)
            return []

    def txt(self, name: str) -> list[bytes]:
        """Each TXT record's strings joined."""
        return [b"".join(r.strings) for r in self._query(name, "TXT")]

    def addresses(self, name: str, *, family: int) -> list[str]:
        """The A (``family`` 4) or AAAA (6) addresses of ``name``."""
        return [str(r.address) for r in self._query(name, "A" if family == 4 else "AAAA")]

    def mx(self, name: str) -> list[str]:
        """The mail exchangers of ``name``, by preference."""
        ordered = sorted(self._query(name, "MX"), key=lambda r: r.preference)
        return [str(r.exchange.to_text()).rstrip(".") for r in ordered]

    def dkim_txt(self, name: bytes, timeout: int = 5) -> bytes | None:
        """dkimpy's ``dnsfunc``: the TXT record of a DKIM key's name, or None."""
        try:
            found = self.txt(name.decode("ascii").rstrip("."))
        except (UnicodeDecodeError, TemporaryDnsError):
            return None
        return found[0] if found else None
