"""The worker side of the document sandbox: where hostile bytes are decoded.

Three kinds of process, all started from :mod:`faxline.documents.sandbox` (the parent side,
which explains the design):

- the **zygote**, one per parent process, started once with ``python -c``: it imports the
  decoders (Pillow, pypdf and the jobs' modules) and then only waits on its control socket.
  Each request carries two sockets (``SCM_RIGHTS``); for each, it forks a warden and goes
  back to waiting. It never decodes anything itself, holds no database connection and no
  thread, so forking it is cheap and safe. It exits when the parent closes the socket.
- the **warden**, one per document: forks the worker, reports the worker's process id,
  kills it when its wall-clock time is up, waits for it and reports how it ended (exit
  code or signal, CPU seconds, peak memory) on the status socket.
- the **worker**, one per document: sets its hard limits (``RLIMIT_CPU``, ``RLIMIT_AS``,
  no core file, no file writes), reads the job, runs it and writes the result on the job
  socket, then exits. A fresh process per document: nothing one document does can affect
  the next.

Nothing here imports Django: a job is a function of bytes and plain parameters
(:data:`JOBS`). Messages are length-prefixed frames; the result is JSON and raw bytes,
never a pickle, so that a worker a hostile file subverted cannot run code in the parent.
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import json
import logging
import os
import resource
import signal
import socket
import struct
import sys
import traceback
from collections.abc import Callable
from typing import Any

# Jobs the sandbox runs: name -> "module:function". A job takes the document's bytes and
# plain parameters and returns (meta, payload): a JSON-able dict and bytes. It refuses a
# document by raising faxline.core.errors.ValidationFailed (its code and message reach the
# caller); any other exception is a defect, reported as "failed". ``fax.convert`` is the
# fax engine's conversion to TIFF-F (Office documents reach it as PDF from LibreOffice,
# faxline.documents.office, which runs as its own process with its own time limit).
JOBS: dict[str, str] = {
    "intake.inspect": "faxline.documents.intake:inspect_job",
    "images.ink": "faxline.documents.images:ink_job",
    # Cover page templates (faxline.documents.coverpage).
    "coverpage.inspect": "faxline.documents.coverpage:inspect_job",
    "coverpage.fill": "faxline.documents.coverpage:fill_job",
    "coverpage.preview": "faxline.documents.coverpage:preview_job",
    # Received faxes and the pages of receipts (faxline.documents.received).
    "received.files": "faxline.documents.received:files_job",
    "received.thumbnail": "faxline.documents.received:thumbnail_job",
    "fax.convert": "faxline.documents.faximage:convert_job",
    "fax.identify": "faxline.documents.faximage:identify_job",
    # The words of a PDF's text layer, read for the facts of bills and CSRs
    # (faxline.documents.reading).
    "read.words": "faxline.documents.reading.words:words_job",
    # One page without a text layer (a scan, a photo, a faxed page) read by tesseract.
    "read.ocr": "faxline.documents.reading.ocr:ocr_job",
    # The boxes where facts were read on such a page, read again to confirm them.
    "read.verify": "faxline.documents.reading.verify:verify_job",
    # Small images of where on a page each fact was read, for the person confirming them.
    "read.snippets": "faxline.documents.reading.snippets:snippets_job",
    # The sandbox's own checks (faxline.documents.selftest).
    "selftest.echo": "faxline.documents.selftest:echo_job",
    "selftest.spin": "faxline.documents.selftest:spin_job",
    "selftest.allocate": "faxline.documents.selftest:allocate_job",
    "selftest.sleep": "faxline.documents.selftest:sleep_job",
    "selftest.crash": "faxline.documents.selftest:crash_job",
    "selftest.fail": "faxline.documents.selftest:fail_job",
}
# Imported by the zygote before it forks, so that no worker pays for the imports.
PRELOAD = (
    "faxline.core.errors",
    "faxline.documents.intake",
    "faxline.documents.images",
    "faxline.documents.received",
    "faxline.documents.faximage",
    "faxline.documents.reading.words",
    "faxline.documents.reading.ocr",
    "faxline.documents.reading.verify",
    "faxline.documents.reading.snippets",
    "PIL.Image",
    "PIL.ImageChops",
    "PIL.GifImagePlugin",
    "PIL.ImageOps",
    "PIL.TiffImagePlugin",
    "PIL.PngImagePlugin",
    "PIL.JpegImagePlugin",
    "PIL.PdfImagePlugin",
    "pypdf",
    "pypdfium2",
    "reportlab.pdfgen.canvas",
)

FRAME_HEADER = struct.Struct(">Q")
MAX_HEADER_BYTES = 1024 * 1024
# Exit codes of a worker that could not report in the ordinary way.
EXIT_MEMORY = 71
EXIT_FAILED = 70


class ProtocolError(Exception):
    """A frame that is cut short or larger than allowed."""


def send_frame(sock: socket.socket, data: bytes) -> None:
    """Send one length-prefixed frame."""
    sock.sendall(FRAME_HEADER.pack(len(data)))
    if data:
        sock.sendall(data)


def recv_exact(sock: socket.socket, size: int) -> bytes:
    """Read exactly ``size`` bytes (ProtocolError when the peer closes first)."""
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(min(size - len(chunks), 1024 * 1024))
        if not chunk:
            raise ProtocolError("the connection closed before the frame ended")
        chunks += chunk
    return bytes(chunks)


def recv_frame(sock: socket.socket, *, limit: int) -> bytes:
    """Read one frame of at most ``limit`` bytes."""
    (size,) = FRAME_HEADER.unpack(recv_exact(sock, FRAME_HEADER.size))
    if size > limit:
        raise ProtocolError(f"a frame of {size} bytes is larger than {limit}")
    return recv_exact(sock, size)


def send_json(sock: socket.socket, value: dict[str, Any]) -> None:
    send_frame(sock, json.dumps(value).encode())


def recv_json(sock: socket.socket) -> dict[str, Any]:
    value = json.loads(recv_frame(sock, limit=MAX_HEADER_BYTES))
    if not isinstance(value, dict):
        raise ProtocolError("expected a JSON object")
    return value


def resolve(name: str) -> Callable[[bytes, dict[str, Any]], tuple[dict[str, Any], bytes]]:
    """The function of a registered job."""
    module_name, _, function = JOBS[name].partition(":")
    job: Callable[[bytes, dict[str, Any]], tuple[dict[str, Any], bytes]] = getattr(
        importlib.import_module(module_name), function
    )
    return job


# --- the zygote -----------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    """The zygote: ``python -c 'from faxline.documents.worker import main; main()' FD``."""
    args = sys.argv[1:] if argv is None else argv
    # A worker may write no file (RLIMIT_FSIZE 0, SIGXFSZ kills): a module it imports for
    # the first time must not try to cache its bytecode.
    sys.dont_write_bytecode = True
    control = socket.socket(fileno=int(args[0]))
    for module in PRELOAD:
        importlib.import_module(module)
    from PIL import Image

    Image.init()  # registers every plugin now rather than in each worker
    _warm_up()
    # Objects the zygote holds are never collected in a worker: a collection would touch
    # (and so copy) every page the fork shares.
    gc.collect()
    gc.freeze()
    # Wardens are reaped by the kernel: the zygote never waits for them.
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    # Ctrl-C on a terminal reaches the parent, which closes the control socket.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    control.sendall(b"R")
    while True:
        try:
            message, fds, _flags, _address = socket.recv_fds(control, 1, 2)
        except InterruptedError:
            continue
        except OSError:
            break
        if not message:
            break  # the parent is gone
        if len(fds) != 2:
            for fd in fds:
                os.close(fd)
            continue
        try:
            pid = os.fork()
        except OSError:
            # Out of processes: closing the sockets tells the parent at once.
            for fd in fds:
                os.close(fd)
            continue
        if pid == 0:
            code = EXIT_FAILED
            try:
                control.close()
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                code = _warden(job_fd=fds[0], status_fd=fds[1])
            finally:
                os._exit(code)
        for fd in fds:
            os.close(fd)


def _warm_up() -> None:
    """Run each decoder once on a tiny sample, so that what they do on first use (lazy
    imports, compiled patterns, tables) is done here once rather than in every worker."""
    import io

    from PIL import Image

    from faxline.documents.intake import _inspect
    from faxline.documents.limits import Budget

    samples = []
    for kind, fmt, mode in (("png", "PNG", "RGB"), ("jpeg", "JPEG", "L"), ("tiff", "TIFF", "1")):
        out = io.BytesIO()
        Image.new(mode, (8, 8)).save(out, fmt)
        samples.append((kind, out.getvalue()))
    try:
        pdf = _inspect(samples[0][1], "png", label="", as_pdf=True, budget=Budget())[1]
        samples.append(("pdf", pdf or b""))
        for kind, data in samples:
            _inspect(data, kind, label="", as_pdf=True, budget=Budget())
        # The fax conversion: pdfium's fonts and Pillow's G4 encoder.
        from faxline.documents.faximage import convert_job

        convert_job(pdf or b"", {"kind": "pdf"})
        convert_job(b"warm", {"kind": "text"})
    except Exception:  # a warm-up only: the workers will meet the problem and report it
        traceback.print_exc(file=sys.stderr)


# --- the warden -----------------------------------------------------------------------

_timed_out = False


def _warden(*, job_fd: int, status_fd: int) -> int:
    """Run one worker; report its pid, then how it ended. Returns the warden's exit code."""
    global _timed_out
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    status = socket.socket(fileno=status_fd)
    try:
        order = recv_json(status)
        wall = float(order["wall_seconds"])
    except (OSError, ProtocolError, ValueError, KeyError, TypeError):
        return EXIT_FAILED
    pid = os.fork()
    if pid == 0:
        code = EXIT_FAILED
        try:
            status.close()
            code = _work(job_fd)
        finally:
            os._exit(code)
    os.close(job_fd)

    def overrun(_signum: int, _frame: Any) -> None:
        global _timed_out
        _timed_out = True
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)

    signal.signal(signal.SIGALRM, overrun)
    signal.setitimer(signal.ITIMER_REAL, max(wall, 0.05))
    try:
        send_json(status, {"pid": pid})
    except OSError:
        os.kill(pid, signal.SIGKILL)  # the parent gave up: nobody wants the result
    _pid, code, usage = os.wait4(pid, 0)
    signal.setitimer(signal.ITIMER_REAL, 0)
    report = {
        "exit": os.WEXITSTATUS(code) if os.WIFEXITED(code) else None,
        "signal": os.WTERMSIG(code) if os.WIFSIGNALED(code) else None,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "max_rss_bytes": usage.ru_maxrss * 1024,
        "timed_out": _timed_out,
    }
    with contextlib.suppress(OSError):
        send_json(status, report)
    return 0


