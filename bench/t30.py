"""T.30 on spandsp: simulated call seconds per CPU second; prints one JSON line.

A dense 3-page TIFF-F (1728 px, 204x196, G4) is sent back to back, caller to answerer, with
faxline's sessions (``faxline.telephony.t30``) and, as the baseline in the same run, with a
minimal C program compiled now against the same libspandsp that runs the same call with its
sample loop in C (same options: ECM, V.17/V.29/V.27ter, T.4/T.6, receiving as T.6). Each is
measured for one call in one process and for one call per core (one process per core, CPU time
summed over the processes): audio (V.17 + ECM: target >= 800x real time per core), T.38 paced
(the packets take their line time) and T.38 unpaced (CPU per call, its call time being
almost nil). ``ratio_python_to_c`` compares the real-time factors.

    PYTHONPATH=src python bench/t30.py [--calls 3]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import random
import subprocess
import tempfile
import time
from pathlib import Path

C_SOURCE = r"""
/* faxline bench baseline: one back-to-back T.30 call with the sample loop in C. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <tiffio.h>
#include <spandsp.h>

#define FRAME 160
#define QUEUE 256

static int done[2];
static int codes[2];

typedef struct
{
    int n;
    int len[QUEUE];
    uint8_t buf[QUEUE][600];
} queue_t;

static queue_t queues[2];

static void phase_e(t30_state_t *s, void *user, int code)
{
    int side = (int) (intptr_t) user;

    done[side] = 1;
    codes[side] = code;
}

static void quiet(const char *module, const char *fmt, va_list ap)
{
}

static void setup(t30_state_t *t, int side, const char *tx, const char *rx)
{
    t30_set_ecm_capability(t, 1);
    t30_set_supported_modems(t, T30_SUPPORT_V27TER | T30_SUPPORT_V29 | T30_SUPPORT_V17);
    t30_set_supported_compressions(t, T30_SUPPORT_T4_1D_COMPRESSION
                                      | T30_SUPPORT_T4_2D_COMPRESSION
                                      | T30_SUPPORT_T6_COMPRESSION);
    t30_set_rx_encoding(t, T4_COMPRESSION_ITU_T6);
    t30_set_phase_e_handler(t, phase_e, (void *) (intptr_t) side);
    if (tx)
        t30_set_tx_file(t, tx, -1, -1);
    if (rx)
        t30_set_rx_file(t, rx, -1);
}

static int t38_tx(t38_core_state_t *s, void *user, const uint8_t *buf, int len, int count)
{
    queue_t *q = &queues[(int) (intptr_t) user];

    if (q->n < QUEUE  &&  len <= 600)
    {
        memcpy(q->buf[q->n], buf, len);
        q->len[q->n++] = len;
    }
    return 0;
}

int main(int argc, char *argv[])
{
    const char *mode = argv[1];
    const char *tx = argv[2];
    const char *rx = argv[3];
    long samples = 0;
    long limit = 900L*8000;
    int16_t a_buf[FRAME];
    int16_t b_buf[FRAME];
    clock_t started;
    int n;
    int i;
    int side;

    TIFFSetWarningHandler(quiet);
    started = clock();
    if (strcmp(mode, "audio") == 0)
    {
        fax_state_t *a = fax_init(NULL, 1);
        fax_state_t *b = fax_init(NULL, 0);

        fax_set_transmit_on_idle(a, 1);
        fax_set_transmit_on_idle(b, 1);
        setup(fax_get_t30_state(a), 0, tx, NULL);
        setup(fax_get_t30_state(b), 1, NULL, rx);
        while (!(done[0]  &&  done[1])  &&  samples < limit)
        {
            n = fax_tx(a, a_buf, FRAME);
            if (n < FRAME)
                memset(a_buf + n, 0, (FRAME - n)*sizeof(int16_t));
            n = fax_tx(b, b_buf, FRAME);
            if (n < FRAME)
                memset(b_buf + n, 0, (FRAME - n)*sizeof(int16_t));
            fax_rx(b, a_buf, FRAME);
            fax_rx(a, b_buf, FRAME);
            samples += FRAME;
        }
        fax_free(a);
        fax_free(b);
    }
    else
    {
        t38_terminal_state_t *t[2];
        uint16_t seq[2] = {0, 0};
        queue_t q;

        t[0] = t38_terminal_init(NULL, 1, t38_tx, (void *) (intptr_t) 0);
        t[1] = t38_terminal_init(NULL, 0, t38_tx, (void *) (intptr_t) 1);
        if (strcmp(mode, "t38-unpaced") == 0)
        {
            t38_terminal_set_config(t[0], T38_TERMINAL_OPTION_NO_PACING);
            t38_terminal_set_config(t[1], T38_TERMINAL_OPTION_NO_PACING);
        }
        setup(t38_terminal_get_t30_state(t[0]), 0, tx, NULL);
        setup(t38_terminal_get_t30_state(t[1]), 1, NULL, rx);
        while (!(done[0]  &&  done[1])  &&  samples < limit)
        {
            t38_terminal_send_timeout(t[0], FRAME);
            t38_terminal_send_timeout(t[1], FRAME);
            while (queues[0].n  ||  queues[1].n)
            {
                for (side = 0;  side < 2;  side++)
                {
                    q = queues[side];
                    queues[side].n = 0;
                    for (i = 0;  i < q.n;  i++)
                    {
                        t38_core_rx_ifp_packet(t38_terminal_get_t38_core_state(t[1 - side]),
                                               q.buf[i], q.len[i], seq[side]++);
                    }
                }
            }
            samples += FRAME;
        }
        t38_terminal_free(t[0]);
        t38_terminal_free(t[1]);
    }
    printf("%.4f %.6f %d %d\n", samples/8000.0,
           (double) (clock() - started)/CLOCKS_PER_SEC, codes[0], codes[1]);
    return 0;
}
"""

MODES = ("audio", "t38-paced", "t38-unpaced")


def make_document(path: Path) -> Path:
    """A dense 3-page TIFF-F: text over the whole page, boxes and fills (about 25 KB a page)."""
    from PIL import Image, ImageDraw

    rnd = random.Random(2026)  # noqa: S311 (page content, not secrets)
    pages = []
    for number in range(3):
        page = Image.new("1", (1728, 2200), 1)
        draw = ImageDraw.Draw(page)
        for row in range(20, 2180, 14):
            words = " ".join(f"{rnd.randrange(10**7):x}" for _ in range(22))
            draw.text((30, row), f"{number + 1}.{row} {words}", fill=0)
        for _ in range(8):
            x, y = rnd.randrange(1400), rnd.randrange(1900)
            draw.rectangle((x, y, x + 300, y + 200), outline=0, fill=rnd.choice([0, None]))
        pages.append(page)
    pages[0].save(
        path, compression="group4", dpi=(204, 196), save_all=True, append_images=pages[1:]
    )
    return path


def compile_baseline(folder: Path) -> Path:
    from faxline.telephony.spandsp.build import include_dirs

    source = folder / "b2b.c"
    source.write_text(C_SOURCE)
    binary = folder / "b2b"
    includes = [f"-I{d}" for d in include_dirs()]
    command = ["gcc", "-O2", *includes, "-o", str(binary), str(source), "-lspandsp", "-ltiff"]
    subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (gcc, as make)
    return binary


def python_calls(mode: str, document: str, folder: str, calls: int) -> tuple[float, float, int]:
    """``calls`` calls in this process: (simulated seconds, CPU seconds, failures)."""
    from faxline.telephony.t30 import (
        AudioFaxSession,
        FaxOptions,
        FaxSession,
        T38FaxSession,
        run_back_to_back,
    )

    simulated = cpu = 0.0
    failures = 0
    received = Path(folder) / f"rx-{os.getpid()}.tif"
    for _ in range(calls):
        started = time.process_time()
        caller: FaxSession
        answerer: FaxSession
        if mode == "audio":
            caller = AudioFaxSession(calling=True, options=FaxOptions(), send=Path(document))
            answerer = AudioFaxSession(calling=False, options=FaxOptions(), receive=received)
        else:
            paced = mode == "t38-paced"
            caller = T38FaxSession(
                calling=True, options=FaxOptions(), send=Path(document), paced=paced
            )
            answerer = T38FaxSession(
                calling=False, options=FaxOptions(), receive=received, paced=paced
            )
        with caller, answerer:
            sent, got = run_back_to_back(caller, answerer)
        cpu += time.process_time() - started
        simulated += sent.call_seconds
        failures += not (sent.success and got.success and got.pages == 3)
    return simulated, cpu, failures


def c_calls(
    binary: str, mode: str, document: str, folder: str, calls: int
) -> tuple[float, float, int]:
    simulated = cpu = 0.0
    failures = 0
    received = Path(folder) / f"crx-{os.getpid()}-{mode}.tif"
    for _ in range(calls):
        out = subprocess.run(  # noqa: S603 (the baseline we just compiled)
            [binary, mode, document, str(received)], check=True, capture_output=True, text=True
        ).stdout.split()
        simulated += float(out[0])
        cpu += float(out[1])
        failures += out[2:] != ["0", "0"]
    return simulated, cpu, failures


def _python_worker(args: tuple[str, str, str, int]) -> tuple[float, float, int]:
    return python_calls(*args)


def _c_worker(args: tuple[str, str, str, str, int]) -> tuple[float, float, int]:
    return c_calls(*args)


def figures(
    results: list[tuple[float, float, int]], wall: float, calls: int
) -> dict[str, float | int]:
    """Totals of ``calls`` calls (spread over the results of one or several processes)."""
    simulated = sum(r[0] for r in results)
    cpu = sum(r[1] for r in results)
    return {
        "call_seconds": round(simulated, 2),
        "cpu_seconds": round(cpu, 4),
        "realtime_per_core": round(simulated / cpu, 1) if cpu else 0.0,
        "realtime_all_cores": round(simulated / wall, 1) if wall else 0.0,
        "cpu_ms_per_call": round(1000 * cpu / max(1, calls), 2),
        "failures": sum(r[2] for r in results),
    }


def measure(
    binary: Path, document: Path, folder: Path, calls: int, cores: int
) -> dict[str, object]:
    out: dict[str, object] = {}
    context = multiprocessing.get_context("fork")
    for mode in MODES:
        row: dict[str, object] = {}
        # One process (this one for Python; the C program runs once per call).
        started = time.perf_counter()
        py = [python_calls(mode, str(document), str(folder), 1) for _ in range(calls)]
        row["python_one"] = figures(py, time.perf_counter() - started, calls)
        started = time.perf_counter()
        c = [c_calls(str(binary), mode, str(document), str(folder), 1) for _ in range(calls)]
        row["c_one"] = figures(c, time.perf_counter() - started, calls)
        # One process per core, each running `calls` calls.
        with context.Pool(cores) as pool:
            started = time.perf_counter()
            py = pool.map(_python_worker, [(mode, str(document), str(folder), calls)] * cores)
            row["python_per_core"] = figures(py, time.perf_counter() - started, calls * cores)
            started = time.perf_counter()
            c = pool.map(
                _c_worker, [(str(binary), mode, str(document), str(folder), calls)] * cores
            )
            row["c_per_core"] = figures(c, time.perf_counter() - started, calls * cores)
        for scope in ("one", "per_core"):
            p, k = row[f"python_{scope}"], row[f"c_{scope}"]
            assert isinstance(p, dict) and isinstance(k, dict)
            if mode == "t38-unpaced":  # its call time is almost nil: compare CPU per call
                ratio = k["cpu_ms_per_call"] / p["cpu_ms_per_call"] if p["cpu_ms_per_call"] else 0
            else:
                ratio = (
                    p["realtime_per_core"] / k["realtime_per_core"] if k["realtime_per_core"] else 0
                )
            row[f"ratio_python_to_c_{scope}"] = round(ratio, 3)
        out[mode.replace("-", "_")] = row
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=3, help="calls per measurement (default 3)")
    parser.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()

    from faxline.telephony.spandsp import release_date

    with tempfile.TemporaryDirectory(prefix="faxline-bench-t30-") as tmp:
        folder = Path(tmp)
        document = make_document(folder / "dense.tif")
        binary = compile_baseline(folder)
        python_calls("audio", str(document), str(folder), 1)  # warm up (imports, first call)
        results = measure(binary, document, folder, args.calls, args.cores)
    audio = results["audio"]
    assert isinstance(audio, dict)
    print(
        json.dumps(
            {
                "bench": "t30",
                "spandsp_release": release_date(),
                "document": "3 dense pages, 1728 px, 204x196, G4",
                "calls": args.calls,
                "cores": args.cores,
                "target_audio_realtime_per_core": 800,
                "audio_v17_ecm_realtime_per_core": audio["python_per_core"]["realtime_per_core"],
                **results,
            }
        )
    )


if __name__ == "__main__":
    main()
