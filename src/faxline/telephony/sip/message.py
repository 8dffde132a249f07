"""SIP messages (RFC 3261 section 7): parse what arrives, write what we send.

A message is a start line, an ordered list of header fields and a body. Header names are kept
in their canonical spelling (compact forms such as ``v`` or ``i`` are expanded on parse), so
that the rest of the user agent asks for ``Via`` and finds it however the peer wrote it.
Values stay text until asked for: :class:`SipUri`, :class:`NameAddr`, :class:`Via` and
:class:`CSeq` parse the structured ones.

Input from the network is hostile until proven otherwise: a message is at most
:data:`MAX_MESSAGE_BYTES`, with at most :data:`MAX_HEADERS` header fields of at most
:data:`MAX_HEADER_LINE` characters each. Anything else raises :class:`ParseError`, never
another exception; when the start line and the headers a response needs were readable, the
error carries them (``partial``) so that the receiver can answer ``400 Bad Request``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

MAX_MESSAGE_BYTES = 65536
MAX_HEADERS = 200
MAX_HEADER_LINE = 8192
MAX_START_LINE = 4096
SIP_VERSION = "SIP/2.0"
BRANCH_COOKIE = "z9hG4bK"

COMPACT_FORMS = {
    "v": "Via",
    "f": "From",
    "t": "To",
    "i": "Call-ID",
    "m": "Contact",
    "l": "Content-Length",
    "c": "Content-Type",
    "k": "Supported",
    "s": "Subject",
    "e": "Content-Encoding",
    "o": "Event",
    "r": "Refer-To",
    "x": "Session-Expires",
    "u": "Allow-Events",
}

_CANONICAL = {
    name.lower(): name
    for name in (
        "Accept",
        "Accept-Encoding",
        "Accept-Language",
        "Alert-Info",
        "Allow",
        "Allow-Events",
        "Authentication-Info",
        "Authorization",
        "Call-ID",
        "Call-Info",
        "Contact",
        "Content-Disposition",
        "Content-Encoding",
        "Content-Language",
        "Content-Length",
        "Content-Type",
        "CSeq",
        "Date",
        "Error-Info",
        "Event",
        "Expires",
        "From",
        "In-Reply-To",
        "Max-Forwards",
        "Min-Expires",
        "Min-SE",
        "MIME-Version",
        "Organization",
        "P-Asserted-Identity",
        "P-Preferred-Identity",
        "Priority",
        "Proxy-Authenticate",
        "Proxy-Authorization",
        "Proxy-Require",
        "Reason",
        "Record-Route",
        "Refer-To",
        "Reply-To",
        "Require",
        "Retry-After",
        "Route",
        "RSeq",
        "Server",
        "Session-Expires",
        "Subject",
        "Supported",
        "Timestamp",
        "To",
        "Unsupported",
        "User-Agent",
        "Via",
        "Warning",
        "WWW-Authenticate",
    )
}

# Headers whose values may be written as one comma-separated list (RFC 3261 7.3.1). The
# authentication headers are not among them: their parameters are separated by commas.
LIST_HEADERS = frozenset(
    {
        "Accept",
        "Accept-Encoding",
        "Accept-Language",
        "Alert-Info",
        "Allow",
        "Allow-Events",
        "Call-Info",
        "Contact",
        "Content-Encoding",
        "Content-Language",
        "Error-Info",
        "In-Reply-To",
        "P-Asserted-Identity",
        "Proxy-Require",
        "Record-Route",
        "Require",
        "Route",
        "Supported",
        "Unsupported",
        "Via",
        "Warning",
    }
)

REASONS = {
    100: "Trying",
    180: "Ringing",
    181: "Call Is Being Forwarded",
    182: "Queued",
    183: "Session Progress",
    200: "OK",
    202: "Accepted",
    300: "Multiple Choices",
    301: "Moved Permanently",
    302: "Moved Temporarily",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    407: "Proxy Authentication Required",
    408: "Request Timeout",
    415: "Unsupported Media Type",
    420: "Bad Extension",
    422: "Session Interval Too Small",
    423: "Interval Too Brief",
    480: "Temporarily Unavailable",
    481: "Call/Transaction Does Not Exist",
    482: "Loop Detected",
    483: "Too Many Hops",
    484: "Address Incomplete",
    486: "Busy Here",
    487: "Request Terminated",
    488: "Not Acceptable Here",
    491: "Request Pending",
    500: "Server Internal Error",
    501: "Not Implemented",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Server Time-out",
    513: "Message Too Large",
    600: "Busy Everywhere",
    603: "Decline",
    604: "Does Not Exist Anywhere",
    606: "Not Acceptable",
}

_TOKEN = re.compile(r"^[A-Za-z0-9\-.!%*_+`'~]+$")
_HEADER_NAME = _TOKEN


class ParseError(ValueError):
    """A message we cannot take. ``partial`` is what was readable of a request (its start
    line and raw headers), enough to answer 400 when it has the headers a response copies."""

    def __init__(self, reason: str, partial: Request | None = None):
        super().__init__(reason)
        self.reason = reason
        self.partial = partial


def canonical_name(name: str) -> str:
    """``name`` in its usual spelling: compact forms expanded, known names cased."""
    lowered = name.strip().lower()
    if len(lowered) == 1 and lowered in COMPACT_FORMS:
        return COMPACT_FORMS[lowered]
    return _CANONICAL.get(lowered, name.strip())


def new_branch() -> str:
    """A fresh Via branch with the RFC 3261 magic cookie."""
    return BRANCH_COOKIE + secrets.token_hex(8)


def new_tag() -> str:
    return secrets.token_hex(6)


def new_call_id(host: str) -> str:
    return f"{secrets.token_hex(12)}@{host}"


def split_outside(text: str, separator: str) -> list[str]:
    """``text`` split on ``separator`` where it is not inside a quoted string or ``<...>``."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    angle = 0
    escaped = False
    for char in text:
        if escaped:
            current.append(char)
            escaped = False
            continue
        if quoted and char == "\\":
            escaped = True
            current.append(char)
            continue
        if char == '"':
            quoted = not quoted
        elif not quoted and char == "<":
            angle += 1
        elif not quoted and char == ">" and angle:
            angle -= 1
        if char == separator and not quoted and not angle:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    if quoted or angle:
        raise ParseError("unbalanced quotes or angle brackets")
    parts.append("".join(current))
    return parts