# --- the worker -----------------------------------------------------------------------


def apply_limits(limits: dict[str, Any]) -> None:
    """The worker's hard limits: CPU seconds (SIGXCPU, then SIGKILL a second later),
    address space, no core file, no bytes written to files (unless the job needs some)."""
    cpu = max(1, int(limits["cpu_seconds"]))
    memory = int(limits["memory_bytes"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    file_bytes = int(limits.get("file_bytes", 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (file_bytes, file_bytes))
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)
    signal.signal(signal.SIGXFSZ, signal.SIG_DFL)


def _work(job_fd: int) -> int:
    """Read the job, run it within the limits, write the result. Returns the exit code."""
    sock = socket.socket(fileno=job_fd)
    # Nothing a decoder prints reaches the service's log files (and the worker may write
    # to no file at all): a defect's traceback travels back in the result instead.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    os.close(devnull)
    logging.disable(logging.CRITICAL)
    try:
        header = recv_json(sock)
        apply_limits(header["limits"])
        data = recv_frame(sock, limit=int(header["size"]))
    except (OSError, ProtocolError, ValueError, KeyError, TypeError):
        return EXIT_FAILED
    try:
        result, payload = _run(str(header["job"]), data, dict(header.get("params") or {}))
        del data
        send_json(sock, result)
        send_frame(sock, payload)
    except MemoryError:
        return EXIT_MEMORY
    except OSError:
        return EXIT_FAILED
    return 0


def _run(job: str, data: bytes, params: dict[str, Any]) -> tuple[dict[str, Any], bytes]:
    """Run a job; a refusal or a failure is a result too."""
    from faxline.core.errors import DomainError

    try:
        meta, payload = resolve(job)(data, params)
    except DomainError as exc:
        return {"outcome": "refused", "code": exc.code, "message": exc.message}, b""
    except MemoryError:
        return {"outcome": "memory"}, b""
    except Exception as exc:  # a defect in the job: the parent logs it
        return {
            "outcome": "failed",
            "error": type(exc).__name__,
            "traceback": traceback.format_exc()[-4000:],
        }, b""
    return {"outcome": "done", "meta": meta}, payload
