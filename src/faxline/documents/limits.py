"""The budgets a document must fit, checked by :mod:`faxline.documents.intake`.

Every upload is refused above these, whatever its type: they keep a hostile or careless
file from costing the service more than a real document would. The figures and the reasons
for them are in ``docs/decisions/0016-document-budgets-and-intake-worker.md``.

Two kinds of limit:

- **budgets read before decoding** (:class:`Budget`): the file's size, its pages or frames,
  the pixels of each page and the bytes all its pages decode to, all read from the headers,
  so that a decompression bomb is refused before a single pixel is decoded;
- **hard limits of the worker process** (:class:`WorkerLimits`) that decodes and converts:
  CPU seconds, address space and wall-clock time, enforced by the kernel and by killing the
  process. They stop what headers cannot predict (a pathological PDF, a decoder that loops).

The module constants are the defaults of :class:`Budget` (porting's and onboarding's
uploads); a caller with other needs (the fax engine: larger files, more pages) passes its
own ``Budget``. The worker limits are settings (``FAXLINE_INTAKE_*``).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# A letter-size page scanned at 600 dpi is 33.7 million pixels; legal size 42.8 million.
MAX_IMAGE_PIXELS = 45_000_000
MAX_IMAGE_FRAMES = 200
MAX_PDF_PAGES = 500
# What all the pages of one image decode to, counted as Pillow holds them in memory (one
# byte a pixel for bilevel and greyscale, four for colour): 200 fax pages at fine
# resolution (1728 x 2200, 760 MB) fit; so do 30 colour letter pages at 300 dpi.
MAX_DECODED_BYTES = 1024 * 1024 * 1024
# A converted image may be larger than its compressed source, but not without bound.
MAX_CONVERTED_BYTES = 3 * MAX_DOCUMENT_BYTES
# Objects in a PDF's cross-reference table: a 500-page text document has a few thousand.
MAX_PDF_OBJECTS = 250_000

# Hard limits of the worker process (defaults of the FAXLINE_INTAKE_* settings).
WORKER_CPU_SECONDS = 10
WORKER_MEMORY_MB = 1024
WORKER_WALL_SECONDS = 30
WORKER_CONCURRENCY = 2


@dataclass(frozen=True)
class Budget:
    """What one document may cost, checked from its headers before anything is decoded."""

    max_bytes: int = MAX_DOCUMENT_BYTES
    max_pdf_pages: int = MAX_PDF_PAGES
    max_frames: int = MAX_IMAGE_FRAMES
    max_page_pixels: int = MAX_IMAGE_PIXELS
    max_decoded_bytes: int = MAX_DECODED_BYTES
    max_converted_bytes: int = MAX_CONVERTED_BYTES
    max_pdf_objects: int = MAX_PDF_OBJECTS

    def as_params(self) -> dict[str, int]:
        """The budget as plain values, for the worker process."""
        return asdict(self)

    @classmethod
    def from_params(cls, params: dict[str, Any]) -> Budget:
        """The budget the parent process sent (unknown keys ignored)."""
        known = {k: int(v) for k, v in params.items() if k in cls.__dataclass_fields__}
        return cls(**known)


@dataclass(frozen=True)
class WorkerLimits:
    """Hard limits of one worker process: CPU seconds (``RLIMIT_CPU``), address space
    (``RLIMIT_AS``) and wall-clock seconds after which it is killed."""

    cpu_seconds: int = WORKER_CPU_SECONDS
    memory_bytes: int = WORKER_MEMORY_MB * 1024 * 1024
    wall_seconds: float = WORKER_WALL_SECONDS
    # Bytes the worker may write to files (0: none; a converter that needs a scratch file
    # raises it).
    file_bytes: int = 0

    @classmethod
    def from_settings(cls) -> WorkerLimits:
        """The limits configured by ``FAXLINE_INTAKE_CPU_SECONDS``, ``_MEMORY_MB`` and
        ``_WALL_SECONDS`` (the defaults above when Django is not configured)."""
        from django.conf import settings

        if not settings.configured:
            return cls()
        return cls(
            cpu_seconds=int(getattr(settings, "FAXLINE_INTAKE_CPU_SECONDS", WORKER_CPU_SECONDS)),
            memory_bytes=int(getattr(settings, "FAXLINE_INTAKE_MEMORY_MB", WORKER_MEMORY_MB))
            * 1024
            * 1024,
            wall_seconds=float(
                getattr(settings, "FAXLINE_INTAKE_WALL_SECONDS", WORKER_WALL_SECONDS)
            ),
        )


def bytes_per_pixel(mode: str) -> int:
    """The bytes Pillow holds in memory for one pixel of an image of ``mode``."""
    if mode in ("1", "L", "P"):
        return 1
    if mode.startswith("I;16"):
        return 2
    return 4


def concurrency() -> int:
    """How many documents one process checks at once (``FAXLINE_INTAKE_CONCURRENCY``)."""
    from django.conf import settings

    if not settings.configured:
        return WORKER_CONCURRENCY
    return max(1, int(getattr(settings, "FAXLINE_INTAKE_CONCURRENCY", WORKER_CONCURRENCY)))
