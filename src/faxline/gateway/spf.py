"""Sender Policy Framework: is this client allowed to send mail for this domain?

A small evaluator of RFC 7208's ``check_host()`` for the gateway's "Require SPF Record"
(Fax tab): the mechanisms ``all``, ``ip4``, ``ip6``, ``a``, ``mx``, ``include``,
``exists`` and ``ptr`` (deprecated by the RFC; never matches here), each with its
qualifier (``+ - ~ ?``), the ``redirect=`` modifier (other modifiers are ignored), the limit
of 10 terms that query the DNS (and of 2 lookups that find nothing), and CIDR lengths on
``a`` and ``mx``. Macros (``%{...}``) are not expanded: a record that uses them is a
``permerror``, which the gateway treats like any result other than ``pass``.

The DNS is asked through :class:`faxline.gateway.resolver.Dns`.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from enum import StrEnum

from faxline.gateway.resolver import Dns, TemporaryDnsError

MAX_LOOKUPS = 10
MAX_VOID_LOOKUPS = 2
MAX_MX_NAMES = 10
QUALIFIERS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}


class SpfResult(StrEnum):
    NONE = "none"
    NEUTRAL = "neutral"
    PASS = "pass"
    FAIL = "fail"
    SOFTFAIL = "softfail"
    TEMPERROR = "temperror"
    PERMERROR = "permerror"


class _Abort(Exception):
    def __init__(self, result: SpfResult, reason: str) -> None:
        super().__init__(reason)
        self.result = result
        self.reason = reason


@dataclass
class _Budget:
    lookups: int = 0
    void: int = 0

    def spend(self) -> None:
        self.lookups += 1
        if self.lookups > MAX_LOOKUPS:
            raise _Abort(SpfResult.PERMERROR, f"more than {MAX_LOOKUPS} DNS lookups")

    def found(self, answers: list[str] | list[bytes]) -> None:
        if not answers:
            self.void += 1
            if self.void > MAX_VOID_LOOKUPS:
                raise _Abort(SpfResult.PERMERROR, f"more than {MAX_VOID_LOOKUPS} void lookups")


@dataclass(frozen=True)
class SpfOutcome:
    """The result, and in words which term (or error) decided it."""

    result: SpfResult
    reason: str
    trail: tuple[str, ...] = field(default=())


def check_host(ip: str, domain: str, *, dns: Dns | None = None) -> SpfOutcome:
    """RFC 7208 ``check_host(ip, domain, sender)`` for the client address ``ip`` and the
    domain of the envelope sender."""
    resolver = dns or Dns()
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return SpfOutcome(SpfResult.PERMERROR, f"{ip!r} is not an IP address")
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    trail: list[str] = []
    try:
        result, reason = _evaluate(address, domain.lower().rstrip("."), resolver, _Budget(), trail)
    except _Abort as abort:
        result, reason = abort.result, abort.reason
    except TemporaryDnsError as exc:
        result, reason = SpfResult.TEMPERROR, f"DNS did not answer: {exc}"
    return SpfOutcome(result, reason, tuple(trail))


def _record(domain: str, dns: Dns) -> str | None:
    records = []
    for raw in dns.txt(domain):
        text = raw.decode("ascii", errors="replace")
        if text.lower() == "v=spf1" or text.lower().startswith("v=spf1 "):
            records.append(text)
    if len(records) > 1:
        raise _Abort(SpfResult.PERMERROR, f"{domain} publishes more than one SPF record")
    return records[0] if records else None


def _valid_domain(name: str) -> bool:
    labels = name.rstrip(".").split(".")
    return len(labels) >= 2 and all(0 < len(label) <= 63 for label in labels)


def _evaluate(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
    domain: str,
    dns: Dns,
    budget: _Budget,
    trail: list[str],
) -> tuple[SpfResult, str]:
    if not _valid_domain(domain):
        return SpfResult.NONE, f"{domain!r} is not a domain name"
    record = _record(domain, dns)
    if record is None:
        return SpfResult.NONE, f"{domain} publishes no SPF record"
    trail.append(f"{domain}: {record}")
    terms = record.split()[1:]
    redirect: str | None = None
    for term in terms:
        if "%" in term:
            raise _Abort(SpfResult.PERMERROR, f"macros are not supported ({term})")
        name, eq, value = term.partition("=")
        if eq and ":" not in name and "/" not in name:
            if name.lower() == "redirect":
                if redirect is not None:
                    raise _Abort(SpfResult.PERMERROR, "more than one redirect=")
                redirect = value.lower()
            continue  # exp= and unknown modifiers do not change the result
        qualifier = "+"
        if term[0] in QUALIFIERS:
            qualifier, term = term[0], term[1:]
        if _matches(term, ip, domain, dns, budget, trail):
            result = SpfResult(QUALIFIERS[qualifier])
            return result, f"{domain}: {qualifier if qualifier != '+' else ''}{term} matched"
    if redirect is not None:
        budget.spend()
        result, reason = _evaluate(ip, redirect, dns, budget, trail)
        if result == SpfResult.NONE:
            raise _Abort(SpfResult.PERMERROR, f"redirect={redirect}: {reason}")
        return result, reason
    return SpfResult.NEUTRAL, f"{domain}: no mechanism matched"


def _split_cidr(spec: str) -> tuple[str, int, int]:
    """``domain/24//64`` as (domain, 24, 64); the lengths default to 32 and 128."""
    v4, v6 = 32, 128
    if "//" in spec:
        spec, raw6 = spec.split("//", 1)
        v6 = int(raw6)
    if "/" in spec:
        spec, raw4 = spec.split("/", 1)
        v4 = int(raw4)
    if not (0 <= v4 <= 32 and 0 <= v6 <= 128):
        raise ValueError("CIDR length out of range")
    return spec, v4, v6


