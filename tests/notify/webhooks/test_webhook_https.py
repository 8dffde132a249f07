"""HTTPS deliveries: the connection goes to the vetted address while TLS names the URL's host
(SNI) and checks the certificate against it; a certificate nobody vouches for is refused."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from faxline.notify.webhooks import delivery
from selfsigned import self_signed

pytestmark = pytest.mark.database_independent


class Hello(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path, settings) -> Iterator[tuple[int, list[str | None]]]:
    settings.FAXLINE_ALLOW_PRIVATE_NETWORKS = ["127.0.0.0/8", "::1/128"]
    cert, key = self_signed(tmp_path)
    names: list[str | None] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda sock, name, ctx: names.append(name)  # type: ignore[assignment,misc]
    server = HTTPServer(("127.0.0.1", 0), Hello)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], names
    finally:
        server.shutdown()
        server.server_close()


def test_tls_names_the_host_and_refuses_an_unknown_certificate(tls_server) -> None:
    port, names = tls_server
    answer = delivery.post(f"https://localhost:{port}/hook", b"{}", {})
    assert answer.status is None and not answer.delivered
    assert "CERTIFICATE_VERIFY_FAILED" in answer.error
    assert names and set(names) == {"localhost"}  # SNI: the URL's host, not the address


def test_a_trusted_certificate_delivers(tls_server, tmp_path: Path, monkeypatch) -> None:
    port, names = tls_server
    trusted = ssl.create_default_context(cafile=str(tmp_path / "cert.pem"))
    monkeypatch.setattr(delivery, "_tls", lambda: trusted)
    answer = delivery.post(f"https://localhost:{port}/hook", b"{}", {"Content-Type": "x"})
    assert answer.delivered and answer.status == 200
    assert set(names) == {"localhost"}