def parse_params(text: str) -> dict[str, str | None]:
    """``;a=b;c`` (the text after the first ``;``) as an ordered dict; names lowered."""
    params: dict[str, str | None] = {}
    for part in split_outside(text, ";"):
        part = part.strip()
        if not part:
            continue
        name, eq, value = part.partition("=")
        name = name.strip().lower()
        if not name:
            raise ParseError("empty parameter name")
        params[name] = value.strip() if eq else None
    return params


def write_params(params: dict[str, str | None]) -> str:
    return "".join(f";{k}" if v is None else f";{k}={v}" for k, v in params.items())


def unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return re.sub(r"\\(.)", r"\1", value[1:-1])
    return value


def quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _split_host_port(text: str) -> tuple[str, int | None]:
    text = text.strip()
    if not text:
        raise ParseError("empty host")
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            raise ParseError("unterminated IPv6 reference")
        host, rest = text[: end + 1], text[end + 1 :]
        if not rest:
            return host, None
        if not rest.startswith(":"):
            raise ParseError("bad host:port")
        port_text = rest[1:]
    else:
        host, colon, port_text = text.partition(":")
        if not colon:
            port_text = ""
    if not host or any(c in host for c in " \t<>\"'"):
        raise ParseError("bad host")
    if not port_text:
        return host, None
    if not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ParseError("bad port")
    return host, int(port_text)


def host_of(host: str) -> str:
    """A host without the brackets of an IPv6 reference (for sockets)."""
    return host[1:-1] if host.startswith("[") and host.endswith("]") else host


