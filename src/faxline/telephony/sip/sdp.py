"""Session descriptions (SDP, RFC 4566) and the offer/answer rules of a fax call (RFC 3264).

A fax call over a trunk starts as G.711 audio (``m=audio ... RTP/AVP 0 8 101``) and may switch
to T.38 (``m=image ... udptl t38``) by re-INVITE. This module writes our offers and answers
and reads the far end's, with the T.38 attributes negotiated as T.38 Annex D and RFC 3362
practice says: the answer's version and bit rate are at most what was offered, the rate
management echoes the offer, the buffer and datagram sizes are our own (they say what we can
receive), and error correction is redundancy (we answer redundancy to an offer of FEC).

Parsing is tolerant (unknown lines are kept, so an answer can be written against any offer)
and bounded: at most :data:`MAX_SDP_BYTES` and :data:`MAX_LINES`.
"""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from faxline.telephony.sip.config import Codec

MAX_SDP_BYTES = 16384
MAX_LINES = 256
TELEPHONE_EVENT_PT = 101


class SdpError(ValueError):
    """A session description we cannot read."""


@dataclass
class Origin:
    """``o=<username> <sess-id> <sess-version> IN IP4 <address>``."""

    username: str = "faxline"
    session_id: int = 0
    version: int = 0
    address: str = "127.0.0.1"
    address_type: str = "IP4"

    def __str__(self) -> str:
        return (
            f"{self.username} {self.session_id} {self.version} IN {self.address_type} "
            f"{self.address}"
        )


@dataclass
class MediaDescription:
    """One ``m=`` line and what follows it."""

    media: str  # audio, image
    port: int
    proto: str  # RTP/AVP, udptl
    formats: list[str]
    connection: str | None = None
    attributes: list[tuple[str, str | None]] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # b=, i=, k= lines, kept as written

    def attribute(self, name: str) -> str | None:
        """The value of the first ``a=name[:value]`` (empty string for a flag)."""
        lowered = name.lower()
        for key, value in self.attributes:
            if key.lower() == lowered:
                return value if value is not None else ""
        return None

    def has_attribute(self, name: str) -> bool:
        return self.attribute(name) is not None

    def rtpmap(self) -> dict[str, str]:
        """Payload type -> ``encoding/clock`` from ``a=rtpmap``."""
        mapping: dict[str, str] = {}
        for key, value in self.attributes:
            if key.lower() == "rtpmap" and value:
                payload, _, encoding = value.partition(" ")
                mapping[payload.strip()] = encoding.strip()
        return mapping

    @property
    def is_t38(self) -> bool:
        return (
            self.media == "image"
            and self.proto.lower() == "udptl"
            and "t38" in [f.lower() for f in self.formats]
        )

    @property
    def active(self) -> bool:
        return self.port != 0


