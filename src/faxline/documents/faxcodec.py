"""The fast path of TIFF-F: grey pages made bilevel and packed, and G4/G3 encoded by
libtiff, in a few lines of C compiled through cffi (API mode, against the installed
``tiffio.h``).

Pillow can do both steps, but it keeps a bilevel image as one byte per pixel and packs it
bit by bit while encoding: about 7 ms of the 10 ms it spends per fax page, more than pdfium
takes to render the page (``docs/decisions/0023-conversion-to-tiff-f.md``). Here the grey
buffer pdfium rendered is thresholded (or ordered-dithered) straight into packed rows and
handed to libtiff, which writes the whole TIFF-F in memory (every tag of RFC 2306: page
number and count, white-is-zero, fill order, resolution).

The module is compiled on first use into a cache folder (``FAXLINE_CODEC_DIR``, else
``$XDG_CACHE_HOME/faxline`` or ``~/.cache/faxline``, else a private folder under the
temporary directory), named by a hash of its source so
that a change rebuilds it; the document sandbox's zygote loads it before it forks, so the
workers never compile. :func:`load` returns None when it cannot be built (no compiler or
no libtiff headers): :mod:`faxline.documents.faximage` then uses Pillow, slower, same
pages. ``faxline`` needs gcc and libtiff-dev anyway (the spandsp binding).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.machinery
import importlib.util
import logging
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

CDEF = """
size_t fax_grey_samples(const uint8_t *grey, int stride, int width, int height,
                        int step, int low, int high);
void fax_pack(const uint8_t *grey, int stride, int width, int height,
              const uint8_t *stretch, int dither, uint8_t *out);
typedef struct fax_writer fax_writer;
fax_writer *fax_writer_open(int compression, int t4_options, double y_dpi, int pages);
int fax_writer_page(fax_writer *w, const uint8_t *packed, int width, int height);
size_t fax_writer_size(fax_writer *w);
const uint8_t *fax_writer_close(fax_writer *w);
void fax_writer_free(fax_writer *w);
"""

SOURCE = r"""
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>

typedef struct fax_writer fax_writer;

static const uint8_t BAYER[8][8] = {
    {0, 32, 8, 40, 2, 34, 10, 42}, {48, 16, 56, 24, 50, 18, 58, 26},
    {12, 44, 4, 36, 14, 46, 6, 38}, {60, 28, 52, 20, 62, 30, 54, 22},
    {3, 35, 11, 43, 1, 33, 9, 41}, {51, 19, 59, 27, 49, 17, 57, 25},
    {15, 47, 7, 39, 13, 45, 5, 37}, {63, 31, 55, 23, 61, 29, 53, 21}};

/* Pixels of a sample (one in step x step) whose grey is strictly between low and high. */
size_t fax_grey_samples(const uint8_t *grey, int stride, int width, int height,
                        int step, int low, int high) {
    size_t count = 0;
    for (int y = 0; y < height; y += step) {
        const uint8_t *row = grey + (size_t)y * stride;
        for (int x = 0; x < width; x += step)
            count += row[x] > low && row[x] < high;
    }
    return count;
}

/* Grey rows to packed bilevel rows (1 = ink, most significant bit first), eight pixels a
   byte without branches. Threshold at mid-grey, or, with dither, the stretched grey
   against the 8 x 8 Bayer matrix: ink where stretch[g] <= threshold (the thresholds of
   faximage's Pillow path, pixel for pixel). */
