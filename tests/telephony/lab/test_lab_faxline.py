"""faxline to faxline over a real carrier on loopback: kamailio routes and challenges,
rtpengine relays the media (and gateways T.38 to G.711 where one side has no T.38). Each call
carries a 3-page fax that must arrive pixel-identical, and the caller's outcome must say how
it went (media, trunk, T.38 fallback)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fax_calls import pages_of
from trunk_pair import FAST, Announcer, Party, caller_only, fax_to, sparse_tiff

from faxline.telephony.lab import Endpoint, FaxCarriage, SipLab, free_port
from faxline.telephony.outcomes import OutcomeName
from faxline.telephony.sip.config import (
    InboundAnswer,
    SipTransportName,
    T38Mode,
    TrunkConfig,
)
from faxline.telephony.transport import CallProgress, ProgressEvent

pytestmark = [pytest.mark.database_independent]

CALLER = "+12125550100"


class Cast:
    def __init__(self) -> None:
        # The caller, digest-authenticated, relaying T.38 as offered.
        self.alice = Party("alice", free_port(tcp_too=True), ("+1212555",), "alice", "a-secret")
        # A caller whose side of the carrier carries G.711 only: rtpengine gateways T.38.
        self.carol = Party("carol", free_port(tcp_too=True), ("+1213555",), "carol", "c-secret")
        # Answerers, IP-authenticated: one plain, one the carrier refuses T.38 towards.
        self.bob = Party("bob", free_port(tcp_too=True), ("+1646555",))
        self.dave = Party("dave", free_port(tcp_too=True), ("+1718555",))
        # A registration-based trunk: the carrier knows reggie only by its REGISTER.
        self.reggie = Party(
            "reggie", free_port(tcp_too=True), ("+1303555",), "reggie", "r-secret", register=True
        )
        # No fax machine: speech, silence, or an intercept's tones in early media.
        self.eve = Announcer(free_port(tcp_too=True), speed=FAST)
        self.eve.plays = {
            "+14155550103": "speech",
            "+14155550104": "silence",
            "+14155550105": "early_sit",
        }

    def parties(self) -> list[Party]:
        return [self.alice, self.carol, self.bob, self.dave, self.reggie]


@pytest.fixture(scope="module")
def cast() -> Iterator[Cast]:
    cast = Cast()
    endpoints = [
        cast.alice.endpoint(),
        cast.carol.endpoint(t38=FaxCarriage.G711),
        cast.bob.endpoint(),
        cast.dave.endpoint(refuse_t38=True),
        Endpoint("eve", port=cast.eve.port, numbers=("+1415555",)),
        cast.reggie.endpoint(port=free_port()),  # declared where nobody listens
    ]
    with SipLab(endpoints) as lab:
        try:
            for party in cast.parties():
                party.start(lab, speed=FAST)
            cast.eve.start()
            yield cast
        finally:
            for party in cast.parties():
                party.stop()
            cast.eve.stop()


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return sparse_tiff(tmp_path_factory.mktemp("doc") / "three.tif")


def delivered(party: Party, document: Path) -> None:
    assert party.arrived.wait(10), "nothing arrived"
    party.arrived.clear()
    (got,) = party.received[-1:]
    assert got.fax.result.pages == 3
    assert got.pages == pages_of(document)
    assert got.fax.from_number == CALLER


def kinds(outcome: object) -> list[str]:
    return [str(e.kind) for e in outcome.progress]  # type: ignore[attr-defined]


def test_g711_end_to_end(cast: Cast, document: Path) -> None:
    cast.alice.mode = cast.bob.mode = T38Mode.G711_ONLY
    outcome = cast.alice.call("+16465550150", document, from_number=CALLER)
    assert outcome.name is OutcomeName.SENT, (outcome.far_end, [str(e) for e in outcome.progress])
    assert (outcome.media, outcome.trunk, outcome.t38_fallback) == ("audio", "lab (alice)", False)
    assert outcome.fax is not None and outcome.fax.pages == 3
    assert CallProgress.FAX_TONES in kinds(outcome) and CallProgress.T38 not in kinds(outcome)
    delivered(cast.bob, document)


def test_t38_end_to_end(cast: Cast, document: Path) -> None:
    cast.alice.mode = cast.bob.mode = T38Mode.PREFERRED
    outcome = cast.alice.call("+16465550151", document, from_number=CALLER)
    assert outcome.name is OutcomeName.SENT, (outcome.far_end, [str(e) for e in outcome.progress])
    assert (outcome.media, outcome.t38_fallback) == ("t38", False)
    delivered(cast.bob, document)
    assert cast.bob.received[-1].fax.to_number == "+16465550151"


def test_g711_to_t38_through_rtpengines_gateway(cast: Cast, document: Path) -> None:
    """carol's side carries G.711 only: bob's re-INVITE to T.38 reaches carol as audio, and
    rtpengine turns carol's audio into T.38 for bob (in real time: the gateway keeps its own
    clock)."""
    cast.carol.mode, cast.bob.mode = T38Mode.G711_ONLY, T38Mode.PREFERRED
    cast.carol.set_speed(1.0)
    cast.bob.set_speed(1.0)
    try:
        outcome = cast.carol.call("+16465550152", document, from_number=CALLER)
    finally:
        cast.carol.set_speed(FAST)
        cast.bob.set_speed(FAST)
    assert outcome.name is OutcomeName.SENT, [str(e) for e in outcome.progress]
    assert outcome.media == "audio"  # carol never left G.711
    delivered(cast.bob, document)
    assert cast.bob.received[-1].fax.result.completion_code == 0


def test_t38_refused_with_488_finishes_in_g711(cast: Cast, document: Path) -> None:
    """The carrier answers 488 to alice's re-INVITE to T.38 towards dave: the call goes on
    in G.711 and the attempt says it fell back."""
    cast.alice.mode, cast.dave.mode = T38Mode.PREFERRED, T38Mode.G711_ONLY
    outcome = cast.alice.call("+17185550160", document, from_number=CALLER)
    assert outcome.name is OutcomeName.SENT, (outcome.far_end, [str(e) for e in outcome.progress])
    assert (outcome.media, outcome.t38_fallback) == ("audio", True)
    assert any("T.38 refused" in e.detail for e in outcome.progress)
    delivered(cast.dave, document)


def test_t38_only_refused_is_negotiation_failed(cast: Cast, document: Path) -> None:
    cast.alice.mode, cast.dave.mode = T38Mode.T38_ONLY, T38Mode.G711_ONLY
    outcome = cast.alice.call("+17185550161", document, from_number=CALLER)
    assert outcome.name is OutcomeName.NEGOTIATION_FAILED, outcome.as_dict()
    assert outcome.outcome.cause == "t38:refused"


def test_no_route_unknown_number_and_locked_user(cast: Cast, document: Path) -> None:
    """The carrier has no route (kamailio's 404); bob's faxline does not have the number
    (its own 404); the number's user is locked (486): each is what the guide calls it, and
    nothing arrives."""
    cast.alice.mode = T38Mode.PREFERRED
    cast.bob.out_of_service.add("+16465550180")
    cast.bob.locked.add("+16465550181")
    try:
        no_route = cast.alice.call("+13125550100", document, from_number=CALLER)
        unknown = cast.alice.call("+16465550180", document, from_number=CALLER)
        locked = cast.alice.call("+16465550181", document, from_number=CALLER)
    finally:
        cast.bob.out_of_service.clear()
        cast.bob.locked.clear()
    assert (no_route.name, no_route.signalling) == (OutcomeName.INVALID_FAX_NUMBER, "404 Not Found")
    assert (unknown.name, unknown.signalling) == (OutcomeName.INVALID_FAX_NUMBER, "404 Not Found")
    assert (locked.name, locked.signalling) == (OutcomeName.BUSY, "486 Busy Here")
    assert not (no_route.connected or unknown.connected or locked.connected)
    assert not cast.bob.arrived.is_set()


def test_a_trunk_that_cannot_be_reached_fails_over_to_the_next(cast: Cast, document: Path) -> None:
    """The first trunk (TCP to a port nobody listens on) cannot be reached: the call goes
    over the next one by priority, and the progress says why."""
    dead = TrunkConfig(
        key="dead",
        name="dead carrier",
        host="127.0.0.1",
        port=free_port(tcp_too=True),
        transport=SipTransportName.TCP,
        priority=1,
    )
    lab_trunk = replace(cast.alice.trunk(), priority=5, t38=T38Mode.PREFERRED)
    cast.bob.mode = T38Mode.PREFERRED
    # No keep-alive: one answered before the call would order the dead trunk last (tested
    # on its own), and the call would not have to fail over.
    transport = caller_only([dead, lab_trunk], keepalive_seconds=None)
    try:
        outcome = fax_to(transport, "+16465550190", document, from_number=CALLER)
    finally:
        transport.close()
    assert outcome.name is OutcomeName.SENT, outcome.as_dict()
    delivered(cast.bob, document)
    assert outcome.trunk == "lab (alice)"
    assert any("trunk dead carrier: 503" in e.detail for e in outcome.progress)


def test_no_free_channel_and_no_route(cast: Cast, document: Path) -> None:
    transport = cast.alice.transport
    assert transport is not None
    cast.alice.channels = 1
    trunk = cast.alice.trunk()
    assert transport.channels.try_acquire(trunk)  # the trunk's one channel is in use
    cast.bob.arrived.clear()
    try:
        full = cast.alice.call("+16465550191", document, from_number=CALLER)
    finally:
        transport.channels.release(trunk)
        cast.alice.channels = 30
    assert full.name is OutcomeName.NO_FREE_CHANNEL
    assert full.outcome.retry.value == "now" and not cast.bob.arrived.is_set()
    no_route = caller_only([replace(cast.alice.trunk(), destinations=("+44",))])
    try:
        outcome = fax_to(no_route, "+16465550192", document, from_number=CALLER)
    finally:
        no_route.close()
    assert (outcome.name, outcome.outcome.cause) == (OutcomeName.FAST_BUSY, "no_route")


@pytest.mark.parametrize(
    ("number", "name", "heard"),
    [
        ("+14155550103", OutcomeName.VOICE_ANSWER, CallProgress.VOICE),
        ("+14155550104", OutcomeName.NOT_A_FAX_MACHINE, CallProgress.SILENCE),
    ],
)
def test_no_fax_machine_answers(
    cast: Cast, document: Path, number: str, name: OutcomeName, heard: CallProgress
) -> None:
    outcome = cast.alice.call(number, document, from_number=CALLER)
    assert outcome.name is name, [str(e) for e in outcome.progress]
    assert outcome.hearing is not None and not outcome.connected
    assert heard in kinds(outcome)
    phases = [e.detail for e in outcome.progress if e.kind is CallProgress.T30_PHASE]
    assert all(p.startswith("E") for p in phases)  # no negotiation: we hung up


def test_special_information_tones_in_early_media(cast: Cast, document: Path) -> None:
    """The carrier plays an intercept before refusing: the tones are heard in the 183's
    early media and the call is given up as Sit-Tone / Operator Msg."""
    outcome = cast.alice.call("+14155550105", document, from_number=CALLER)
    assert outcome.name is OutcomeName.SIT_TONE, [str(e) for e in outcome.progress]
    assert CallProgress.SIT_TONES in kinds(outcome) and not outcome.connected
    assert outcome.progress[1].detail.startswith("183")


@pytest.mark.parametrize("mode", [T38Mode.G711_ONLY, T38Mode.PREFERRED])
def test_the_far_end_hangs_up_mid_page(cast: Cast, document: Path, mode: T38Mode) -> None:
    """bob hangs up (BYE) while the second page is on its way: the fax failed, honestly,
    with the one page that got through."""
    cast.alice.mode = cast.bob.mode = mode

    def on_progress(event: ProgressEvent) -> None:
        if event.kind is CallProgress.T30_PHASE and event.detail.startswith("D"):
            cast.bob.hang_up()  # right after the first page was confirmed

    outcome = cast.alice.call("+16465550193", document, from_number=CALLER, on_progress=on_progress)
    assert outcome.name is OutcomeName.TRANSMISSION_FAILED, [str(e) for e in outcome.progress]
    assert outcome.fax is not None and outcome.fax.pages == 1
    assert outcome.far_end["far_hung_up"] is True
    assert outcome.media == ("t38" if mode is T38Mode.PREFERRED else "audio")
    assert not cast.bob.arrived.wait(2) or cast.bob.received[-1].fax.result.pages == 1
    cast.bob.arrived.clear()


def test_a_second_process_on_the_same_port_places_calls_only(cast: Cast, document: Path) -> None:
    """Another dispatcher on this machine already holds alice's SIP port: this transport
    binds a free port, places calls from it, and neither answers nor registers."""
    assert cast.alice.transport is not None
    second = caller_only(
        [replace(cast.alice.trunk(), register=True)],
        port=cast.alice.transport.port,
        answer=InboundAnswer.ACCEPT,
    )
    cast.bob.mode = T38Mode.PREFERRED
    try:
        second.start()
        assert not second.answers_inbound and not second.registrations
        assert second.ua.port != cast.alice.transport.port
        outcome = fax_to(second, "+16465550194", document, from_number=CALLER)
    finally:
        second.close()
    assert outcome.name is OutcomeName.SENT, [str(e) for e in outcome.progress]
    delivered(cast.bob, document)


def test_a_registration_based_trunk_receives_at_its_registered_contact(
    cast: Cast, document: Path
) -> None:
    transport = cast.reggie.transport
    assert transport is not None
    (registration,) = transport.registrations.values()
    assert registration.ok and registration.count >= 1
    cast.alice.mode = cast.reggie.mode = T38Mode.PREFERRED
    outcome = cast.alice.call("+13035550120", document, from_number=CALLER)
    assert outcome.name is OutcomeName.SENT, [str(e) for e in outcome.progress]
    delivered(cast.reggie, document)


def test_keepalive_puts_a_trunk_that_does_not_answer_last(cast: Cast, document: Path) -> None:
    """Every enabled trunk is asked OPTIONS; the platform is told each answer, and a trunk
    that gave none is tried after the others (it would cost the call its failover wait)."""
    dead = TrunkConfig(
        key="dead",
        name="dead carrier",
        host="127.0.0.1",
        port=free_port(tcp_too=True),
        transport=SipTransportName.TCP,
        priority=1,
    )
    lab_trunk = replace(cast.alice.trunk(), key="lab", priority=5)
    seen: dict[str, int] = {}
    transport = caller_only([dead, lab_trunk], trunk_seen=seen.__setitem__)
    cast.bob.mode = T38Mode.PREFERRED
    try:
        transport.start()
        deadline = time.monotonic() + 10
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert seen == {"dead": 503, "lab": 200}, seen
        assert transport.health == seen
        outcome = fax_to(transport, "+16465550195", document, from_number=CALLER)
    finally:
        transport.close()
    assert outcome.name is OutcomeName.SENT and outcome.trunk == "lab (alice)"
    assert not any("dead carrier" in e.detail for e in outcome.progress)
    delivered(cast.bob, document)


def test_only_our_carriers_may_bring_us_faxes(cast: Cast, document: Path) -> None:
    """An INVITE straight to bob's SIP port, from an address that is none of bob's trunks
    (127.0.0.2, not the carrier's 127.0.0.1), is refused with 403 and nothing arrives."""
    assert cast.bob.transport is not None
    straight = TrunkConfig(
        key="straight", name="straight to bob", host="127.0.0.1", port=cast.bob.transport.port
    )
    stranger = caller_only([straight], host="127.0.0.2")
    try:
        outcome = fax_to(stranger, "+16465550196", document, from_number=CALLER)
    finally:
        stranger.close()
    assert outcome.signalling == "403 Forbidden", [str(e) for e in outcome.progress]
    assert not outcome.connected and not cast.bob.arrived.wait(1)
