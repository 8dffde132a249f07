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

# The modified Huffman codes of ITU-T T.4 (its Tables 2 and 3), as bit strings: run
# lengths 0 to 63, then multiples of 64 up to 1728, then the extended ones (1792 to 2560).
WHITE_TERMINATING = """
00110101 000111 0111 1000 1011 1100 1110 1111 10011 10100 00111 01000 001000 000011 110100
110101 101010 101011 0100111 0001100 0001000 0010111 0000011 0000100 0101000 0101011 0010011
0100100 0011000 00000010 00000011 00011010 00011011 00010010 00010011 00010100 00010101 00010110
00010111 00101000 00101001 00101010 00101011 00101100 00101101 00000100 00000101 00001010
00001011 01010010 01010011 01010100 01010101 00100100 00100101 01011000 01011001 01011010
01011011 01001010 01001011 00110010 00110011 00110100
"""
WHITE_MAKEUP = """
11011 10010 010111 0110111 00110110 00110111 01100100 01100101 01101000 01100111 011001100
011001101 011010010 011010011 011010100 011010101 011010110 011010111 011011000 011011001
011011010 011011011 010011000 010011001 010011010 011000 010011011
"""
BLACK_TERMINATING = """
0000110111 010 11 10 011 0011 0010 00011 000101 000100 0000100 0000101 0000111 00000100 00000111
000011000 0000010111 0000011000 0000001000 00001100111 00001101000 00001101100 00000110111
00000101000 00000010111 00000011000 000011001010 000011001011 000011001100 000011001101
000001101000 000001101001 000001101010 000001101011 000011010010 000011010011 000011010100
000011010101 000011010110 000011010111 000001101100 000001101101 000011011010 000011011011
000001010100 000001010101 000001010110 000001010111 000001100100 000001100101 000001010010
000001010011 000000100100 000000110111 000000111000 000000100111 000000101000 000001011000
000001011001 000000101011 000000101100 000001011010 000001100110 000001100111
"""
BLACK_MAKEUP = """
0000001111 000011001000 000011001001 000001011011 000000110011 000000110100 000000110101
0000001101100 0000001101101 0000001001010 0000001001011 0000001001100 0000001001101
0000001110010 0000001110011 0000001110100 0000001110101 0000001110110 0000001110111
0000001010010 0000001010011 0000001010100 0000001010101 0000001011010 0000001011011
0000001100100 0000001100101
"""
EXTENDED_MAKEUP = """
00000001000 00000001100 00000001101 000000010010 000000010011 000000010100 000000010101
000000010110 000000010111 000000011100 000000011101 000000011110 000000011111
"""

