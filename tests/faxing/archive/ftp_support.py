"""A real FTP server (pyftpdlib) on loopback for the archive tests."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler
from pyftpdlib.servers import FTPServer

FTP_USER = "archiver"
FTP_PASSWORD = "Arch1ve-Secret"


class LoopbackFtp:
    """pyftpdlib serving ``root`` on 127.0.0.1 in a thread; stop and start it again on the
    same port (a server that is down, then back)."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = 0
        self.commands: list[str] = []
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._server: FTPServer | None = None

    def start(self) -> LoopbackFtp:
        authorizer = DummyAuthorizer()
        authorizer.add_user(FTP_USER, FTP_PASSWORD, str(self.root), perm="elradfmwMT")
        seen = self.commands

        class Handler(FTPHandler):
            def pre_process_command(self, line: str, cmd: str, arg: str) -> Any:
                seen.append(cmd)
                return super().pre_process_command(line, cmd, arg)

        Handler.authorizer = authorizer
        Handler.banner = "faxline test FTP"
        server = FTPServer(("127.0.0.1", self.port), Handler)
        self.port = server.address[1]
        self._server = server
        self._stop.clear()

        def serve() -> None:
            while not self._stop.is_set():
                server.ioloop.loop(timeout=0.05, blocking=False)
            server.close_all()

        self._thread = threading.Thread(target=serve, name="test-ftp", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=10)
            self._thread = None

    def files(self, directory: str = "archive") -> list[str]:
        folder = self.root / directory
        return sorted(p.name for p in folder.iterdir()) if folder.exists() else []
