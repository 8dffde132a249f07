"""The lab carrier's processes: kamailio and rtpengine on loopback, started and stopped by code.

:class:`SipLab` writes kamailio.cfg into a temporary directory, starts both servers as child
processes in the foreground (each in its own process group, so that stopping it ends every
process it forked), waits until rtpengine answers an NG ``ping`` and kamailio a SIP OPTIONS,
and stops them on exit (SIGTERM, then SIGKILL after a grace period), also when the body of
the ``with`` raised. It runs as whoever starts it: root (CI) and an ordinary user alike, since
nothing needs a privileged port, the kernel module or a file outside its directory.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Self

from faxline.telephony.lab.endpoints import Endpoint
from faxline.telephony.lab.kamailio import KamailioSettings, render_kamailio_cfg
from faxline.telephony.lab.ng import NgError, ng_request
from faxline.telephony.lab.probe import sip_options_ping

KAMAILIO = "/usr/sbin/kamailio"
RTPENGINE = "/usr/bin/rtpengine"
DEFAULT_REALM = "lab.faxline.test"


class LabError(RuntimeError):
    """The lab could not start (a binary missing, a server exited or never became ready)."""


def free_port(host: str = "127.0.0.1", *, tcp_too: bool = False) -> int:
    """A port the OS says is free for UDP (and TCP too when asked) right now."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind((host, 0))
            port = int(udp.getsockname()[1])
            if not tcp_too:
                return port
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind((host, port))
                except OSError:
                    continue
                return port
    raise LabError("no free port found")


