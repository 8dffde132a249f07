#!/usr/bin/env bash
# Check (and on Debian, install) the system packages faxline needs beyond Python:
#   - Chromium, for the browser tests (Playwright drives /usr/bin/chromium);
#   - libspandsp headers, for the T.30 software modem binding (cffi, compiled at build time);
#   - LibreOffice without a GUI, to convert Office attachments (DOC/DOCX, XLS/XLSX, PPT/PPTX),
#     and its Python binding (python3-uno, for /usr/bin/python3), which keeps one warm
#     instance per process instead of a cold start per document (docs/decisions/0023);
#   - a C compiler and libtiff headers, for the spandsp binding and the TIFF-F codec;
#   - Ghostscript, the competitor of the conversion benchmark (bench/conversion.py);
#   - poppler-utils and tesseract (English), to read back what a fax carried (tests, OCR);
#   - libgxps-utils (xpstopng), to read back the XPS files received faxes are delivered as
#     (tests only);
#   - kamailio (a SIP proxy, with its rtpengine module), rtpengine-daemon (an RTP/UDPTL media
#     relay with a T.38 <-> G.711 gateway) and sip-tester (SIPp): the real SIP and media
#     servers the SIP trunk transport is proven against on loopback (tests, and the local
#     carrier of the README's "A SIP trunk on this machine").
# Fast when everything is present: no apt-get at all then.
set -euo pipefail

missing=()
have() { command -v "$1" >/dev/null 2>&1; }

have_spandsp_headers() {
    # Debian puts spandsp.h under the multiarch include directory.
    local header
    for header in /usr/include/spandsp.h /usr/include/*/spandsp.h /usr/local/include/spandsp.h; do
        [ -f "$header" ] && return 0
    done
    return 1
}

[ -x /usr/bin/chromium ] || missing+=(chromium)
have_spandsp_headers || missing+=(libspandsp-dev)
if ! have soffice && ! have libreoffice; then
    # The -nogui variants pull in no X11/GTK stack; together they cover Word, Excel and
    # PowerPoint documents. Fonts metric-compatible with the usual Office ones keep
    # page layout (and so page counts) close to what the sender saw.
    missing+=(libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui
        fonts-liberation fonts-dejavu-core)
fi
/usr/bin/python3 -c 'import uno' >/dev/null 2>&1 || missing+=(python3-uno)
have cc || missing+=(gcc)
[ -f /usr/include/x86_64-linux-gnu/tiffio.h ] || [ -f /usr/include/tiffio.h ] || missing+=(libtiff-dev)
have gs || missing+=(ghostscript)
have pdftotext || missing+=(poppler-utils)
have tesseract || missing+=(tesseract-ocr tesseract-ocr-eng)
have xpstopng || missing+=(libgxps-utils)
[ -x /usr/sbin/kamailio ] || missing+=(kamailio)
[ -x /usr/bin/rtpengine ] || missing+=(rtpengine-daemon)
have sipp || missing+=(sip-tester)

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

install_cmd=(apt-get install -y --no-install-recommends "${missing[@]}")
echo "faxline: missing system packages: ${missing[*]}" >&2

if have apt-get; then
    sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if have sudo && sudo -n true 2>/dev/null; then
            sudo=(sudo -n)
        elif have sudo && [ -t 0 ]; then
            sudo=(sudo)
        else
            echo "faxline: run as root:" >&2
            echo "    apt-get update && ${install_cmd[*]}" >&2
            exit 1
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" "${install_cmd[@]}"
    exit 0
fi

echo "faxline: no apt-get here; install the equivalents of: ${missing[*]}" >&2
echo "    (on Debian 12: apt-get update && ${install_cmd[*]})" >&2
exit 1
