"""Session descriptions: offers, answers, the T.38 attributes' negotiation, hostile input."""

from __future__ import annotations

import pytest

from faxline.telephony.sip.config import Codec
from faxline.telephony.sip.sdp import (
    MAX_SDP_BYTES,
    SdpError,
    SessionDescription,
    T38Params,
    answer_audio,
    answer_t38,
    audio_offer,
    chosen_codec,
    chosen_payload_type,
    is_t38,
    media_address,
    t38_offer,
    t38_params,
    telephone_event_payload,
)

pytestmark = pytest.mark.database_independent

CARRIER_T38_OFFER = (
    "v=0\r\n"
    "o=carrier 1234 5678 IN IP4 203.0.113.5\r\n"
    "s=-\r\n"
    "c=IN IP4 203.0.113.5\r\n"
    "t=0 0\r\n"
    "m=audio 0 RTP/AVP 0\r\n"
    "m=image 40000 udptl t38\r\n"
    "c=IN IP4 203.0.113.6\r\n"
    "a=T38FaxVersion:3\r\n"
    "a=T38MaxBitRate:33600\r\n"
    "a=T38FaxFillBitRemoval\r\n"
    "a=T38FaxTranscodingMMR:1\r\n"
    "a=T38FaxRateManagement:transferredTCF\r\n"
    "a=T38FaxMaxBuffer:262\r\n"
    "a=T38FaxMaxDatagram:176\r\n"
    "a=T38FaxUdpEC:t38UDPFEC\r\n"
)


def test_audio_offer_is_what_a_carrier_expects() -> None:
    offer = audio_offer("192.0.2.1", 4000, [Codec.PCMA, Codec.PCMU])
    text = offer.to_text()
    assert "m=audio 4000 RTP/AVP 8 0 101\r\n" in text
    assert "c=IN IP4 192.0.2.1\r\n" in text
    for line in (
        "a=rtpmap:8 PCMA/8000",
        "a=rtpmap:0 PCMU/8000",
        "a=rtpmap:101 telephone-event/8000",
        "a=fmtp:101 0-16",
        "a=ptime:20",
        "a=sendrecv",
    ):
        assert line + "\r\n" in text
    again = SessionDescription.parse(offer.to_bytes())
    assert again.to_text() == text
    assert chosen_codec(again) is Codec.PCMA
    assert media_address(again) == ("192.0.2.1", 4000, "audio")
    assert telephone_event_payload(again) == 101
    assert not is_t38(again)
    plain = audio_offer("192.0.2.1", 4000, [Codec.PCMU], telephone_event=False)
    assert "telephone-event" not in plain.to_text()


def test_audio_answer_keeps_the_offer_order_of_what_we_accept() -> None:
    offer = SessionDescription.parse(
        "v=0\r\no=x 1 1 IN IP4 198.51.100.1\r\ns=-\r\nc=IN IP4 198.51.100.1\r\nt=0 0\r\n"
        "m=video 5000 RTP/AVP 96\r\n"
        "m=audio 6000 RTP/AVP 18 8 0 96\r\na=rtpmap:96 telephone-event/8000\r\n"
        "a=sendonly\r\n"
    )
    answer = answer_audio(offer, "192.0.2.1", 4002, [Codec.PCMU, Codec.PCMA])
    assert answer is not None
    assert [m.port for m in answer.media] == [0, 4002]  # same number of m= lines
    audio = answer.media[1]
    assert audio.formats == ["8", "0", "96"]
    assert audio.has_attribute("recvonly")
    assert chosen_codec(answer) is Codec.PCMA
    assert media_address(answer) == ("192.0.2.1", 4002, "audio")
    assert answer_audio(offer, "192.0.2.1", 4002, []) is None
    g729_only = SessionDescription.parse(
        "v=0\r\no=x 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\nt=0 0\r\n"
        "m=audio 6000 RTP/AVP 18\r\n"
    )
    assert answer_audio(g729_only, "192.0.2.1", 4002, [Codec.PCMU]) is None


def test_dynamic_payload_for_g711_is_recognised() -> None:
    offer = SessionDescription.parse(
        "v=0\r\no=x 1 1 IN IP4 1.1.1.1\r\ns=-\r\nc=IN IP4 1.1.1.1\r\nt=0 0\r\n"
        "m=audio 6000 RTP/AVP 97\r\na=rtpmap:97 pcmu/8000\r\n"
    )
    assert chosen_codec(offer) is Codec.PCMU
    assert chosen_payload_type(offer, Codec.PCMU) == 97


