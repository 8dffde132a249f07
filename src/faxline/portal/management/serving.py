"""Shared pieces of ``faxline serve``, ``faxline web`` and ``faxline worker``.

Argument validation lives here, apart from the commands, so that a bad ``--host`` or
``--port`` is a clear :class:`~django.core.management.CommandError` naming the option,
testable without starting any server. So does the portal address that links in emails
use when ``FAXLINE_PORTAL_URL`` is not set (``adopt_portal_url``).
"""

from __future__ import annotations

import errno
import ipaddress
import os
import re
import signal
import socket
import threading
import warnings
from argparse import SUPPRESS, ArgumentParser
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError

from faxline.config import env_str

ASGI_APPLICATION = "faxline.asgi:application"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_SMTP_PORT = 2525

# WhiteNoise hands static files to Django as synchronous iterators; under ASGI Django warns
# about that once per process. Static files are small and this is expected, so keep the log
# clean.
_STATIC_FILE_WARNING = "StreamingHttpResponse must consume synchronous iterators"

_HOST_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
_LOG_LEVELS = {0: "warning", 1: "info"}


def validate_host(value: object, *, option: str = "--host") -> str:
    """Return ``value`` as a host to listen on: an IPv4/IPv6 address or a host name."""
    text = str(value).strip() if value is not None else ""
    host = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        return str(ipaddress.ip_address(host))
    except ValueError:
        pass
    labels = host.rstrip(".").split(".")
    looks_numeric = all(label.isdigit() for label in labels)
    if (
        host
        and len(host) <= 253
        and not looks_numeric
        and all(_HOST_LABEL.match(label) for label in labels)
    ):
        return host
    raise CommandError(f"{option}: {value!r} is not an IP address or a host name")


def validate_port(value: object, *, option: str = "--port") -> int:
    """Return ``value`` as a TCP port number (1 to 65535)."""
    if isinstance(value, bool):
        port = None
    elif isinstance(value, int):
        port = value
    else:
        text = str(value).strip()
        port = int(text) if text.isdigit() else None
    if port is None or not 1 <= port <= 65535:
        raise CommandError(f"{option}: expected a port number from 1 to 65535, got {value!r}")
    return port


def validate_positive_int(value: object, *, option: str) -> int:
    """Return ``value`` as a whole number of at least 1."""
    text = str(value).strip()
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise CommandError(f"{option}: expected a whole number of at least 1, got {value!r}")
    return int(text)


def ensure_port_free(host: str, port: int, *, option: str = "--port") -> None:
    """Fail early, naming the option, when ``host:port`` cannot be listened on."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise CommandError(f"--host: cannot resolve {host!r} ({exc.strerror})") from exc
    family, socktype, proto, _, address = infos[0]
    with socket.socket(family, socktype, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                reason = "is already in use"
            elif exc.errno == errno.EACCES:
                reason = "needs more privileges"
            else:
                reason = f"cannot be used ({exc.strerror})"
            raise CommandError(
                f"{option}: {format_address(host, port)} {reason}; choose another {option}"
            ) from exc


def format_address(host: str, port: int) -> str:
    """``host:port``, with IPv6 addresses in brackets."""
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def portal_address(host: str, port: int) -> str:
    """The address a person opens in a browser for a server listening on ``host:port``."""
    if host in {"0.0.0.0", "::"}:  # noqa: S104 - describing the bind address, not binding
        host = "127.0.0.1" if host == "0.0.0.0" else "::1"  # noqa: S104
    return f"http://{format_address(host, port)}/"


PORTAL_URL_VARIABLE = "FAXLINE_PORTAL_URL"


@dataclass(frozen=True)
class PortalUrl:
    """The portal's address in emails and links, and whether the configuration gave it."""

    url: str
    configured: bool