void fax_pack(const uint8_t *grey, int stride, int width, int height,
              const uint8_t *stretch, int dither, uint8_t *out) {
    int row_bytes = (width + 7) / 8;
    for (int y = 0; y < height; y++) {
        const uint8_t *row = grey + (size_t)y * stride;
        uint8_t *o = out + (size_t)y * row_bytes;
        uint8_t t[8];
        for (int i = 0; i < 8; i++) t[i] = (uint8_t)((BAYER[y & 7][i] * 2 + 1) * 2);
        int x = 0;
        if (!dither) {
            for (; x + 8 <= width; x += 8) {
                const uint8_t *p = row + x;
                o[x >> 3] = (uint8_t)(((p[0] < 128) << 7) | ((p[1] < 128) << 6) |
                                      ((p[2] < 128) << 5) | ((p[3] < 128) << 4) |
                                      ((p[4] < 128) << 3) | ((p[5] < 128) << 2) |
                                      ((p[6] < 128) << 1) | (p[7] < 128));
            }
        } else {
            for (; x + 8 <= width; x += 8) {
                const uint8_t *p = row + x;
                o[x >> 3] = (uint8_t)(
                    ((stretch[p[0]] <= t[0]) << 7) | ((stretch[p[1]] <= t[1]) << 6) |
                    ((stretch[p[2]] <= t[2]) << 5) | ((stretch[p[3]] <= t[3]) << 4) |
                    ((stretch[p[4]] <= t[4]) << 3) | ((stretch[p[5]] <= t[5]) << 2) |
                    ((stretch[p[6]] <= t[6]) << 1) | (stretch[p[7]] <= t[7]));
            }
        }
        if (x < width) {
            uint8_t last = 0;
            for (int i = 0; x + i < width; i++) {
                uint8_t g = row[x + i];
                int ink = dither ? stretch[g] <= t[i] : g < 128;
                last |= (uint8_t)(ink << (7 - i));
            }
            o[x >> 3] = last;
        }
    }
}

struct fax_writer {
    uint8_t *data;
    size_t size, capacity, position;
    TIFF *tiff;
    int compression, t4_options, pages, page;
    double y_dpi;
    int failed;
};

static tsize_t w_read(thandle_t h, tdata_t buffer, tsize_t n) {
    struct fax_writer *w = (struct fax_writer *)h;
    if (w->position >= w->size) return 0;
    if ((size_t)n > w->size - w->position) n = (tsize_t)(w->size - w->position);
    memcpy(buffer, w->data + w->position, (size_t)n);
    w->position += (size_t)n;
    return n;
}

static tsize_t w_write(thandle_t h, tdata_t buffer, tsize_t n) {
    struct fax_writer *w = (struct fax_writer *)h;
    size_t end = w->position + (size_t)n;
    if (end > w->capacity) {
        size_t capacity = w->capacity ? w->capacity : 65536;
        while (capacity < end) capacity *= 2;
        uint8_t *grown = realloc(w->data, capacity);
        if (!grown) { w->failed = 1; return -1; }
        memset(grown + w->capacity, 0, capacity - w->capacity);
        w->data = grown;
        w->capacity = capacity;
    }
    memcpy(w->data + w->position, buffer, (size_t)n);
    w->position = end;
    if (end > w->size) w->size = end;
    return n;
}

static toff_t w_seek(thandle_t h, toff_t offset, int whence) {
    struct fax_writer *w = (struct fax_writer *)h;
    size_t base = whence == SEEK_CUR ? w->position : whence == SEEK_END ? w->size : 0;
    w->position = base + (size_t)offset;
    return (toff_t)w->position;
}

static int w_close(thandle_t h) { (void)h; return 0; }
static toff_t w_size(thandle_t h) { return (toff_t)((struct fax_writer *)h)->size; }
static int w_map(thandle_t h, tdata_t *base, toff_t *size) {
    (void)h; (void)base; (void)size; return 0;
}
static void w_unmap(thandle_t h, tdata_t base, toff_t size) { (void)h; (void)base; (void)size; }

fax_writer *fax_writer_open(int compression, int t4_options, double y_dpi, int pages) {
    struct fax_writer *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);
    w->compression = compression;
    w->t4_options = t4_options;
    w->y_dpi = y_dpi;
    w->pages = pages;
    w->tiff = TIFFClientOpen("fax", "w", (thandle_t)w, w_read, w_write, w_seek, w_close,
                             w_size, w_map, w_unmap);
    if (!w->tiff) { free(w); return NULL; }
    return w;
}

