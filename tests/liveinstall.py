"""A real embedded install for tests: ``faxline serve`` as a process, on SQLite in a
temporary ``FAXLINE_HOME``.

:func:`prepared_home` migrates a home and loads the demo (the demo prints its sign-ins and
API keys); :func:`shared_demo_home` is the run's one such home; :func:`copy_home` gives each
test its own copy.
:class:`Serve` starts ``python -m faxline.cli serve`` on a free port with that home, its
output in files, and stops it with SIGTERM as a service manager would. Nothing here is
mocked: the web server, the task worker and the scheduler are the real ones, in their own
processes, against the file database the way a customer's install runs them.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import faxline

SOURCE = Path(faxline.__file__).resolve().parent.parent
START_TIMEOUT = 60.0


def environment(home: Path, **extra: str) -> dict[str, str]:
    """The environment of a faxline process on ``home``: SQLite there, this checkout's code."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("FAXLINE_") and key not in {"DATABASE_URL", "PYTEST_XDIST_WORKER"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "faxline.settings",
            "FAXLINE_HOME": str(home),
            "PYTHONPATH": str(SOURCE),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def faxline_command(home: Path, *args: str, timeout: float = 120.0, **env: str) -> str:
    """Run ``faxline <args>`` on ``home`` to its end; returns its standard output."""
    done = subprocess.run(
        [sys.executable, "-m", "faxline.cli", *args],
        env=environment(home, **env),
        cwd=home,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise AssertionError(f"faxline {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclass(frozen=True)
class Home:
    """A migrated install with the demo loaded: where it is and its sign-ins by role."""

    path: Path
    sign_ins: Mapping[str, Mapping[str, str]]

    def api_key(self, role: str) -> str:
        return self.sign_ins[role]["api_key"]

    @property
    def database(self) -> Path:
        return self.path / "faxline.sqlite3"


def prepared_home(path: Path) -> Home:
    """Migrate ``path`` and load the demo into it."""
    path.mkdir(parents=True, exist_ok=True)
    faxline_command(path, "migrate", "--noinput", "-v0")
    demo = json.loads(faxline_command(path, "demo"))
    return Home(path, {user["role"]: user for user in demo["users"]})


def shared_demo_home(tmp_path_factory: Any) -> Home:
    """The test run's one prepared home (migrated, demo loaded), made by whichever xdist
    worker asks first while the others wait for it: each of the modules that run faxline
    processes used to prepare its own, ~7 s of ``migrate`` and ``demo`` apiece. Tests
    use copies (:func:`copy_home`), never this home itself."""
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's base is a folder of the run's; without, the session's own.
    root = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "demo-home"
    root.mkdir(exist_ok=True)
    ready = root / "sign-ins.json"
    with (root / "lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not ready.exists():
            home = prepared_home(root / "home")
            ready.write_text(json.dumps(home.sign_ins))
        return Home(root / "home", json.loads(ready.read_text()))


def copy_home(home: Home, path: Path) -> Home:
    """A copy of ``home`` at ``path`` for one test."""
    shutil.copytree(home.path, path)
    return Home(path, home.sign_ins)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Answer:
    """An HTTP answer: its status and body (parsed when it is JSON)."""

    status: int
    body: Any
    text: str


class Serve:
    """``faxline serve`` on ``home``, a free port and its own process group."""

    def __init__(self, home: Home, *, env: Mapping[str, str] | None = None) -> None:
        self.home = home
        self.port = free_port()
        # Its own SMTP gateway port too: tests run side by side.
        self.smtp_port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.stdout_path = home.path / f"serve-{self.port}.out"
        self.stderr_path = home.path / f"serve-{self.port}.err"
        self.env = environment(home.path, **dict(env or {}))
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Serve:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def start(self) -> None:
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "faxline.cli",
                    "serve",
                    "--port",
                    str(self.port),
                    "--smtp-port",
                    str(self.smtp_port),
                ],
                env=self.env,
                cwd=self.home.path,
                stdout=out,
                stderr=err,
            )
        self.wait_for_log(r"Uvicorn running on", timeout=START_TIMEOUT)
        self.wait_for_log(r"Task worker:\s+running \(process \d+\)", timeout=START_TIMEOUT)

    def log(self) -> str:
        """Everything serve and its children wrote so far (standard output, then errors)."""
        return self.stdout_path.read_text(errors="replace") + self.stderr_path.read_text(
            errors="replace"
        )

    def wait_for_log(self, pattern: str, *, timeout: float = 60.0, after: int = 0) -> re.Match[str]:
        """The first match of ``pattern`` in the log from offset ``after``; fails the test
        with the log when it does not appear in time or serve stopped."""
        deadline = time.monotonic() + timeout
        while True:
            found = re.search(pattern, self.log()[after:])
            if found:
                return found
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"faxline serve stopped:\n{self.log()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} not logged within {timeout} s:\n{self.log()}")
            time.sleep(0.1)

    def worker_pid(self) -> int:
        """The task worker's process id: the banner's, or the last restart's."""
        log = self.log()
        found = re.findall(r"task worker is running again \(process (\d+)\)", log)
        if found:
            return int(found[-1])
        banner = re.search(r"Task worker:\s+running \(process (\d+)\)", log)
        assert banner, log
        return int(banner.group(1))

    def request(
        self,
        method: str,
        path: str,
        *,
        key: str | None = None,
        json_body: object = None,
        files: Mapping[str, tuple[str, bytes]] | None = None,
        timeout: float = 60.0,
    ) -> Answer:
        """One HTTP request to the server; an HTTP error status is an answer, not a raise."""
        headers = {"Accept": "application/json"}
        data: bytes | None = None
        if key:
            headers["Authorization"] = f"Bearer {key}"
        if json_body is not None:
            data = json.dumps(json_body).encode()
            headers["Content-Type"] = "application/json"
        elif files:
            boundary = uuid.uuid4().hex
            parts = []
            for field, (filename, content) in files.items():
                parts.append(
                    f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; '
                    f'filename="{filename}"\r\nContent-Type: text/csv\r\n\r\n'.encode()
                    + content
                    + b"\r\n"
                )
            data = b"".join(parts) + f"--{boundary}--\r\n".encode()
            headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as exc:
            status, raw = exc.code, exc.read()
        text = raw.decode("utf-8", errors="replace")
        try:
            body = json.loads(text) if text else None
        except ValueError:
            body = None
        return Answer(status, body, text)

    def get_status(self, path: str = "/auth/login/") -> int:
        """The status of a plain GET (no redirects followed)."""

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args: Any, **kwargs: Any) -> None:
                return None

        opener = urllib.request.build_opener(NoRedirect)
        try:
            with opener.open(self.base + path, timeout=30) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    def stop(self, *, timeout: float = 60.0) -> int:
        """SIGTERM, as a service manager stops it; returns its exit status."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
                raise AssertionError(f"faxline serve did not stop:\n{self.log()}") from None
        return int(self.process.returncode)


def process_exists(pid: int) -> bool:
    """True while ``pid`` is a live (not zombie) process."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
