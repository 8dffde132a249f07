"""What the SIP trunk transport needs to know about a carrier's trunk, as plain data.

Operators configure trunks in faxing (``faxing/trunks/``: the portal page, the API, the
credentials encrypted at rest); faxing hands the transport a list of :class:`TrunkConfig`
(decrypted, in priority order) and answers its two questions about the platform's numbers and
destinations through the callables of :class:`TrunkDirectory`. Telephony never reads the
database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum


class SipTransportName(StrEnum):
    """How SIP messages travel to the trunk."""

    UDP = "udp"
    TCP = "tcp"
    TLS = "tls"


class T38Mode(StrEnum):
    """How a trunk (or a destination) carries faxes.

    ``preferred``: start in G.711 audio, switch to T.38 by re-INVITE once fax tones are heard
    (ours or the carrier's), and fall back to G.711 pass-through when the switch is refused
    (488) or fails; ``g711_only``: never offer or accept T.38; ``t38_only``: a call that cannot
    switch to T.38 is ended (and fails as Negotiation Failed).
    """

    PREFERRED = "preferred"
    G711_ONLY = "g711_only"
    T38_ONLY = "t38_only"


class Codec(StrEnum):
    """The G.711 laws, with their static RTP payload types."""

    PCMU = "PCMU"  # µ-law, payload type 0
    PCMA = "PCMA"  # A-law, payload type 8

    @property
    def payload_type(self) -> int:
        return 0 if self is Codec.PCMU else 8


class CallerIdFormat(StrEnum):
    """How the sender's number is written in From / P-Asserted-Identity.

    ``e164``: ``+12125550100``; ``national``: ``2125550100``; ``one_national``:
    ``12125550100`` (what many North American carriers expect).
    """

    E164 = "e164"
    NATIONAL = "national"
    ONE_NATIONAL = "one_national"

    def written(self, e164: str) -> str:
        digits = e164.lstrip("+")
        if self is CallerIdFormat.E164:
            return "+" + digits
        if self is CallerIdFormat.ONE_NATIONAL:
            return digits
        return digits[1:] if len(digits) == 11 and digits.startswith("1") else digits


@dataclass(frozen=True)
class TrunkConfig:
    """One carrier trunk, as the transport uses it.

    ``register``: a registration-based trunk (REGISTER with ``username``/``password``,
    refreshed before it expires); otherwise IP-authenticated (the carrier knows our address;
    digest credentials, when given, still answer a 401/407 challenge). ``outbound_proxy``:
    ``host:port`` every request is sent to (a Route header to it is added), else ``host``.
    ``destinations``: the E.164 prefixes this trunk carries (``"+1"``; empty: every
    destination). ``channels``: the most calls at once over this trunk. Lower ``priority``
    is tried first; a trunk that fails a call itself (5xx, or no answer from the trunk) makes
    the call go to the next one.
    """

    key: str  # a stable identifier (faxing's trunk id), for logs and the attempt record
    name: str
    host: str
    port: int = 5060
    transport: SipTransportName = SipTransportName.UDP
    username: str = ""
    password: str = field(default="", repr=False)
    auth_username: str = ""  # digest user when it differs from ``username``
    register: bool = False
    register_expires: int = 3600
    outbound_proxy: str = ""
    domain: str = ""  # the SIP domain of To / R-URI (default: ``host``)
    codecs: tuple[Codec, ...] = (Codec.PCMU, Codec.PCMA)
    t38: T38Mode = T38Mode.PREFERRED
    caller_id: CallerIdFormat = CallerIdFormat.E164
    channels: int = 30
    priority: int = 10
    destinations: tuple[str, ...] = ()
    enabled: bool = True

    def carries(self, e164: str) -> bool:
        """Whether a call to ``e164`` may go over this trunk."""
        return self.enabled and (
            not self.destinations or any(e164.startswith(p) for p in self.destinations)
        )


class MediaSource(StrEnum):
    """What decided a call's :class:`T38Mode` (see :class:`MediaChoice`)."""

    RULE = "rule"  # an operator's destination rule (the longest matching prefix)
    LEARNED = "learned"  # a learned fallback: an earlier T.38 call to the number failed
    TRUNK = "trunk"  # the trunk's own mode


@dataclass(frozen=True)
class MediaChoice:
    """How one call to a destination over one trunk carries the fax, and why.

    The order is faxing's (``faxing.trunks.selectors.media_for``): an operator's destination
    rule, else a learned fallback (``G711_ONLY`` until it expires), else the trunk's mode.
    ``source`` tells the transport whether G.711 was chosen because of a learned fallback
    (the attempt then records ``t38_fallback``).
    """

    mode: T38Mode
    source: MediaSource = MediaSource.TRUNK

    @property
    def learned_fallback(self) -> bool:
        return self.source is MediaSource.LEARNED


class InboundAnswer(StrEnum):
    """The platform's answer to an INVITE for one of its numbers."""

    ACCEPT = "accept"
    UNKNOWN_NUMBER = "unknown_number"  # 404 Not Found
    USER_LOCKED = "user_locked"  # 486 Busy Here (a locked user receives nothing)
    DECLINED = "declined"  # 603 Decline (the number refuses faxes, e.g. blocked caller)


@dataclass(frozen=True)
class TrunkDirectory:
    """The platform's answers the transport asks for, as callables (faxing provides them).

    ``inbound_answer(did_e164, caller_e164)``: whether an INVITE to ``did`` is taken.
    ``t38_fallback(destination_e164)``: the learned mode of a destination whose T.38 call failed
    (``T38Mode.G711_ONLY``), or None. ``learn_t38_failure(destination_e164, reason)``:
    remember that a T.38 call to the destination failed (the next call goes in G.711).
    ``media_for(trunk, destination_e164)``: the mode of a call to the destination over the
    trunk, with what decided it (destination rule > learned fallback > the trunk's mode); the
    transport asks it once per call, before the INVITE. ``trunk_seen(key, status)``: the
    answer to the keep-alive OPTIONS the transport sends each trunk every
    ``KEEPALIVE_SECONDS`` (408: no answer), for the operators' page.

    faxing's callables read and write the database: they block, so a transport running an
    event loop calls them in a worker thread (``asyncio.to_thread``), never in the loop.
    """

    inbound_answer: Callable[[str, str], InboundAnswer]
    t38_fallback: Callable[[str], T38Mode | None] = lambda _destination: None
    learn_t38_failure: Callable[[str, str], object] = lambda _destination, _reason: None
    media_for: Callable[[TrunkConfig, str], MediaChoice] = lambda trunk, _destination: MediaChoice(
        trunk.t38
    )
    trunk_seen: Callable[[str, int], object] = lambda _key, _status: None