def test_t38_offer_writes_every_attribute() -> None:
    params = T38Params(fill_bit_removal=True)
    offer = t38_offer("192.0.2.1", 4100, params)
    text = offer.to_text()
    assert "m=image 4100 udptl t38\r\n" in text
    for line in (
        "a=T38FaxVersion:0",
        "a=T38MaxBitRate:14400",
        "a=T38FaxFillBitRemoval",
        "a=T38FaxRateManagement:transferredTCF",
        "a=T38FaxMaxBuffer:2000",
        "a=T38FaxMaxDatagram:400",
        "a=T38FaxUdpEC:t38UDPRedundancy",
    ):
        assert line + "\r\n" in text
    parsed = SessionDescription.parse(text)
    assert is_t38(parsed)
    assert t38_params(parsed) == params
    assert media_address(parsed) == ("192.0.2.1", 4100, "image")


def test_t38_answer_negotiates_down_and_answers_fec_with_redundancy() -> None:
    offer = SessionDescription.parse(CARRIER_T38_OFFER)
    ours = T38Params(version=0, max_bit_rate=14400, max_buffer=2000, max_datagram=400)
    answer = answer_t38(offer, "192.0.2.1", 4200, ours)
    assert answer is not None
    assert [m.port for m in answer.media] == [0, 4200]
    chosen = t38_params(answer)
    assert chosen == T38Params(
        version=0,
        max_bit_rate=14400,
        rate_management="transferredTCF",
        max_buffer=2000,
        max_datagram=400,
        udp_ec="t38UDPRedundancy",
        fill_bit_removal=False,  # we did not offer it
        transcoding_mmr=False,
        transcoding_jbig=False,
    )
    # the offer's own values as read
    offered = t38_params(offer)
    assert offered is not None
    assert (offered.version, offered.max_bit_rate, offered.udp_ec) == (3, 33600, "t38UDPFEC")
    assert offered.fill_bit_removal and offered.transcoding_mmr and not offered.transcoding_jbig
    assert media_address(offer) == ("203.0.113.6", 40000, "image")
    # a richer side of ours still answers no more than was offered
    rich = T38Params(version=3, max_bit_rate=33600, fill_bit_removal=True, transcoding_jbig=True)
    rich_answer = t38_params(answer_t38(offer, "192.0.2.1", 4200, rich) or offer)
    assert rich_answer is not None
    assert (rich_answer.version, rich_answer.max_bit_rate) == (3, 33600)
    assert rich_answer.fill_bit_removal and not rich_answer.transcoding_jbig
    # local TCF offered is echoed; no error correction offered, none answered
    local = (
        offer.to_text()
        .replace("transferredTCF", "localTCF")
        .replace("a=T38FaxUdpEC:t38UDPFEC\r\n", "")
    )
    local_answer = t38_params(answer_t38(SessionDescription.parse(local), "h", 1, ours) or offer)
    assert local_answer is not None
    assert (local_answer.rate_management, local_answer.udp_ec) == ("localTCF", "none")
    assert (
        "T38FaxUdpEC"
        not in (answer_t38(SessionDescription.parse(local), "h", 1, ours) or offer).to_text()
    )
    audio_only = audio_offer("1.1.1.1", 1, [Codec.PCMU])
    assert answer_t38(audio_only, "h", 1, ours) is None


def test_version_stamp_and_same_session() -> None:
    offer = audio_offer("192.0.2.1", 4000, [Codec.PCMU])
    stamped = offer.with_origin(42, 7)
    assert stamped.origin.session_id == 42 and stamped.origin.version == 7
    assert "o=faxline 42 7 IN IP4 192.0.2.1" in stamped.to_text()
    assert stamped.same_session(offer)
    assert not stamped.same_session(audio_offer("192.0.2.1", 4002, [Codec.PCMU]))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "v=1\r\no=x 1 1 IN IP4 h\r\n",
        "v=0\r\ns=-\r\n",  # no o=
        "v=0\r\no=x one 1 IN IP4 h\r\n",
        "v=0\r\no=x 1 1 IN IP4 h\r\nm=audio port RTP/AVP 0\r\n",
        "v=0\r\no=x 1 1 IN IP4 h\r\nm=audio 70000 RTP/AVP 0\r\n",
        "v=0\r\no=x 1 1 IN IP4 h\r\nc=garbage\r\n",
        "v=0\r\no=x 1 1 IN IP4 h\r\nnot a line\r\n",
        "v=0\r\no=x 1 1 IN IP4 h\r\n" + "a=x\r\n" * 300,
        "v=0\r\n" + "a" * MAX_SDP_BYTES,
    ],
)
def test_bad_sdp_raises_sdp_error(text: str) -> None:
    with pytest.raises(SdpError):
        SessionDescription.parse(text.encode())
