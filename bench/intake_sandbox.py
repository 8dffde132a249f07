"""What the document sandbox costs an upload: prints one JSON line.

For a one-page PDF and a three-page fax TIFF converted to PDF: the check in this process
(``_inspect``, no isolation) against the same check through the sandbox (a worker forked
from the zygote, limits set, the document sent and the result read back), median and p95
of ``--runs`` runs; and the zygote's start (the first upload of a process pays it once).

    PYTHONPATH=src python bench/intake_sandbox.py [--runs 50]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import time
from collections.abc import Callable


def _pdf() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    doc = canvas.Canvas(out)
    doc.drawString(72, 720, "Phone bill")
    doc.showPage()
    doc.save()
    return out.getvalue()


def _fax_tiff(pages: int = 3) -> bytes:
    from PIL import Image, ImageDraw

    frames = []
    for index in range(pages):
        frame = Image.new("1", (1728, 2200), 1)
        ImageDraw.Draw(frame).text((100, 100), f"page {index + 1}", fill=0)
        frames.append(frame)
    out = io.BytesIO()
    frames[0].save(out, "TIFF", save_all=True, append_images=frames[1:], compression="group4")
    return out.getvalue()


def _times(fn: Callable[[], object], runs: int) -> dict[str, float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "median_ms": round(statistics.median(samples), 2),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=50)
    runs = parser.parse_args().runs

    from faxline.documents import sandbox
    from faxline.documents.intake import _inspect, accept_document
    from faxline.documents.limits import Budget

    started = time.perf_counter()
    sandbox.run_job("selftest.echo", b"")
    zygote_start_ms = round((time.perf_counter() - started) * 1000, 1)
    result: dict[str, object] = {
        "benchmark": "intake_sandbox",
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
        "zygote_start_ms": zygote_start_ms,
        "empty_job": _times(lambda: sandbox.run_job("selftest.echo", b""), runs),
    }
    for name, data, kind, as_pdf in (
        ("pdf_1_page", _pdf(), "pdf", False),
        ("fax_tiff_3_pages_to_pdf", _fax_tiff(), "tiff", True),
    ):
        result[name] = {
            "in_process": _times(
                lambda d=data, k=kind, a=as_pdf: _inspect(
                    d, k, label="", as_pdf=a, budget=Budget()
                ),
                runs,
            ),
            "sandboxed": _times(lambda d=data, a=as_pdf: accept_document(d, as_pdf=a), runs),
        }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
