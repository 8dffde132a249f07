"""The words of pages that have no text layer, read by OCR in the document sandbox.

Scanned bills, photographed CSRs and faxed pages carry their text only as pixels. Each such
page is rendered (pdfium at :data:`DPI` for a PDF page; Pillow for a TIFF, PNG or JPEG
frame, resampled to square pixels at :data:`DPI`: a fine-mode fax is 204 x 196 dpi),
straightened (the skew a scanner's feeder gives, found by the projection profile), and read
by the ``tesseract`` binary (Debian's tesseract-ocr 5 with English: 3-8 s of CPU a page,
word accuracy 0.99-1.00 on clean and degraded scans and on fax pages; see
``/work/shared/reference/fax-engine-baselines.md``). Its TSV output becomes the same
:class:`~.words.Page` and :class:`~.words.Word` that the text layer gives, boxes in points
from the page's top-left corner, so :mod:`.facts` reads both alike.

Every page is its own sandbox job (``read.ocr``): a fresh worker with the intake's memory
limit and an OCR-sized CPU and wall-clock limit (:data:`OCR_CPU_SECONDS`,
:data:`OCR_WALL_SECONDS`), so one slow page cannot take the time of the others and a
hostile image is decoded only there. The worker may write no file: the image reaches
tesseract on its standard input and the TSV comes back on its standard output. At most
:data:`MAX_OCR_PAGES` pages of a document are read and at most :data:`MAX_OCR_SECONDS` are
spent on one document; the pages beyond are left unread (``skipped``).
"""

from __future__ import annotations

import functools
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from faxline.core.errors import ValidationFailed
from faxline.documents.limits import (
    MAX_DOCUMENT_BYTES,
    MAX_IMAGE_FRAMES,
    MAX_IMAGE_PIXELS,
    WorkerLimits,
)
from faxline.documents.reading.words import FIELD, Page, pages_from_plain

JOB = "read.ocr"
#: The resolution pages are read at: tesseract's own optimum for body text.
DPI = 300
#: Pages of one document read by OCR; a bill or CSR that matters has its facts on the first
#: pages, and each page costs seconds of CPU.
MAX_OCR_PAGES = 20
#: Wall-clock seconds spent on the OCR of one document; pages not begun by then are skipped.
MAX_OCR_SECONDS = 120.0
#: Limits of one page's worker (tesseract, a child of the worker, has the same CPU limit).
OCR_CPU_SECONDS = 30
OCR_WALL_SECONDS = 45.0
#: How long the worker lets tesseract run on one page.
TESSERACT_SECONDS = 40.0
#: Words tesseract is less sure of than this (0-100) are dropped: on noise and pictures it
#: reports fragments with a confidence far below that of any real word. One with two
#: letters or digits is kept, with its confidence, as a word that was there but not read
#: (a name of a list it could not make out): :mod:`.facts` refuses a value that holds one
#: rather than report the words around the hole as the value.
MIN_CONFIDENCE = 40.0
#: The skew searched for and corrected, in degrees either way, and the search's step.
MAX_SKEW_DEGREES = 5.0
SKEW_STEP_DEGREES = 0.1
# A word's ink box (capitals and descenders) is about this many ems high.
INK_EMS = 0.9
# A word of capitals and digits only has no descender: its ink box is the cap height, about
# this many ems (Helvetica 0.72, Courier 0.57-0.62, Times 0.66). Taken as 0.9 like the
# others, the upper-case Courier of a CSR came out at 6-7 points for 9-point type, so its
# word spaces looked wider than a column gap and every word became its own segment.
CAPS_EMS = 0.66
# Characters that reach below the baseline (or above the cap height and below it).
_DESCENDING = frozenset("gjpqyQ,;()[]{}|/\\@$_")
# DPI assumed for a PNG or JPEG that states none: a page as wide as letter paper.
ASSUMED_PAGE_INCHES = 8.5

TIFF_MAGIC = (b"II*\x00", b"MM\x00*")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"


