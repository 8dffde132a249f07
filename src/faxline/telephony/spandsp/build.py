"""Build the cffi (API mode) extension that binds libspandsp 0.0.6.

Run at install time (``make`` does it, or ``python -m faxline.telephony.spandsp.build``): the C
compiler reads the installed ``<spandsp.h>``, so every prototype and struct layout declared
below is checked against the library actually installed (``t30_stats_t`` is declared with
``...;`` and its layout comes from the header). The extension lands in this package's directory
as ``_spandsp.<abi>.so`` (gitignored); it is built in a temporary directory and moved in, so a
concurrent import never sees half a file.

Declare only what the binding uses.
"""

from __future__ import annotations

import os
import sys
import sysconfig
import tempfile
from pathlib import Path

MODULE = "faxline.telephony.spandsp._spandsp"
PACKAGE_DIR = Path(__file__).resolve().parent

CDEF = r"""
typedef ... fax_state_t;
typedef ... t30_state_t;
typedef ... logging_state_t;
typedef ... t38_terminal_state_t;
typedef ... t38_core_state_t;
typedef ... awgn_state_t;

typedef struct {
    int bit_rate;
    int error_correcting_mode;
    int pages_tx;
    int pages_rx;
    int pages_in_file;
    int x_resolution;
    int y_resolution;
    int width;
    int length;
    int image_size;
    int encoding;
    int bad_rows;
    int longest_bad_row_run;
    int error_correcting_mode_retries;
    int current_status;
    ...;
} t30_stats_t;

typedef int (t30_phase_b_handler_t)(t30_state_t *s, void *user_data, int result);
typedef int (t30_phase_d_handler_t)(t30_state_t *s, void *user_data, int result);
typedef void (t30_phase_e_handler_t)(t30_state_t *s, void *user_data, int completion_code);
typedef int (t38_tx_packet_handler_t)(t38_core_state_t *s, void *user_data,
                                      const uint8_t *buf, int len, int count);
typedef void (*message_handler_func_t)(int level, const char *text);

static const int T30_SUPPORT_V27TER;
static const int T30_SUPPORT_V29;
static const int T30_SUPPORT_V17;
static const int T30_SUPPORT_T4_1D_COMPRESSION;
static const int T30_SUPPORT_T4_2D_COMPRESSION;
static const int T30_SUPPORT_T6_COMPRESSION;
static const int T30_SUPPORT_STANDARD_RESOLUTION;
static const int T30_SUPPORT_FINE_RESOLUTION;
static const int T30_SUPPORT_SUPERFINE_RESOLUTION;
static const int T30_SUPPORT_R8_RESOLUTION;
static const int T30_SUPPORT_R16_RESOLUTION;
static const int T30_SUPPORT_300_300_RESOLUTION;
static const int T30_SUPPORT_400_400_RESOLUTION;
static const int T30_SUPPORT_215MM_WIDTH;
static const int T30_SUPPORT_255MM_WIDTH;
static const int T30_SUPPORT_303MM_WIDTH;
static const int T30_SUPPORT_UNLIMITED_LENGTH;
static const int T30_SUPPORT_A4_LENGTH;
static const int T30_SUPPORT_B4_LENGTH;
static const int T30_SUPPORT_US_LETTER_LENGTH;
static const int T30_SUPPORT_US_LEGAL_LENGTH;
static const int T4_COMPRESSION_ITU_T4_1D;
static const int T4_COMPRESSION_ITU_T4_2D;
static const int T4_COMPRESSION_ITU_T6;
static const int T30_ERR_OK;
static const int T30_ERR_CALLDROPPED;
static const int T38_TERMINAL_OPTION_NO_PACING;
static const int SPAN_LOG_SHOW_SEVERITY;
static const int SPAN_LOG_SHOW_PROTOCOL;
static const int SPAN_LOG_SHOW_TAG;
static const int SPAN_LOG_WARNING;
static const int SPAN_LOG_FLOW;

fax_state_t *fax_init(fax_state_t *s, int calling_party);
int fax_free(fax_state_t *s);
int fax_tx(fax_state_t *s, int16_t *amp, int max_len);
int fax_rx(fax_state_t *s, int16_t *amp, int len);
void fax_set_transmit_on_idle(fax_state_t *s, int transmit_on_idle);
t30_state_t *fax_get_t30_state(fax_state_t *s);
logging_state_t *fax_get_logging_state(fax_state_t *s);

t38_terminal_state_t *t38_terminal_init(t38_terminal_state_t *s, int calling_party,
                                        t38_tx_packet_handler_t *tx_packet_handler,
                                        void *tx_packet_user_data);
int t38_terminal_free(t38_terminal_state_t *s);
int t38_terminal_send_timeout(t38_terminal_state_t *s, int samples);
void t38_terminal_set_config(t38_terminal_state_t *s, int config);
t30_state_t *t38_terminal_get_t30_state(t38_terminal_state_t *s);
t38_core_state_t *t38_terminal_get_t38_core_state(t38_terminal_state_t *s);
logging_state_t *t38_terminal_get_logging_state(t38_terminal_state_t *s);
logging_state_t *t38_core_get_logging_state(t38_core_state_t *s);
int t38_core_rx_ifp_packet(t38_core_state_t *s, const uint8_t *buf, int len, uint16_t seq_no);

int t30_set_tx_ident(t30_state_t *s, const char *id);
const char *t30_get_rx_ident(t30_state_t *s);
void t30_set_tx_file(t30_state_t *s, const char *file, int start_page, int stop_page);
void t30_set_rx_file(t30_state_t *s, const char *file, int stop_page);
int t30_set_ecm_capability(t30_state_t *s, int enabled);
int t30_set_rx_encoding(t30_state_t *s, int encoding);
int t30_set_supported_modems(t30_state_t *s, int supported_modems);
int t30_set_supported_compressions(t30_state_t *s, int supported_compressions);
int t30_set_supported_resolutions(t30_state_t *s, int supported_resolutions);
int t30_set_supported_image_sizes(t30_state_t *s, int supported_image_sizes);
void t30_set_phase_b_handler(t30_state_t *s, t30_phase_b_handler_t *handler, void *user_data);
void t30_set_phase_d_handler(t30_state_t *s, t30_phase_d_handler_t *handler, void *user_data);
void t30_set_phase_e_handler(t30_state_t *s, t30_phase_e_handler_t *handler, void *user_data);
void t30_terminate(t30_state_t *s);
void t30_get_transfer_statistics(t30_state_t *s, t30_stats_t *t);
logging_state_t *t30_get_logging_state(t30_state_t *s);
const char *t30_frametype(uint8_t x);
const char *t30_completion_code_to_str(int result);

int span_log_set_level(logging_state_t *s, int level);
int span_log_set_tag(logging_state_t *s, const char *tag);
void span_log_set_message_handler(logging_state_t *s, message_handler_func_t func);

awgn_state_t *awgn_init_dbm0(awgn_state_t *s, int idum, float level);
int awgn_free(awgn_state_t *s);

int faxline_spandsp_release_date(void);
void faxline_add_awgn(awgn_state_t *s, int16_t *amp, int len);
void faxline_log(int level, const char *text);
void faxline_set_current(int id);
int faxline_loop_samples(void);
int faxline_fax_tx(int id, fax_state_t *s, int16_t *amp, int len);
int faxline_fax_rx(int id, fax_state_t *s, const int16_t *amp, int len);
int faxline_audio_run(fax_state_t *a, int id_a, int *stop_a, int16_t *buf_a,
                      fax_state_t *b, int id_b, int *stop_b, int16_t *buf_b,
                      int frame, int max_frames);
int faxline_t38_send_timeout(int id, t38_terminal_state_t *s, int samples);
int faxline_t38_rx(int id, t38_core_state_t *s, const uint8_t *buf, int len, int seq_no);
void faxline_route_tiff_messages(void);
void faxline_g711_encode(int ulaw, uint8_t *out, const int16_t *amp, int len);
void faxline_g711_decode(int ulaw, int16_t *amp, const uint8_t *in, int len);

extern "Python" int _on_phase_b(t30_state_t *, void *, int);
extern "Python" int _on_phase_d(t30_state_t *, void *, int);
extern "Python" void _on_phase_e(t30_state_t *, void *, int);
extern "Python" int _on_t38_tx(t38_core_state_t *, void *, const uint8_t *, int, int);
extern "Python" void _on_log(int, int, const char *);
extern "Python" void _on_tiff(int, int, const char *, const char *);
"""