def _rtp_range(host: str, size: int) -> tuple[int, int]:
    """A range of ``size`` ports for rtpengine's media, most of it free now (rtpengine skips
    ports it cannot bind, so a port taken later only narrows the range)."""
    for _ in range(50):
        start = random.randrange(20000, 60000 - size) & ~1  # noqa: S311 (not a secret)
        probes = (start, start + size // 2, start + size - 2)
        with contextlib.ExitStack() as stack:
            try:
                for port in probes:
                    sock = stack.enter_context(socket.socket(socket.AF_INET, socket.SOCK_DGRAM))
                    sock.bind((host, port))
            except OSError:
                continue
        return start, start + size - 1
    raise LabError("no free media port range found")


class SipLab:
    """kamailio (the carrier) and rtpengine (its media relay) for ``endpoints``, on loopback.

    Use as ``with SipLab([...]) as lab:`` or ``async with``. Once started:

    - ``lab.sip_host``, ``lab.sip_port`` (UDP and TCP), ``lab.trunk`` (``"host:port"``, the
      trunk address to configure), ``lab.realm`` (the digest realm);
    - ``lab.ng_port`` (rtpengine's NG control, UDP), ``lab.rtp_ports`` (its media range);
    - ``lab.workdir``, ``lab.kamailio_cfg``, ``lab.kamailio_log``, ``lab.rtpengine_log``,
      and ``lab.logs()``: the tail of both logs, for a failing test's message;
    - ``lab.rtpengine(command)``: one NG command (``lab.query_call(call_id)`` for ``query``);
    - ``lab.process_groups``: the process group ids of the two servers (each group is one
      server and every process it forked).

    ``workdir``: where to write the config and logs (default: a new temporary directory,
    removed on stop unless ``keep_workdir``; a given one is kept). ``sip_port``: the
    carrier's port (default: a free one, as tests want; a newcomer's trunk settings want the
    same port every time).
    """

    def __init__(
        self,
        endpoints: Sequence[Endpoint],
        *,
        host: str = "127.0.0.1",
        realm: str = DEFAULT_REALM,
        workdir: Path | None = None,
        keep_workdir: bool = False,
        sip_port: int | None = None,
        rtp_port_count: int = 200,
        startup_timeout: float = 10.0,
        stop_timeout: float = 3.0,
    ) -> None:
        names = [endpoint.name for endpoint in endpoints]
        if len(set(names)) != len(names):
            raise ValueError(f"endpoint names must be unique: {names}")
        self.endpoints = tuple(endpoints)
        self.sip_host = host
        self.realm = realm
        self.keep_workdir = keep_workdir or workdir is not None
        self._given_workdir = workdir
        self.rtp_port_count = rtp_port_count
        self.startup_timeout = startup_timeout
        self.stop_timeout = stop_timeout
        self._given_sip_port = sip_port
        self.sip_port = 0
        self.ng_port = 0
        self.rtp_ports = (0, 0)
        self.workdir = Path()
        self._processes: dict[str, subprocess.Popen[bytes]] = {}
        self._log_files: list[IO[bytes]] = []

    # --- addresses and logs -------------------------------------------------------------

    @property
    def trunk(self) -> str:
        """``host:port`` of the carrier, for a trunk's host and port (UDP or TCP)."""
        return f"{self.sip_host}:{self.sip_port}"

    @property
    def kamailio_cfg(self) -> Path:
        return self.workdir / "kamailio.cfg"

    @property
    def kamailio_log(self) -> Path:
        return self.workdir / "kamailio.log"

    @property
    def rtpengine_log(self) -> Path:
        return self.workdir / "rtpengine.log"

    @property
    def process_groups(self) -> dict[str, int]:
        """Server name → process group id (the pid of the server's main process)."""
        return {name: process.pid for name, process in self._processes.items()}

    @property
    def running(self) -> bool:
        return bool(self._processes) and all(
            process.poll() is None for process in self._processes.values()
        )

    def logs(self, lines: int = 60) -> str:
        """The last ``lines`` lines of each server's log, headed by the file's path."""
        parts = []
        for path in (self.kamailio_log, self.rtpengine_log):
            try:
                text = path.read_text(errors="replace").splitlines()[-lines:]
            except OSError:
                text = ["(no log)"]
            parts.append(f"--- {path} ---\n" + "\n".join(text))
        return "\n".join(parts)

    def rtpengine(self, command: dict[str, Any]) -> dict[str, Any]:
        """rtpengine's reply to one NG command."""
        return ng_request(self.sip_host, self.ng_port, command)

    def query_call(self, call_id: str) -> dict[str, Any]:
        """What rtpengine knows about a call (its legs, media, local ports, packet counts)."""
        return self.rtpengine({"command": "query", "call-id": call_id})

    # --- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        """Write the config, start both servers and wait until they answer."""
        if self._processes:
            raise LabError("the lab is already started")
        for binary in (KAMAILIO, RTPENGINE):
            if not os.access(binary, os.X_OK):
                raise LabError(f"{binary} is not installed (Debian: kamailio, rtpengine-daemon)")
        if self._given_workdir is not None:
            self.workdir = self._given_workdir
            self.workdir.mkdir(parents=True, exist_ok=True)
        else:
            self.workdir = Path(tempfile.mkdtemp(prefix="faxline-siplab-"))
        atexit.register(self.stop)
        try:
            self._start_servers()
        except BaseException:
            self.stop()
            raise

    def _start_servers(self) -> None:
        host = self.sip_host
        self.sip_port = self._given_sip_port or free_port(host, tcp_too=True)
        self.ng_port = free_port(host)
        self.rtp_ports = _rtp_range(host, self.rtp_port_count)
        settings = KamailioSettings(
            host=host,
            sip_port=self.sip_port,
            ng_port=self.ng_port,
            realm=self.realm,
            secret=secrets.token_hex(16),
        )
        self.kamailio_cfg.write_text(render_kamailio_cfg(settings, self.endpoints))
        self._spawn(
            "rtpengine",
            [
                RTPENGINE,
                "--config-file=none",
                "--foreground",
                "--log-stderr",
                "--table=-1",
                f"--interface={host}",
                f"--listen-ng={host}:{self.ng_port}",
                f"--port-min={self.rtp_ports[0]}",
                f"--port-max={self.rtp_ports[1]}",
                "--delete-delay=0",
                "--num-threads=2",
                "--log-level=6",
                f"--pidfile={self.workdir / 'rtpengine.pid'}",
            ],
            self.rtpengine_log,
        )
        # kamailio pings rtpengine when it starts and would set aside one that does not answer
        # yet (rtpengine_disable_tout): rtpengine must be ready first.
        self._wait_until_ready(kamailio=False)
        self._spawn(
            "kamailio",
            [
                KAMAILIO,
                "-f",
                str(self.kamailio_cfg),
                "-DD",
                "-E",
                "-Y",
                str(self.workdir),
                "-w",
                str(self.workdir),
                "-m",
                "32",
                "-M",
                "8",
            ],
            self.kamailio_log,
        )
        self._wait_until_ready(kamailio=True)

    def _spawn(self, name: str, argv: list[str], log: Path) -> None:
        log_file = log.open("ab")
        self._log_files.append(log_file)
        self._processes[name] = subprocess.Popen(  # noqa: S603 (fixed binaries, our args)
            argv,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            cwd=self.workdir,
            start_new_session=True,
        )

    def _wait_until_ready(self, *, kamailio: bool) -> None:
        deadline = time.monotonic() + self.startup_timeout
        rtpengine_ready = False
        kamailio_ready = not kamailio
        while time.monotonic() < deadline:
            for name, process in self._processes.items():
                if process.poll() is not None:
                    raise LabError(
                        f"{name} exited with code {process.returncode} while starting\n"
                        + self.logs()
                    )
            if not rtpengine_ready:
                try:
                    rtpengine_ready = self.rtpengine({"command": "ping"}).get("result") == "pong"
                except NgError:
                    rtpengine_ready = False
            if not kamailio_ready:
                kamailio_ready = sip_options_ping(self.sip_host, self.sip_port) == 200
            if rtpengine_ready and kamailio_ready:
                return
            time.sleep(0.05)
        raise LabError(
            f"not ready after {self.startup_timeout:.0f} s (rtpengine: {rtpengine_ready}, "
            f"kamailio: {kamailio_ready})\n" + self.logs()
        )

    def stop(self) -> None:
        """Stop both servers (SIGTERM to each process group, SIGKILL to what is left after
        ``stop_timeout``); safe to call twice."""
        atexit.unregister(self.stop)
        processes, self._processes = self._processes, {}
        for process in processes.values():
            _signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for process in processes.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
        for process in processes.values():
            # the main process may be gone while a child it forked lingers: the group goes too
            _signal_group(process.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=1.0)
        for log_file in self._log_files:
            log_file.close()
        self._log_files = []
        if not self.keep_workdir and self.workdir != Path() and self.workdir.exists():
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    async def __aenter__(self) -> Self:
        import asyncio

        await asyncio.to_thread(self.start)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        import asyncio

        await asyncio.to_thread(self.stop)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signum)


def group_members(pgid: int) -> list[int]:
    """The pids of live processes in process group ``pgid`` (read from /proc)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ")"
        fields = stat.rpartition(")")[2].split()
        if len(fields) > 2 and int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members