def host_ref(host: str) -> str:
    """A host as written in SIP (IPv6 in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


@dataclass
class SipUri:
    """A ``sip:``/``sips:`` URI (RFC 3261 19.1), or another scheme kept as opaque text."""

    host: str
    user: str = ""
    port: int | None = None
    scheme: str = "sip"
    params: dict[str, str | None] = field(default_factory=dict)
    headers: str = ""
    password: str = ""
    opaque: str = ""  # the part after ``scheme:`` of a non-SIP URI (tel:, urn:)

    @classmethod
    def parse(cls, text: str) -> SipUri:
        text = text.strip()
        scheme, colon, rest = text.partition(":")
        scheme = scheme.lower()
        if not colon or not scheme or not _TOKEN.match(scheme):
            raise ParseError("bad URI")
        if any(c in text for c in " \t\r\n<>"):
            raise ParseError("bad URI characters")
        if scheme not in ("sip", "sips"):
            if not rest:
                raise ParseError("empty URI")
            return cls(host="", scheme=scheme, opaque=rest)
        rest, _, headers = rest.partition("?")
        hostport, _, param_text = rest.partition(";")
        user = password = ""
        if "@" in hostport:
            userinfo, _, hostport = hostport.rpartition("@")
            user, _, password = userinfo.partition(":")
        host, port = _split_host_port(hostport)
        return cls(
            host=host,
            user=user,
            port=port,
            scheme=scheme,
            params=parse_params(param_text),
            headers=headers,
            password=password,
        )

    def __str__(self) -> str:
        if self.scheme not in ("sip", "sips"):
            return f"{self.scheme}:{self.opaque}"
        userinfo = ""
        if self.user:
            userinfo = self.user + (f":{self.password}" if self.password else "") + "@"
        port = f":{self.port}" if self.port else ""
        headers = f"?{self.headers}" if self.headers else ""
        return f"{self.scheme}:{userinfo}{self.host}{port}{write_params(self.params)}{headers}"

    @property
    def transport(self) -> str:
        value = self.params.get("transport")
        return (value or ("tls" if self.scheme == "sips" else "udp")).lower()

    @property
    def loose_router(self) -> bool:
        return "lr" in self.params


@dataclass
class NameAddr:
    """``"Display" <uri>;params`` or ``uri;params`` (From, To, Contact, Route...)."""

    uri: SipUri
    display: str = ""
    params: dict[str, str | None] = field(default_factory=dict)
    wildcard: bool = False  # ``Contact: *``

    @classmethod
    def parse(cls, text: str) -> NameAddr:
        text = text.strip()
        if text == "*":
            return cls(uri=SipUri(host=""), wildcard=True)
        display = ""
        if "<" in text:
            before, _, rest = text.partition("<")
            if before.strip().startswith('"'):
                # a quoted display name may itself contain '<'
                match = re.match(r'^\s*("(?:[^"\\]|\\.)*")\s*<(.*)$', text, re.S)
                if not match:
                    raise ParseError("bad display name")
                display, rest = unquote(match.group(1)), match.group(2)
            else:
                display = before.strip()
            uri_text, close, param_text = rest.partition(">")
            if not close:
                raise ParseError("missing '>'")
            uri = SipUri.parse(uri_text)
            param_text = param_text.strip()
            if param_text and not param_text.startswith(";"):
                raise ParseError("junk after '>'")
            params = parse_params(param_text[1:])
        else:
            uri_text, _, param_text = text.partition(";")
            uri = SipUri.parse(uri_text)
            params = parse_params(param_text)
        return cls(uri=uri, display=display, params=params)

    def __str__(self) -> str:
        if self.wildcard:
            return "*"
        display = f"{quote(self.display)} " if self.display else ""
        return f"{display}<{self.uri}>{write_params(self.params)}"

    @property
    def tag(self) -> str | None:
        return self.params.get("tag")


@dataclass
class Via:
    """One Via hop: ``SIP/2.0/UDP host:port;branch=...;received=...;rport=...``."""

    transport: str
    host: str
    port: int | None = None
    params: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> Via:
        text = text.strip()
        protocol, _, rest = text.partition(" ")
        if not rest:
            protocol, _, rest = text.partition("\t")
        parts = [p.strip() for p in protocol.split("/")]
        if len(parts) != 3 or parts[0].upper() != "SIP" or parts[1] != "2.0" or not parts[2]:
            raise ParseError("bad Via protocol")
        sent_by, _, param_text = rest.strip().partition(";")
        host, port = _split_host_port(sent_by)
        return cls(
            transport=parts[2].upper(), host=host, port=port, params=parse_params(param_text)
        )

    def __str__(self) -> str:
        port = f":{self.port}" if self.port else ""
        return f"SIP/2.0/{self.transport} {self.host}{port}{write_params(self.params)}"

    @property
    def branch(self) -> str:
        return self.params.get("branch") or ""

    @property
    def received(self) -> str | None:
        return self.params.get("received")

    @property
    def rport(self) -> int | None:
        value = self.params.get("rport")
        return int(value) if value and value.isdigit() else None

    def response_address(self) -> tuple[str, int]:
        """Where a response to this hop goes (RFC 3261 18.2.2 with RFC 3581's rport)."""
        host = self.received or host_of(self.host)
        port = self.rport or self.port or (5061 if self.transport == "TLS" else 5060)
        return host_of(host), port


@dataclass(frozen=True)
class CSeq:
    number: int
    method: str

    @classmethod
    def parse(cls, text: str) -> CSeq:
        parts = text.split()
        if len(parts) != 2 or not parts[0].isdigit() or len(parts[0]) > 10:
            raise ParseError("bad CSeq")
        number = int(parts[0])
        if number >= 2**31 or not _TOKEN.match(parts[1]):
            raise ParseError("bad CSeq")
        return cls(number, parts[1].upper())

    def __str__(self) -> str:
        return f"{self.number} {self.method}"


class SipMessage:
    """What requests and responses share: headers (ordered, canonical names) and a body."""

    def __init__(self, headers: Iterable[tuple[str, str]] = (), body: bytes = b""):
        self.headers: list[tuple[str, str]] = [(canonical_name(n), v) for n, v in headers]
        self.body = body

    # headers -------------------------------------------------------------------------------
    def get(self, name: str) -> str | None:
        """The first value of ``name`` (as written: a list header's line is not split)."""
        name = canonical_name(name)
        for key, value in self.headers:
            if key == name:
                return value
        return None

    def get_all(self, name: str) -> list[str]:
        """Every value of ``name``; list headers split on commas outside quotes/brackets."""
        name = canonical_name(name)
        values: list[str] = []
        for key, value in self.headers:
            if key != name:
                continue
            if name in LIST_HEADERS:
                values.extend(v.strip() for v in split_outside(value, ",") if v.strip())
            else:
                values.append(value)
        return values

    def set(self, name: str, value: str) -> None:
        """Replace every ``name`` by one value (where the first one was, or at the end)."""
        name = canonical_name(name)
        for index, (key, _) in enumerate(self.headers):
            if key == name:
                self.headers[index] = (name, value)
                self.headers = [h for i, h in enumerate(self.headers) if i <= index or h[0] != name]
                return
        self.headers.append((name, value))

    def add(self, name: str, value: str, *, first: bool = False) -> None:
        item = (canonical_name(name), value)
        if first:
            self.headers.insert(0, item)
        else:
            self.headers.append(item)

    def remove(self, name: str) -> None:
        name = canonical_name(name)
        self.headers = [h for h in self.headers if h[0] != name]

    def has(self, name: str) -> bool:
        return self.get(name) is not None

    def tokens(self, name: str) -> frozenset[str]:
        """A token list header (Supported, Require, Allow) as a lower-case set."""
        return frozenset(v.lower() for v in self.get_all(name))

    # structured views ----------------------------------------------------------------------
    @property
    def vias(self) -> list[Via]:
        return [Via.parse(v) for v in self.get_all("Via")]

    @property
    def top_via(self) -> Via:
        values = self.get_all("Via")
        if not values:
            raise ParseError("no Via")
        return Via.parse(values[0])

    @property
    def call_id(self) -> str:
        return (self.get("Call-ID") or "").strip()

    @property
    def cseq(self) -> CSeq:
        return CSeq.parse(self.get("CSeq") or "")

    @property
    def from_(self) -> NameAddr:
        return NameAddr.parse(self.get("From") or "")

    @property
    def to(self) -> NameAddr:
        return NameAddr.parse(self.get("To") or "")

    @property
    def contacts(self) -> list[NameAddr]:
        return [NameAddr.parse(v) for v in self.get_all("Contact")]

    @property
    def content_type(self) -> str:
        return (self.get("Content-Type") or "").split(";")[0].strip().lower()

    # writing -------------------------------------------------------------------------------
    def start_line(self) -> str:
        raise NotImplementedError

    def to_bytes(self) -> bytes:
        lines = [self.start_line()]
        lines.extend(f"{name}: {value}" for name, value in self.headers if name != "Content-Length")
        lines.append(f"Content-Length: {len(self.body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8") + self.body

    def __bytes__(self) -> bytes:
        return self.to_bytes()


class Request(SipMessage):
    def __init__(
        self,
        method: str,
        uri: SipUri,
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
    ):
        super().__init__(headers, body)
        self.method = method.upper()
        self.uri = uri

    def start_line(self) -> str:
        return f"{self.method} {self.uri} {SIP_VERSION}"

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.uri} call-id={self.call_id}>"


