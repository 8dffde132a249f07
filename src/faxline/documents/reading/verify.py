"""A second read of each fact OCR found: a fact is reported only when both reads agree.

tesseract can misread a letter or a digit and still be sure of the word ("LI WET" for
"LI WEI" at 94, "617-555-0104" for "...0101" at 81, "Elim Street" for "Elm Street" at 62 on
fax pages), so neither its confidence nor a parser tells such a value from a right one. A
second read that sees the same pixels differently does: each value's box is cut from the
page (turned by the same angle as for the first read), enlarged :data:`SCALE` times and read
again as a single line of text (``--psm 7``, no page layout analysis) in black and white,
and the value is kept
only when the second read says the same, compared the way the fact is parsed (digits for a
telephone number, the ISO date for a date, letters and digits for an account number, the
words in lower case for a name or an address). Two reads rarely make the same mistake, so
a value both agree on is far likelier right; when they disagree the fact is null (typed by
the person confirming) rather than a guess.

A list (numbers, authorized names, line features) is judged item by item: an item the
second read does not confirm is dropped, the others stay. Each item was read in its own
box, so one item's misread says nothing about its neighbours', and this is how the reading
already treats an item OCR was unsure of (:func:`~.facts._phones_with_boxes`). A list read
short is counted as a miss, never as a wrong value.

One sandbox job (``read.verify``) a page: the page is decoded and rendered as for
``read.ocr`` (the same limits), and all of its crops go to one tesseract run as the pages of
one TIFF, so a page's check costs one tesseract start and a few small images (a fraction of
a second; the bench prints seconds per page). At most :data:`MAX_CROPS` boxes a page are
read again; a fact beyond them, or on a page whose check could not run, is not confirmed
and so not reported. Facts read from a text layer are exact and not read again.

A value refused only for doubt -- one fact (not a list item) a confidence guard of the
first read refused (:attr:`~.facts.Facts.doubted`) or the second read did not confirm -- is
read twice more, in one more ``read.verify`` job a page (at most :data:`MAX_DOUBTED` values a
page), each time prepared otherwise (:data:`RECOVERY_PREPARATIONS`). It is reported only
when both extra reads parse as the fact to the same value and, where the first read parsed
one, most reads say it: the first read's value with both extra reads, or the second read's
with both extra reads (the fax's "617-555-0104", read "...0101" three times). Any other
outcome leaves the fact null, as before.
"""

from __future__ import annotations

import io
import json
import math
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from faxline.core.errors import ValidationFailed
from faxline.documents.reading import ocr
from faxline.documents.reading.facts import (
    Facts,
    Found,
    features_in,
    parse_account_number,
    parse_address,
    parse_date,
    parse_name,
    parse_phone,
)
from faxline.documents.reading.words import FIELD

JOB = "read.verify"
#: How many times a crop is enlarged before it is read again. Measured on the 484 facts OCR
#: read in the corpus' scanned and faxed documents (seeds 2, 3, 7, 14): enlarged twice and
#: made black and white, the second read refused 3 right values and all 4 wrong ones; 1.5
#: times, 6 right ones and 2 of the wrong; not enlarged, it repeats the first read's
#: mistakes (it sees the same pixels at the same size).
SCALE = 2
#: tesseract's page segmentation mode for the second read: one line of text.
PSM_LINE = 7
#: Boxes read again on one page (a bill or CSR's facts are about a dozen places).
MAX_CROPS = 48
#: Margin around a value's box, in points: OCR's boxes are tight on the ink.
PAD_POINTS = 2.0
#: The grey (0 black - 255 white) above which a pixel of the enlarged crop is paper. The
#: enlargement leaves a stroke's edges grey; a light threshold keeps the thin strokes of a
#: typewriter font whole (of the 420 facts of first pages, kept grey: 19 right values were
#: refused, most of them a CSR's Courier digits; at 128, 6; at 160, 3; at 180, 1; at 200, 5).
INK_THRESHOLD = 180
#: White border around each crop, in pixels of the enlarged crop (tesseract reads a line
#: that touches the image's edge badly).
BORDER_PX = 20
#: The largest box read again, in points (a line of a letter-size page).
MAX_BOX_WIDTH = 14 * 72.0
MAX_BOX_HEIGHT = 72.0