@dataclass(frozen=True)
class OcrResult:
    """Pages read by OCR, the page count of the document (an image's frames), and the
    page numbers left unread for the page cap or the time budget."""

    pages: list[Page]
    page_count: int
    skipped: tuple[int, ...] = ()
    #: The angle each page read was turned by to level its lines (degrees, by page
    #: number): :mod:`.verify` turns the page the same way to crop where a fact was read.
    skews: dict[int, float] = field(default_factory=dict)


def image_kind(data: bytes) -> str | None:
    """``tiff``, ``png`` or ``jpeg`` when ``data`` starts like one, else None."""
    if data[:4] in TIFF_MAGIC:
        return "tiff"
    if data.startswith(PNG_MAGIC):
        return "png"
    if data.startswith(JPEG_MAGIC):
        return "jpeg"
    return None


def available() -> bool:
    """Whether the ``tesseract`` binary is installed (without it nothing is read by OCR)."""
    return shutil.which("tesseract") is not None


def ocr_document(
    data: bytes,
    kind: str,
    page_numbers: list[int] | None = None,
    *,
    max_pages: int = MAX_OCR_PAGES,
    max_seconds: float = MAX_OCR_SECONDS,
    label: str = "The document",
) -> OcrResult:
    """Read by OCR the pages ``page_numbers`` (from 1) of ``data``, a PDF (``kind``
    ``pdf``) or an image (``tiff``, ``png``, ``jpeg``; None: every frame), one sandbox
    job a page, at most ``max_pages`` of them and none begun after ``max_seconds``.

    Refuses with ``ValidationFailed`` on field ``file``: ``document_too_large`` (bytes,
    pixels, frames), ``document_unreadable`` (not decodable, or a page overran its
    worker's limits). Call it outside any database transaction."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationFailed(
            f"{label} is larger than {MAX_DOCUMENT_BYTES // (1024 * 1024)} MB.",
            field=FIELD,
            code="document_too_large",
        )
    started = time.monotonic()
    wanted = list(page_numbers) if page_numbers is not None else [1]
    pages: list[Page] = []
    skews: dict[int, float] = {}
    skipped: list[int] = []
    page_count = 0
    index = 0
    while index < len(wanted):
        number = wanted[index]
        index += 1
        if len(pages) >= max_pages or time.monotonic() - started > max_seconds:
            skipped.append(number)
            continue
        page, count, skew = _ocr_page(data, kind, number, label=label)
        pages.append(page)
        skews[number] = skew
        if page_numbers is None and number == 1:
            page_count = count
            wanted.extend(range(2, count + 1))
    if page_numbers is not None:
        page_count = max(wanted, default=0)
    return OcrResult(pages=pages, page_count=page_count, skipped=tuple(skipped), skews=skews)


def ocr_limits() -> WorkerLimits:
    """The limits of an OCR worker: the intake's memory, an OCR-sized CPU and wall clock."""
    base = WorkerLimits.from_settings()
    return replace(
        base,
        cpu_seconds=max(base.cpu_seconds, OCR_CPU_SECONDS),
        wall_seconds=max(base.wall_seconds, OCR_WALL_SECONDS),
    )


def _ocr_page(data: bytes, kind: str, number: int, *, label: str) -> tuple[Page, int, float]:
    from faxline.documents import sandbox

    limits = ocr_limits()
    try:
        result = sandbox.run_job(
            JOB,
            data,
            {"kind": kind, "page": number, "dpi": DPI},
            limits=limits,
            max_payload=4 * 1024 * 1024,
            field_name=FIELD,
        )
    except sandbox.JobOverrun as exc:
        raise ValidationFailed(
            f"{label} could not be read within the time and memory it may take.",
            field=FIELD,
            code="document_unreadable",
        ) from exc
    (page,) = pages_from_plain([json.loads(result.payload)])
    return page, int(result.meta.get("pages") or 0), float(result.meta.get("skew") or 0.0)


