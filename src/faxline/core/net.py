"""Destinations a customer may set: hosts and URLs faxline will connect to on their behalf.

An archive's FTP host today, webhook URLs later: faxline connects to them from inside the
provider's network, so a customer who could name ``127.0.0.1``, ``10.0.0.5`` or
``169.254.169.254`` would make faxline reach the provider's own services (server-side
request forgery). Such destinations are refused unless the provider's operator allows
their network (``FAXLINE_ALLOW_PRIVATE_NETWORKS``, a list of networks in CIDR notation):

- :func:`check_public_host` (and :func:`check_public_url`) when the destination is saved:
  an IP address in any notation (dotted, IPv6, IPv4-mapped IPv6, 6to4, Teredo, NAT64, and
  the short, octal, hexadecimal and decimal IPv4 forms that ``getaddrinfo`` accepts), the
  names ``localhost`` and ``*.localhost``, and a name that resolves to such an address are
  refused with a 422 naming the field (code ``private_destination``). A name that does not
  resolve now (no DNS on an offline install) is accepted: it is checked again when used;
- :func:`resolve_public` when connecting: resolves again and returns only vetted addresses,
  so that a name re-pointed after it was saved (DNS rebinding) is still refused; the caller
  connects to the address it returns, not to the name.

Refused: loopback, link-local, private (RFC 1918, unique-local ``fc00::/7``, and the other
non-global ranges Python's ``ipaddress`` knows, such as the shared ``100.64.0.0/10``),
multicast, reserved and unspecified addresses.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from functools import cache
from urllib.parse import urlsplit

from django.conf import settings

from faxline.core.errors import ValidationFailed

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

SETTING = "FAXLINE_ALLOW_PRIVATE_NETWORKS"
CODE = "private_destination"
# How long a name may take to resolve before it counts as not resolving (checked again
# when used), and how long an answer is reused (so that a form's check and the service's
# check of the same name make one lookup).
RESOLVE_TIMEOUT_SECONDS = 3.0
CACHE_SECONDS = 60.0
_CACHE_SIZE = 256

_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
# What inet_aton reads as an IPv4 address: 1 to 4 parts, each decimal, octal or hex.
_NUMERIC_PART = re.compile(r"^(0[xX][0-9A-Fa-f]*|[0-9]+)$")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")


@cache
def parse_networks(values: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """The networks of ``FAXLINE_ALLOW_PRIVATE_NETWORKS`` (raises ValueError on a bad one)."""
    return tuple(ipaddress.ip_network(value.strip(), strict=False) for value in values)


def allowed_networks() -> tuple[IPNetwork, ...]:
    """The private networks the operator allows customers' destinations to reach."""
    return parse_networks(tuple(getattr(settings, SETTING, ()) or ()))


def _embedded(address: IPAddress) -> list[IPAddress]:
    """What decides whether ``address`` may be reached: the IPv4 addresses an IPv6 address
    carries (IPv4-mapped, 6to4, Teredo, NAT64), which is where traffic to it ends up; else
    the address itself."""
    found: list[IPAddress] = []
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            found.append(address.ipv4_mapped)
        if address.sixtofour is not None:
            found.append(address.sixtofour)
        if address.teredo is not None:
            found.extend(address.teredo)
        if address in _NAT64:
            found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found or [address]


def _kind(address: IPAddress) -> str | None:
    """What makes ``address`` a forbidden destination, in words; None when it is public."""
    if address.is_unspecified:
        return "an unspecified address"
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_multicast:
        return "a multicast address"
    if address.is_reserved:
        return "a reserved address"
    if address.is_private or not address.is_global:
        return "a private address"
    return None


def address_refusal(address: IPAddress) -> str | None:
    """Why ``address`` may not be a customer's destination (None: it may)."""
    allowed = allowed_networks()
    for inner in _embedded(address):
        kind = _kind(inner)
        if kind is not None and not any(inner in network for network in allowed):
            return f"{inner} is {kind}"
    return None


def _literal(host: str) -> IPAddress | None:
    """``host`` as an IP address when it is written as one (in any notation getaddrinfo
    accepts), else None."""
    text = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        pass
    if "%" in text:  # an IPv6 address with a zone (fe80::1%eth0)
        try:
            return ipaddress.ip_address(text.split("%", 1)[0])
        except ValueError:
            return None
    parts = text.rstrip(".").split(".")
    if 1 <= len(parts) <= 4 and all(_NUMERIC_PART.match(p) for p in parts):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(text.rstrip(".")))
        except OSError:
            return None
    return None