SOURCE = r"""
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <tiffio.h>
#include <spandsp.h>
#include <spandsp/version.h>

static void _on_tiff(int, int, const char *, const char *);
static void _on_log(int, int, const char *);

/* spandsp 0.0.6's log handler (and libtiff's) carries no user data: the session calling into
   spandsp on this thread is recorded here first, and its messages are filed under it. */
static __thread int faxline_current;

/* While faxline_audio_run runs, the samples it has moved so far (the current frame counted):
   a callback adds them to its session's clock. 0 outside the loop. */
static __thread int faxline_loop_position;

static void faxline_set_current(int id)
{
    faxline_current = id;
}

static int faxline_loop_samples(void)
{
    return faxline_loop_position;
}

static int faxline_fax_tx(int id, fax_state_t *s, int16_t *amp, int len)
{
    int n;

    faxline_current = id;
    n = fax_tx(s, amp, len);
    if (n < len)
        memset(amp + n, 0, (len - n)*sizeof(int16_t));
    return n;
}

/* fax_rx restores the DC level of the samples it is given in place: they are copied first,
   since they come from Python bytes (immutable, maybe shared: a silence frame) and the caller
   may hand the same frame to a listener afterwards. */
#define FAXLINE_RX_CHUNK 320

static int faxline_fax_rx(int id, fax_state_t *s, const int16_t *amp, int len)
{
    int16_t copy[FAXLINE_RX_CHUNK];
    int n;

    faxline_current = id;
    while (len > 0)
    {
        n = (len > FAXLINE_RX_CHUNK)  ?  FAXLINE_RX_CHUNK  :  len;
        memcpy(copy, amp, n*sizeof(int16_t));
        fax_rx(s, copy, n);
        amp += n;
        len -= n;
    }
    return 0;
}

/* Two audio sessions back to back, frame by frame, until max_frames have passed or a
   callback asked to stop (a phase event, the end of the call). Returns the frames run. */
static int faxline_audio_run(fax_state_t *a, int id_a, int *stop_a, int16_t *buf_a,
                             fax_state_t *b, int id_b, int *stop_b, int16_t *buf_b,
                             int frame, int max_frames)
{
    int i;

    for (i = 0;  i < max_frames;  )
    {
        faxline_loop_position = (i + 1)*frame;
        faxline_fax_tx(id_a, a, buf_a, frame);
        faxline_fax_tx(id_b, b, buf_b, frame);
        faxline_fax_rx(id_b, b, buf_a, frame);
        faxline_fax_rx(id_a, a, buf_b, frame);
        i++;
        if (*stop_a  ||  *stop_b)
            break;
    }
    faxline_loop_position = 0;
    return i;
}

static int faxline_t38_send_timeout(int id, t38_terminal_state_t *s, int samples)
{
    faxline_current = id;
    return t38_terminal_send_timeout(s, samples);
}

static int faxline_t38_rx(int id, t38_core_state_t *s, const uint8_t *buf, int len, int seq_no)
{
    faxline_current = id;
    return t38_core_rx_ifp_packet(s, buf, len, (uint16_t) seq_no);
}

static int faxline_spandsp_release_date(void)
{
    return SPANDSP_RELEASE_DATE;
}

/* spandsp's log handler: drops the lines T.30 writes for every ECM frame (about 4000 in a
   3-page call, which would push the negotiation out of a bounded log and cost a Python call
   each), passes the rest to Python. */
static const char *const faxline_per_frame_lines[] =
{
    "FCD without final frame tag",
    "Storing ECM frame",
    "Send complete in phase T30_PHASE_C_ECM_TX",
    "Stop none (",
    "Type FCD - CRC OK",
    ":  ff 03 06 ",
    ":  ff 03 86 ",
    NULL
};

static void faxline_log(int level, const char *text)
{
    int i;

    if (level >= SPAN_LOG_FLOW)
    {
        for (i = 0;  faxline_per_frame_lines[i];  i++)
        {
            if (strstr(text, faxline_per_frame_lines[i]))
                return;
        }
    }
    _on_log(faxline_current, level, text);
}

/* Add white Gaussian noise to audio in place, saturating (a noisy line). */
static void faxline_add_awgn(awgn_state_t *s, int16_t *amp, int len)
{
    int i;
    int v;

    for (i = 0;  i < len;  i++)
    {
        v = amp[i] + awgn(s);
        amp[i] = (int16_t) ((v > 32767) ? 32767 : ((v < -32768) ? -32768 : v));
    }
}

/* libtiff prints to stderr by default: hand its messages, formatted, to Python instead,
   which files them in the log of the session calling into spandsp on this thread. */
static void faxline_tiff_error(const char *module, const char *fmt, va_list ap)
{
    char text[512];
    vsnprintf(text, sizeof(text), fmt, ap);
    _on_tiff(faxline_current, 1, module ? module : "", text);
}

static void faxline_tiff_warning(const char *module, const char *fmt, va_list ap)
{
    char text[512];
    vsnprintf(text, sizeof(text), fmt, ap);
    _on_tiff(faxline_current, 0, module ? module : "", text);
}

static void faxline_route_tiff_messages(void)
{
    TIFFSetErrorHandler(faxline_tiff_error);
    TIFFSetWarningHandler(faxline_tiff_warning);
}

/* G.711 for RTP, with spandsp's inline converters: one call per 20 ms frame, no state (the
   g711_state_t of g711_encode would only pick the law). ulaw: 1 for mu-law, 0 for A-law. */
static void faxline_g711_encode(int ulaw, uint8_t *out, const int16_t *amp, int len)
{
    int i;

    if (ulaw)
    {
        for (i = 0;  i < len;  i++)
            out[i] = linear_to_ulaw(amp[i]);
    }
    else
    {
        for (i = 0;  i < len;  i++)
            out[i] = linear_to_alaw(amp[i]);
    }
}

static void faxline_g711_decode(int ulaw, int16_t *amp, const uint8_t *in, int len)
{
    int i;

    if (ulaw)
    {
        for (i = 0;  i < len;  i++)
            amp[i] = ulaw_to_linear(in[i]);
    }
    else
    {
        for (i = 0;  i < len;  i++)
            amp[i] = alaw_to_linear(in[i]);
    }
}
"""


