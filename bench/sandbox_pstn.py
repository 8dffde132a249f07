"""The sandbox PSTN's cost over the bare modem: simulated call seconds per CPU second; prints
one JSON line.

The same dense 3-page TIFF-F (``bench/t30.py``'s document) is sent to a simulated remote fax
machine through the sandbox PSTN (routing, the answer classifier, the media loop in Python,
progress events, hashing and handing the received file to a store) and, as the baseline in the
same run, back to back with ``run_back_to_back`` (spandsp's sample loop in C). Audio, V.17 with
ECM, unpaced, one process. ``overhead`` is the sandbox's CPU per call over the baseline's.

    PYTHONPATH=src python bench/sandbox_pstn.py [--calls 5]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from bench.t30 import make_document
from faxline.telephony.sandbox.pstn import SandboxPSTN
from faxline.telephony.t30 import AudioFaxSession, FaxOptions, run_back_to_back
from faxline.telephony.transport import CallRequest


def sandbox_call(transport: SandboxPSTN, document: Path) -> tuple[float, float]:
    started = time.process_time()
    outcome = transport.place_call_sync(
        CallRequest(
            from_number="+13125550000",
            to_number="+16175559876",
            tiff=document,
            options=FaxOptions(ident="+13125550000"),
        )
    )
    cpu = time.process_time() - started
    assert outcome.success and outcome.fax is not None, outcome.as_dict()
    return outcome.fax.call_seconds, cpu


def direct_call(document: Path, folder: Path) -> tuple[float, float]:
    started = time.process_time()
    caller = AudioFaxSession(calling=True, options=FaxOptions(), send=document)
    answerer = AudioFaxSession(calling=False, options=FaxOptions(), receive=folder / "rx.tif")
    with caller, answerer:
        result, _ = run_back_to_back(caller, answerer)
    cpu = time.process_time() - started
    assert result.success
    return result.call_seconds, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=5)
    calls = parser.parse_args().calls
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        document = make_document(folder / "dense.tif")
        transport = SandboxPSTN(
            directory=lambda number: False,
            inbound=lambda fax: None,
            remote_store=lambda fax: fax.tiff.stat().st_size,
        )
        totals = {"sandbox": [0.0, 0.0], "direct": [0.0, 0.0]}
        for _ in range(calls):  # interleaved, so that both see the same machine
            for kind, run in (
                ("sandbox", lambda: sandbox_call(transport, document)),
                ("direct", lambda: direct_call(document, folder)),
            ):
                seconds, cpu = run()
                totals[kind][0] += seconds
                totals[kind][1] += cpu
    sandbox_x = totals["sandbox"][0] / totals["sandbox"][1]
    direct_x = totals["direct"][0] / totals["direct"][1]
    print(
        json.dumps(
            {
                "bench": "sandbox_pstn",
                "calls": calls,
                "sandbox_realtime_x": round(sandbox_x, 1),
                "run_back_to_back_realtime_x": round(direct_x, 1),
                "sandbox_cpu_ms_per_call": round(1000 * totals["sandbox"][1] / calls, 1),
                "run_back_to_back_cpu_ms_per_call": round(1000 * totals["direct"][1] / calls, 1),
                "overhead": round(totals["sandbox"][1] / totals["direct"][1], 2),
            }
        )
    )


if __name__ == "__main__":
    main()