class Response(SipMessage):
    def __init__(
        self,
        status: int,
        reason: str = "",
        headers: Iterable[tuple[str, str]] = (),
        body: bytes = b"",
    ):
        super().__init__(headers, body)
        self.status = status
        self.reason = reason or REASONS.get(status, "Unknown")

    def start_line(self) -> str:
        return f"{SIP_VERSION} {self.status} {self.reason}"

    def __repr__(self) -> str:
        return f"<Response {self.status} {self.reason} call-id={self.call_id}>"

    @classmethod
    def to_request(
        cls, request: Request, status: int, reason: str = "", *, to_tag: str | None = None
    ) -> Response:
        """A response to ``request`` (RFC 3261 8.2.6): its Via, From, Call-ID and CSeq
        copied, its To with ``to_tag`` added when it has none (not on 100 Trying), and its
        Record-Route for a dialog-creating response (12.1.1). Raw values are copied, so a
        response to a request with one broken header can still be written."""
        response = cls(status, reason)
        copied = ["Via", "From", "To", "Call-ID", "CSeq"]
        if request.method == "INVITE" and 100 < status < 300:
            copied.append("Record-Route")
        for name, value in request.headers:
            if name in copied:
                response.headers.append((name, value))
        if to_tag and status > 100:
            to_value = request.get("To") or ""
            try:
                to = NameAddr.parse(to_value)
            except ParseError:
                to = None
            if to is not None and to.tag is None:
                to.params["tag"] = to_tag
                response.set("To", str(to))
        return response