@dataclass
class SessionDescription:
    origin: Origin = field(default_factory=Origin)
    session_name: str = "faxline"
    connection: str | None = None
    media: list[MediaDescription] = field(default_factory=list)
    attributes: list[tuple[str, str | None]] = field(default_factory=list)
    timing: str = "0 0"
    other: list[str] = field(default_factory=list)

    # reading -------------------------------------------------------------------------------
    @classmethod
    def parse(cls, data: bytes | str) -> SessionDescription:
        if isinstance(data, bytes):
            if len(data) > MAX_SDP_BYTES:
                raise SdpError("session description too large")
            text = data.decode("utf-8", errors="replace")
        else:
            text = data
        if len(text) > MAX_SDP_BYTES:
            raise SdpError("session description too large")
        lines = [line for line in text.replace("\r\n", "\n").split("\n") if line.strip()]
        if len(lines) > MAX_LINES:
            raise SdpError("too many lines")
        if not lines or not lines[0].startswith("v="):
            raise SdpError("no v= line")
        if lines[0].strip() != "v=0":
            raise SdpError("unknown SDP version")
        sd = cls(origin=Origin(), session_name="-")
        current: MediaDescription | None = None
        seen_origin = False
        for line in lines[1:]:
            kind, eq, value = line.partition("=")
            if not eq or len(kind) != 1:
                raise SdpError(f"bad line {line[:30]!r}")
            value = value.strip()
            if kind == "m":
                current = _parse_media(value)
                sd.media.append(current)
            elif kind == "o":
                sd.origin = _parse_origin(value)
                seen_origin = True
            elif kind == "s" and current is None:
                sd.session_name = value or "-"
            elif kind == "c":
                address = _parse_connection(value)
                if current is None:
                    sd.connection = address
                else:
                    current.connection = address
            elif kind == "t" and current is None:
                sd.timing = value
            elif kind == "a":
                name, colon, attr_value = value.partition(":")
                item = (name.strip(), attr_value.strip() if colon else None)
                (sd.attributes if current is None else current.attributes).append(item)
            else:
                (sd.other if current is None else current.other).append(line.strip())
        if not seen_origin:
            raise SdpError("no o= line")
        return sd

    # writing -------------------------------------------------------------------------------
    def to_text(self) -> str:
        lines = ["v=0", f"o={self.origin}", f"s={self.session_name or '-'}"]
        if self.connection:
            lines.append(f"c=IN {_address_type(self.connection)} {self.connection}")
        lines.extend(line for line in self.other if not line.startswith("t="))
        lines.append(f"t={self.timing}")
        lines.extend(_attribute_line(a) for a in self.attributes)
        for media in self.media:
            lines.append(f"m={media.media} {media.port} {media.proto} {' '.join(media.formats)}")
            lines.extend(media.other)
            if media.connection:
                lines.append(f"c=IN {_address_type(media.connection)} {media.connection}")
            lines.extend(_attribute_line(a) for a in media.attributes)
        return "\r\n".join(lines) + "\r\n"

    def to_bytes(self) -> bytes:
        return self.to_text().encode("utf-8")

    def __bytes__(self) -> bytes:
        return self.to_bytes()

    def same_session(self, other: SessionDescription) -> bool:
        """Whether the two say the same, apart from the o= session id and version (RFC 3264
        8: an unchanged description keeps its version)."""
        mine = dataclasses.replace(
            self, origin=dataclasses.replace(self.origin, session_id=0, version=0)
        )
        theirs = dataclasses.replace(
            other, origin=dataclasses.replace(other.origin, session_id=0, version=0)
        )
        return mine.to_text() == theirs.to_text()

    def with_origin(self, session_id: int, version: int) -> SessionDescription:
        """A copy with the o= session id and version set (a dialog stamps what it sends)."""
        copy = SessionDescription.parse(self.to_text())
        copy.origin.session_id = session_id
        copy.origin.version = version
        return copy


def _attribute_line(attribute: tuple[str, str | None]) -> str:
    name, value = attribute
    return f"a={name}" if value is None else f"a={name}:{value}"


def _address_type(address: str) -> str:
    return "IP6" if ":" in address else "IP4"


def _parse_origin(value: str) -> Origin:
    parts = value.split()
    if len(parts) != 6:
        raise SdpError("bad o= line")
    try:
        session_id, version = int(parts[1]), int(parts[2])
    except ValueError as error:
        raise SdpError("bad o= numbers") from error
    return Origin(parts[0], session_id, version, parts[5], parts[4])


def _parse_connection(value: str) -> str:
    parts = value.split()
    if len(parts) != 3 or parts[0] != "IN":
        raise SdpError("bad c= line")
    return parts[2].split("/")[0]


def _parse_media(value: str) -> MediaDescription:
    parts = value.split()
    if len(parts) < 3:
        raise SdpError("bad m= line")
    port_text = parts[1].split("/")[0]
    if not port_text.isdigit() or int(port_text) > 65535:
        raise SdpError("bad m= port")
    return MediaDescription(parts[0].lower(), int(port_text), parts[2], parts[3:])


def new_origin(address: str) -> Origin:
    return Origin("faxline", secrets.randbelow(2**31), 1, address, _address_type(address))


