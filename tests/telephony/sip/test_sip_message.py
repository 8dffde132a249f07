"""SIP message parsing and writing: compact forms, folding, lists, URIs, hostile input."""

from __future__ import annotations

import contextlib

import pytest

from faxline.telephony.sip.message import (
    MAX_HEADERS,
    MAX_MESSAGE_BYTES,
    CSeq,
    NameAddr,
    ParseError,
    Request,
    Response,
    SipUri,
    StreamFramer,
    Via,
    answerable,
    parse_message,
)

pytestmark = pytest.mark.database_independent

INVITE = (
    b"INVITE sip:+12125550100@trunk.example.com;user=phone SIP/2.0\r\n"
    b"v: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;rport\r\n"
    b"Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKfirst,\r\n"
    b" SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKsecond;received=198.51.100.7\r\n"
    b"Max-Forwards: 70\r\n"
    b'f: "Alice, the \\"fax\\" <desk>" <sip:+12125550199@example.com>;tag=1928301774\r\n'
    b"t: <sip:+12125550100@trunk.example.com>\r\n"
    b"i: a84b4c76e66710@pc33.example.com\r\n"
    b"CSeq: 314159 INVITE\r\n"
    b"m: <sip:alice@192.0.2.10:5060;transport=udp>;expires=60, sip:bob@192.0.2.11\r\n"
    b"Subject: a folded\r\n"
    b"\tsubject line\r\n"
    b"k: timer, 100rel\r\n"
    b"c: application/sdp\r\n"
    b"l: 4\r\n"
    b"\r\n"
    b"v=0\r\nextra"
)


def test_compact_forms_folding_and_lists_are_read() -> None:
    message = parse_message(INVITE)
    assert isinstance(message, Request)
    assert message.method == "INVITE"
    assert message.uri.user == "+12125550100"
    assert message.uri.params == {"user": "phone"}
    assert message.call_id == "a84b4c76e66710@pc33.example.com"
    assert message.cseq == CSeq(314159, "INVITE")
    vias = message.vias
    assert [v.branch for v in vias] == ["z9hG4bK776asdhds", "z9hG4bKfirst", "z9hG4bKsecond"]
    assert vias[0].params["rport"] is None
    assert vias[1].transport == "TCP" and vias[1].port is None
    assert vias[2].host == "[2001:db8::1]" and vias[2].port == 5070
    assert vias[2].response_address() == ("198.51.100.7", 5070)
    assert message.from_.display == 'Alice, the "fax" <desk>'
    assert message.from_.tag == "1928301774"
    assert message.to.tag is None
    contacts = message.contacts
    assert [str(c.uri) for c in contacts] == [
        "sip:alice@192.0.2.10:5060;transport=udp",
        "sip:bob@192.0.2.11",
    ]
    assert contacts[0].params == {"expires": "60"}
    assert message.get("Subject") == "a folded subject line"
    assert message.tokens("Supported") == {"timer", "100rel"}
    assert message.content_type == "application/sdp"
    assert message.body == b"v=0\r"[:4]  # cut to Content-Length on a datagram


def test_written_message_reads_back_the_same() -> None:
    message = parse_message(INVITE)
    again = parse_message(message.to_bytes())
    assert isinstance(again, Request)
    assert again.headers == message.headers
    assert again.body == message.body
    assert b"Content-Length: 4\r\n" in message.to_bytes()
    assert message.to_bytes().startswith(b"INVITE sip:+12125550100@trunk.example.com;user=phone")


def test_response_copies_the_headers_rfc3261_asks_for() -> None:
    request = parse_message(INVITE)
    assert isinstance(request, Request)
    request.add("Record-Route", "<sip:proxy.example.com;lr>")
    response = Response.to_request(request, 180, to_tag="abc")
    assert response.start_line() == "SIP/2.0 180 Ringing"
    assert response.get_all("Via") == request.get_all("Via")
    assert response.to.tag == "abc"
    assert response.get("Record-Route") == "<sip:proxy.example.com;lr>"
    assert response.get("Contact") is None
    trying = Response.to_request(request, 100, to_tag="abc")
    assert trying.to.tag is None  # 100 Trying carries no tag
    refused = Response.to_request(request, 486, to_tag="abc")
    assert refused.get("Record-Route") is None


def test_uris_and_name_addresses() -> None:
    uri = SipUri.parse("sips:+1212:secret@[2001:db8::5]:5061;transport=tls;lr?subject=x")
    assert (uri.scheme, uri.user, uri.password, uri.host, uri.port) == (
        "sips",
        "+1212",
        "secret",
        "[2001:db8::5]",
        5061,
    )
    assert uri.transport == "tls" and uri.loose_router and uri.headers == "subject=x"
    assert str(uri) == "sips:+1212:secret@[2001:db8::5]:5061;transport=tls;lr?subject=x"
    bare = NameAddr.parse("sip:bob@example.com;tag=xyz")
    assert bare.tag == "xyz" and bare.uri.params == {}
    assert (
        str(NameAddr.parse("Bob <sip:bob@example.com>;tag=1"))
        == '"Bob" <sip:bob@example.com>;tag=1'
    )
    assert NameAddr.parse("*").wildcard
    assert SipUri.parse("tel:+12125550100").opaque == "+12125550100"
    via = Via.parse("SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx;rport=5099;received=1.2.3.4")
    assert via.response_address() == ("1.2.3.4", 5099)
    assert str(via) == "SIP/2.0/UDP 10.0.0.1;branch=z9hG4bKx;rport=5099;received=1.2.3.4"


