"""The lab's rules without its servers: number matching, endpoint checks, the T.38 option of
each pairing, the NG protocol's bencode, SIPp trace parsing."""

from __future__ import annotations

import pytest

from faxline.telephony.lab import Endpoint, FaxCarriage, carrier_digits, t38_flags
from faxline.telephony.lab.kamailio import KamailioSettings, render_kamailio_cfg
from faxline.telephony.lab.ng import bdecode, bencode
from faxline.telephony.lab.sipp import parse_trace, sdp_media

pytestmark = pytest.mark.database_independent

T38, G711, PASS = FaxCarriage.T38, FaxCarriage.G711, FaxCarriage.PASS


@pytest.mark.parametrize("written", ["+12125550100", "12125550100", "2125550100"])
def test_north_american_forms_route_alike(written: str) -> None:
    assert carrier_digits(written) == "12125550100"


def test_other_numbers_lose_only_their_plus() -> None:
    assert carrier_digits("+442071234567") == "442071234567"
    assert carrier_digits("+1212555") == "1212555"  # a prefix stays a prefix


@pytest.mark.parametrize(
    ("offerer", "answerer", "flags"),
    [
        (G711, T38, "T.38=force"),
        (T38, G711, "T.38=decode"),
        (PASS, G711, "T.38=decode"),
        (PASS, T38, ""),
        (T38, PASS, ""),
        (G711, PASS, ""),
        (T38, T38, ""),
        (G711, G711, ""),
        (PASS, PASS, ""),
    ],
)
def test_t38_option_of_each_pairing(
    offerer: FaxCarriage, answerer: FaxCarriage, flags: str
) -> None:
    assert t38_flags(offerer, answerer) == flags


@pytest.mark.parametrize(
    "bad",
    [
        {"name": "has space"},
        {"numbers": ("2125550100",)},  # not E.164
        {"numbers": ("+1212;drop",)},
        {"username": "alice"},  # no password
        {"username": 'al"ice', "password": "x"},
        {"host": "127.0.0.1\nx"},
        {"port": 0},
        {"transport": "tls"},
    ],
)
def test_endpoint_refuses_what_could_break_the_config(bad: dict[str, object]) -> None:
    values: dict[str, object] = {"name": "ep", "numbers": ("+1212",)} | bad
    with pytest.raises(ValueError):
        Endpoint(**values)  # type: ignore[arg-type]


def test_longest_prefix_is_tried_first() -> None:
    config = render_kamailio_cfg(
        KamailioSettings(host="127.0.0.1", sip_port=5070, ng_port=5071, realm="r", secret="s"),
        [
            Endpoint("wide", port=5080, numbers=("+1",)),
            Endpoint("narrow", port=5081, numbers=("+1212555",)),
        ],
    )
    narrow = config.index('$var(num) =~ "^1212555"')
    wide = config.index('$var(num) =~ "^1"')
    assert narrow < wide


def test_bencode_round_trip() -> None:
    message = {"command": "offer", "flags": ["trust address"], "T.38": ["decode"], "n": 3}
    encoded = bencode(message)
    assert encoded.startswith(b"d4:T.38l6:decodee7:command5:offer")
    assert bdecode(encoded) == message


def test_sipp_trace_and_sdp() -> None:
    trace = (
        "----------------------------------------------- 2026-01-01 00:00:00.0\n"
        "UDP message received [10] bytes :\n\n"
        "INVITE sip:+1646@127.0.0.1:5070 SIP/2.0\r\nCall-ID: abc\r\n"
        "Content-Type: application/sdp\r\n\r\n"
        "v=0\r\nc=IN IP4 127.0.0.9\r\nm=image 4000 udptl t38\r\n\n"
        "----------------------------------------------- 2026-01-01 00:00:00.1\n"
        "UDP message sent (5 bytes):\n\nSIP/2.0 200 OK\r\nCall-ID: abc\r\n\r\n\n"
    )
    received, sent = parse_trace(trace)
    assert received.received and not sent.received
    assert received.header("call-id") == "abc"
    assert sdp_media(received.body) == ("127.0.0.9", 4000, "image", "udptl")
    assert sent.first_line == "SIP/2.0 200 OK"