Message = Request | Response


def _unfold(header_block: str) -> Iterator[str]:
    """Header lines with folded continuations joined (RFC 3261 7.3.1)."""
    current: str | None = None
    for line in header_block.split("\r\n") if "\r\n" in header_block else header_block.split("\n"):
        if line[:1] in (" ", "\t"):
            if current is None:
                raise ParseError("continuation before the first header")
            current += " " + line.strip()
        else:
            if current is not None:
                yield current
            current = line
        if current is not None and len(current) > MAX_HEADER_LINE:
            raise ParseError("header line too long")
    if current is not None:
        yield current


def _split_head(data: bytes) -> tuple[bytes, bytes]:
    for separator in (b"\r\n\r\n", b"\n\n"):
        index = data.find(separator)
        if index >= 0:
            return data[:index], data[index + len(separator) :]
    return data.rstrip(b"\r\n"), b""


def parse_message(data: bytes, *, stream: bool = False) -> Message:
    """Parse one message. ``stream``: the bytes came framed by Content-Length from a
    connection (the body is exactly what it said); on a datagram a body longer than
    Content-Length is cut to it and a shorter one is an error (RFC 3261 18.3)."""
    if len(data) > MAX_MESSAGE_BYTES:
        raise ParseError("message too large")
    head_bytes, body = _split_head(data.lstrip(b"\r\n"))
    try:
        head = head_bytes.decode("utf-8")
    except UnicodeDecodeError:
        try:
            head = head_bytes.decode("latin-1")
        except UnicodeDecodeError as error:  # pragma: no cover - latin-1 decodes anything
            raise ParseError("undecodable header") from error
    if "\x00" in head:
        raise ParseError("NUL in header")
    first, _, header_block = head.partition("\n")
    first = first.rstrip("\r")
    if len(first) > MAX_START_LINE:
        raise ParseError("start line too long")
    message: Message
    parts = first.split(" ", 2)
    if len(parts) < 3:
        raise ParseError("bad start line")
    if parts[0] == SIP_VERSION:
        if not parts[1].isdigit() or len(parts[1]) != 3 or not 100 <= int(parts[1]) <= 699:
            raise ParseError("bad status code")
        message = Response(int(parts[1]), parts[2].strip() or " ")
    else:
        if parts[2].strip() != SIP_VERSION:
            raise ParseError("bad SIP version")
        if not _TOKEN.match(parts[0]):
            raise ParseError("bad method")
        try:
            uri = SipUri.parse(parts[1])
        except ParseError:
            uri = None
        message = Request(parts[0], uri or SipUri(host="invalid"))
        if uri is None:
            raise ParseError("bad Request-URI", _partial(message, header_block))
    _read_headers(message, header_block)
    _check(message, body, stream=stream)
    return message