#: Values read a third and a fourth time on one page: those refused only for doubt (a
#: confidence guard of the first read, or a second read that did not confirm them).
MAX_DOUBTED = 6
#: The two preparations of the extra reads (enlargement, ink threshold, tesseract's page
#: segmentation mode), each unlike the second read's so that the reads do not share a
#: mistake: 3 times enlarged as one line, and twice enlarged, a darker threshold, read as
#: a raw line (``--psm 13``, no layout analysis at all).
RECOVERY_PREPARATIONS: tuple[tuple[float, int, int], ...] = ((3.0, 180, 7), (2.0, 150, 13))

Box = tuple[float, float, float, float]
_UNSET: Any = object()
_SCALARS = ("account_name", "btn", "account_number", "statement_date", "service_address")
_LISTS = ("numbers", "authorized_names", "line_features")


def verified(
    data: bytes,
    kind: str,
    facts: Facts,
    skews: dict[int, float],
    *,
    label: str = "The document",
) -> Facts:
    """``facts`` without the values OCR read on the pages of ``skews`` (page number: the
    angle :func:`~.ocr.ocr_document` turned it by) that a second read does not confirm.
    ``data`` and ``kind`` are the document as given to :func:`~.ocr.ocr_document`; values
    on other pages (a text layer) are kept as they are."""
    plan: dict[int, list[Box]] = {}
    where: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for key, index, found in _each(facts):
        if found.page not in skews:
            continue
        boxes = plan.setdefault(found.page, [])
        spots = []
        for box in found.lines or (found.box,):
            spots.append((found.page, len(boxes)))
            boxes.append(box)
        where[(key, index)] = spots
    reads = {
        page: reread(data, kind, page, skews[page], boxes, label=label)
        for page, boxes in plan.items()
    }

    def confirmed(key: str, index: int, found: Found) -> bool:
        spots = where.get((key, index))
        if spots is None:
            return True  # not read by OCR
        texts = [reads[page][spot] for page, spot in spots]
        if any(text is None for text in texts):
            return False
        return agrees(key, found.value, " ".join(t for t in texts if t is not None))

    def second(key: str) -> list[str] | None:
        texts = [reads[page][spot] for page, spot in where.get((key, 0), [])]
        return None if not texts or None in texts else [str(t) for t in texts]

    out = replace(facts)
    out.doubted = []
    doubts: list[_Doubtful] = []
    for key in _SCALARS:
        found = getattr(facts, key)
        if found is not None and not confirmed(key, 0, found):
            setattr(out, key, None)
            doubts.append(
                _Doubtful(key, found.page, found.lines or (found.box,), found, second=second(key))
            )
    out.cut_short = set(facts.cut_short)
    for key in _LISTS:
        items = getattr(facts, key)
        kept = [f for i, f in enumerate(items) if confirmed(key, i, f)]
        if len(kept) < len(items):
            out.cut_short.add(key)
        setattr(out, key, kept)
    for doubt in facts.doubted:
        if doubt.page in skews and doubt.fact in _SCALARS and getattr(out, doubt.fact) is None:
            first = Found(doubt.value, doubt.page, doubt.box, doubt.lines)
            doubts.append(
                _Doubtful(doubt.fact, doubt.page, doubt.lines or (doubt.box,), first, doubt.value)
            )
    for key, found in recovered(data, kind, doubts, skews, label=label):
        setattr(out, key, found)
        if key == "btn" and found.value not in {n.value for n in out.numbers}:
            out.numbers = [found, *out.numbers]  # the BTN heads the account's numbers
    return out


@dataclass(frozen=True)
class _Doubtful:
    """A value refused only for doubt: its fact, page, the boxes of its lines, where it was
    read, and the value the first read parsed (None: it did not parse)."""

    fact: str
    page: int
    boxes: tuple[Box, ...]
    found: Found
    value: Any = _UNSET
    #: The second read's lines, for a value it did not confirm.
    second: list[str] | None = None


