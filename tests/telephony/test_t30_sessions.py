"""T.30 calls through spandsp, back to back: the pages, the statistics, the failures."""

from __future__ import annotations

import math
import struct
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from fax_calls import Call, pages_of

from faxline.telephony.t30 import (
    AudioFaxSession,
    FaxOptions,
    FaxResult,
    Modem,
    PhaseEvent,
    T38FaxSession,
    WhiteNoise,
    completion_text,
    run_back_to_back,
)

pytestmark = pytest.mark.database_independent


@pytest.fixture(scope="module")
def clean_audio_call(
    documents: dict[str, Path], tmp_path_factory: pytest.TempPathFactory
) -> tuple[FaxResult, FaxResult, Path, list[PhaseEvent]]:
    """One clean V.17 + ECM audio call of the 3-page fine document, shared by several tests."""
    received = tmp_path_factory.mktemp("clean") / "received.tif"
    seen: list[PhaseEvent] = []
    with (
        AudioFaxSession(
            calling=True, options=FaxOptions(ident="+1 555 123 4567"), send=documents["fine"]
        ) as caller,
        AudioFaxSession(
            calling=False, options=FaxOptions(ident="FAXLINE RX"), receive=received
        ) as answerer,
    ):
        caller.on_phase = seen.append
        sent, got = run_back_to_back(caller, answerer)
    return sent, got, received, seen


def test_audio_call_delivers_the_pages_pixel_identical(
    clean_audio_call: tuple[FaxResult, FaxResult, Path, list[PhaseEvent]],
    documents: dict[str, Path],
) -> None:
    sent, got, received, _ = clean_audio_call
    assert (sent.completion_code, got.completion_code) == (0, 0)
    assert sent.success and got.success
    assert (sent.pages, sent.pages_in_file, got.pages) == (3, 3, 3)
    assert pages_of(received) == pages_of(documents["fine"])
    for result in (sent, got):
        assert result.bit_rate == 14400
        assert result.ecm
        assert (result.x_resolution, result.y_resolution, result.width) == (204, 196, 1728)
        assert result.bad_rows == 0
    assert sent.completion_text == "OK" == completion_text(0)
    # Simulated time: a 3-page dense call at 14400 takes well over a minute of call time.
    assert 40 < sent.call_seconds < 300


def test_identities_are_exchanged(
    clean_audio_call: tuple[FaxResult, FaxResult, Path, list[PhaseEvent]],
) -> None:
    sent, got, _, _ = clean_audio_call
    assert sent.remote_ident == "FAXLINE RX"
    assert got.remote_ident == "+1 555 123 4567"


def test_phase_events_come_in_order_and_reach_on_phase(
    clean_audio_call: tuple[FaxResult, FaxResult, Path, list[PhaseEvent]],
) -> None:
    sent, got, _, seen = clean_audio_call
    assert [e.phase for e in sent.phases] == ["B", "D", "D", "D", "E"]
    assert sent.phases[0].name == "DIS"  # the caller hears the answerer's capabilities
    assert [e.name for e in sent.phases[1:4]] == ["MCF", "MCF", "MCF"]
    assert sent.phases[-1] == PhaseEvent("E", 0, "OK", sent.phases[-1].at_seconds)
    assert [e.name for e in got.phases] == ["DCS", "MPS", "MPS", "EOP", "OK"]
    times = [e.at_seconds for e in sent.phases]
    assert times == sorted(times) and times[0] > 1
    assert sent.call_seconds - 0.1 < times[-1] <= sent.call_seconds  # the call ends at E
    assert seen == list(sent.phases)


def test_spandsp_log_is_captured_per_session(
    clean_audio_call: tuple[FaxResult, FaxResult, Path, list[PhaseEvent]],
) -> None:
    sent, got, _, _ = clean_audio_call
    assert 0 < len(sent.log) <= 2000
    assert any("Call completed" in line or "exchange complete" in line for line in sent.log)
    # The tag of each line names the session that logged it: no line of the other side.
    assert all("answerer#" not in line for line in sent.log)
    assert all("caller#" not in line for line in got.log)


def test_the_log_may_keep_only_warnings(call: Call, documents: dict[str, Path]) -> None:
    sent, got = call(documents["one"], caller=FaxOptions(log_flow=False))
    assert sent.success
    assert not any(line.startswith("FLOW") for line in sent.log)
    assert any(line.startswith("FLOW") for line in got.log)