int fax_writer_page(fax_writer *w, const uint8_t *packed, int width, int height) {
    TIFF *t = w->tiff;
    if (w->failed) return -1;
    TIFFSetField(t, TIFFTAG_SUBFILETYPE, FILETYPE_PAGE);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, (uint32_t)width);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, (uint32_t)height);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_COMPRESSION, w->compression);
    if (w->compression == COMPRESSION_CCITTFAX3)
        TIFFSetField(t, TIFFTAG_GROUP3OPTIONS, (uint32_t)w->t4_options);
    else
        TIFFSetField(t, TIFFTAG_GROUP4OPTIONS, (uint32_t)0);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(t, TIFFTAG_FILLORDER, FILLORDER_MSB2LSB);
    TIFFSetField(t, TIFFTAG_ORIENTATION, ORIENTATION_TOPLEFT);
    TIFFSetField(t, TIFFTAG_XRESOLUTION, 204.0);
    TIFFSetField(t, TIFFTAG_YRESOLUTION, w->y_dpi);
    TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
    TIFFSetField(t, TIFFTAG_PAGENUMBER, (uint16_t)w->page, (uint16_t)w->pages);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, (uint32_t)height);
    tsize_t bytes = (tsize_t)((width + 7) / 8) * height;
    if (TIFFWriteEncodedStrip(t, 0, (void *)packed, bytes) < 0) return -1;
    if (!TIFFWriteDirectory(t)) return -1;
    w->page++;
    return w->failed ? -1 : 0;
}

size_t fax_writer_size(fax_writer *w) { return w->size; }

const uint8_t *fax_writer_close(fax_writer *w) {
    if (w->tiff) { TIFFClose(w->tiff); w->tiff = NULL; }
    return w->failed ? NULL : w->data;
}

void fax_writer_free(fax_writer *w) {
    if (!w) return;
    if (w->tiff) TIFFClose(w->tiff);
    free(w->data);
    free(w);
}
"""

_lock = threading.Lock()
_loaded: tuple[Any, Any] | None = None
_failed = False


def _cache_dir() -> Path:
    configured = os.environ.get("FAXLINE_CODEC_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "faxline"


def _tag() -> str:
    import cffi

    digest = hashlib.sha256((CDEF + SOURCE + cffi.__version__ + sys.version).encode())
    return digest.hexdigest()[:16]


def _module_name() -> str:
    return f"_faxcodec_{_tag()}"


def _find(folder: Path, name: str) -> Path | None:
    for suffix in importlib.machinery.EXTENSION_SUFFIXES:
        candidate = folder / f"{name}{suffix}"
        if candidate.exists():
            return candidate
    return None


def _build(folder: Path, name: str) -> Path:
    """Compile the module into ``folder`` (atomically: built aside, then renamed)."""
    import cffi

    folder.mkdir(parents=True, exist_ok=True)
    builder = cffi.FFI()
    builder.cdef(CDEF)
    builder.set_source(
        name,
        SOURCE,
        libraries=["tiff"],
        include_dirs=[path for path in ("/usr/include/x86_64-linux-gnu",) if Path(path).is_dir()],
        extra_compile_args=["-O2"],
    )
    with tempfile.TemporaryDirectory(dir=folder) as work:
        with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
            built = Path(builder.compile(tmpdir=work, verbose=False))
        target = folder / built.name
        os.replace(built, target)
    return target


def _locate(name: str) -> Path:
    """The compiled module: found in the cache, else built there (or, when the cache
    folder cannot be written, in a private folder under the temporary directory)."""
    folders = [_cache_dir(), Path(tempfile.gettempdir()) / f"faxline-codec-{os.getuid()}"]
    for folder in folders:
        found = _find(folder, name)
        if found is not None:
            return found
    for index, folder in enumerate(folders):
        try:
            return _build(folder, name)
        except OSError:
            if index == len(folders) - 1:
                raise
    raise AssertionError("unreachable")


def load() -> tuple[Any, Any] | None:
    """``(ffi, lib)`` of the compiled codec, building it on first use; None when it cannot
    be built here (the caller falls back to Pillow)."""
    global _loaded, _failed
    if _loaded is not None or _failed:
        return _loaded
    with _lock:
        if _loaded is not None or _failed:
            return _loaded
        name = _module_name()
        try:
            path = _locate(name)
            spec = importlib.util.spec_from_file_location(name, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
        except Exception as exc:  # no compiler, no headers, a read-only cache...
            log.warning("The TIFF-F codec could not be built (%s); using Pillow", exc)
            _failed = True
            return None
        _loaded = (module.ffi, module.lib)
        return _loaded
