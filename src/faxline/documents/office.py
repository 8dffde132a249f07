"""Office documents to PDF through one warm LibreOffice per process.

Word, Excel, PowerPoint, Visio and RTF documents become PDF here, then TIFF-F like any PDF
(:mod:`faxline.documents.faximage`). LibreOffice starts cold in 3 to 4 seconds, so a burst of
Office attachments must not start one per document: each process keeps **one warm
instance**, a headless ``soffice`` with a UNO listener driven by a small bridge
(:mod:`faxline.documents.office_bridge`, run by the interpreter that has LibreOffice's
Python binding, ``/usr/bin/python3`` with Debian's ``python3-uno``). It starts on first
use with a profile that survives restarts (a pre-initialised profile starts faster);
conversions are one at a time per instance (callers queue on a lock); a conversion that
overruns its time is killed with the whole instance (its process group), and the next one
starts another. The measured figures and the alternatives are in
``docs/decisions/0023-conversion-to-tiff-f.md``.

When the binding is missing (a machine without ``python3-uno``), each document falls back
to a cold ``soffice --convert-to pdf`` with the same profile and time limit: slower, same
result.

Documents are opened hidden, read-only, with macros never run and links never updated.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import secrets
import select
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)

BRIDGE = Path(__file__).with_name("office_bridge.py")
START_SECONDS = 60.0
EXTENSIONS = {
    "rtf": ".rtf",
    "doc": ".doc",
    "docx": ".docx",
    "xls": ".xls",
    "xlsx": ".xlsx",
    "ppt": ".ppt",
    "pptx": ".pptx",
    "vsd": ".vsd",
    "vsdx": ".vsdx",
    "text": ".txt",
}
MAX_PDF_BYTES = 512 * 1024 * 1024


class OfficeFailed(Exception):
    """LibreOffice could not open or convert the document."""


class OfficeTimeout(Exception):
    """The conversion overran its time; the instance was killed."""


class OfficeUnavailable(Exception):
    """LibreOffice is not installed here."""


def _python() -> str:
    from django.conf import settings

    default = "/usr/bin/python3"
    if settings.configured:
        return str(getattr(settings, "FAXLINE_OFFICE_PYTHON", default))
    return default


def _soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


class _Instance:
    """This process's warm LibreOffice (bridge and soffice), started on first use."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.owner = 0
        self.root = Path(tempfile.mkdtemp(prefix="faxline-office-"))
        self.creator = os.getpid()
        self.profile = self.root / "profile"
        self.warm = True  # False: no UNO binding here, cold conversions

    def _start(self) -> None:
        soffice = _soffice()
        if soffice is None:
            raise OfficeUnavailable
        pipe = f"faxline_{os.getpid()}_{secrets.token_hex(4)}"
        try:
            process = subprocess.Popen(  # noqa: S603 (our bridge, the configured python)
                [_python(), str(BRIDGE), soffice, str(self.profile), pipe],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                start_new_session=True,
                env={**os.environ, "SAL_USE_VCLPLUGIN": "svp", "HOME": str(self.root)},
            )
        except OSError:
            self.warm = False
            return
        assert process.stdout is not None
        ready = _read_line(process.stdout, START_SECONDS)
        if ready != b"R\n":
            _kill_group(process)
            log.warning("The warm LibreOffice did not start; converting documents cold")
            self.warm = False
            return
        self.process, self.owner = process, os.getpid()

    def stop(self) -> None:
        with self.lock:
            self._stop()

    def close(self) -> None:
        """Stop the instance and remove its folder (profile included): at exit."""
        self.stop()
        if self.creator == os.getpid():  # not a process forked from the one that made it
            shutil.rmtree(self.root, ignore_errors=True)

    def _stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and self.owner == os.getpid():
            if process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.close()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _kill_group(process)
        self.owner = 0

    def convert(
        self, source: Path, target: Path, timeout: float, filters: dict[str, str] | None = None
    ) -> None:
        with self.lock:
            if self.owner != os.getpid():
                self.process, self.owner = None, 0  # inherited across a fork: not ours
            if self.process is None or self.process.poll() is not None:
                self.process = None
                if self.warm:
                    self._start()
            if self.process is None:
                if filters:
                    raise OfficeFailed("other filters need the warm instance")
                return _cold(source, target, timeout, self.profile)
            process = self.process
            assert process.stdin is not None and process.stdout is not None
            try:
                process.stdin.write(
                    json.dumps({"in": str(source), "out": str(target), **(filters or {})}).encode()
                    + b"\n"
                )
                process.stdin.flush()
            except OSError as exc:
                self._kill()
                raise OfficeFailed("the LibreOffice bridge is gone") from exc
            line = _read_line(process.stdout, timeout)
            if line is None:
                log.warning("LibreOffice overran %.0f s on a document: restarting it", timeout)
                self._kill()
                raise OfficeTimeout
            try:
                answer = json.loads(line)
            except ValueError as exc:
                self._kill()
                raise OfficeFailed("the LibreOffice bridge stopped") from exc
            if not answer.get("ok"):
                raise OfficeFailed(str(answer.get("error") or "conversion failed"))
            return None

    def _kill(self) -> None:
        if self.process is not None:
            _kill_group(self.process)
        self.process, self.owner = None, 0

    @property
    def pid(self) -> int | None:
        process = self.process
        return process.pid if process is not None and self.owner == os.getpid() else None