def recovered(
    data: bytes,
    kind: str,
    doubts: Sequence[_Doubtful],
    skews: dict[int, float],
    *,
    label: str = "The document",
) -> list[tuple[str, Found]]:
    """The doubted values that two more reads of their boxes (:data:`RECOVERY_PREPARATIONS`,
    one ``read.verify`` job a page, at most :data:`MAX_DOUBTED` values a page) make sure of:
    both extra reads must parse as the fact to the same value, and where the first read
    parsed a value, that value (so three reads of four, or of three, agree)."""
    plan: dict[int, list[_Doubtful]] = {}
    for doubt in doubts:
        chosen = plan.setdefault(doubt.page, [])
        if len(chosen) < MAX_DOUBTED:
            chosen.append(doubt)
    out: list[tuple[str, Found]] = []
    for page, chosen in plan.items():
        boxes = [box for doubt in chosen for box in doubt.boxes]
        reads = reread_prepared(
            data, kind, page, skews[page], boxes, RECOVERY_PREPARATIONS, label=label
        )
        spot = 0
        for doubt in chosen:
            texts = []
            for prepared in reads:
                lines = prepared[spot : spot + len(doubt.boxes)]
                texts.append(None if any(t is None for t in lines) else [str(t) for t in lines])
            spot += len(doubt.boxes)
            value = _agreed(doubt, texts)
            if value is not None:
                out.append((doubt.fact, replace(doubt.found, value=value)))
    return out


def _agreed(doubt: _Doubtful, texts: Sequence[list[str] | None]) -> Any:
    """The value both extra reads (``texts``: each the lines read of the value's boxes)
    parse to, when they agree with each other and with the first read's value."""
    values = []
    for lines in texts:
        if lines is None:
            return None
        value = _parsed(doubt.fact, lines)
        if value is None:
            return None
        values.append(value)
    if len(values) != len(RECOVERY_PREPARATIONS) or any(v != values[0] for v in values):
        return None
    first = doubt.found.value if doubt.value is _UNSET else doubt.value
    if first is None:
        return values[0]
    if doubt.second is not None and _parsed(doubt.fact, doubt.second) == values[0]:
        return values[0]  # the second and both extra reads: three reads of four agree
    if first != values[0] or not all(
        t is not None and agrees(doubt.fact, first, " ".join(t)) for t in texts
    ):
        return None
    return values[0]


def _parsed(fact: str, lines: Sequence[str]) -> Any:
    """``lines`` (a reread of a value's boxes) parsed as ``fact`` is parsed, or None."""
    text = " ".join(lines)
    if fact in ("btn", "numbers"):
        return parse_phone(text)
    if fact == "statement_date":
        return parse_date(text)
    if fact == "account_number":
        return parse_account_number(text)
    if fact in ("account_name", "authorized_names"):
        return parse_name(text)
    if fact == "service_address":
        return parse_address(lines)
    return None


def _each(facts: Facts) -> list[tuple[str, int, Found]]:
    out: list[tuple[str, int, Found]] = []
    for key in _SCALARS:
        found = getattr(facts, key)
        if found is not None:
            out.append((key, 0, found))
    for key in _LISTS:
        out.extend((key, index, found) for index, found in enumerate(getattr(facts, key)))
    return out


def reread(
    data: bytes,
    kind: str,
    page: int,
    skew: float,
    boxes: Sequence[Box],
    *,
    label: str = "The document",
) -> list[str | None]:
    """What a second read finds in each of ``boxes`` (points from the top-left corner of
    page ``page``, turned by ``skew`` degrees as for the first read), in their order: None
    for a box beyond :data:`MAX_CROPS` and for every box when the page's check could not
    run (its worker refused the page or overran its limits)."""
    return reread_prepared(data, kind, page, skew, boxes, (), label=label)[0]


