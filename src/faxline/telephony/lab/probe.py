"""A SIP OPTIONS ping over UDP: how the lab knows kamailio is up (a trunk's keep-alive is the
same request)."""

from __future__ import annotations

import secrets
import socket


def sip_options_ping(host: str, port: int, *, timeout: float = 0.5) -> int | None:
    """The status code of kamailio's answer to an OPTIONS to itself, or None if none came."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.bind((host, 0))
        local_port = sock.getsockname()[1]
        branch = "z9hG4bK" + secrets.token_hex(8)
        call_id = secrets.token_hex(8)
        request = (
            f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{local_port};branch={branch};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:probe@{host}>;tag={secrets.token_hex(4)}\r\n"
            f"To: <sip:{host}:{port}>\r\n"
            f"Call-ID: {call_id}@{host}\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        try:
            sock.sendto(request.encode(), (host, port))
            while True:
                data = sock.recv(65535)
                if call_id.encode() in data and data.startswith(b"SIP/2.0 "):
                    return int(data.split(b" ", 2)[1])
        except (OSError, ValueError):
            return None