CDEF = """
size_t fax_grey_samples(const uint8_t *grey, int stride, int width, int height,
                        int step, int low, int high);
void fax_pack(const uint8_t *grey, int stride, int width, int height,
              const uint8_t *stretch, int dither, uint8_t *out);
typedef struct fax_writer fax_writer;
fax_writer *fax_writer_open(int compression, int t4_options, double y_dpi, int pages,
                            int own_g4);
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

/* Pixels of a sample whose grey is strictly between low and high: the centre pixel
   (step / 2 in) of every whole step x step cell, as Pillow's nearest-neighbour reduction
   by step picks them. */
size_t fax_grey_samples(const uint8_t *grey, int stride, int width, int height,
                        int step, int low, int high) {
    size_t count = 0;
    int half = step / 2;
    for (int y = half; y + (step - half) <= height; y += step) {
        const uint8_t *row = grey + (size_t)y * stride;
        for (int x = half; x + (step - half) <= width; x += step)
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
            /* Eight pixels at once: a grey below 128 has its top bit clear; the eight top
               bits, inverted, are gathered into one byte (pixel 0 in the top bit) by one
               multiplication whose partial products never overlap. */
            for (; x + 8 <= width; x += 8) {
                uint64_t v;
                memcpy(&v, row + x, 8);
                uint64_t ink = (~v & 0x8080808080808080ULL) >> 7;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
                o[x >> 3] = (uint8_t)((ink * 0x8040201008040201ULL) >> 56);
#else
                o[x >> 3] = (uint8_t)((ink * 0x0102040810204080ULL) >> 56);
#endif
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
    int compression, t4_options, pages, page, own_g4;
    uint8_t *coded;
    size_t coded_capacity;
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

/* --- Group 4 (ITU-T T.6) ------------------------------------------------------------
   Two-dimensional coding of each row against the one above it (an imaginary white row
   above the first): pass, vertical and horizontal modes, runs in the modified Huffman
   codes of T.4, EOFB at the end. Changing elements are found a 64-bit word at a time,
   which is where libtiff's encoder spends its time on mostly white pages. */

typedef struct { uint16_t code; uint8_t length; } fax_code;

/* @@TABLES@@ */

typedef struct {
    uint8_t *out;
    size_t size, capacity;
    uint64_t bits;
    int count;
    int failed;
} bit_writer;

static void bits_put(bit_writer *b, uint32_t code, int length) {
    b->bits = (b->bits << length) | code;
    b->count += length;
    while (b->count >= 8) {
        b->count -= 8;
        if (b->size == b->capacity) {
            size_t capacity = b->capacity ? b->capacity * 2 : 65536;
            uint8_t *grown = realloc(b->out, capacity);
            if (!grown) { b->failed = 1; b->count = 0; return; }
            b->out = grown;
            b->capacity = capacity;
        }
        b->out[b->size++] = (uint8_t)(b->bits >> b->count);
    }
}

static void run_put(bit_writer *b, int run, int black) {
    const fax_code *terminating = black ? BLACK_TERMINATING : WHITE_TERMINATING;
    const fax_code *makeup = black ? BLACK_MAKEUP : WHITE_MAKEUP;
    while (run > 2560) {
        bits_put(b, EXTENDED_MAKEUP[12].code, EXTENDED_MAKEUP[12].length);
        run -= 2560;
    }
    if (run >= 64) {
        int m = run / 64;
        if (m >= 28)
            bits_put(b, EXTENDED_MAKEUP[m - 28].code, EXTENDED_MAKEUP[m - 28].length);
        else
            bits_put(b, makeup[m - 1].code, makeup[m - 1].length);
        run -= m * 64;
    }
    bits_put(b, terminating[run].code, terminating[run].length);
}

static inline int pixel_at(const uint8_t *row, int x) {
    return (row[x >> 3] >> (7 - (x & 7))) & 1;
}

/* The first x in [start, end) whose pixel is not `color` (end if none). */
static int change_from(const uint8_t *row, int start, int end, int color) {
    if (start >= end) return end;
    uint8_t flip = color ? 0xFF : 0x00;
    int index = start >> 3, last = (end + 7) >> 3, x;
    uint8_t first = (uint8_t)((row[index] ^ flip) & (0xFF >> (start & 7)));
    if (first) { x = (index << 3) + __builtin_clz((unsigned)first) - 24; return x < end ? x : end; }
    index++;
    uint64_t flip64 = color ? ~0ULL : 0ULL;
    for (; index + 8 <= last; index += 8) {
        uint64_t v;
        memcpy(&v, row + index, 8);
        v ^= flip64;
        if (v) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            v = __builtin_bswap64(v);
#endif
            x = (index << 3) + __builtin_clzll(v);
            return x < end ? x : end;
        }
    }
    for (; index < last; index++) {
        uint8_t v = (uint8_t)(row[index] ^ flip);
        if (v) { x = (index << 3) + __builtin_clz((unsigned)v) - 24; return x < end ? x : end; }
    }
    return end;
}

static const fax_code VERTICAL[7] = {
    {0x03, 7}, {0x03, 6}, {0x03, 3}, {0x1, 1}, {0x2, 3}, {0x02, 6}, {0x02, 7}};

/* Encode `height` packed rows (1 = black) into w->coded; its size, or (size_t)-1. */
static size_t g4_encode(fax_writer *w, const uint8_t *packed, int width, int height) {
    size_t row_bytes = (size_t)(width + 7) / 8;
    uint8_t *white = calloc(row_bytes + 8, 1);
    if (!white) return (size_t)-1;
    bit_writer b = {w->coded, 0, w->coded_capacity, 0, 0, 0};
    const uint8_t *reference = white;
    for (int y = 0; y < height; y++) {
        const uint8_t *row = packed + (size_t)y * row_bytes;
        int a0 = 0;
        int a1 = pixel_at(row, 0) ? 0 : change_from(row, 0, width, 0);
        int b1 = pixel_at(reference, 0) ? 0 : change_from(reference, 0, width, 0);
        for (;;) {
            int b2 = width;
            if (b1 < width) b2 = change_from(reference, b1, width, pixel_at(reference, b1));
            if (b2 >= a1) {
                int d = b1 - a1;
                if (d < -3 || d > 3) {
                    int a2 = a1 < width ? change_from(row, a1, width, pixel_at(row, a1)) : width;
                    bits_put(&b, 0x1, 3); /* 001: horizontal */
                    if (a0 + a1 == 0 || pixel_at(row, a0) == 0) {
                        run_put(&b, a1 - a0, 0);
                        run_put(&b, a2 - a1, 1);
                    } else {
                        run_put(&b, a1 - a0, 1);
                        run_put(&b, a2 - a1, 0);
                    }
                    a0 = a2;
                } else {
                    bits_put(&b, VERTICAL[d + 3].code, VERTICAL[d + 3].length);
                    a0 = a1;
                }
            } else {
                bits_put(&b, 0x1, 4); /* 0001: pass */
                a0 = b2;
            }
            if (a0 >= width) break;
            int color = pixel_at(row, a0);
            a1 = change_from(row, a0, width, color);
            b1 = change_from(reference, a0, width, !color);
            b1 = change_from(reference, b1, width, color);
        }
        reference = row;
    }
    bits_put(&b, 0x001, 12); /* EOFB: two EOLs */
    bits_put(&b, 0x001, 12);
    if (b.count) bits_put(&b, 0, 8 - b.count);
    free(white);
    w->coded = b.out;
    w->coded_capacity = b.capacity;
    return b.failed ? (size_t)-1 : b.size;
}

fax_writer *fax_writer_open(int compression, int t4_options, double y_dpi, int pages,
                            int own_g4) {
    struct fax_writer *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    TIFFSetErrorHandler(NULL);
    TIFFSetWarningHandler(NULL);
    w->compression = compression;
    w->t4_options = t4_options;
    w->y_dpi = y_dpi;
    w->pages = pages;
    w->own_g4 = own_g4;
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
    if (w->compression == COMPRESSION_CCITTFAX4 && w->own_g4) {
        size_t coded = g4_encode(w, packed, width, height);
        if (coded == (size_t)-1) return -1;
        if (TIFFWriteRawStrip(t, 0, w->coded, (tsize_t)coded) < 0) return -1;
    } else if (TIFFWriteEncodedStrip(t, 0, (void *)packed, bytes) < 0) {
        return -1;
    }
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
    free(w->coded);
    free(w->data);
    free(w);
}
"""


def _c_tables() -> str:
    """The code tables as C arrays of {code, length}."""
    tables = {
        "WHITE_TERMINATING": WHITE_TERMINATING,
        "WHITE_MAKEUP": WHITE_MAKEUP,
        "BLACK_TERMINATING": BLACK_TERMINATING,
        "BLACK_MAKEUP": BLACK_MAKEUP,
        "EXTENDED_MAKEUP": EXTENDED_MAKEUP,
    }
    lines = []
    for name, codes in tables.items():
        entries = ", ".join(f"{{0x{int(code, 2):x}, {len(code)}}}" for code in codes.split())
        lines.append(f"static const fax_code {name}[{len(codes.split())}] = {{{entries}}};")
    return "\n".join(lines)


SOURCE = SOURCE.replace("/* @@TABLES@@ */", _c_tables())

COMPILE_ARGS = ("-O2",)
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

    digest = hashlib.sha256(
        (CDEF + SOURCE + " ".join(COMPILE_ARGS) + cffi.__version__ + sys.version).encode()
    )
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
        extra_compile_args=list(COMPILE_ARGS),
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