# T.38 ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class T38Params:
    """The T.38 attributes of an ``m=image udptl t38`` line (T.38 Annex D.2.3)."""

    version: int = 0
    max_bit_rate: int = 14400
    rate_management: str = "transferredTCF"  # or localTCF (transferredTCF is the UDP one)
    max_buffer: int = 2000
    max_datagram: int = 400
    udp_ec: str = "t38UDPRedundancy"  # t38UDPFEC, or "none"
    fill_bit_removal: bool = False
    transcoding_mmr: bool = False
    transcoding_jbig: bool = False

    def attributes(self) -> list[tuple[str, str | None]]:
        attributes: list[tuple[str, str | None]] = [
            ("T38FaxVersion", str(self.version)),
            ("T38MaxBitRate", str(self.max_bit_rate)),
        ]
        if self.fill_bit_removal:
            attributes.append(("T38FaxFillBitRemoval", None))
        if self.transcoding_mmr:
            attributes.append(("T38FaxTranscodingMMR", None))
        if self.transcoding_jbig:
            attributes.append(("T38FaxTranscodingJBIG", None))
        attributes += [
            ("T38FaxRateManagement", self.rate_management),
            ("T38FaxMaxBuffer", str(self.max_buffer)),
            ("T38FaxMaxDatagram", str(self.max_datagram)),
        ]
        if self.udp_ec != "none":
            attributes.append(("T38FaxUdpEC", self.udp_ec))
        return attributes

    @classmethod
    def from_media(cls, media: MediaDescription) -> T38Params:
        """The parameters a T.38 media line declares (defaults for those it leaves out;
        a boolean is set when present, or present with ``:1``, as both forms are seen)."""

        def number(name: str, default: int) -> int:
            value = media.attribute(name)
            return int(value) if value and value.strip().isdigit() else default

        def flag(name: str) -> bool:
            value = media.attribute(name)
            return value is not None and value.strip() in ("", "1")

        ec = media.attribute("T38FaxUdpEC")
        return cls(
            version=number("T38FaxVersion", 0),
            max_bit_rate=number("T38MaxBitRate", 14400),
            rate_management=media.attribute("T38FaxRateManagement") or "transferredTCF",
            max_buffer=number("T38FaxMaxBuffer", 2000),
            max_datagram=number("T38FaxMaxDatagram", 400),
            udp_ec=ec.strip() if ec else "none",
            fill_bit_removal=flag("T38FaxFillBitRemoval"),
            transcoding_mmr=flag("T38FaxTranscodingMMR"),
            transcoding_jbig=flag("T38FaxTranscodingJBIG"),
        )

    def negotiate(self, offered: T38Params) -> T38Params:
        """Our answer to ``offered`` when we can do ``self``."""
        # we do redundancy; FEC offered is answered with it
        ec = "t38UDPRedundancy" if offered.udp_ec in ("t38UDPRedundancy", "t38UDPFEC") else "none"
        return T38Params(
            version=min(self.version, offered.version),
            max_bit_rate=min(self.max_bit_rate, offered.max_bit_rate),
            rate_management=offered.rate_management,
            max_buffer=self.max_buffer,
            max_datagram=self.max_datagram,
            udp_ec=ec,
            fill_bit_removal=self.fill_bit_removal and offered.fill_bit_removal,
            transcoding_mmr=self.transcoding_mmr and offered.transcoding_mmr,
            transcoding_jbig=self.transcoding_jbig and offered.transcoding_jbig,
        )


# offers and answers ------------------------------------------------------------------------

_CODEC_BY_NAME = {"PCMU": Codec.PCMU, "PCMA": Codec.PCMA}


def audio_offer(
    address: str, port: int, codecs: Sequence[Codec], telephone_event: bool = True
) -> SessionDescription:
    """``m=audio <port> RTP/AVP 0 8 101`` with G.711 in the order given."""
    formats = [str(c.payload_type) for c in codecs]
    attributes: list[tuple[str, str | None]] = [
        ("rtpmap", f"{c.payload_type} {c.value}/8000") for c in codecs
    ]
    if telephone_event:
        formats.append(str(TELEPHONE_EVENT_PT))
        attributes += [
            ("rtpmap", f"{TELEPHONE_EVENT_PT} telephone-event/8000"),
            ("fmtp", f"{TELEPHONE_EVENT_PT} 0-16"),
        ]
    attributes += [("ptime", "20"), ("sendrecv", None)]
    media = MediaDescription("audio", port, "RTP/AVP", formats, attributes=attributes)
    return SessionDescription(origin=new_origin(address), connection=address, media=[media])


def t38_offer(address: str, port: int, t38: T38Params) -> SessionDescription:
    """``m=image <port> udptl t38`` with ``t38``'s attributes."""
    media = MediaDescription("image", port, "udptl", ["t38"], attributes=t38.attributes())
    return SessionDescription(origin=new_origin(address), connection=address, media=[media])


def _rejected(media: MediaDescription) -> MediaDescription:
    return MediaDescription(media.media, 0, media.proto, media.formats[:1] or ["0"])


def _offer_codecs(media: MediaDescription) -> list[tuple[str, Codec | None]]:
    """The offered formats with the G.711 law each one is, when it is one."""
    rtpmap = media.rtpmap()
    found: list[tuple[str, Codec | None]] = []
    for payload in media.formats:
        encoding = rtpmap.get(payload, "")
        name = encoding.split("/")[0].upper()
        codec: Codec | None
        if name in _CODEC_BY_NAME:
            codec = _CODEC_BY_NAME[name]
        elif not encoding and payload in ("0", "8"):
            codec = Codec.PCMU if payload == "0" else Codec.PCMA
        else:
            codec = None
        found.append((payload, codec))
    return found


