"""T.38 through the lab carrier: pass-through of a T.38 re-INVITE, the 488 of a route without
T.38, and rtpengine's T.38 ↔ G.711 gateway between a G.711 and a T.38 endpoint."""

from __future__ import annotations

import os

import pytest
from lab_cast import Cast, SippFactory

from faxline.telephony.lab import SipLab
from faxline.telephony.lab.sipp import Media, Sipp, sdp_media, uac_scenario, uas_scenario

NEEDED = ("/usr/sbin/kamailio", "/usr/bin/rtpengine", "/usr/bin/sipp")
pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.skipif(
        not all(os.access(path, os.X_OK) for path in NEEDED),
        reason="kamailio, rtpengine-daemon and sip-tester (SIPp) are not installed",
    ),
]


def _finished(lab: SipLab, *runners: Sipp) -> None:
    codes = [runner.wait(20) for runner in runners]
    if any(codes):
        report = "\n".join(runner.report() for runner in runners)
        raise AssertionError(f"SIPp exit codes {codes}\n{report}\n{lab.logs()}")


def _media(lab: SipLab, sdp: str) -> tuple[str, str]:
    """(media type, transport) of an SDP whose address and port are rtpengine's."""
    address, port, kind, transport = sdp_media(sdp)
    assert address == lab.sip_host and lab.rtp_ports[0] <= port <= lab.rtp_ports[1], sdp
    return kind, transport


def test_t38_reinvite_is_relayed(lab: SipLab, cast: Cast, sipp: SippFactory) -> None:
    uas = sipp(uas_scenario(reinvite=Media.IMAGE), name="uas", port=cast.remote.port).start()
    uac = sipp(
        uac_scenario(reinvite=Media.IMAGE), name="uac", remote=lab.trunk,
        service="+16465550100", username="alice", password="s3cret",
    ).start()  # fmt: skip
    _finished(lab, uac, uas)
    initial, reinvite = uas.received("INVITE")
    assert _media(lab, initial.body) == ("audio", "RTP/AVP")
    assert _media(lab, reinvite.body) == ("image", "udptl")
    assert "a=T38FaxUdpEC:t38UDPRedundancy" in reinvite.body  # the caller's own T.38 options
    assert "a=T38FaxMaxDatagram:176" in reinvite.body
    answered = uac.received("SIP/2.0 200")[1]  # [0]: the initial INVITE's answer
    assert answered.header("CSeq") == "3 INVITE"
    assert _media(lab, answered.body) == ("image", "udptl")


def test_t38_reinvite_refused_on_a_route_without_t38(
    lab: SipLab, cast: Cast, sipp: SippFactory
) -> None:
    uas = sipp(uas_scenario(), name="uas", port=cast.no_t38.port).start()
    uac = sipp(
        uac_scenario(reinvite=Media.IMAGE, reinvite_expect=488), name="uac",
        remote=lab.trunk, service="+17185550100", username="alice", password="s3cret",
    ).start()  # fmt: skip
    _finished(lab, uac, uas)
    # the carrier answered; the answerer never saw the re-INVITE nor the ACK of the 488
    assert [m.first_line.split()[0] for m in uas.received("")] == ["INVITE", "ACK", "BYE"]
    refusal = uac.received("SIP/2.0 488")
    assert refusal and refusal[0].header("CSeq") == "3 INVITE"


def test_initial_t38_invite_refused_on_a_route_without_t38(lab: SipLab, sipp: SippFactory) -> None:
    uac = sipp(
        uac_scenario(offer=Media.IMAGE, expect=488), name="uac", remote=lab.trunk,
        service="+17185550100", username="alice", password="s3cret",
    )  # fmt: skip
    _finished(lab, uac.start())


def test_gateway_g711_caller_to_t38_answerer(lab: SipLab, cast: Cast, sipp: SippFactory) -> None:
    """T.38=force: the G.711 side's audio offer reaches the T.38 side as m=image."""
    uas = sipp(uas_scenario(answer=Media.IMAGE), name="uas", port=cast.t38_machine.port).start()
    uac = sipp(
        uac_scenario(auth=False), name="uac", remote=lab.trunk, port=cast.g711_machine.port,
        service="+19175550100",
    ).start()  # fmt: skip
    _finished(lab, uac, uas)
    offer = uas.received("INVITE")[0].body
    assert _media(lab, offer) == ("image", "udptl")
    assert "a=T38FaxVersion:0" in offer
    assert "a=T38FaxUdpEC:t38UDPRedundancy" in offer
    answer = uac.received("SIP/2.0 200")[0].body
    assert _media(lab, answer) == ("audio", "RTP/AVP")
    assert "a=rtpmap:0 PCMU/8000" in answer


def test_gateway_t38_reinvite_to_g711_answerer(lab: SipLab, cast: Cast, sipp: SippFactory) -> None:
    """T.38=decode: the call starts in audio end to end; the T.38 side's re-INVITE to
    m=image reaches the G.711 side as an audio re-offer, and the T.38 side gets m=image back."""
    uas = sipp(uas_scenario(reinvite=Media.AUDIO), name="uas", port=cast.g711_machine.port).start()
    uac = sipp(
        uac_scenario(auth=False, reinvite=Media.IMAGE), name="uac", remote=lab.trunk,
        port=cast.t38_machine.port, service="+13125550100",
    ).start()  # fmt: skip
    _finished(lab, uac, uas)
    initial, reinvite = uas.received("INVITE")
    assert _media(lab, initial.body) == ("audio", "RTP/AVP")
    assert _media(lab, reinvite.body) == ("audio", "RTP/AVP")
    answered = uac.received("SIP/2.0 200")[1]
    assert answered.header("CSeq") == "2 INVITE"  # no challenge: CSeq 1 was the INVITE
    assert _media(lab, answered.body) == ("image", "udptl")


def test_gateway_pass_side_reinvite_to_g711_answerer(
    lab: SipLab, cast: Cast, sipp: SippFactory
) -> None:
    """faxline (pass) switching to T.38 towards a G.711-only party: decoded by rtpengine."""
    uas = sipp(uas_scenario(reinvite=Media.AUDIO), name="uas", port=cast.g711_machine.port)
    uac = sipp(
        uac_scenario(reinvite=Media.IMAGE), name="uac", remote=lab.trunk,
        service="+13125550100", username="alice", password="s3cret",
    )  # fmt: skip
    uas.start()
    _finished(lab, uac.start(), uas)
    assert _media(lab, uas.received("INVITE")[1].body) == ("audio", "RTP/AVP")
    assert _media(lab, uac.received("SIP/2.0 200")[1].body) == ("image", "udptl")
