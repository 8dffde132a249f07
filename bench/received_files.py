"""What delivering a received fax costs: prints one JSON line.

A received fax of ``--pages`` pages (fine and standard alternating, dense text, G4) becomes
the recipient's PDF: faxline's writer (``documents.received``: the G4 pages embedded as
they are, sized by their resolution) in this process and through the sandbox, against the
competitor in the same run, Pillow's own multi-page PDF writer through
``documents.images.image_to_pdf`` (what intake uses for uploaded images). Reported: the
median milliseconds per page of ``--runs`` runs, the PDF's size against the TIFF's, and
whether a standard-resolution page keeps its 11-inch height.

    PYTHONPATH=src python bench/received_files.py [--pages 10] [--runs 5]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import statistics
import time
from collections.abc import Callable


def _fax(pages: int) -> bytes:
    from PIL import Image, ImageDraw

    rng = random.Random(10)  # noqa: S311 (test pages, not secrets)
    frames = []
    for index in range(pages):
        fine = index % 2 == 0
        frame = Image.new("1", (1728, 2156 if fine else 1078), 1)
        draw = ImageDraw.Draw(frame)
        for y in range(60, frame.height - 60, 14 if fine else 7):
            words = " ".join(f"word{rng.randint(0, 99999)}" for _ in range(28))
            draw.text((50, y), words, fill=0)
        frame.encoderinfo = {"dpi": (204, 196 if fine else 98)}
        frames.append(frame)
    out = io.BytesIO()
    # Pillow writes one resolution for all frames: write each page's own through tiffinfo.
    from PIL import TiffImagePlugin

    writer = TiffImagePlugin.AppendingTiffWriter(out, True)
    for frame in frames:
        frame.save(writer, "TIFF", compression="group4", dpi=frame.encoderinfo["dpi"])
        writer.newFrame()
    writer.close()
    return out.getvalue()


def _median_ms(fn: Callable[[], bytes], runs: int) -> tuple[float, bytes]:
    samples, result = [], b""
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples), result


def _standard_height(pdf: bytes) -> float:
    from pypdf import PdfReader

    return round(float(PdfReader(io.BytesIO(pdf)).pages[1].mediabox.height), 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")
    import django

    django.setup()
    from faxline.documents import received
    from faxline.documents.images import image_to_pdf
    from faxline.documents.limits import Budget

    tiff = _fax(args.pages)
    reception = received.Reception(fax_id="bench", remote_csid="BENCH")
    ours_ms, ours = _median_ms(lambda: received.files_job(tiff, {"file_type": "pdf"})[1], args.runs)
    sandboxed_ms, _ = _median_ms(
        lambda: received.received_files(tiff, reception)[0].data, args.runs
    )
    big = Budget(max_bytes=1 << 30, max_converted_bytes=1 << 30)
    pillow_ms, pillow = _median_ms(lambda: image_to_pdf(tiff, budget=big), args.runs)
    print(
        json.dumps(
            {
                "bench": "received_files",
                "pages": args.pages,
                "tiff_bytes": len(tiff),
                "faxline_ms_per_page": round(ours_ms / args.pages, 2),
                "faxline_sandboxed_ms_per_page": round(sandboxed_ms / args.pages, 2),
                "faxline_pdf_to_tiff": round(len(ours) / len(tiff), 3),
                "faxline_standard_page_height_pt": _standard_height(ours),
                "pillow_ms_per_page": round(pillow_ms / args.pages, 2),
                "pillow_pdf_to_tiff": round(len(pillow) / len(tiff), 3),
                "pillow_standard_page_height_pt": _standard_height(pillow),
            }
        )
    )


if __name__ == "__main__":
    main()