def _is_name(host: str) -> bool:
    name = host.rstrip(".")
    labels = name.split(".")
    return (
        0 < len(name) <= 253
        and all(_LABEL.match(label) for label in labels)
        and not all(label.isdigit() for label in labels)
    )


_cache: dict[str, tuple[float, tuple[IPAddress, ...]]] = {}
_cache_lock = threading.Lock()
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="faxline-resolve")


def _lookup(name: str) -> tuple[IPAddress, ...]:
    infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for info in infos:
        text = str(info[4][0]).split("%", 1)[0]
        address = ipaddress.ip_address(text)
        if address not in found:
            found.append(address)
    return tuple(found)


def resolve(name: str, *, fresh: bool = False) -> tuple[IPAddress, ...]:
    """The addresses ``name`` resolves to (empty when it does not resolve in time).

    Answers are reused for :data:`CACHE_SECONDS` unless ``fresh``.
    """
    key = name.rstrip(".").lower()
    now = time.monotonic()
    if not fresh:
        with _cache_lock:
            hit = _cache.get(key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            return hit[1]
    try:
        addresses = _resolver.submit(_lookup, key).result(timeout=RESOLVE_TIMEOUT_SECONDS)
    except (OSError, UnicodeError, ValueError, FutureTimeout):
        addresses = ()
    with _cache_lock:
        if len(_cache) >= _CACHE_SIZE:
            _cache.clear()
        _cache[key] = (now, addresses)
    return addresses


def _refuse(field: str, host: str, why: str) -> ValidationFailed:
    return ValidationFailed(
        f"{field}: {host!r} cannot be used: {why}. Enter a public host name or address "
        f"(the provider can allow private networks with {SETTING}).",
        field=field,
        code=CODE,
    )


def _vetted(host: str, addresses: Iterable[IPAddress], *, field: str, name: bool) -> None:
    for address in addresses:
        why = address_refusal(address)
        if why is not None:
            raise _refuse(field, host, f"it resolves to {address}: {why}" if name else why)


def check_public_host(host: str, *, field: str) -> str:
    """Refuse ``host`` (422 naming ``field``) when faxline must not connect to it; returns
    it stripped. A name that does not resolve now is accepted (see the module's notes)."""
    return _checked(host, field=field, fresh=False)[0]


def _checked(host: str, *, field: str, fresh: bool) -> tuple[str, tuple[IPAddress, ...]]:
    """``host`` stripped and the addresses it stands for, each vetted."""
    text = (host or "").strip()
    literal = _literal(text)
    if literal is not None:
        _vetted(text, [literal], field=field, name=False)
        return text, (literal,)
    if not _is_name(text):
        raise ValidationFailed(
            f"{field}: {host!r} is not a host name or an IP address.", field=field
        )
    name = text.rstrip(".").lower()
    # RFC 6761: localhost names are this machine, whatever DNS says.
    if name == "localhost" or name.endswith(".localhost"):
        _vetted(text, [ipaddress.ip_address("127.0.0.1")], field=field, name=True)
    addresses = resolve(name, fresh=fresh)
    _vetted(text, addresses, field=field, name=True)
    return text, addresses


def check_public_url(url: str, *, field: str, schemes: tuple[str, ...] = ("https",)) -> str:
    """Refuse a URL (422 naming ``field``) whose scheme is not one of ``schemes`` or whose
    host :func:`check_public_host` refuses; returns it stripped. For webhooks and the like."""
    text = (url or "").strip()
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise ValidationFailed(f"{field}: {url!r} is not a valid URL.", field=field) from exc
    if parts.scheme.lower() not in schemes:
        raise ValidationFailed(
            f"{field}: the URL must start with " + " or ".join(f"{s}://" for s in schemes) + ".",
            field=field,
        )
    if parts.username or parts.password:
        raise ValidationFailed(f"{field}: put no user name or password in the URL.", field=field)
    if not host:
        raise ValidationFailed(f"{field}: the URL has no host.", field=field)
    check_public_host(host, field=field)
    return text


def resolve_public(host: str, *, field: str) -> tuple[IPAddress, ...]:
    """When connecting: the addresses to connect to for ``host``, resolved now (no cached
    answer) and each vetted; refuses (422 naming ``field``) as :func:`check_public_host`
    does, and when the name does not resolve."""
    _, addresses = _checked(host, field=field, fresh=True)
    if not addresses:
        raise ValidationFailed(f"{field}: {host!r} does not resolve.", field=field, code=CODE)
    return addresses