@functools.cache
def lexicon() -> frozenset[str]:
    """The words of tesseract's English dictionary (its ``lstm-word-dawg``, 338 000 words),
    in lower case: :func:`~.facts.misread_word` tells a misread word ("Legai") by them.
    Read once a process from the installed ``eng.traineddata`` with tesseract's own tools
    (``combine_tessdata``, ``dawg2wordlist``, both in Debian's tesseract-ocr; 0.6 s). Empty
    when they or the data are missing: words are then judged by their confidence alone."""
    tools = [shutil.which(name) for name in ("tesseract", "combine_tessdata", "dawg2wordlist")]
    if None in tools:
        return frozenset()
    tesseract, combine, to_list = (str(tool) for tool in tools)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LANG": "C.UTF-8"}
    try:
        listed = subprocess.run(  # noqa: S603 (the installed tesseract, fixed arguments)
            [tesseract, "--list-langs"], capture_output=True, timeout=10, env=env, check=False
        )
        found = re.search(r'"([^"]+)"', listed.stdout.decode("utf-8", "replace"))
        data = Path(found[1]) / "eng.traineddata" if found else None
        if data is None or not data.is_file():
            return frozenset()
        with tempfile.TemporaryDirectory() as work:
            dawg, charset, out = (
                Path(work, name) for name in ("eng.lstm-word-dawg", "eng.lstm-unicharset", "w")
            )
            for step in (
                [combine, "-e", str(data), str(dawg), str(charset)],
                [to_list, str(charset), str(dawg), str(out)],
            ):
                subprocess.run(  # noqa: S603 (tesseract's tools, fixed arguments)
                    step, capture_output=True, timeout=30, env=env, check=True
                )
            text = out.read_text("utf-8", "replace")
    except (OSError, subprocess.SubprocessError):
        return frozenset()
    return frozenset(word.lower() for word in text.split())


# --- the worker side ---------------------------------------------------------------------


def ocr_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The sandbox job ``read.ocr``: one page (``page``, from 1) of a PDF or image
    (``kind``) read by tesseract. Meta ``{"pages": N, "seconds": S, "skew": A}`` (N: the
    document's pages or frames; A: the degrees the page was turned by), payload the page as
    JSON in :mod:`.words`' plain form."""
    number = int(params.get("page") or 1)
    dpi = int(params.get("dpi") or DPI)
    image, width, height, count = page_image(data, str(params.get("kind") or ""), number, dpi)
    started = time.monotonic()
    angle = skew_angle(image)
    image = clean(turn(image, angle))
    words = _tesseract_words(image, dpi)
    plain = {
        "number": number,
        "width": round(width, 2),
        "height": round(height, 2),
        "words": words,
        "truncated": False,
    }
    meta = {"pages": count, "seconds": round(time.monotonic() - started, 3), "skew": angle}
    return meta, json.dumps(plain, separators=(",", ":")).encode()


def page_image(data: bytes, kind: str, number: int, dpi: int) -> tuple[Any, float, float, int]:
    """Page ``number`` of ``data`` (``kind`` ``pdf``, ``tiff``, ``png``, ``jpeg``) as a
    greyscale image at ``dpi``, its width and height in points, and the document's pages."""
    if kind == "pdf":
        return _render_pdf_page(data, number, dpi)
    if kind in ("tiff", "png", "jpeg"):
        return _image_frame(data, number, dpi)
    raise ValidationFailed(
        "The document is not a PDF or an image.", field=FIELD, code="document_type"
    )


def _unreadable(what: str = "The document") -> ValidationFailed:
    return ValidationFailed(f"{what} cannot be read.", field=FIELD, code="document_unreadable")


def _render_pdf_page(data: bytes, number: int, dpi: int) -> tuple[Any, float, float, int]:
    import pypdfium2 as pdfium

    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        raise _unreadable() from exc
    try:
        count = len(document)
        if not 1 <= number <= count:
            raise _unreadable(f"Page {number}")
        page = document[number - 1]
        try:
            width, height = page.get_size()
            if width * height * (dpi / 72) ** 2 > MAX_IMAGE_PIXELS:
                raise ValidationFailed(
                    f"Page {number} is too large to read.", field=FIELD, code="document_too_large"
                )
            image = page.render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
        finally:
            page.close()
    finally:
        document.close()
    return image, float(width), float(height), count


def _image_frame(data: bytes, number: int, dpi: int) -> tuple[Any, float, float, int]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
    try:
        source = Image.open(io.BytesIO(data))
        count = int(getattr(source, "n_frames", 1))
        if count > MAX_IMAGE_FRAMES:
            raise ValidationFailed(
                f"The image has {count} pages; at most {MAX_IMAGE_FRAMES} can be read.",
                field=FIELD,
                code="document_too_large",
            )
        if not 1 <= number <= count:
            raise _unreadable(f"Page {number}")
        source.seek(number - 1)
        if source.width * source.height > MAX_IMAGE_PIXELS:
            raise ValidationFailed(
                "The image is too large to read.", field=FIELD, code="document_too_large"
            )
        xdpi, ydpi = _resolution(source)
        frame = ImageOps.exif_transpose(source) if number == 1 else source
        if frame.size != source.size:  # turned a quarter: so are its resolutions
            xdpi, ydpi = ydpi, xdpi
        grey = frame.convert("L")
    except (
        Image.DecompressionBombError,
        UnidentifiedImageError,
        OSError,
        ValueError,
        EOFError,
    ) as exc:
        raise _unreadable() from exc
    width_in, height_in = grey.width / xdpi, grey.height / ydpi
    target = (max(1, round(width_in * dpi)), max(1, round(height_in * dpi)))
    if target[0] * target[1] > MAX_IMAGE_PIXELS:
        raise ValidationFailed(
            "The image is too large to read.", field=FIELD, code="document_too_large"
        )
    if target != grey.size:
        # Square pixels at the reading resolution; a bilevel fax page comes out with grey
        # edges, which tesseract reads better than the staircase of a plain enlargement.
        grey = grey.resize(target, Image.Resampling.LANCZOS)
    return grey, width_in * 72, height_in * 72, count


def _resolution(image: Any) -> tuple[float, float]:
    """The image's dots per inch (x, y); for one that states none (or nonsense), that of a
    page as wide as letter paper."""
    dpi = image.info.get("dpi")
    try:
        xdpi, ydpi = float(dpi[0]), float(dpi[1])
    except (TypeError, ValueError, IndexError):
        xdpi = ydpi = 0.0
    if not (50 <= xdpi <= 1200 and 50 <= ydpi <= 1200):
        xdpi = ydpi = max(50.0, image.width / ASSUMED_PAGE_INCHES)
    return xdpi, ydpi


def deskew(image: Any) -> Any:
    """``image`` (greyscale) turned so that its lines of text are level (:func:`skew_angle`).
    An image with no ink comes back as it is."""
    return turn(image, skew_angle(image))


def turn(image: Any, angle: float) -> Any:
    """``image`` turned by ``angle`` degrees (counter-clockwise) about its centre, the
    corners it brings in white; as it is for an angle under half a search step."""
    from PIL import Image

    if abs(angle) < SKEW_STEP_DEGREES / 2:
        return image
    return image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255)