def test_t38_call_delivers_the_pages_pixel_identical(
    call: Call, documents: dict[str, Path], tmp_path: Path
) -> None:
    sent, got = call(
        documents["fine"],
        caller=FaxOptions(ident="T38 TX"),
        answerer=FaxOptions(ident="T38 RX"),
        t38=True,
    )
    assert (sent.completion_code, got.completion_code) == (0, 0)
    assert (sent.pages, got.pages) == (3, 3)
    assert sent.bit_rate == 14400 and sent.ecm
    assert (sent.remote_ident, got.remote_ident) == ("T38 RX", "T38 TX")
    assert pages_of(tmp_path / "received.tif") == pages_of(documents["fine"])


def test_t38_packets_come_with_sequence_numbers_and_repeat_counts(tmp_path: Path) -> None:
    # An answerer talks first: the CED indicator, then DIS over V.21 (indicator and data).
    with T38FaxSession(calling=False, options=FaxOptions(), receive=tmp_path / "rx.tif") as session:
        session.advance()
        first = session.take_packets_with_repeats()
        for _ in range(300):
            session.advance()
        second = session.take_packets()
    assert first and second
    seqs = [p[0] for p in first] + [p[0] for p in second]
    assert seqs == list(range(len(seqs)))
    assert all(count >= 1 for _, _, count in first)
    assert all(isinstance(ifp, bytes) and ifp for _, ifp, _ in first)


def test_paced_t38_takes_call_time(documents: dict[str, Path], tmp_path: Path) -> None:
    with (
        T38FaxSession(calling=True, options=FaxOptions(), send=documents["one"], paced=True) as a,
        T38FaxSession(
            calling=False, options=FaxOptions(), receive=tmp_path / "rx.tif", paced=True
        ) as b,
    ):
        packets: list[int] = []

        def count(ifp: bytes) -> bytes:
            packets.append(len(ifp))
            return ifp

        sent, got = run_back_to_back(a, b, line=count)
    assert sent.success and got.success and got.pages == 1
    assert sent.call_seconds > 5  # paced: the image takes its 14400 bit/s time
    assert len(packets) > 20


def losing_every(nth: int) -> Callable[[bytes], bytes]:
    seen = [0]

    def lossy(ifp: bytes) -> bytes:
        seen[0] += 1
        return b"" if seen[0] % nth == 0 else ifp

    return lossy


def test_t38_heavy_packet_loss_ends_both_sides(call: Call, documents: dict[str, Path]) -> None:
    # With a quarter of the packets lost, both terminals wait for each other for ever:
    # run_back_to_back's watchdog terminates them (phase E, "call dropped").
    sent, got = call(documents["fine"], t38=True, line=losing_every(4), max_seconds=600)
    assert not sent.success and not got.success
    assert sent.phases[-1].phase == got.phases[-1].phase == "E"
    assert sent.call_seconds <= 600


def test_ecm_repairs_light_packet_loss(
    call: Call, documents: dict[str, Path], tmp_path: Path
) -> None:
    sent, got = call(documents["fine"], t38=True, line=losing_every(30))
    assert sent.success and got.success
    assert sent.ecm_retries > 0
    assert pages_of(tmp_path / "received.tif") == pages_of(documents["fine"])


@pytest.mark.parametrize(
    ("caller_modems", "answerer_modems", "bit_rate"),
    [
        ({Modem.V29}, set(Modem), 9600),
        (set(Modem), {Modem.V27TER}, 4800),
    ],
)
def test_the_modem_both_sides_support_is_used(
    call: Call,
    documents: dict[str, Path],
    caller_modems: set[Modem],
    answerer_modems: set[Modem],
    bit_rate: int,
) -> None:
    sent, got = call(
        documents["one"],
        caller=FaxOptions(modems=frozenset(caller_modems)),
        answerer=FaxOptions(modems=frozenset(answerer_modems)),
    )
    assert sent.success and got.success
    assert sent.bit_rate == got.bit_rate == bit_rate


def test_a_far_end_without_ecm_gets_the_pages_without_ecm(
    call: Call, documents: dict[str, Path], tmp_path: Path
) -> None:
    sent, got = call(documents["one"], answerer=FaxOptions(ecm=False))
    assert sent.success and got.success
    assert not sent.ecm and not got.ecm
    assert pages_of(tmp_path / "received.tif") == pages_of(documents["one"])


