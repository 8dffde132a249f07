"""The document sandbox: decoding and converting hostile bytes in a limited process.

Every check or conversion that decodes a document the platform did not write (a PDF parse,
an image decode, an image to PDF, any attachment to TIFF-F) runs through
:func:`run_job`, never in the calling process. The call

- refuses to run inside a database transaction (:func:`require_outside_transaction`): a
  write lock must never wait on a decoder;
- takes one of a few slots (``FAXLINE_INTAKE_CONCURRENCY`` per process), so that a burst
  of uploads cannot start more decoders than the machine has room for;
- hands the job to a fresh worker process with hard limits (CPU seconds, address space,
  wall-clock time; see :class:`~faxline.documents.limits.WorkerLimits`), which is killed
  when it overruns;
- returns the job's result (:class:`JobResult`), or raises ``ValidationFailed`` when the
  job refused the document, :class:`JobOverrun` when the worker hit a limit or died.

The worker processes come from a **zygote** (:mod:`faxline.documents.worker`): a small
process per parent process, started on first use with the decoders already imported, which
forks one worker per document. Forking it costs a few milliseconds (measured in
``bench/intake_sandbox.py``), and every document starts from a clean process. It is
started with ``subprocess`` (fork and exec), never by forking the calling process: a web
server or task worker has threads and database connections that a fork would copy. The
same code therefore works under ``faxline serve``, ``faxline web`` (each uvicorn process
has its own zygote), the task worker and tests; nothing needs starting beforehand.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from faxline.core.errors import Unavailable, ValidationFailed
from faxline.documents import limits as limits_module
from faxline.documents import worker as protocol
from faxline.documents.limits import WorkerLimits

log = logging.getLogger(__name__)

# How long the zygote may take to import the decoders on a loaded machine.
ZYGOTE_START_SECONDS = 60.0
# Beyond the wall-clock limit, how long the parent waits for the warden's report before it
# kills the worker itself (the warden should have done so already).
GRACE_SECONDS = 5.0
# A result's JSON part; the payload is bounded by the job (``max_payload``).
MAX_RESULT_HEADER = protocol.MAX_HEADER_BYTES


@dataclass(frozen=True)
class JobCost:
    """What a job cost its worker process: CPU seconds, peak resident memory, wall time."""

    cpu_seconds: float
    max_rss_bytes: int
    wall_seconds: float


@dataclass(frozen=True)
class JobResult:
    """A job that ran to its end: its metadata, its payload (bytes) and its cost."""

    meta: dict[str, Any]
    payload: bytes = field(repr=False)
    cost: JobCost


class JobOverrun(Exception):
    """The worker was stopped before it answered.

    ``limit`` says why: ``cpu`` (its CPU seconds), ``memory`` (its address space), ``time``
    (its wall-clock time) or ``crashed`` (it died otherwise: a signal, a defect)."""

    def __init__(self, limit: str, cost: JobCost, detail: str = "") -> None:
        super().__init__(f"document worker stopped: {limit}" + (f" ({detail})" if detail else ""))
        self.limit = limit
        self.cost = cost
        self.detail = detail


def require_outside_transaction() -> None:
    """Refuse to decode while a database transaction is open (a programming error).

    A transaction holds locks (SQLite: the database's write lock) that every other writer
    waits on; decoding a hostile document inside one is how one upload stopped the service.
    The transactions a test case wraps around each test do not count."""
    from django.conf import settings

    if not settings.configured:
        return
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            continue
        if any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
            raise RuntimeError(
                "A document must be checked or converted before the database transaction "
                f"begins, not inside it (connection {connection.alias!r})."
            )
        if not connection.atomic_blocks and not connection.get_autocommit():
            raise RuntimeError(
                "A document must be checked or converted outside a database transaction "
                f"(connection {connection.alias!r} is not in autocommit mode)."
            )


class _Zygote:
    """The zygote of this process: started on first use, restarted when it is gone."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.control: socket.socket | None = None
        self.owner = 0

    def _start(self) -> None:
        mine, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # workers may write no file (see worker.main)
        env["PYTHONPATH"] = os.pathsep.join(
            [package_root, *(p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p)]
        )
        try:
            process = subprocess.Popen(  # noqa: S603 (our own interpreter and module)
                [
                    sys.executable,
                    "-c",
                    "from faxline.documents.worker import main; main()",
                    str(theirs.fileno()),
                ],
                pass_fds=(theirs.fileno(),),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                env=env,
                start_new_session=True,
            )
        except OSError as exc:
            mine.close()
            raise Unavailable(
                "Documents cannot be checked right now: try again in a minute.",
                code="intake_unavailable",
            ) from exc
        finally:
            theirs.close()
        mine.settimeout(ZYGOTE_START_SECONDS)
        try:
            ready = mine.recv(1)
        except OSError:
            ready = b""
        if ready != b"R":
            mine.close()
            process.kill()
            process.wait()
            log.error("The document sandbox did not start (exit code %s)", process.returncode)
            raise Unavailable(
                "Documents cannot be checked right now: try again in a minute.",
                code="intake_unavailable",
            )
        mine.settimeout(None)
        self.process, self.control, self.owner = process, mine, os.getpid()

    def _discard(self) -> None:
        if self.control is not None and self.owner == os.getpid():
            self.control.close()
            if self.process is not None:
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
        self.process, self.control, self.owner = None, None, 0

    def hand_over(self, job_fd: int, status_fd: int) -> None:
        """Give the zygote the two sockets of one job (restarting it once if it is gone)."""
        with self.lock:
            for attempt in (1, 2):
                if self.owner != os.getpid() or self.control is None:
                    # Never started, or inherited from the process this one was forked
                    # from: this process gets its own.
                    self.process, self.control, self.owner = None, None, 0
                    self._start()
                assert self.control is not None
                try:
                    socket.send_fds(self.control, [b"J"], [job_fd, status_fd])
                    return
                except OSError as exc:
                    if attempt == 2:
                        raise Unavailable(
                            "Documents cannot be checked right now: try again in a minute.",
                            code="intake_unavailable",
                        ) from exc
                    log.warning("The document sandbox's zygote was gone; starting another")
                    self._discard()

    def stop(self) -> None:
        """Stop the zygote (it exits when its control socket closes)."""
        with self.lock:
            self._discard()

    @property
    def pid(self) -> int | None:
        process = self.process
        return process.pid if process is not None and self.owner == os.getpid() else None


_zygote = _Zygote()
_slots_lock = threading.Lock()
_slots: tuple[int, threading.BoundedSemaphore] | None = None


def _slot() -> threading.BoundedSemaphore:
    global _slots
    wanted = limits_module.concurrency()
    with _slots_lock:
        if _slots is None or _slots[0] != wanted:
            _slots = (wanted, threading.BoundedSemaphore(wanted))
        return _slots[1]


def zygote_pid() -> int | None:
    """The process id of this process's zygote, if it runs (for tests and diagnostics)."""
    return _zygote.pid


def stop_zygote() -> None:
    """Stop this process's zygote; the next job starts another."""
    _zygote.stop()


def run_job(
    job: str,
    data: bytes,
    params: dict[str, Any] | None = None,
    *,
    limits: WorkerLimits | None = None,
    max_payload: int = 64 * 1024 * 1024,
    field_name: str = "file",
) -> JobResult:
    """Run a registered job (:data:`faxline.documents.worker.JOBS`) on ``data`` in a fresh
    worker process with hard limits.

    A refusal by the job is a ``ValidationFailed`` naming ``field_name``; a worker stopped
    by a limit or a crash is a :class:`JobOverrun`; no room for another worker within the
    wall-clock time is ``Unavailable`` (503)."""
    if job not in protocol.JOBS:
        raise ValueError(f"unknown document job {job!r}")
    require_outside_transaction()
    limits = limits or WorkerLimits.from_settings()
    slot = _slot()
    if not slot.acquire(timeout=limits.wall_seconds):
        raise Unavailable(
            "Too many documents are being checked right now: try again in a minute.",
            code="intake_busy",
        )
    try:
        return _run(
            job, data, params or {}, limits=limits, max_payload=max_payload, field=field_name
        )
    finally:
        slot.release()


def _run(
    job: str,
    data: bytes,
    params: dict[str, Any],
    *,
    limits: WorkerLimits,
    max_payload: int,
    field: str,
) -> JobResult:
    started = time.monotonic()
    deadline = started + limits.wall_seconds + GRACE_SECONDS
    job_mine, job_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    status_mine, status_theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    worker_pid: int | None = None
    try:
        protocol.send_json(status_mine, {"wall_seconds": limits.wall_seconds})
        try:
            _zygote.hand_over(job_theirs.fileno(), status_theirs.fileno())
        finally:
            job_theirs.close()
            status_theirs.close()
        status_mine.settimeout(_remaining(deadline))
        try:
            worker_pid = int(protocol.recv_json(status_mine)["pid"])
        except (OSError, protocol.ProtocolError, ValueError, KeyError, TypeError) as exc:
            # A zygote that forks no warden in time is stuck: the next job starts another.
            log.error("The document sandbox's zygote did not start a worker; replacing it")
            _zygote.stop()
            raise Unavailable(
                "Documents cannot be checked right now: try again in a minute.",
                code="intake_unavailable",
            ) from exc
        result, payload = _exchange(
            job_mine, job, data, params, limits=limits, deadline=deadline, max_payload=max_payload
        )
        report = _report(status_mine, deadline)
        if report is None:
            _kill(worker_pid)
    finally:
        job_mine.close()
        status_mine.close()
    cost = JobCost(
        cpu_seconds=float(report.get("cpu_seconds") or 0.0) if report else 0.0,
        max_rss_bytes=int(report.get("max_rss_bytes") or 0) if report else 0,
        wall_seconds=time.monotonic() - started,
    )
    if result is not None:
        outcome = result.get("outcome")
        if outcome == "done" and isinstance(result.get("meta"), dict):
            return JobResult(meta=result["meta"], payload=payload, cost=cost)
        if outcome == "refused":
            raise ValidationFailed(
                str(result.get("message") or "The document was refused."),
                code=str(result.get("code") or "document_unreadable"),
                field=field,
            )
        if outcome == "memory":
            raise _overrun(job, "memory", cost)
        if outcome == "failed":
            log.error(
                "Document job %s failed with %s:\n%s",
                job,
                result.get("error"),
                str(result.get("traceback") or "")[-4000:],
            )
        raise _overrun(job, "crashed", cost, str(result.get("error") or outcome))
    raise _overrun(job, _why(report, limits), cost, json.dumps(report) if report else "")


def _exchange(
    sock: socket.socket,
    job: str,
    data: bytes,
    params: dict[str, Any],
    *,
    limits: WorkerLimits,
    deadline: float,
    max_payload: int,
) -> tuple[dict[str, Any] | None, bytes]:
    """Send the job, read the result; (None, b"") when the worker stopped before answering."""
    header = {
        "job": job,
        "params": params,
        "size": len(data),
        "limits": {
            "cpu_seconds": limits.cpu_seconds,
            "memory_bytes": limits.memory_bytes,
            "file_bytes": limits.file_bytes,
        },
    }
    try:
        sock.settimeout(_remaining(deadline))
        protocol.send_json(sock, header)
        protocol.send_frame(sock, data)
        sock.settimeout(_remaining(deadline))
        result = protocol.recv_json(sock)
        payload = protocol.recv_frame(sock, limit=max_payload)
    except (OSError, protocol.ProtocolError, ValueError):
        return None, b""
    return result, payload


def _report(sock: socket.socket, deadline: float) -> dict[str, Any] | None:
    """The warden's report on how the worker ended (None: no report in time)."""
    try:
        sock.settimeout(_remaining(deadline))
        return protocol.recv_json(sock)
    except (OSError, protocol.ProtocolError, ValueError):
        return None


def _why(report: dict[str, Any] | None, limits: WorkerLimits) -> str:
    """Which limit stopped a worker that did not answer."""
    if report is None or report.get("timed_out"):
        return "time"
    signum = report.get("signal")
    cpu = float(report.get("cpu_seconds") or 0.0)
    if signum == signal.SIGXCPU or (signum == signal.SIGKILL and cpu >= limits.cpu_seconds):
        return "cpu"
    if report.get("exit") == protocol.EXIT_MEMORY:
        return "memory"
    return "crashed"


def _overrun(job: str, limit: str, cost: JobCost, detail: str = "") -> JobOverrun:
    log.warning(
        "Document job %s stopped (%s): %.1f CPU s, %.0f MB, %.1f s%s",
        job,
        limit,
        cost.cpu_seconds,
        cost.max_rss_bytes / 1e6,
        cost.wall_seconds,
        f"; {detail}" if detail else "",
    )
    return JobOverrun(limit, cost, detail)


def _kill(pid: int | None) -> None:
    """Kill a worker whose warden did not report in time (the backstop)."""
    if pid is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, signal.SIGKILL)


def _remaining(deadline: float) -> float:
    return max(0.01, deadline - time.monotonic())