def test_response_start_line_and_unknown_reason() -> None:
    message = parse_message(
        b"SIP/2.0 299 Something New\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
        b"From: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n"
        b"Content-Length: 0\r\n\r\n"
    )
    assert isinstance(message, Response)
    assert (message.status, message.reason) == (299, "Something New")


def _request(*headers: str, start: str = "OPTIONS sip:a@h SIP/2.0", body: bytes = b"") -> bytes:
    return (start + "\r\n" + "\r\n".join(headers) + "\r\n\r\n").encode() + body


GOOD = (
    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKgood",
    "From: <sip:x@h>;tag=1",
    "To: <sip:a@h>",
    "Call-ID: c1",
    "CSeq: 1 OPTIONS",
)


@pytest.mark.parametrize(
    ("data", "answer_400"),
    [
        (_request(*GOOD[:4], "CSeq: one OPTIONS"), True),
        (_request(*GOOD[:4], "CSeq: 1 INVITE"), True),  # method differs from the start line
        (_request(*GOOD, "Max-Forwards: many"), True),
        (_request(*GOOD, "Content-Length: 50"), True),  # body shorter than announced
        (_request(*GOOD, "Content-Length: -1"), True),
        (_request(*GOOD, "Contact: <sip:broken"), True),
        (_request(*GOOD[:2], "To: <sip:a@h", *GOOD[3:]), True),
        (_request(*GOOD, "Bad Header Name: x"), True),
        (_request(*GOOD, start="OPTIONS not-a-uri SIP/2.0"), True),
        (_request(*GOOD, start="OPTIONS sip:a@h SIP/3.0"), False),
        (_request(*GOOD[1:]), False),  # no Via: nowhere to answer
        (_request("Via: garbage", *GOOD[1:]), False),
        (b"\x00\xff\xfe garbage", False),
        (b"", False),
        (b"SIP/2.0 abc OK\r\n\r\n", False),
        (_request(*GOOD, *(f"X-H{i}: {i}" for i in range(MAX_HEADERS))), True),
        (_request(*GOOD, "Subject: " + "a" * 9000), True),
    ],
)
def test_hostile_messages_raise_parse_error_only(data: bytes, answer_400: bool) -> None:
    with pytest.raises(ParseError) as caught:
        parse_message(data)
    partial = caught.value.partial
    assert (partial is not None and answerable(partial)) is answer_400
    if answer_400:
        assert partial is not None
        response = Response.to_request(partial, 400)
        assert response.get("Call-ID") == "c1"
        assert response.to_bytes().startswith(b"SIP/2.0 400 Bad Request\r\nVia: SIP/2.0/UDP")


def test_oversized_message_is_refused() -> None:
    data = _request(*GOOD, body=b"x" * MAX_MESSAGE_BYTES)
    with pytest.raises(ParseError, match="too large"):
        parse_message(data)


def test_random_bytes_never_raise_anything_else() -> None:
    import random

    generator = random.Random(7)
    pieces = [
        b"INVITE ",
        b"sip:",
        b"@",
        b"\r\n",
        b":",
        b";",
        b"<",
        b">",
        b'"',
        b"Via",
        b" ",
        b"SIP/2.0",
        b"CSeq",
        b"1",
        b"\x00",
        b"\xff",
        b",",
        b"\t",
        b"l: 9",
        b"z9hG4bK",
    ]
    for _ in range(3000):
        data = b"".join(generator.choice(pieces) for _ in range(generator.randint(1, 40)))
        with contextlib.suppress(ParseError):
            parse_message(data)


def test_stream_framer_cuts_by_content_length_and_answers_pings() -> None:
    framer = StreamFramer()
    one = _request(*GOOD, "Content-Length: 3", body=b"abc")
    two = _request(*GOOD, "l: 0")
    data = b"\r\n\r\n" + one + two
    messages = framer.feed(data[:30]) + framer.feed(data[30:70]) + framer.feed(data[70:])
    assert messages == [one, two]
    assert framer.pings == 1
    assert parse_message(messages[0], stream=True).body == b"abc"
    with pytest.raises(ParseError):
        StreamFramer().feed(_request(*GOOD))  # a stream needs Content-Length
    with pytest.raises(ParseError):
        StreamFramer().feed(b"X" * (MAX_MESSAGE_BYTES + 1))
