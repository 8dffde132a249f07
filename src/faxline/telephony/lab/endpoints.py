"""The parties a lab carrier serves, and how it routes calls between them.

An :class:`Endpoint` is one SIP party on loopback: a faxline instance under test, a SIPp
scenario, a remote fax machine. The carrier (kamailio) knows it by its numbers (calls to them
go to it), by its digest credentials or its address (calls from it are accepted), and by how it
carries faxes (:class:`FaxCarriage`), which decides what rtpengine does to the media between
two endpoints (:func:`t38_flags`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from faxline.telephony.sip.config import SipTransportName


class FaxCarriage(StrEnum):
    """How an endpoint carries faxes, as the carrier sees it.

    ``t38``: the endpoint speaks T.38 over UDPTL; ``g711``: it only has G.711 audio (a fax
    machine behind an analogue line, a media gateway without T.38); ``pass``: the carrier
    relays whatever the endpoint offers and never translates (an endpoint that negotiates
    T.38 itself by re-INVITE, as faxline does).
    """

    T38 = "t38"
    G711 = "g711"
    PASS = "pass"


_NUMBER = re.compile(r"^\+[0-9]*$")
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_CREDENTIAL = re.compile(r"^[A-Za-z0-9_.+-]{1,64}$")
_HOST = re.compile(r"^[A-Za-z0-9.-]{1,253}$")


def carrier_digits(number: str) -> str:
    """The digits the carrier routes on: ``+1NXXNXXXXXX``, ``1NXXNXXXXXX`` and ``NXXNXXXXXX``
    all become ``1NXXNXXXXXX`` (the same rule kamailio applies to the R-URI user); any other
    E.164 number loses its ``+``."""
    digits = number.removeprefix("+")
    if re.fullmatch(r"[2-9][0-9]{9}", digits):
        return "1" + digits
    return digits


@dataclass(frozen=True)
class Endpoint:
    """One party of the lab carrier.

    ``host``/``port``/``transport``: where calls for it are sent while it has not registered
    (a REGISTER with its credentials replaces that address by its Contact until the lab
    stops). ``numbers``: E.164 numbers or prefixes (``"+1212555"``; a full number is its
    own prefix, ``"+"`` alone takes every number); a call goes to the endpoint with the
    longest matching prefix. ``username``/``password``: its digest credentials; INVITEs and
    REGISTERs from it are challenged (407/401) and it is recognised by them. Without a
    username it is IP-authenticated: recognised by its source address (host and port over
    UDP, host and Via port over TCP) and never challenged. ``t38``: how it carries faxes
    (see :func:`t38_flags`). ``refuse_t38``: the carrier answers 488 Not Acceptable Here to
    any INVITE or re-INVITE offering ``m=image`` sent towards this endpoint (a route without
    T.38), so that a caller's fallback to G.711 can be tested.
    """

    name: str
    host: str = "127.0.0.1"
    port: int = 5060
    transport: SipTransportName = SipTransportName.UDP
    numbers: tuple[str, ...] = ()
    username: str = ""
    password: str = field(default="", repr=False)
    t38: FaxCarriage = FaxCarriage.PASS
    refuse_t38: bool = False

    def __post_init__(self) -> None:
        # The values are written into kamailio.cfg: only plain, safe characters get there.
        if not _NAME.match(self.name):
            raise ValueError(f"endpoint name {self.name!r}: letters, digits, _ . - only")
        if not _HOST.match(self.host):
            raise ValueError(f"endpoint {self.name}: bad host {self.host!r}")
        if not 0 < self.port < 65536:
            raise ValueError(f"endpoint {self.name}: bad port {self.port}")
        if SipTransportName(self.transport) is SipTransportName.TLS:
            raise ValueError(f"endpoint {self.name}: the lab carries UDP and TCP, not TLS")
        object.__setattr__(self, "transport", SipTransportName(self.transport))
        object.__setattr__(self, "t38", FaxCarriage(self.t38))
        object.__setattr__(self, "numbers", tuple(self.numbers))
        for number in self.numbers:
            if not _NUMBER.match(number):
                raise ValueError(
                    f"endpoint {self.name}: number {number!r} must be E.164 (or a prefix) "
                    "starting with +"
                )
        for value in (self.username, self.password):
            if value and not _CREDENTIAL.match(value):
                raise ValueError(f"endpoint {self.name}: credentials use letters, digits, _.+-")
        if bool(self.username) != bool(self.password):
            raise ValueError(f"endpoint {self.name}: give both username and password, or none")

    @property
    def ip_authenticated(self) -> bool:
        """Recognised by its address rather than by digest credentials."""
        return not self.username

    @property
    def uri(self) -> str:
        """Where calls go while it has not registered (the next hop kamailio uses)."""
        suffix = ";transport=tcp" if self.transport is SipTransportName.TCP else ""
        return f"sip:{self.host}:{self.port}{suffix}"


def t38_flags(offerer: FaxCarriage, answerer: FaxCarriage) -> str:
    """The rtpengine ``T.38=...`` option for an SDP offer from ``offerer`` to ``answerer``
    (empty: relay the SDP as offered).

    ::

        offerer  to t38       to g711       to pass
        t38      -            T.38=decode   -
        g711     T.38=force   -             -
        pass     -            T.38=decode   -

    - towards a ``g711`` endpoint: ``T.38=decode``. It cannot take T.38, so an ``m=image``
      offer (a T.38 re-INVITE, or an initial T.38 INVITE) reaches it as ``m=audio RTP/AVP 0 8``
      while the offerer gets ``m=image udptl t38`` back, and rtpengine's spandsp gateway
      carries the fax between the legs. An audio offer passes unchanged (decode acts on
      T.38 sections only), so a call starts in audio end to end and the gateway engages at the
      re-INVITE, as it would at a carrier.
    - from a ``g711`` endpoint to a ``t38`` one: ``T.38=force``. The G.711 side will never
      re-INVITE to T.38, so its audio offer reaches the T.38 side as ``m=image udptl t38``
      (rtpengine's own T.38 options: version 0, 14400, transferredTCF, redundancy, datagram
      512) and the gateway runs from the start.
    - from a ``pass`` endpoint to a ``t38`` one: nothing. The pass side (faxline) negotiates
      T.38 itself by re-INVITE, which then reaches the T.38 side as offered.
    - same carriage on both sides, or ``t38`` to ``pass``: nothing (T.38 pass-through).
    """
    if answerer is FaxCarriage.G711 and offerer is not FaxCarriage.G711:
        return "T.38=decode"
    if offerer is FaxCarriage.G711 and answerer is FaxCarriage.T38:
        return "T.38=force"
    return ""