def _read_headers(message: Message, header_block: str) -> None:
    count = 0
    try:
        for line in _unfold(header_block):
            if not line.strip():
                continue
            count += 1
            if count > MAX_HEADERS:
                raise ParseError("too many headers")
            name, colon, value = line.partition(":")
            name = name.strip()
            if not colon or not _HEADER_NAME.match(name):
                raise ParseError(f"bad header line {line[:40]!r}")
            message.headers.append((canonical_name(name), value.strip()))
    except ParseError as error:
        if isinstance(message, Request):
            raise ParseError(error.reason, message) from error
        raise


def _partial(request: Request, header_block: str) -> Request | None:
    try:
        _read_headers(request, header_block)
    except ParseError:
        return None
    return request


def _check(message: Message, body: bytes, *, stream: bool) -> None:
    """The header checks every message must pass before the user agent looks at it."""
    partial = message if isinstance(message, Request) else None
    try:
        for name in ("Via", "From", "To", "Call-ID", "CSeq"):
            if not message.has(name):
                raise ParseError(f"missing {name}")
        if len([v for n, v in message.headers if n == "Call-ID"]) != 1 or not message.call_id:
            raise ParseError("bad Call-ID")
        vias = message.vias
        if not vias:
            raise ParseError("missing Via")
        cseq = message.cseq
        if isinstance(message, Request) and cseq.method != message.method:
            raise ParseError("CSeq method differs from the request's")
        message.from_  # noqa: B018 - parses, raising ParseError when broken
        message.to  # noqa: B018
        if isinstance(message, Request):
            for contact in message.get_all("Contact"):
                NameAddr.parse(contact)
            forwards = message.get("Max-Forwards")
            if forwards is not None and (not forwards.isdigit() or int(forwards) > 255):
                raise ParseError("bad Max-Forwards")
        length_text = message.get("Content-Length")
        if length_text is not None:
            if not length_text.isdigit() or len(length_text) > 6:
                raise ParseError("bad Content-Length")
            length = int(length_text)
            if length > len(body):
                raise ParseError("body shorter than Content-Length")
            body = body[:length]
        elif stream:
            raise ParseError("no Content-Length on a stream")
        message.body = body
    except ParseError as error:
        raise ParseError(error.reason, partial) from error


def answerable(request: Request) -> bool:
    """Whether a 400 to this (partly parsed) request can be written and routed."""
    try:
        request.top_via  # noqa: B018
    except ParseError:
        return False
    return bool(request.get("Call-ID") and request.get("CSeq") and request.get("From"))


class StreamFramer:
    """Cuts a connection's bytes into messages by Content-Length (RFC 3261 18.3).

    CRLF keep-alives between messages are skipped (RFC 5626 4.4.1: a double CRLF "ping" is
    reported by :attr:`pings` so the connection can answer it with a CRLF "pong"). A header
    section over :data:`MAX_MESSAGE_BYTES`, or a Content-Length beyond it, is a framing error
    (:class:`ParseError`): the stream cannot be resynchronised and must be closed.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self.pings = 0

    def feed(self, data: bytes) -> list[bytes]:
        self._buffer.extend(data)
        messages: list[bytes] = []
        while True:
            while self._buffer[:2] == b"\r\n":
                if self._buffer[:4] == b"\r\n\r\n":
                    self.pings += 1
                    del self._buffer[:4]
                else:
                    del self._buffer[:2]
            end = self._buffer.find(b"\r\n\r\n")
            if end < 0:
                if len(self._buffer) > MAX_MESSAGE_BYTES:
                    raise ParseError("header section too long")
                return messages
            head = bytes(self._buffer[:end])
            match = re.search(rb"(?im)^(?:content-length|l)[ \t]*:[ \t]*(\d{1,7})[ \t]*$", head)
            if not match:
                raise ParseError("no Content-Length on a stream")
            length = int(match.group(1))
            total = end + 4 + length
            if total > MAX_MESSAGE_BYTES:
                raise ParseError("message too large")
            if len(self._buffer) < total:
                return messages
            messages.append(bytes(self._buffer[:total]))
            del self._buffer[:total]
