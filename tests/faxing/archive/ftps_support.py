"""An FTPS server on loopback for the archive tests: the part of RFC 959 and RFC 4217 an
upload uses (FEAT listing AUTH TLS, AUTH TLS, PBSZ, PROT P, USER/PASS, TYPE, CWD, MKD, PASV,
STOR, NLST, DELE, RNFR/RNTO, QUIT), over real TLS sockets (the standard library's ``ssl``).

pyftpdlib's own TLS handler needs pyOpenSSL, which the test environment does not have;
this server lets the tests see what a client really does: which commands arrived encrypted
(the password must), and the files as they arrived over protected data connections.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import ssl
import threading
from pathlib import Path

from selfsigned import self_signed


class LoopbackFtps(socketserver.ThreadingTCPServer):
    """Serves ``root`` to one user on 127.0.0.1; ``commands`` records each command with
    whether it arrived over TLS."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, root: Path, user: str, password: str, certs: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Session)
        self.root, self.user, self.password = root, user, password
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.maximum_version = ssl.TLSVersion.TLSv1_2  # unwrap() is simpler
        self.context.load_cert_chain(*self_signed(certs))
        self.commands: list[tuple[str, bool]] = []
        self.port = self.server_address[1]
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=10)


class _Session(socketserver.BaseRequestHandler):
    server: LoopbackFtps

    def setup(self) -> None:
        self.sock: socket.socket = self.request
        self.sock.settimeout(10)
        self.reader = self.sock.makefile("rb")
        self.cwd = self.server.root
        self.protected = False
        self.logged_in = False
        self.passive: socket.socket | None = None
        self.rename_from: Path | None = None

    def reply(self, text: str) -> None:
        self.sock.sendall(text.encode() + b"\r\n")

    def handle(self) -> None:
        self.reply("220 faxline test FTPS")
        while True:
            line = self.reader.readline()
            if not line:
                return
            command, _, arg = line.decode().strip().partition(" ")
            command = command.upper()
            self.server.commands.append((command, isinstance(self.sock, ssl.SSLSocket)))
            if command == "QUIT":
                self.reply("221 Bye")
                return
            self.dispatch(command, arg)

    def dispatch(self, command: str, arg: str) -> None:
        if command == "FEAT":
            self.sock.sendall(b"211-Features:\r\n AUTH TLS\r\n PBSZ\r\n PROT\r\n211 End\r\n")
        elif command == "AUTH" and arg.upper() == "TLS":
            self.reply("234 AUTH TLS successful")
            self.sock = self.server.context.wrap_socket(self.sock, server_side=True)
            self.reader = self.sock.makefile("rb")
        elif command == "PBSZ":
            self.reply("200 PBSZ=0")
        elif command == "PROT":
            self.protected = arg.upper() == "P"
            self.reply("200 Protection set")
        elif command == "USER":
            self.reply("331 Password required")
        elif command == "PASS":
            ok = arg == self.server.password
            self.logged_in = ok
            self.reply("230 Logged in" if ok else "530 Login incorrect")
        elif not self.logged_in:
            self.reply("530 Log in first")
        elif command == "TYPE":
            self.reply("200 Type set")
        elif command == "CWD":
            target = self.resolve(arg)
            if target.is_dir():
                self.cwd = target
                self.reply("250 OK")
            else:
                self.reply("550 No such directory")
        elif command == "MKD":
            self.resolve(arg).mkdir()
            self.reply(f'257 "{arg}" created')
        elif command == "PASV":
            self.passive = socket.create_server(("127.0.0.1", 0))
            self.passive.settimeout(10)
            port = self.passive.getsockname()[1]
            self.reply(f"227 Entering Passive Mode (127,0,0,1,{port >> 8},{port & 255})")
        elif command == "STOR":
            data = self.data_connection()
            received = b""
            while chunk := data.recv(65536):
                received += chunk
            self.close_data(data)
            (self.cwd / arg).write_bytes(received)
            self.reply("226 Transfer complete")
        elif command == "NLST":
            data = self.data_connection()
            data.sendall("".join(f"{p.name}\r\n" for p in self.cwd.iterdir()).encode())
            self.close_data(data)
            self.reply("226 Transfer complete")
        elif command == "DELE":
            (self.cwd / arg).unlink()
            self.reply("250 Deleted")
        elif command == "RNFR":
            self.rename_from = self.cwd / arg
            self.reply("350 Ready for RNTO")
        elif command == "RNTO" and self.rename_from is not None:
            self.rename_from.replace(self.cwd / arg)
            self.rename_from = None
            self.reply("250 Renamed")
        else:
            self.reply("502 Not implemented")

    def resolve(self, path: str) -> Path:
        if path.startswith("/"):
            return self.server.root / path.lstrip("/")
        return self.cwd / path

    def data_connection(self) -> socket.socket:
        assert self.passive is not None
        self.reply("150 Opening data connection")
        conn, _ = self.passive.accept()
        self.passive.close()
        self.passive = None
        if self.protected:
            return self.server.context.wrap_socket(conn, server_side=True)
        return conn

    def close_data(self, conn: socket.socket) -> None:
        if isinstance(conn, ssl.SSLSocket):
            with contextlib.suppress(OSError, ValueError):
                conn = conn.unwrap()
        conn.close()
