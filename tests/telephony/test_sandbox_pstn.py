"""The sandbox PSTN through the real modem: every test number's outcome, on-net calls with
pixel-identical pages, the simulated remote machine, line capacity, progress, pacing."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fax_calls import pages_of

from faxline.core.errors import ValidationFailed
from faxline.telephony.outcomes import OutcomeName, Retry
from faxline.telephony.sandbox.pstn import LocalLines, Route, SandboxPSTN, SandboxTimings
from faxline.telephony.sandbox.testnumbers import TEST_NUMBERS, is_test_number
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.tones import Heard
from faxline.telephony.transport import (
    CallOutcome,
    CallProgress,
    CallRequest,
    ReceivedFax,
    run_sync,
)

pytestmark = pytest.mark.database_independent

CALLER = "+13125550000"
ON_NET = "+12125551234"
ELSEWHERE = "+16175559876"
FAST = SandboxTimings(listen_seconds=3.0, no_answer_seconds=55.0)


@dataclass
class Kept:
    """What the injected receivers got: (to, from, pages of the TIFF, T.30 result)."""

    inbound: list[tuple[ReceivedFax, list[tuple[tuple[int, int], bytes]]]] = field(
        default_factory=list
    )
    remote: list[tuple[ReceivedFax, list[tuple[tuple[int, int], bytes]]]] = field(
        default_factory=list
    )

    def take_inbound(self, fax: ReceivedFax) -> None:
        self.inbound.append((fax, pages_of(fax.tiff)))

    def keep_remote(self, fax: ReceivedFax) -> str:
        self.remote.append((fax, pages_of(fax.tiff)))
        return f"remote-{len(self.remote)}"


def sandbox(kept: Kept, **kwargs: object) -> SandboxPSTN:
    return SandboxPSTN(
        directory=lambda number: number == ON_NET,
        inbound=kept.take_inbound,
        remote_store=kept.keep_remote,
        timings=kwargs.pop("timings", FAST),  # type: ignore[arg-type]
        **kwargs,  # type: ignore[arg-type]
    )


def request(to: str, document: Path, **kwargs: object) -> CallRequest:
    return CallRequest(
        from_number=CALLER,
        to_number=to,
        tiff=document,
        options=FaxOptions(ident=CALLER, max_call_seconds=300),
        **kwargs,  # type: ignore[arg-type]
    )


def kinds(outcome: CallOutcome) -> list[CallProgress]:
    return [event.kind for event in outcome.progress]


# (line, document, t38) -> (outcome, raw T.30 code or None, heard or None, pages received)
EXPECTED = {
    ("0100", "fine", False): (OutcomeName.BUSY, None, None, None),
    ("0101", "fine", False): (OutcomeName.FAST_BUSY, None, None, None),
    ("0102", "fine", False): (OutcomeName.NO_ANSWER, None, None, None),
    ("0103", "fine", False): (OutcomeName.VOICE_ANSWER, 49, Heard.VOICE, None),
    ("0104", "fine", False): (OutcomeName.NOT_A_FAX_MACHINE, 49, Heard.SILENCE, None),
    ("0105", "fine", False): (OutcomeName.SIT_TONE, 49, Heard.SIT, None),
    ("0106", "fine", False): (OutcomeName.NEGOTIATION_FAILED, 14, Heard.FAX, 0),
    ("0107", "fine", False): (OutcomeName.NEGOTIATION_FAILED, 11, Heard.FAX, 0),
    ("0107", "standard", False): (OutcomeName.SENT, 0, Heard.FAX, 1),
    ("0108", "fine", False): (OutcomeName.TRANSMISSION_FAILED, 21, Heard.FAX, 0),
    ("0108", "fine", True): (OutcomeName.TRANSMISSION_FAILED, 21, None, 0),
    ("0109", "fine", False): (OutcomeName.SENT, 0, Heard.FAX, 3),
    ("0110", "fine", False): (OutcomeName.SENT, 0, Heard.FAX, 3),
    ("0111", "fine", False): (OutcomeName.NEGOTIATION_FAILED, 20, Heard.FAX, 0),
    ("0111", "fine", True): (OutcomeName.NEGOTIATION_FAILED, 14, None, 0),
}


def test_every_test_number_is_covered() -> None:
    assert {line for line, _, _ in EXPECTED} == set(TEST_NUMBERS)
    for line, test in TEST_NUMBERS.items():
        assert EXPECTED[(line, "fine", False)][0] is test.outcome


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        pytest.param(key, value, id=f"{key[0]}-{key[1]}{'-t38' if key[2] else ''}")
        for key, value in EXPECTED.items()
    ],
)
def test_test_number_outcome_through_the_real_modem(
    key: tuple[str, str, bool],
    expected: tuple[OutcomeName, int | None, Heard | None, int | None],
    documents: dict[str, Path],
) -> None:
    line, document, t38 = key
    name, code, heard, pages = expected
    kept = Kept()
    to = f"+1415555{line}"
    outcome = sandbox(kept).place_call_sync(request(to, documents[document], t38=t38))
    assert outcome.name is name, outcome.as_dict()
    assert outcome.outcome.t30_code == code
    assert outcome.far_end["route"] == Route.TEST_NUMBER
    assert kinds(outcome)[0] is CallProgress.DIALING
    assert kinds(outcome)[-1] is CallProgress.HUNG_UP
    if heard is None:
        assert outcome.hearing is None
    else:
        assert outcome.hearing is not None and outcome.hearing.heard is heard
    if name in (OutcomeName.BUSY, OutcomeName.FAST_BUSY, OutcomeName.NO_ANSWER):
        # Network signalling: nothing answered, no modem ran.
        assert outcome.signalling and outcome.fax is None and not outcome.connected
        assert CallProgress.ANSWERED not in kinds(outcome)
    if name in (OutcomeName.VOICE_ANSWER, OutcomeName.NOT_A_FAX_MACHINE, OutcomeName.SIT_TONE):
        # In band: the far end answered, our modem ran, and what was heard decided.
        assert CallProgress.ANSWERED in kinds(outcome)
        assert outcome.outcome.cause == f"heard:{heard}"
        assert outcome.fax is not None and outcome.fax.pages == 0
        assert not outcome.connected
    if pages is not None:
        assert outcome.far_end["received_pages"] == pages
        assert outcome.connected
        assert outcome.media == ("t38" if t38 else "audio")
    if line == "0109":
        assert outcome.fax is not None and outcome.fax.bit_rate == 4800
    if line == "0110":
        assert outcome.fax is not None and not outcome.fax.ecm
    if name is OutcomeName.SENT:
        # The test machines keep what they received, like any remote machine.
        assert len(kept.remote) == 1 and kept.remote[0][0].to_number == to
    if line == "0107" and document == "fine":
        assert "standard resolution" in outcome.outcome.action


def test_no_answer_rings_for_55_seconds_of_call_time_without_waiting(
    documents: dict[str, Path],
) -> None:
    started = time.monotonic()
    outcome = sandbox(Kept()).place_call_sync(request("+12125550102", documents["fine"]))
    assert outcome.seconds == pytest.approx(55.5)
    assert time.monotonic() - started < 2
    assert outcome.outcome.retry is Retry.LATER


def test_an_on_net_call_delivers_pixel_identical_pages(documents: dict[str, Path]) -> None:
    kept = Kept()
    events: list[CallProgress] = []
    outcome = sandbox(kept).place_call_sync(
        request(ON_NET, documents["fine"], on_progress=lambda e: events.append(e.kind))
    )
    assert outcome.success and outcome.connected
    assert outcome.fax is not None and outcome.fax.pages == 3 and outcome.fax.completion_code == 0
    assert outcome.far_end["route"] == Route.ON_NET
    assert outcome.far_end["delivered"] == "inbound"
    assert not kept.remote
    [(fax, pages)] = kept.inbound
    assert (fax.to_number, fax.from_number) == (ON_NET, CALLER)
    assert fax.result.pages == 3 and fax.result.remote_ident == CALLER
    assert pages == pages_of(documents["fine"])
    assert events[:4] == [
        CallProgress.DIALING,
        CallProgress.RINGING,
        CallProgress.ANSWERED,
        CallProgress.FAX_TONES,
    ]
    assert events.count(CallProgress.T30_PHASE) >= 5  # B, D per page, E
    assert events[-1] is CallProgress.HUNG_UP
    assert not fax.tiff.exists()  # the transport's temporary file is gone after delivery


def test_an_on_net_call_over_t38(documents: dict[str, Path]) -> None:
    kept = Kept()
    outcome = sandbox(kept).place_call_sync(request(ON_NET, documents["fine"], t38=True))
    assert outcome.success and outcome.media == "t38"
    assert kept.inbound[0][1] == pages_of(documents["fine"])


def test_any_other_number_reaches_a_remote_machine_that_keeps_the_pages(
    documents: dict[str, Path],
) -> None:
    kept = Kept()
    outcome = sandbox(kept).place_call_sync(request(ELSEWHERE, documents["fine"]))
    assert outcome.success
    assert outcome.far_end["route"] == Route.REMOTE
    assert outcome.far_end["stored"] == "remote-1"
    [(fax, pages)] = kept.remote
    assert fax.to_number == ELSEWHERE
    assert pages == pages_of(documents["fine"])
    assert len(outcome.far_end["sha256"]) == 64


def test_the_rest_of_the_test_block_reaches_the_remote_machine(documents: dict[str, Path]) -> None:
    assert is_test_number("+12125550150") and not is_test_number("+12125550200")
    kept = Kept()
    outcome = sandbox(kept).place_call_sync(request("+12125550150", documents["one"]))
    assert outcome.success and outcome.far_end["route"] == Route.REMOTE


def test_line_capacity_more_calls_than_lines_get_no_free_channel(
    documents: dict[str, Path],
) -> None:
    kept = Kept()
    lines = LocalLines(2)
    transport = sandbox(kept, lines=lines)

    async def three_calls() -> list[CallOutcome]:
        return list(
            await asyncio.gather(
                *(transport.place_call(request(ELSEWHERE, documents["one"])) for _ in range(3))
            )
        )

    outcomes = run_sync(three_calls())
    names = sorted(str(o.name) for o in outcomes)
    assert names == ["No Free Channel", "Sent", "Sent"]
    refused = next(o for o in outcomes if o.name is OutcomeName.NO_FREE_CHANNEL)
    assert refused.outcome.retry is Retry.NOW and not refused.outcome.far_end_fault
    assert kinds(refused) == [CallProgress.NO_CHANNEL]
    assert lines.busy == 0  # every line given back
    # Once the lines are free again, a call goes through.
    assert transport.place_call_sync(request(ELSEWHERE, documents["one"])).success


def test_invalid_numbers_are_refused_naming_the_field(documents: dict[str, Path]) -> None:
    with pytest.raises(ValidationFailed) as to_error:
        request("12345", documents["one"])
    assert to_error.value.field == "to" and to_error.value.code == "invalid_fax_number"
    assert "not a valid fax number" in to_error.value.message
    with pytest.raises(ValidationFailed) as from_error:
        CallRequest(
            from_number="fax me",
            to_number=ELSEWHERE,
            tiff=documents["one"],
            options=FaxOptions(),
        )
    assert from_error.value.field == "from"
    # A 10-digit North American number is taken as +1.
    assert request("(212) 555-1234", documents["one"]).to_number == ON_NET


def test_real_time_pacing_waits_for_the_network(documents: dict[str, Path]) -> None:
    transport = sandbox(Kept(), real_time=True, timings=SandboxTimings(post_dial_seconds=0.3))
    started = time.monotonic()
    outcome = transport.place_call_sync(request("+12125550100", documents["one"]))
    assert outcome.name is OutcomeName.BUSY
    assert time.monotonic() - started >= 0.3


def test_the_outcome_is_json_ready(documents: dict[str, Path]) -> None:
    import json

    outcome = sandbox(Kept()).place_call_sync(request("+12125550103", documents["one"]))
    data = json.loads(json.dumps(outcome.as_dict()))
    assert data["outcome"]["name"] == "Voice Answer"
    assert data["heard"]["what"] == "voice"
    assert data["fax"]["completion_code"] == 49
    assert "log" not in data["fax"]


def test_the_media_clock_paces_frames_at_real_time() -> None:
    from faxline.telephony.transport import MediaClock

    async def ten_frames(clock: MediaClock) -> float:
        started = time.monotonic()
        for _ in range(10):
            await clock.tick()
        return time.monotonic() - started

    assert run_sync(ten_frames(MediaClock(real_time=True))) >= 0.19
    unpaced = MediaClock()
    assert run_sync(ten_frames(unpaced)) < 0.05
    assert unpaced.seconds == pytest.approx(0.2)


def test_what_was_heard_is_on_the_calls_clock(documents: dict[str, Path]) -> None:
    outcome = sandbox(Kept()).place_call_sync(request(ON_NET, documents["one"]))
    assert outcome.hearing is not None
    heard = next(e for e in outcome.progress if e.kind is CallProgress.FAX_TONES)
    assert outcome.hearing.at_seconds == heard.at_seconds > 4.5  # after the ringing


def test_an_image_the_modem_cannot_open_is_a_general_error_of_ours(tmp_path: Path) -> None:
    broken = tmp_path / "broken.tif"
    broken.write_bytes(b"II*\x00" + bytes(100))
    outcome = sandbox(Kept()).place_call_sync(request(ELSEWHERE, broken))
    assert outcome.name is OutcomeName.GENERAL_ERROR, outcome.as_dict()
    assert outcome.outcome.t30_code in range(41, 47)
    assert outcome.outcome.retry is Retry.NEVER