def test_a_standard_only_far_end_gets_a_standard_document(
    call: Call, documents: dict[str, Path], tmp_path: Path
) -> None:
    sent, got = call(documents["standard"], answerer=FaxOptions(accept_fine=False))
    assert sent.success and got.success
    assert (got.x_resolution, got.y_resolution) == (204, 98)
    assert pages_of(tmp_path / "received.tif") == pages_of(documents["standard"])


def test_a_fine_document_to_a_standard_only_far_end_fails_on_resolution(
    call: Call, documents: dict[str, Path]
) -> None:
    sent, got = call(documents["one"], answerer=FaxOptions(accept_fine=False))
    assert sent.completion_code == 11
    assert "resolution" in sent.completion_text
    assert not sent.success and not got.success


@pytest.mark.parametrize("kind", ["missing", "greyscale", "garbage"])
def test_a_bad_tiff_fails_with_a_file_error(call: Call, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "bad.tif"
    if kind == "greyscale":
        from PIL import Image

        Image.new("L", (1728, 400), 128).save(path, dpi=(204, 196))
    elif kind == "garbage":
        path.write_bytes(b"II*\x00" + bytes(range(256)) * 4)
    sent, got = call(path, max_seconds=120)
    assert sent.completion_code in {41, 43}, sent.completion_text
    assert not sent.success and not got.success
    assert got.done if hasattr(got, "done") else True


def cut_after(seconds: float) -> tuple[list[int], object]:
    frames = [0]
    limit = int(seconds * 8000 / 160) * 2  # the line is called once per frame and direction

    def line(audio: bytes) -> bytes:
        frames[0] += 1
        return audio if frames[0] <= limit else bytes(len(audio))

    return frames, line


def test_a_line_cut_mid_page_fails_both_sides_and_the_calls_end(
    call: Call, documents: dict[str, Path]
) -> None:
    _, line = cut_after(15.0)  # DCS at about 7 s: the first page is under way at 15 s
    sent, got = call(documents["fine"], line=line, max_seconds=240)  # type: ignore[arg-type]
    assert not sent.success and not got.success
    assert sent.completion_code == 21, sent.completion_text  # no response after a page
    assert got.completion_code == 48, got.completion_text  # disconnected after retries
    assert [e.name for e in got.phases] == ["DCS", got.completion_text]
    assert sent.pages == got.pages == 0
    assert sent.call_seconds < 240


def test_noise_on_the_line_makes_t30_fail_for_real(call: Call, documents: dict[str, Path]) -> None:
    sent, got = call(documents["one"], line=WhiteNoise(-45.0), max_seconds=180)
    assert not sent.success and not got.success
    assert sent.completion_code != 0
    assert got.pages == 0


def test_quiet_noise_leaves_the_call_working(call: Call, documents: dict[str, Path]) -> None:
    noise = WhiteNoise(-70.0)
    sent, got = call(documents["one"], line=noise)
    assert sent.success and got.success
    assert noise(bytes(320)) != bytes(320)  # it does add noise


def test_the_watchdog_terminates_a_call_on_simulated_time(
    call: Call, documents: dict[str, Path]
) -> None:
    sent, got = call(
        documents["fine"],
        caller=FaxOptions(max_call_seconds=30),
        answerer=FaxOptions(max_call_seconds=30),
    )
    assert sent.terminated and got.terminated
    assert not sent.success and not got.success
    assert sent.completion_code != 0 and got.completion_code != 0
    assert 30 <= sent.call_seconds < 31
    assert any("WATCHDOG" in line for line in sent.log)


def test_run_back_to_back_ends_both_sides_at_max_seconds(
    call: Call, documents: dict[str, Path]
) -> None:
    sent, got = call(documents["fine"], max_seconds=20)
    assert sent.terminated and got.terminated
    assert sent.completion_code == got.completion_code == 49  # the call dropped prematurely
    assert sent.phases[-1].phase == "E"


def test_a_far_end_may_refuse_the_call_after_training(
    call: Call, documents: dict[str, Path]
) -> None:
    sent, got = call(documents["one"], answerer=FaxOptions(refuse_code=10), max_seconds=120)
    assert not sent.success and not got.success
    assert got.completion_code == 10
    assert sent.completion_code != 0


def test_sessions_run_concurrently_in_threads(documents: dict[str, Path], tmp_path: Path) -> None:
    results: dict[int, tuple[FaxResult, FaxResult]] = {}
    errors: list[BaseException] = []

    def one(index: int) -> None:
        try:
            with (
                AudioFaxSession(
                    calling=True, options=FaxOptions(ident=f"TX{index}"), send=documents["one"]
                ) as a,
                AudioFaxSession(
                    calling=False,
                    options=FaxOptions(ident=f"RX{index}"),
                    receive=tmp_path / f"rx{index}.tif",
                ) as b,
            ):
                results[index] = run_back_to_back(a, b)
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    for index, (sent, got) in results.items():
        assert sent.success and got.success
        assert (sent.remote_ident, got.remote_ident) == (f"RX{index}", f"TX{index}")
        assert pages_of(tmp_path / f"rx{index}.tif") == pages_of(documents["one"])
    assert len(results) == 3
    # Each session's log holds its own lines only (the log handler has no user data).
    tags = {line.split()[2] for sent, _ in results.values() for line in sent.log[:50]}
    assert len({t for t in tags if t.startswith("caller#")}) == 3


def test_transmit_gives_exactly_the_samples_asked(documents: dict[str, Path]) -> None:
    with AudioFaxSession(calling=True, options=FaxOptions(), send=documents["one"]) as session:
        assert len(session.transmit()) == 320
        assert len(session.transmit(77)) == 154
        session.receive(bytes(320))
        assert session.call_seconds == pytest.approx(237 / 8000)
        assert not session.done
        session.terminate()
        assert session.done
        session.terminate()  # safe again
    session.close()  # idempotent
    result = session.result()
    assert result.terminated and result.completion_code == 49
    with pytest.raises(RuntimeError, match="closed"):
        session.transmit()


def test_closing_a_call_in_progress_ends_it(documents: dict[str, Path], tmp_path: Path) -> None:
    with (
        AudioFaxSession(calling=True, options=FaxOptions(), send=documents["one"]) as a,
        AudioFaxSession(calling=False, options=FaxOptions(), receive=tmp_path / "rx.tif") as b,
    ):
        for _ in range(500):  # 10 s: past the negotiation, into the page
            b.receive(a.transmit())
            a.receive(b.transmit())
        assert not a.done
    for session in (a, b):
        result = session.result()
        assert session.done and result.terminated
        assert result.completion_code == 49 and not result.success
        assert result.phases[0].phase == "B" and result.phases[-1].phase == "E"


def test_an_error_in_on_phase_is_raised_after_the_call(
    documents: dict[str, Path], tmp_path: Path
) -> None:
    class Boom(Exception):
        pass

    def explode(event: PhaseEvent) -> None:
        raise Boom(event.name)

    with (
        AudioFaxSession(calling=True, options=FaxOptions(), send=documents["one"]) as a,
        AudioFaxSession(calling=False, options=FaxOptions(), receive=tmp_path / "rx.tif") as b,
    ):
        a.on_phase = explode
        with pytest.raises(Boom, match="DIS"):
            run_back_to_back(a, b)


@pytest.mark.parametrize(
    ("options", "named"),
    [
        ({"ident": "x" * 21}, "ident"),
        ({"ident": "café"}, "ident"),
        ({"modems": frozenset({"v34"})}, "modem 'v34'"),
        ({"modems": frozenset()}, "modems"),
        ({"max_call_seconds": 0}, "max_call_seconds"),
        ({"compressions": frozenset({"jbig"})}, "compression 'jbig'"),
    ],
)
def test_invalid_options_are_refused_by_name(options: dict[str, object], named: str) -> None:
    with pytest.raises(ValueError, match=named):
        FaxOptions(**options)  # type: ignore[arg-type]


def test_options_accept_modem_names() -> None:
    assert FaxOptions(modems=frozenset({"v29"})).modems == {Modem.V29}  # type: ignore[arg-type]


def test_a_tone_is_a_tone() -> None:
    # The audio is native-endian int16: a transmitted frame of the caller is CNG or silence.
    with AudioFaxSession(calling=True, options=FaxOptions()) as session:
        frames = [session.transmit() for _ in range(50)]
    peak = max(abs(v) for f in frames for v in struct.unpack(f"={len(f) // 2}h", f))
    assert 1000 < peak < 32767
    assert not math.isnan(peak)
