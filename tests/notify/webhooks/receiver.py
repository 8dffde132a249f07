"""A real HTTP receiver on loopback for the webhook tests, and the fixture that lets
faxline reach it (the test settings allow 127.0.0.0/8 explicitly)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """What the receiver got, and what it answers next (``answers``: status, body,
    headers; the last one repeats)."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[tuple[int, bytes, dict[str, str]]] = field(
        default_factory=lambda: [(200, b"ok", {})]
    )

    def answer(self, status: int, body: bytes = b"", headers: dict[str, str] | None = None) -> None:
        self.answers = [(status, body, headers or {})]

    def next_answer(self) -> tuple[int, bytes, dict[str, str]]:
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


def _handler(state: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            state.requests.append(Received(self.path, dict(self.headers.items()), body))
            status, payload, headers = state.next_answer()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def allow_loopback(settings: Any) -> None:
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = ["127.0.0.0/8"]


@pytest.fixture
def receiver(allow_loopback: None) -> Iterator[Receiver]:
    state = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/faxline?src=test"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