def reread_prepared(
    data: bytes,
    kind: str,
    page: int,
    skew: float,
    boxes: Sequence[Box],
    preparations: Sequence[tuple[float, int, int]],
    *,
    label: str = "The document",
) -> list[list[str | None]]:
    """As :func:`reread`, each box read once for each of ``preparations`` (enlargement,
    ink threshold, page segmentation mode; none: the second read's), in one job: one list
    of texts a preparation."""
    from faxline.documents import sandbox

    rounds = max(1, len(preparations))
    wanted = [list(map(float, box)) for box in boxes[: MAX_CROPS // rounds]]
    texts: list[list[str | None]] = [[None] * len(boxes) for _ in range(rounds)]
    if not wanted:
        return texts
    params: dict[str, Any] = {
        "kind": kind,
        "page": page,
        "dpi": ocr.DPI,
        "skew": skew,
        "boxes": wanted,
    }
    if preparations:
        params["preparations"] = [list(p) for p in preparations]
    try:
        result = sandbox.run_job(
            JOB,
            data,
            params,
            limits=ocr.ocr_limits(),
            max_payload=rounds * len(wanted) * 4096 + 1024,
            field_name=FIELD,
        )
        read = json.loads(result.payload)
    except (sandbox.JobOverrun, ValidationFailed, ValueError):
        return texts  # not confirmed: the facts of this page are not reported
    rounds_read = read if preparations else [read]
    for number, prepared in enumerate(rounds_read[:rounds]):
        for index, text in enumerate(prepared[: len(wanted)]):
            texts[number][index] = str(text)
    return texts


# --- agreement ----------------------------------------------------------------------------


def agrees(fact: str, value: Any, second: str) -> bool:
    """Whether ``second`` (the second read of the box where ``fact`` was read as
    ``value``) says the same, compared as the fact is parsed: a telephone number by its ten
    digits (separators and brackets are not compared), a date as the date it parses to, an
    account number by its groups as printed (case aside), a line feature by the features
    named, a name or an address by its words in lower case, punctuation aside (each part of
    an address).
    The value must be found whole in the second read: a crop's margin may take in a
    neighbour's ink, but no word or digit of the value may differ."""
    if fact in ("btn", "numbers"):
        national = re.sub(r"\D", "", str(value))[-10:]
        return len(national) == 10 and national in re.sub(r"\D", "", second)
    if fact == "statement_date":
        return parse_date(second) == value
    if fact == "account_number":
        return _holds(_groups(second), _groups(str(value)))
    if fact == "line_features":
        return value in features_in(second)
    said = _words(second)
    if fact == "service_address":
        parts = [str(part) for part in dict(value).values() if part]
        return bool(parts) and all(_holds(said, _words(part)) for part in parts)
    return _holds(said, _words(str(value)))


def _groups(text: str) -> list[str]:
    """An account number's groups as printed (words in upper case, hyphens kept, the
    punctuation that ends a sentence or an item taken off): a space OCR put in a number or
    left out of it is a difference, since the value would be reported with it."""
    return [g for g in (word.strip(".,;:") for word in text.upper().split()) if g]


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def _holds(words: Sequence[str], part: Sequence[str]) -> bool:
    """Whether ``part`` (a value's words) appears in ``words`` as a run, word for word."""
    if not part:
        return False
    size = len(part)
    return any(list(words[i : i + size]) == list(part) for i in range(len(words) - size + 1))


# --- the worker side ------------------------------------------------------------------------


def verify_job(data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """The sandbox job ``read.verify``: the boxes ``boxes`` (points from the top-left
    corner, at most :data:`MAX_CROPS`, each clipped to the page and to
    :data:`MAX_BOX_WIDTH` x :data:`MAX_BOX_HEIGHT`) of page ``page`` of a PDF or image
    (``kind``), rendered as for ``read.ocr`` at ``dpi`` and turned by ``skew`` degrees (at
    most :data:`~.ocr.MAX_SKEW_DEGREES`), each cleaned, enlarged :data:`SCALE` times and
    read by tesseract as one line. Meta ``{"seconds": S, "crops": N}``, payload the JSON
    list of the texts read, one a box."""
    number = int(params.get("page") or 1)
    dpi = int(params.get("dpi") or ocr.DPI)
    skew = float(params.get("skew") or 0.0)
    boxes = params.get("boxes") or []
    if not 72 <= dpi <= 600 or not math.isfinite(skew) or abs(skew) > ocr.MAX_SKEW_DEGREES:
        raise ValueError("the page's resolution or angle is out of range")
    preparations = _preparations(params.get("preparations"))
    rounds = max(1, len(preparations))
    if not isinstance(boxes, list) or len(boxes) * rounds > MAX_CROPS:
        raise ValueError(f"at most {MAX_CROPS} boxes a page")
    image, width, height, _count = ocr.page_image(data, str(params.get("kind") or ""), number, dpi)
    started = time.monotonic()
    image = ocr.turn(image, skew)
    clipped = [_clipped(box, width, height) for box in boxes]
    read: list[list[str]] = []
    for scale, threshold, psm in preparations or [(SCALE, INK_THRESHOLD, PSM_LINE)]:
        crops = [_crop(image, box, dpi, scale, threshold) for box in clipped]
        texts: list[str] = [""] * len(crops)
        if crops:
            out = io.BytesIO()
            crops[0].save(out, "TIFF", save_all=True, append_images=crops[1:], dpi=(dpi, dpi))
            texts = _lines_by_page(ocr.tesseract_tsv(out.getvalue(), psm=psm), len(crops))
        read.append(texts)
    meta = {"seconds": round(time.monotonic() - started, 3), "crops": len(clipped) * rounds}
    payload: Any = read if preparations else read[0]
    return meta, json.dumps(payload, separators=(",", ":")).encode()


def _preparations(value: Any) -> list[tuple[float, int, int]]:
    """The extra reads' preparations asked for: each an enlargement (1 to 4 times), an ink
    threshold (1 to 254) and a one-line page segmentation mode (7, 8 or 13)."""
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > 2:
        raise ValueError("at most two preparations")
    out = []
    for item in value:
        if not isinstance(item, list | tuple) or len(item) != 3:
            raise ValueError("a preparation is an enlargement, a threshold and a mode")
        scale, threshold, psm = float(item[0]), int(item[1]), int(item[2])
        if not (1.0 <= scale <= 4.0 and 1 <= threshold <= 254 and psm in (7, 8, 13)):
            raise ValueError("a preparation is out of range")
        out.append((scale, threshold, psm))
    return out


def _clipped(box: Any, width: float, height: float) -> Box:
    """``box`` as four finite points widened by :data:`PAD_POINTS`, within the page and
    no larger than :data:`MAX_BOX_WIDTH` x :data:`MAX_BOX_HEIGHT`."""
    if not isinstance(box, list | tuple) or len(box) != 4:
        raise ValueError("a box is four numbers")
    x0, top, x1, bottom = (float(v) for v in box)
    if not all(math.isfinite(v) for v in (x0, top, x1, bottom)):
        raise ValueError("a box is four finite numbers")
    x0, top = max(0.0, min(x0, x1) - PAD_POINTS), max(0.0, min(top, bottom) - PAD_POINTS)
    x1 = min(width, max(x0, x1) + PAD_POINTS, x0 + MAX_BOX_WIDTH)
    bottom = min(height, max(top, bottom) + PAD_POINTS, top + MAX_BOX_HEIGHT)
    return x0, top, max(x1, x0), max(bottom, top)


def _crop(
    image: Any, box: Box, dpi: int, enlarge: float = SCALE, threshold: int = INK_THRESHOLD
) -> Any:
    from PIL import Image

    scale = dpi / 72
    left, top = math.floor(box[0] * scale), math.floor(box[1] * scale)
    right = max(left + 1, math.ceil(box[2] * scale))
    bottom = max(top + 1, math.ceil(box[3] * scale))
    crop = ocr.clean(image.crop((left, top, right, bottom)))
    size = (round(crop.width * enlarge), round(crop.height * enlarge))
    crop = crop.resize(size, Image.Resampling.LANCZOS)
    crop = crop.point([0] * (threshold + 1) + [255] * (255 - threshold))
    framed = Image.new("L", (crop.width + 2 * BORDER_PX, crop.height + 2 * BORDER_PX), 255)
    framed.paste(crop, (BORDER_PX, BORDER_PX))
    return framed


def _lines_by_page(tsv: str, count: int) -> list[str]:
    """The words of each page of tesseract's TSV (``page_num`` from 1), joined by spaces."""
    texts: list[list[str]] = [[] for _ in range(count)]
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            page = int(cells[1])
        except ValueError:
            continue
        if 1 <= page <= count:
            texts[page - 1].append(cells[11].strip())
    return [" ".join(words) for words in texts]
