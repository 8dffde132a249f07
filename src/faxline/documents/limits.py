"""The budgets a document must fit, checked by :mod:`faxline.documents.intake`.

Every upload is refused above these, whatever its type: they keep a hostile or careless
file from costing the service more than a real document would.
"""

from __future__ import annotations

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# A letter-size page scanned at 600 dpi is 33.7 million pixels; legal size 42.8 million.
MAX_IMAGE_PIXELS = 45_000_000
MAX_IMAGE_FRAMES = 200
MAX_PDF_PAGES = 500
# A converted image may be larger than its compressed source, but not without bound.
MAX_CONVERTED_BYTES = 3 * MAX_DOCUMENT_BYTES
# Pixels decoded in total while converting a multi-page image (about 30 pages at 300 dpi).
MAX_CONVERTED_PIXELS = 250_000_000