def _read_line(stream: object, timeout: float) -> bytes | None:
    """One line from a pipe within ``timeout`` seconds (None: nothing in time)."""
    fd = stream.fileno()  # type: ignore[attr-defined]
    deadline = time.monotonic() + timeout
    chunks = b""
    while not chunks.endswith(b"\n"):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], remaining)
        if not ready:
            return None
        chunk = os.read(fd, 65536)
        if not chunk:
            return chunks or None
        chunks += chunk
    return chunks


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=10)


def _cold(source: Path, target: Path, timeout: float, profile: Path) -> None:
    """One cold ``soffice --convert-to pdf`` (no UNO binding here)."""
    soffice = _soffice()
    if soffice is None:
        raise OfficeUnavailable
    outdir = target.parent / "cold"
    outdir.mkdir(exist_ok=True)
    try:
        process = subprocess.Popen(  # noqa: S603 (the installed soffice)
            [
                soffice,
                "--headless",
                "--norestore",
                "--nolockcheck",
                f"-env:UserInstallation=file://{profile}",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                str(source),
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"},
        )
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        _kill_group(process)
        raise OfficeTimeout from exc
    produced = outdir / (source.stem + ".pdf")
    if not produced.exists():
        raise OfficeFailed("LibreOffice produced no PDF")
    produced.replace(target)


_instance: _Instance | None = None
_instance_lock = threading.Lock()


def _get() -> _Instance:
    global _instance
    with _instance_lock:
        if _instance is None:
            _instance = _Instance()
            atexit.register(_instance.close)
        return _instance


def to_pdf(data: bytes, kind: str, *, timeout: float = 60.0) -> bytes:
    """An Office document (``kind``: ``doc``, ``docx``, ``xls``, ``xlsx``, ``ppt``,
    ``pptx``, ``vsd``, ``vsdx``, ``rtf`` or ``text``) as PDF, converted by this process's
    warm LibreOffice within ``timeout`` seconds (:class:`OfficeTimeout` after: the instance
    is killed and restarted on next use); :class:`OfficeFailed` when it cannot be
    converted."""
    instance = _get()
    work = Path(tempfile.mkdtemp(prefix="doc-", dir=instance.root))
    try:
        source = work / f"attachment{EXTENSIONS.get(kind, '')}"
        target = work / "attachment.pdf"
        source.write_bytes(data)
        instance.convert(source, target, timeout)
        if not target.exists():
            raise OfficeFailed("LibreOffice produced no PDF")
        if target.stat().st_size > MAX_PDF_BYTES:
            raise OfficeFailed("the PDF is too large")
        return target.read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def export(
    data: bytes, suffix: str, target_suffix: str, filter_name: str, *, infilter: str = ""
) -> bytes:
    """A document saved by the warm LibreOffice with another of its filters (for tests
    and tools: making a DOCX, XLS or PPT from text, a CSV or a PDF)."""
    instance = _get()
    work = Path(tempfile.mkdtemp(prefix="doc-", dir=instance.root))
    try:
        source, target = work / f"source{suffix}", work / f"result{target_suffix}"
        source.write_bytes(data)
        filters = {"filter": filter_name, **({"infilter": infilter} if infilter else {})}
        instance.convert(source, target, 120.0, filters)
        return target.read_bytes()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def office_pid() -> int | None:
    """The warm instance's bridge process id, if it runs (tests and diagnostics)."""
    return _instance.pid if _instance is not None else None


def stop_office() -> None:
    """Stop this process's warm LibreOffice (the next document starts another)."""
    if _instance is not None:
        _instance.stop()