def answer_audio(
    offer: SessionDescription, address: str, port: int, accept: Sequence[Codec]
) -> SessionDescription | None:
    """Our answer to an audio offer: the first active RTP/AVP audio line gets the offered
    G.711 formats we accept (in the offer's order) and telephone-event when offered; every
    other line is refused (port 0). None when no codec is common."""
    answer = SessionDescription(origin=new_origin(address), connection=address)
    chosen = False
    for media in offer.media:
        if chosen or media.media != "audio" or not media.active or "RTP/AVP" not in media.proto:
            answer.media.append(_rejected(media))
            continue
        formats: list[str] = []
        attributes: list[tuple[str, str | None]] = []
        for payload, codec in _offer_codecs(media):
            if codec is not None and codec in accept:
                formats.append(payload)
                attributes.append(("rtpmap", f"{payload} {codec.value}/8000"))
        if not formats:
            answer.media.append(_rejected(media))
            continue
        events = [p for p, e in media.rtpmap().items() if e.lower().startswith("telephone-event/")]
        if events and events[0] in media.formats:
            formats.append(events[0])
            attributes.append(("rtpmap", f"{events[0]} telephone-event/8000"))
            attributes.append(("fmtp", f"{events[0]} 0-16"))
        attributes.append(("ptime", "20"))
        attributes.append((_answer_direction(media), None))
        answer.media.append(
            MediaDescription("audio", port, media.proto, formats, attributes=attributes)
        )
        chosen = True
    return answer if chosen else None


def _answer_direction(media: MediaDescription) -> str:
    if media.has_attribute("sendonly"):
        return "recvonly"
    if media.has_attribute("recvonly"):
        return "sendonly"
    if media.has_attribute("inactive"):
        return "inactive"
    return "sendrecv"


def answer_t38(
    offer: SessionDescription, address: str, port: int, ours: T38Params
) -> SessionDescription | None:
    """Our answer to a T.38 offer (the first active ``image udptl t38`` line), with the
    attributes negotiated by :meth:`T38Params.negotiate`; other lines refused. None when
    the offer has no T.38 line."""
    answer = SessionDescription(origin=new_origin(address), connection=address)
    chosen = False
    for media in offer.media:
        if chosen or not media.is_t38 or not media.active:
            answer.media.append(_rejected(media))
            continue
        params = ours.negotiate(T38Params.from_media(media))
        answer.media.append(
            MediaDescription("image", port, media.proto, ["t38"], attributes=params.attributes())
        )
        chosen = True
    return answer if chosen else None


# what the far end chose ----------------------------------------------------------------------


def _first_active(sd: SessionDescription) -> MediaDescription | None:
    for media in sd.media:
        if media.active:
            return media
    return None


def chosen_codec(sd: SessionDescription) -> Codec | None:
    """The first G.711 law among the first active audio line's formats."""
    for media in sd.media:
        if media.media == "audio" and media.active:
            for _payload, codec in _offer_codecs(media):
                if codec is not None:
                    return codec
    return None


def chosen_payload_type(sd: SessionDescription, codec: Codec) -> int:
    """The payload type ``sd`` uses for ``codec`` (its static one unless remapped)."""
    for media in sd.media:
        if media.media == "audio" and media.active:
            for payload, found in _offer_codecs(media):
                if found is codec and payload.isdigit():
                    return int(payload)
    return codec.payload_type


def telephone_event_payload(sd: SessionDescription) -> int | None:
    for media in sd.media:
        if media.media == "audio" and media.active:
            for payload, encoding in media.rtpmap().items():
                if encoding.lower().startswith("telephone-event/") and payload.isdigit():
                    return int(payload)
    return None


def media_address(sd: SessionDescription) -> tuple[str, int, str]:
    """``(host, port, kind)`` of the first active media line (``kind``: ``audio`` or
    ``image``); the port is 0 when every line is refused."""
    media = _first_active(sd)
    if media is None:
        return (sd.connection or "", 0, sd.media[0].media if sd.media else "audio")
    return (media.connection or sd.connection or "", media.port, media.media)


def is_t38(sd: SessionDescription) -> bool:
    media = _first_active(sd)
    return media is not None and media.is_t38


def t38_params(sd: SessionDescription) -> T38Params | None:
    """The T.38 parameters of the first active T.38 line."""
    media = _first_active(sd)
    return T38Params.from_media(media) if media is not None and media.is_t38 else None