def _in(
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address, addresses: list[str], v4: int, v6: int
) -> bool:
    for text in addresses:
        try:
            network = ipaddress.ip_network(f"{text}/{v4 if ip.version == 4 else v6}", strict=False)
        except ValueError:
            continue
        if network.version == ip.version and ip in network:
            return True
    return False


def _matches(
    term: str,
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address,
    domain: str,
    dns: Dns,
    budget: _Budget,
    trail: list[str],
) -> bool:
    name, _, arg = term.partition(":")
    mechanism = name.lower()
    if "/" in mechanism and mechanism.split("/", 1)[0] in {"a", "mx"}:
        mechanism, rest = mechanism.split("/", 1)
        arg = f"{arg}/{rest}" if arg else f"/{rest}"
    try:
        if mechanism == "all":
            return True
        if mechanism in {"ip4", "ip6"}:
            network = ipaddress.ip_network(arg, strict=False)
            if (mechanism == "ip4") != (network.version == 4):
                raise ValueError(f"{arg} is not an {mechanism} network")
            return network.version == ip.version and ip in network
        if mechanism in {"a", "mx"}:
            target, v4, v6 = _split_cidr(arg)
            target = (target or domain).lower()
            budget.spend()
            if mechanism == "a":
                found = dns.addresses(target, family=ip.version)
                budget.found(found)
                return _in(ip, found, v4, v6)
            exchangers = dns.mx(target)
            budget.found(exchangers)
            if len(exchangers) > MAX_MX_NAMES:
                raise _Abort(SpfResult.PERMERROR, f"{target} has more than {MAX_MX_NAMES} MX")
            return any(
                _in(ip, dns.addresses(host, family=ip.version), v4, v6) for host in exchangers
            )
        if mechanism == "include":
            if not arg:
                raise ValueError("include needs a domain")
            budget.spend()
            result, reason = _evaluate(ip, arg.lower(), dns, budget, trail)
            if result == SpfResult.PASS:
                return True
            if result in {SpfResult.FAIL, SpfResult.SOFTFAIL, SpfResult.NEUTRAL}:
                return False
            if result == SpfResult.TEMPERROR:
                raise _Abort(SpfResult.TEMPERROR, reason)
            raise _Abort(SpfResult.PERMERROR, f"include:{arg}: {reason}")
        if mechanism == "exists":
            if not arg:
                raise ValueError("exists needs a domain")
            budget.spend()
            found = dns.addresses(arg.lower(), family=4)
            budget.found(found)
            return bool(found)
        if mechanism == "ptr":
            budget.spend()
            return False
    except ValueError as exc:
        raise _Abort(SpfResult.PERMERROR, f"bad term {term!r}: {exc}") from exc
    raise _Abort(SpfResult.PERMERROR, f"unknown mechanism {term!r}")
