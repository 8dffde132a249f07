"""The rules of a trunk's settings, each refusal naming its field (``ValidationFailed``).

Shared by the trunk and rule services (the portal's forms and the API's schemas only check
shapes). Hosts are checked for form only: a carrier's interconnect may well be a private or
loopback address (a test bed's kamailio on 127.0.0.1), so the public-address rule of the
customers' URLs (``core.net``) does not apply here.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

from faxline.core.errors import ValidationFailed
from faxline.telephony.sip.config import CallerIdFormat, Codec, SipTransportName, T38Mode

MAX_NAME = 100
MAX_USER = 100
MAX_PASSWORD = 200
MAX_DESTINATIONS = 100
CHANNELS = (1, 1000)
PRIORITY = (0, 1000)
REGISTER_EXPIRES = (60, 86400)

_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")
_PREFIX = re.compile(r"^\+[0-9]{1,15}$")
# A SIP user part as carriers hand them out: printable, no spaces, no '@' or ':'.
_USER = re.compile(r"^[A-Za-z0-9._~!$&'()*+,;=%-]+$")


def _fail(field: str, message: str, code: str = "validation_error") -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", code=code, field=field)


def clean_name(value: Any) -> str:
    text = " ".join(value.split()) if isinstance(value, str) else ""
    if not text:
        raise _fail("name", "give the trunk a name.")
    if len(text) > MAX_NAME:
        raise _fail("name", f"at most {MAX_NAME} characters.")
    return text


def _is_hostname(text: str) -> bool:
    labels = text.split(".")
    if len(text) > 253 or not all(_LABEL.match(label) for label in labels):
        return False
    return not labels[-1].isdigit()  # "10.0.0.300" is a bad address, not a name


def host_of(value: Any, *, field: str, required: bool = True) -> str:
    """A hostname (``sip.carrier.example``) or an IP address (IPv6 with or without
    brackets), lower-cased; "" when not ``required`` and empty."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if required:
            raise _fail(field, "give the trunk's host name or IP address.")
        return ""
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        return str(ipaddress.ip_address(bare))
    except ValueError:
        pass
    name = bare.rstrip(".").lower()
    if not _is_hostname(name):
        raise _fail(
            field,
            f"{text!r} is not a host name or an IP address (e.g. sip.carrier.example or "
            "203.0.113.10).",
            "invalid_host",
        )
    return name


def clean_port(value: Any, *, field: str = "port") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        raise _fail(field, "a port is a number from 1 to 65535.", "invalid_port")
    return value


def clean_proxy(value: Any) -> str:
    """``host`` or ``host:port`` (``[2001:db8::1]:5060`` for IPv6); "" for none."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return ""
    host, port = text, None
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise _fail("outbound_proxy", f"{text!r}: an IPv6 address goes in [brackets].")
        host, rest = text[: end + 1], text[end + 1 :]
        if rest:
            if not rest.startswith(":"):
                raise _fail("outbound_proxy", f"{text!r} is not host:port.")
            port = rest[1:]
    elif text.count(":") == 1:
        host, port = text.split(":")
    clean = host_of(host, field="outbound_proxy")
    if ":" in clean:
        clean = f"[{clean}]"
    if port is None:
        return clean
    if not port.isdigit():
        raise _fail("outbound_proxy", f"{text!r}: the port must be a number from 1 to 65535.")
    return f"{clean}:{clean_port(int(port), field='outbound_proxy')}"


def clean_choice(value: Any, *, field: str, choices: Iterable[str]) -> str:
    allowed = list(choices)
    if not isinstance(value, str) or value not in allowed:
        raise _fail(field, f"{value!r} is not one of {', '.join(allowed)}.", "invalid_choice")
    return value


def clean_transport(value: Any) -> str:
    text = value.lower() if isinstance(value, str) else value
    return clean_choice(text, field="transport", choices=[t.value for t in SipTransportName])


def clean_t38_mode(value: Any, *, field: str = "t38_mode") -> str:
    return clean_choice(value, field=field, choices=[m.value for m in T38Mode])


def clean_caller_id(value: Any) -> str:
    return clean_choice(value, field="caller_id_format", choices=[c.value for c in CallerIdFormat])


def clean_user(value: Any, *, field: str) -> str:
    text = value.strip() if isinstance(value, str) else ""
    if len(text) > MAX_USER:
        raise _fail(field, f"at most {MAX_USER} characters.")
    if text and not _USER.match(text):
        raise _fail(field, "letters, digits and . _ - + only (no spaces, '@' or ':').")
    return text


def clean_password(value: Any) -> str:
    text = value if isinstance(value, str) else ""
    if len(text) > MAX_PASSWORD:
        raise _fail("password", f"at most {MAX_PASSWORD} characters.")
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise _fail("password", "control characters are not allowed.")
    return text


def clean_int(value: Any, *, field: str, bounds: tuple[int, int], what: str) -> int:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(field, f"{what} is a number from {low} to {high}.")
    return value


def clean_codecs(value: Any) -> list[str]:
    """An ordered subset of PCMU/PCMA, at least one, each once."""
    if not isinstance(value, list | tuple) or not value:
        raise _fail("codecs", "choose at least one codec (PCMU, PCMA).")
    known = [c.value for c in Codec]
    chosen: list[str] = []
    for item in value:
        name = item.strip().upper() if isinstance(item, str) else item
        if name not in known:
            raise _fail(
                "codecs", f"unknown codec {item!r}; one of {', '.join(known)}.", "unknown_codec"
            )
        if name in chosen:
            raise _fail("codecs", f"{name} is listed twice.")
        chosen.append(name)
    return chosen


def clean_prefix(value: Any, *, field: str) -> str:
    """An E.164 prefix: ``+`` and 1 to 15 digits (``+1``, ``+44``, ``+4420``)."""
    text = value.strip().replace(" ", "") if isinstance(value, str) else ""
    if not _PREFIX.match(text):
        raise _fail(
            field,
            f"{value!r} is not an E.164 prefix: write + and the digits (e.g. +1, +44).",
            "invalid_prefix",
        )
    return text


def clean_destinations(value: Any) -> list[str]:
    """E.164 prefixes (empty: every destination), each once, in the order given."""
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise _fail("destinations", "a list of E.164 prefixes (e.g. +1, +44).")
    if len(value) > MAX_DESTINATIONS:
        raise _fail("destinations", f"at most {MAX_DESTINATIONS} prefixes.")
    prefixes: list[str] = []
    for item in value:
        prefix = clean_prefix(item, field="destinations")
        if prefix not in prefixes:
            prefixes.append(prefix)
    return prefixes


def split_prefixes(text: str) -> list[str]:
    """The prefixes an operator typed, separated by commas, spaces or lines."""
    return [p for p in re.split(r"[\s,;]+", text or "") if p]