def include_dirs() -> list[str]:
    """Where ``spandsp.h`` may be: Debian puts it under the multiarch include directory."""
    dirs = []
    multiarch = sysconfig.get_config_var("MULTIARCH")
    if multiarch:
        dirs.append(f"/usr/include/{multiarch}")
    dirs.append("/usr/local/include")
    return [d for d in dirs if Path(d, "spandsp.h").is_file()]


def make_ffibuilder():  # type: ignore[no-untyped-def]
    """The cffi builder for the extension (API mode, out of line)."""
    from cffi import FFI

    builder = FFI()
    builder.cdef(CDEF)
    builder.set_source(
        MODULE,
        SOURCE,
        libraries=["spandsp", "tiff"],
        include_dirs=include_dirs(),
        extra_compile_args=["-O2", "-Wno-unused-function"],
    )
    return builder


def extension_path() -> Path:
    """The path the built extension has in the package directory."""
    return PACKAGE_DIR / ("_spandsp" + sysconfig.get_config_var("EXT_SUFFIX"))


def build(target_dir: Path = PACKAGE_DIR, *, quiet: bool = True) -> Path:
    """Compile the extension in a temporary directory and move it into ``target_dir``."""
    builder = make_ffibuilder()
    target_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="faxline-spandsp-") as tmp:
        built = Path(builder.compile(tmpdir=tmp, verbose=not quiet))
        final = target_dir / built.name
        # Move next to the target first (same filesystem), then rename over atomically.
        staging = target_dir / f".{built.name}.{os.getpid()}.tmp"
        staging.write_bytes(built.read_bytes())
        os.chmod(staging, 0o755)  # noqa: S103 (a shared library, like any built extension)
        os.replace(staging, final)
    return final


def is_stale() -> bool:
    """True when the extension is missing or older than this build script."""
    ext = extension_path()
    try:
        return ext.stat().st_mtime < Path(__file__).stat().st_mtime
    except FileNotFoundError:
        return True


def main(argv: list[str] | None = None) -> int:
    """``python -m faxline.telephony.spandsp.build [--if-stale]``."""
    args = sys.argv[1:] if argv is None else argv
    if "--if-stale" in args and not is_stale():
        return 0
    path = build(quiet="--verbose" not in args)
    print(f"built {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
