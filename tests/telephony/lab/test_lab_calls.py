"""Calls through the lab carrier with SIPp at both ends: digest authentication, routing by
number (and to a registered contact), 404, and media anchored at rtpengine."""

from __future__ import annotations

import os
import socket

import pytest
from lab_cast import Cast, SippFactory, wait_for

from faxline.telephony.lab import SipLab, free_port
from faxline.telephony.lab.sipp import (
    Sipp,
    register_scenario,
    sdp_media,
    uac_scenario,
    uas_scenario,
)
from faxline.telephony.sip.config import SipTransportName

NEEDED = ("/usr/sbin/kamailio", "/usr/bin/rtpengine", "/usr/bin/sipp")
pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.skipif(
        not all(os.access(path, os.X_OK) for path in NEEDED),
        reason="kamailio, rtpengine-daemon and sip-tester (SIPp) are not installed",
    ),
]


def _finished(lab: SipLab, *runners: Sipp) -> None:
    """Every runner ran its scenario to the end, or the failure shows their traces and the
    lab's logs."""
    codes = [runner.wait(20) for runner in runners]
    if any(codes):
        report = "\n".join(runner.report() for runner in runners)
        raise AssertionError(f"SIPp exit codes {codes}\n{report}\n{lab.logs()}")


def _on_rtpengine(lab: SipLab, address: str, port: int) -> bool:
    return address == lab.sip_host and lab.rtp_ports[0] <= port <= lab.rtp_ports[1]


def test_digest_call_with_media_through_rtpengine(
    lab: SipLab, cast: Cast, sipp: SippFactory
) -> None:
    uas = sipp(uas_scenario(), name="uas", port=cast.remote.port, extra_args=["-rtp_echo"]).start()
    uac = sipp(
        uac_scenario(hold_ms=1500), name="uac", remote=lab.trunk, service="+16465550123",
        username="alice", password="s3cret",
    ).start()  # fmt: skip

    # mid-call, rtpengine holds both legs: the UAC's and the UAS's own media ports
    wait_for(lambda: uas.received("ACK"), timeout=10)
    call_id = uas.received("INVITE")[0].header("Call-ID")
    assert call_id
    legs = lab.query_call(call_id)["tags"]
    rtp = {tag: leg["medias"][0]["streams"][0] for tag, leg in legs.items()}
    assert {stream["endpoint"]["port"] for stream in rtp.values()} == {
        uac.media_port,
        uas.media_port,
    }
    # RTP sent to rtpengine's port for the caller reaches the answerer (SIPp echoes it back)
    # and returns through rtpengine, which learnt this socket as the caller's media address
    caller_side = next(s for tag, s in rtp.items() if "SIPpTag00" in tag)["local port"]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as media:
        media.bind(("127.0.0.1", 0))
        media.settimeout(1.0)
        for sequence in range(5):
            header = bytes([0x80, 0]) + sequence.to_bytes(2, "big") + bytes(8)
            media.sendto(header + b"\xff" * 160, ("127.0.0.1", caller_side))
            assert media.recv(2048)[2:4] == sequence.to_bytes(2, "big")
    _finished(lab, uac, uas)

    uac_trace = [m.first_line for m in uac.messages() if m.received]
    assert uac_trace[0] == "SIP/2.0 407 Proxy Authentication Required"
    assert any(line.startswith("SIP/2.0 180") for line in uac_trace)
    invite = uas.received("INVITE")[0]
    assert invite.first_line.startswith("INVITE sip:+16465550123@127.0.0.1:")
    assert invite.header("Record-Route")
    assert invite.header("Proxy-Authorization") is None  # consumed by the carrier
    offered = sdp_media(invite.body)
    assert _on_rtpengine(lab, offered[0], offered[1]), invite.body
    assert offered[1] != uac.media_port
    answer = uac.received("SIP/2.0 200")[0]
    answered = sdp_media(answer.body)
    assert answered[2:] == ("audio", "RTP/AVP")
    assert _on_rtpengine(lab, answered[0], answered[1]), answer.body
    assert answered[1] != uas.media_port
    assert [m.first_line.split()[0] for m in uas.received("")] == ["INVITE", "ACK", "BYE"]


def test_wrong_password_is_refused(lab: SipLab, sipp: SippFactory) -> None:
    # the carrier challenges again (407) after a wrong answer: the caller gives up there
    uac = sipp(
        uac_scenario(expect=407), name="uac", remote=lab.trunk, service="+16465550123",
        username="alice", password="wrong",
    )  # fmt: skip
    _finished(lab, uac.start())


