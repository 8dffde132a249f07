"""Concurrent real-time fax calls per core over loopback RTP (G.711) and UDPTL (T.38); prints
one JSON line.

Our side: N callers (``AudioFaxSession`` + ``RtpEndpoint`` + ``run_audio``, or the T.38 trio)
in this process (one event loop: at most one core), each paced at real time (a 20 ms frame
per tick) by its own ``MediaClock``; the far ends: N answerers in a second process (``--pin``
puts the two on cores 0 and 1; on a shared machine that makes a neighbour's load on core 0
ours). The calls start spread over 4 s (as calls arriving at random would be) and each sends
one short dense page (``one_page``: V.17 with ECM, about 27 s of call). N goes up through
``--levels`` until a level fails: a call that did not deliver its page (either side's
completion code not 0), or more than 0.1 % of our frames late (a tick that came more than one
frame after it was due). The largest level that passed is the result.

The baseline, in the same run: the number of concurrent calls one core could hold by spandsp's
DSP cost alone, i.e. the same call back to back with the sample loop in C
(``run_back_to_back``), CPU per side (half the call's CPU), against its call time.
``ratio`` is our largest passing N over that DSP-only capacity. ``cpu_us_per_frame`` is our
process's CPU per call per 20 ms frame at the largest level that passed (everything: spandsp,
G.711, the sockets, the event loop), and ``capacity_from_cpu`` the calls one core could hold at
that cost. For T.38 the baseline is the paced T.38 pair back to back in one Python loop
(no sockets, no pacing: ``t38_back_to_back``).

    PYTHONPATH=src:. python bench/sip_media.py [--levels 50,100,150,200] [--t38-levels ...]

The machine is shared: the figures move with what else runs on it (a level that fails under a
neighbour's load may pass alone). Two cores are needed (one per side).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import tempfile
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from bench.t30 import make_document
from faxline.telephony.media import RtpEndpoint, UdptlEndpoint, run_audio, run_t38
from faxline.telephony.sip.config import Codec
from faxline.telephony.sip.faxcalls import JITTER_FRAMES
from faxline.telephony.t30 import (
    AudioFaxSession,
    FaxOptions,
    T38FaxSession,
    run_back_to_back,
)
from faxline.telephony.transport import MediaClock

FRAME_SECONDS = 0.02
OPTIONS = FaxOptions(ident="faxline bench", log_flow=False, max_call_seconds=300)
LATE_LIMIT = 0.001
SPREAD = 4.0  # seconds over which the calls of a level start


def one_page(folder: Path) -> Path:
    """The top 240 rows (3 cm) of the first page of ``bench/t30.py``'s dense document: a
    short page, so that a call lasts about 20 s and a level is tried in well under a minute
    (the cost per frame does not depend on the page's length)."""
    from PIL import Image

    dense = make_document(folder / "dense.tif")
    path = folder / "page.tif"
    with Image.open(dense) as image:
        image.seek(0)
        image.crop((0, 0, 1728, 240)).save(path, compression="group4", dpi=(204, 196))
    return path


PIN = False  # --pin: each process on its own core (hurts when neighbours load that core)


def pin(core: int) -> None:
    if PIN and hasattr(os, "sched_setaffinity") and core < (os.cpu_count() or 1):
        os.sched_setaffinity(0, {core})


@dataclass
class Side:
    """What one process saw of its N calls."""

    ok: int
    failed: int
    codes: dict[int, int]
    frames: int
    late: int
    cpu: float
    wall: float
    rtp_lost: int
    rtp_late: int
    underruns: int
    recovered: int


async def run_side(
    kind: str,
    calling: bool,
    count: int,
    document: Path,
    folder: Path,
    exchange: Any,
) -> Side:
    """Open ``count`` endpoints, swap addresses with the other process through ``exchange``
    (which returns the far ports and the start time), run the calls, sum up."""
    if kind == "g711":
        # The jitter buffer the SIP trunk transport gives each call (100 ms).
        endpoints: list[Any] = [await RtpEndpoint.open(depth=JITTER_FRAMES) for _ in range(count)]
    else:
        endpoints = [await UdptlEndpoint.open() for _ in range(count)]
    far_ports, start_at = exchange([endpoint.port for endpoint in endpoints])
    for endpoint, port in zip(endpoints, far_ports, strict=True):
        if kind == "g711":
            endpoint.connect("127.0.0.1", port, Codec.PCMU)
        else:
            endpoint.connect("127.0.0.1", port)
    sessions: list[Any] = []
    for index in range(count):
        received = folder / f"{'tx' if calling else 'rx'}-{index}.tif"
        send = document if calling else None
        receive = None if calling else received
        if kind == "g711":
            sessions.append(
                AudioFaxSession(calling=calling, options=OPTIONS, send=send, receive=receive)
            )
        else:
            sessions.append(
                T38FaxSession(
                    calling=calling, options=OPTIONS, send=send, receive=receive, paced=True
                )
            )
    clocks = [MediaClock(real_time=True) for _ in range(count)]

    async def one(index: int) -> Any:
        # Spread the calls' starts over SPREAD seconds, as calls arriving at random would be:
        # calls started in lockstep would all open their TIFF and prepare their page (about
        # a millisecond of CPU each, in the event loop) in the same frame, 4.9 s in.
        await asyncio.sleep(max(0.0, start_at - time.monotonic()) + index * SPREAD / count)
        clock = clocks[index]
        clock.restart()
        if kind == "g711":
            return await run_audio(sessions[index], endpoints[index], clock)
        return await run_t38(sessions[index], endpoints[index], clock)

    cpu0, wall0 = time.process_time(), time.monotonic()
    stats = await asyncio.gather(*(one(i) for i in range(count)))
    cpu, wall = time.process_time() - cpu0, time.monotonic() - wall0
    codes: dict[int, int] = {}
    ok = 0
    for session in sessions:
        if not session.done:
            session.terminate()
        result = session.result()
        codes[result.completion_code] = codes.get(result.completion_code, 0) + 1
        ok += result.success and result.pages == 1
        session.close()
    for endpoint in endpoints:
        endpoint.close()
    media = [s.rtp if kind == "g711" else s.udptl for s in stats]
    return Side(
        ok=ok,
        failed=count - ok,
        codes=codes,
        frames=sum(s.frames for s in stats),
        late=sum(s.late_ticks for s in stats),
        cpu=cpu,
        wall=wall,
        rtp_lost=sum(m.lost for m in media),
        rtp_late=sum(getattr(m, "late", 0) for m in media),
        underruns=sum(getattr(m, "underruns", 0) for m in media),
        recovered=sum(getattr(m, "recovered", 0) for m in media),
    )


def far_process(conn: Connection, kind: str, count: int, folder: str, pinned: bool) -> None:
    """The far ends: ``count`` answerers (on core 1 with ``--pin``)."""
    global PIN
    PIN = pinned
    pin(1)

    def exchange(ports: list[int]) -> tuple[list[int], float]:
        conn.send(ports)
        far_ports, start_at = conn.recv()
        return far_ports, start_at

    side = asyncio.run(run_side(kind, False, count, Path(), Path(folder), exchange))
    conn.send(side.__dict__)
    conn.close()


def trial(kind: str, count: int, document: Path, folder: Path) -> dict[str, Any]:
    """N calls: our callers here (core 0), the answerers in a second process (core 1)."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    child = context.Process(target=far_process, args=(theirs, kind, count, str(folder), PIN))
    child.start()

    def exchange(ports: list[int]) -> tuple[list[int], float]:
        far_ports = ours.recv()
        start_at = time.monotonic() + 1.0
        ours.send((ports, start_at))
        return far_ports, start_at

    try:
        side = asyncio.run(run_side(kind, True, count, document, folder, exchange))
        far = Side(**ours.recv())
    finally:
        child.join(timeout=60)
        if child.is_alive():
            child.kill()
    late_ratio = side.late / max(1, side.frames)
    passed = side.failed == 0 and far.failed == 0 and late_ratio < LATE_LIMIT
    return {
        "calls": count,
        "passed": passed,
        "failed": side.failed + far.failed,
        "codes": {str(k): v for k, v in sorted(side.codes.items())},
        "far_codes": {str(k): v for k, v in sorted(far.codes.items())},
        "late_frames_pct": round(100 * late_ratio, 4),
        "far_late_frames_pct": round(100 * far.late / max(1, far.frames), 4),
        "cpu_us_per_frame": round(1e6 * side.cpu / max(1, side.frames), 1),
        "cpu_share": round(side.cpu / max(1e-9, side.wall), 3),
        "media_lost": side.rtp_lost,
        "media_late": side.rtp_late,
        "underruns": side.underruns,
        "recovered": side.recovered,
        "wall_seconds": round(side.wall, 1),
    }


def t38_back_to_back(caller: T38FaxSession, answerer: T38FaxSession) -> Any:
    """A paced T.38 pair in one loop, each side advanced until it is done (``run_t38``'s
    rule: a side that is done sends nothing more) and packets handed straight over."""
    while not (caller.done and answerer.done):
        for side, other in ((caller, answerer), (answerer, caller)):
            if not side.done:
                side.advance(160)
                for seq, ifp in side.take_packets():
                    if not other.done:
                        other.receive_packet(ifp, seq)
    return caller.result()


def dsp_capacity(kind: str, document: Path, folder: Path) -> dict[str, float]:
    """Concurrent real-time calls per core by the modem's cost alone (CPU per side)."""
    pin(0)
    if kind == "g711":
        caller: Any = AudioFaxSession(calling=True, options=OPTIONS, send=document)
        answerer: Any = AudioFaxSession(calling=False, options=OPTIONS, receive=folder / "b2b.tif")
    else:
        caller = T38FaxSession(calling=True, options=OPTIONS, send=document, paced=True)
        answerer = T38FaxSession(
            calling=False, options=OPTIONS, receive=folder / "b2b.tif", paced=True
        )
    started = time.process_time()
    with caller, answerer:
        if kind == "g711":
            result, _ = run_back_to_back(caller, answerer)
        else:
            result = t38_back_to_back(caller, answerer)
    cpu = time.process_time() - started
    assert result.success, result.completion_text
    per_side = cpu / 2
    return {
        "call_seconds": round(result.call_seconds, 2),
        "cpu_seconds_per_side": round(per_side, 4),
        "cpu_us_per_frame": round(1e6 * per_side / (result.call_seconds / FRAME_SECONDS), 1),
        "calls_per_core": round(result.call_seconds / per_side, 1),
    }


def search(kind: str, levels: list[int], document: Path, folder: Path) -> dict[str, Any]:
    baseline = dsp_capacity(kind, document, folder)
    trials = []
    best = 0
    for count in levels:
        outcome = trial(kind, count, document, folder)
        trials.append(outcome)
        if not outcome["passed"]:
            break
        best = count
    at_best = next((t for t in trials if t["calls"] == best), None)
    cost = at_best["cpu_us_per_frame"] if at_best else None
    return {
        "max_concurrent_calls": best,
        "dsp_only_calls_per_core": baseline["calls_per_core"],
        "ratio": round(best / baseline["calls_per_core"], 3),
        "cpu_us_per_frame": cost,
        "capacity_from_cpu": round(20000 / cost, 1) if cost else None,
        "dsp_only": baseline,
        "trials": trials,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--levels", default="100,150,200,250,300,400")
    parser.add_argument("--t38-levels", default="200,400,600,800")
    parser.add_argument("--pin", action="store_true", help="pin our side to core 0, theirs to 1")
    args = parser.parse_args()
    global PIN
    PIN = args.pin
    pin(0)
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        document = one_page(folder)
        g711 = search("g711", [int(n) for n in args.levels.split(",") if n], document, folder)
        t38 = search("t38", [int(n) for n in args.t38_levels.split(",") if n], document, folder)
    print(
        json.dumps(
            {
                "bench": "sip_media",
                "ratio": g711["ratio"],
                "target_calls": 100,
                "g711": g711,
                "t38": t38,
                "cores": os.cpu_count(),
                "load_average_before": load_before,
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
            }
        )
    )


if __name__ == "__main__":
    main()
