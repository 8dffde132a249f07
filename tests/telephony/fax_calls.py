"""Helpers of the telephony tests: TIFF-F documents made with Pillow, and reading pages back."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw

from faxline.telephony.t30 import FaxResult

WIDTH = 1728
FINE = (204, 196)
STANDARD = (204, 98)


def make_tiff(
    path: Path, *, pages: int = 3, dpi: tuple[int, int] = FINE, width: int = WIDTH, seed: int = 9
) -> Path:
    """A bilevel G4 TIFF-F with varied content on every page (text, boxes, fills, rules)."""
    rnd = random.Random(seed)
    height = 1100 if dpi[1] < 150 else 2200
    images = []
    for number in range(1, pages + 1):
        image = Image.new("1", (width, height), 1)
        draw = ImageDraw.Draw(image)
        draw.text((40, 20), f"faxline test page {number} of {pages}", fill=0)
        for _ in range(150):
            x, y = rnd.randrange(width - 240), rnd.randrange(40, height - 20)
            draw.text((x, y), f"line {rnd.randrange(10**6)} page {number}", fill=0)
        for _ in range(12):
            x, y = rnd.randrange(width - 300), rnd.randrange(height - 200)
            box = (x, y, x + rnd.randrange(20, 300), y + rnd.randrange(4, 200))
            draw.rectangle(box, outline=0, fill=rnd.choice([0, None]))
        draw.line((0, height - 1, width - 1, 0), fill=0, width=3)
        images.append(image)
    images[0].save(path, compression="group4", dpi=dpi, save_all=True, append_images=images[1:])
    return path


def pages_of(path: Path) -> list[tuple[tuple[int, int], bytes]]:
    """Every page of a TIFF as (size, 1-bit pixels)."""
    out = []
    with Image.open(path) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            page = image.convert("1")
            out.append((page.size, page.tobytes()))
    return out


Call = Callable[..., tuple[FaxResult, FaxResult]]