def test_unknown_number_gets_404(lab: SipLab, sipp: SippFactory) -> None:
    uac = sipp(
        uac_scenario(expect=404), name="uac", remote=lab.trunk, service="+442071234567",
        username="alice", password="s3cret",
    )  # fmt: skip
    _finished(lab, uac.start())
    assert "no endpoint has +442071234567" in lab.kamailio_log.read_text()


def test_ip_authenticated_caller_is_not_challenged(
    lab: SipLab, cast: Cast, sipp: SippFactory
) -> None:
    # the "remote" endpoint calls from its declared address: no 407, routed by number
    uas = sipp(uas_scenario(), name="uas", port=cast.faxline.port).start()
    uac = sipp(
        uac_scenario(auth=False), name="uac", remote=lab.trunk, port=cast.remote.port,
        service="2125550199",
    ).start()  # fmt: skip
    _finished(lab, uac, uas)
    assert uas.received("INVITE")[0].first_line.startswith("INVITE sip:2125550199@")


def test_call_goes_to_the_registered_contact(lab: SipLab, sipp: SippFactory) -> None:
    contact_port = free_port()
    register = sipp(
        register_scenario(username="bob"), name="register", remote=lab.trunk,
        port=contact_port, username="bob", password="b0b-pw",
    )  # fmt: skip
    _finished(lab, register.start())
    assert [m.first_line for m in register.received("SIP/2.0")] == [
        "SIP/2.0 401 Unauthorized",
        "SIP/2.0 200 OK",
    ]

    # the endpoint's declared port has nobody: only its registered contact can answer
    uas = sipp(uas_scenario(), name="uas", port=contact_port).start()
    uac = sipp(
        uac_scenario(), name="uac", remote=lab.trunk, service="14155550142",
        username="alice", password="s3cret",
    ).start()  # fmt: skip
    _finished(lab, uac, uas)
    assert uas.received("INVITE")[0].first_line.startswith(
        f"INVITE sip:14155550142@127.0.0.1:{contact_port}"
    )


def test_call_over_tcp(lab: SipLab, cast: Cast, sipp: SippFactory) -> None:
    uas = sipp(
        uas_scenario(), name="uas", port=cast.tcp_remote.port, transport=SipTransportName.TCP
    ).start()
    wait_for(lambda: uas.output_path.exists(), timeout=2)
    uac = sipp(
        uac_scenario(), name="uac", remote=lab.trunk, service="+13035550100",
        username="alice", password="s3cret", transport=SipTransportName.TCP,
    ).start()  # fmt: skip
    _finished(lab, uac, uas)
    invite = uas.received("INVITE")[0]
    assert "SIP/2.0/TCP" in (invite.header("Via") or "")
    assert _on_rtpengine(lab, *sdp_media(invite.body)[:2])


def test_ip_authenticated_caller_over_tcp(lab: SipLab, cast: Cast, sipp: SippFactory) -> None:
    # over TCP the source port is ephemeral: the carrier knows it by its Via port
    uas = sipp(uas_scenario(), name="uas", port=cast.faxline.port).start()
    uac = sipp(
        uac_scenario(auth=False), name="uac", remote=lab.trunk, port=cast.tcp_remote.port,
        service="+12125550199", transport=SipTransportName.TCP,
    ).start()  # fmt: skip
    _finished(lab, uac, uas)
    assert "from tcp-remote to faxline" in lab.kamailio_log.read_text()


def test_sipps_builtin_scenarios_as_in_the_readme(
    lab: SipLab, cast: Cast, sipp: SippFactory
) -> None:
    # SIPp's own uac ignores Record-Route: its ACK and BYE reach the carrier without our
    # Route, and are relayed by the R-URI number all the same
    uas = sipp("builtin:uas", name="uas", port=cast.faxline.port).start()
    uac = sipp(
        "builtin:uac", name="uac", remote=lab.trunk, port=cast.remote.port,
        service="+12125550100",
    ).start()  # fmt: skip
    _finished(lab, uac)
    wait_for(lambda: uas.received("BYE"))  # SIPp's uas then lingers 4 s for retransmissions
    assert [m.first_line.split()[0] for m in uas.received("")] == ["INVITE", "ACK", "BYE"]