def skew_angle(image: Any) -> float:
    """The angle within :data:`MAX_SKEW_DEGREES` that levels the lines of ``image``: the
    one at which the rows of a small copy differ most in darkness (lines of text and the
    gaps between them lie along the rows). 0 for an image with no ink."""
    from PIL import Image, ImageOps

    small = ImageOps.invert(image)  # ink bright: what a turn brings in from outside is dark
    scale = min(1.0, 800 / max(small.size))
    if scale < 1.0:
        small = small.resize(
            (max(1, round(small.width * scale)), max(1, round(small.height * scale))),
            Image.Resampling.BOX,
        )
    if small.getbbox() is None:
        return 0.0

    def spread(angle: float) -> float:
        turned = small.rotate(angle, resample=Image.Resampling.BILINEAR)
        rows = list(turned.resize((1, turned.height), Image.Resampling.BOX).getdata())
        mean = sum(rows) / len(rows)
        return sum((r - mean) ** 2 for r in rows)

    best = max(
        (step * 0.5 for step in range(-int(2 * MAX_SKEW_DEGREES), int(2 * MAX_SKEW_DEGREES) + 1)),
        key=spread,
    )
    fine = [best + step * SKEW_STEP_DEGREES for step in range(-5, 6)]
    angle = max(fine, key=spread)
    return angle if abs(angle) >= SKEW_STEP_DEGREES / 2 else 0.0