def adopt_portal_url(host: str, port: int) -> PortalUrl:
    """Make the links in emails point at this server, unless ``FAXLINE_PORTAL_URL`` says
    where the portal is.

    With the variable unset, the portal is where ``faxline serve`` / ``faxline web`` listen
    (``--host`` / ``--port``). The address goes into this process's settings and into its
    environment, so that the processes started from here inherit it: the task worker of
    ``faxline serve``, which sends the emails, and uvicorn's worker processes.
    """
    configured = env_str(PORTAL_URL_VARIABLE)
    if configured:
        return PortalUrl(configured, configured=True)
    url = portal_address(host, port).rstrip("/")
    os.environ[PORTAL_URL_VARIABLE] = url
    settings.FAXLINE_PORTAL_URL = url
    return PortalUrl(url, configured=False)


def portal_url_note(portal: PortalUrl, host: str) -> str:
    """What the start-up banner says about the links in emails."""
    if portal.configured:
        return f"{portal.url} (FAXLINE_PORTAL_URL)"
    if host in {"0.0.0.0", "::"}:  # noqa: S104 - describing the bind address, not binding
        return (
            f"{portal.url} (this machine only: set FAXLINE_PORTAL_URL to the address people open)"
        )
    return f"{portal.url} (from --host and --port; FAXLINE_PORTAL_URL changes it)"


def uvicorn_log_level(verbosity: int) -> str:
    """Map Django's ``--verbosity`` (0-3) onto a uvicorn log level."""
    return _LOG_LEVELS.get(verbosity, "debug")


def silence_static_file_warning() -> None:
    """Hide Django's ASGI warning about WhiteNoise's file responses, here and in children."""
    warnings.filterwarnings("ignore", message=_STATIC_FILE_WARNING)
    entry = f"ignore:{_STATIC_FILE_WARNING}"
    current = os.environ.get("PYTHONWARNINGS", "")
    if entry not in current:
        os.environ["PYTHONWARNINGS"] = f"{current},{entry}" if current else entry


def uvicorn_log_config() -> dict[str, Any]:
    """uvicorn's own logging configuration, with one-time links and Bearer keys redacted
    from the access and error logs (``faxline.core.redact``): a signing or password-reset
    link opened in a browser is a request line like any other."""
    import copy

    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact_secrets"] = {
        "()": "faxline.core.redact.RedactSecretsFilter"
    }
    for handler in config["handlers"].values():
        handler.setdefault("filters", []).append("redact_secrets")
    return config


def uvicorn_config(*, host: str, port: int, verbosity: int, **extra: Any) -> dict[str, Any]:
    """Keyword arguments for ``uvicorn.Config`` / ``uvicorn.run`` serving the portal and API."""
    return {
        "log_config": uvicorn_log_config(),
        "app": ASGI_APPLICATION,
        "host": host,
        "port": port,
        # Django's ASGI handler does not speak the lifespan protocol.
        "lifespan": "off",
        "log_level": uvicorn_log_level(verbosity),
        "access_log": verbosity >= 1,
        "server_header": False,
        **extra,
    }


EXIT_WITH_PARENT_OPTION = "--exit-with-parent"


def add_exit_with_parent_argument(parser: ArgumentParser) -> None:
    """The hidden ``--exit-with-parent=PID`` of the commands ``faxline serve`` runs as its
    children (see ``faxline.portal.management.supervisor``)."""
    parser.add_argument(EXIT_WITH_PARENT_OPTION, default=None, help=SUPPRESS)


def exit_with_parent(parent_pid: int, *, interval: float = 2.0) -> threading.Thread:
    """Stop this process gracefully (SIGTERM to itself) once ``parent_pid`` is gone.

    ``faxline serve`` starts its children in sessions of their own; should ``serve`` be
    killed without a chance to stop them, each child notices that it was re-parented and
    stops.
    """

    def watch() -> None:
        stop = threading.Event()
        while not stop.wait(interval):
            if os.getppid() != parent_pid:
                os.kill(os.getpid(), signal.SIGTERM)
                return

    thread = threading.Thread(target=watch, name="faxline-parent-watch", daemon=True)
    thread.start()
    return thread


def watch_parent_option(value: object) -> None:
    """Act on ``--exit-with-parent`` when it was given (a bad value names the option)."""
    if value is not None:
        exit_with_parent(validate_positive_int(value, option=EXIT_WITH_PARENT_OPTION))