def clean(image: Any) -> Any:
    """``image`` without the specks of dust a scanner or a noisy line leaves (a 3 x 3
    median: a speck is a pixel or two, a stroke of body text at 300 dpi is thicker).
    tesseract reads a speck beside a word as a quote mark and trusts the word less."""
    from PIL import ImageFilter

    return image.filter(ImageFilter.MedianFilter(3))


def _tesseract_words(image: Any, dpi: int) -> list[list[Any]]:
    """The words tesseract reads on ``image``: ``[text, x0, top, x1, bottom, size,
    confidence]`` in
    points, each word's top and bottom those of its line (so that :mod:`.facts` sees the
    words of a line at one height, as the text layer gives them)."""
    out = io.BytesIO()
    image.save(out, "PNG", dpi=(dpi, dpi))
    return words_from_tsv(tesseract_tsv(out.getvalue(), psm=3), dpi)


def tesseract_tsv(image: bytes, *, psm: int) -> str:
    """The TSV tesseract reads on ``image`` (a PNG, or a TIFF of several pages: the TSV's
    ``page_num`` tells them apart) in page segmentation mode ``psm``, one thread, on its
    standard input and output (the worker may write no file)."""
    binary = shutil.which("tesseract")
    if binary is None:
        raise ValidationFailed(
            "Scanned documents cannot be read here (no OCR is installed).",
            field=FIELD,
            code="document_unreadable",
        )
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "OMP_THREAD_LIMIT": "1",
        "LANG": "C.UTF-8",
    }
    try:
        done = subprocess.run(  # noqa: S603 (the installed tesseract, fixed arguments)
            [binary, "stdin", "stdout", "-l", "eng", "--psm", str(int(psm)), "tsv"],
            input=image,
            capture_output=True,
            timeout=TESSERACT_SECONDS,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise _unreadable("The page") from exc
    if done.returncode != 0:
        raise _unreadable("The page")
    return done.stdout.decode("utf-8", "replace")


def words_from_tsv(tsv: str, dpi: int) -> list[list[Any]]:
    """Tesseract's TSV (levels 4, lines, and 5, words) as plain words in points, each
    with tesseract's confidence in it (0-100): :mod:`.facts` refuses a value with a word it
    was unsure of rather than report a misread."""
    to_points = 72 / dpi
    lines: dict[tuple[str, ...], tuple[int, int]] = {}
    words: list[list[Any]] = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12:
            continue
        level, key = cells[0], tuple(cells[1:5])
        try:
            left, top, width, height = (int(v) for v in cells[6:10])
            confidence = float(cells[10])
        except ValueError:
            continue
        if level == "4":
            lines[key] = (top, top + height)
            continue
        text = cells[11].strip()
        if level != "5" or not text:
            continue
        if confidence < MIN_CONFIDENCE and sum(c.isalnum() for c in text) < 2:
            continue
        line_top, line_bottom = lines.get(key, (top, top + height))
        line_top, line_bottom = min(line_top, top), max(line_bottom, top + height)
        size = max(height, 1) / _ink_ems(text) * to_points
        words.append(
            [
                text,
                round(left * to_points, 2),
                round(line_top * to_points, 2),
                round((left + width) * to_points, 2),
                round(line_bottom * to_points, 2),
                round(size, 2),
                round(confidence, 1),
            ]
        )
    _even_sizes(words)
    return words


def _ink_ems(text: str) -> float:
    """How many ems high the ink box of ``text`` is: :data:`CAPS_EMS` for capitals and
    digits alone, else :data:`INK_EMS` (a lower-case word is evened to its line's size)."""
    if any(c.islower() or c in _DESCENDING for c in text):
        return INK_EMS
    if any(c.isupper() or c.isdigit() for c in text):
        return CAPS_EMS
    return INK_EMS


def _even_sizes(words: list[list[Any]]) -> None:
    """Give the words of one line (same top and bottom) the line's size: a word of
    lower-case letters has a smaller ink box than its neighbours in the same font."""
    sizes: dict[tuple[float, float], float] = {}
    for word in words:
        key = (word[2], word[4])
        sizes[key] = max(sizes.get(key, 0.0), word[5])
    for word in words:
        word[5] = round(sizes[(word[2], word[4])], 2)
