"""``faxline smtpd``: the SMTP email-to-fax gateway on its own.

``faxline serve`` runs it as a child (on ``--host`` and ``--smtp-port``, which it passes in
``FAXLINE_SMTPD_HOST`` and ``FAXLINE_SMTPD_PORT``); at scale run as many as needed, on any
machines, against the shared database and file store: nothing is kept in memory between
messages. Stops on SIGTERM or Ctrl-C after the messages being kept are kept.
"""

from __future__ import annotations

import os
import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from faxline.portal.management.serving import (
    DEFAULT_HOST,
    DEFAULT_SMTP_PORT,
    add_exit_with_parent_argument,
    ensure_port_free,
    format_address,
    validate_host,
    validate_port,
    watch_parent_option,
)

HOST_VARIABLE = "FAXLINE_SMTPD_HOST"
PORT_VARIABLE = "FAXLINE_SMTPD_PORT"


class Command(BaseCommand):
    help = (
        "Run the SMTP email-to-fax gateway: mail to <fax number>@FAXLINE_FAX_DOMAIN is kept "
        "and turned into fax jobs by the task worker. Several may run at once."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--host",
            default=None,
            help=f"Address to listen on (default: ${HOST_VARIABLE} or {DEFAULT_HOST}).",
        )
        parser.add_argument(
            "--port",
            default=None,
            help=f"TCP port to listen on (default: ${PORT_VARIABLE} or {DEFAULT_SMTP_PORT}).",
        )
        parser.add_argument("--no-reload", action="store_true", help="accepted, for serve")
        add_exit_with_parent_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        from faxline.gateway.server import GatewayController

        host_option = "--host" if options["host"] is not None else HOST_VARIABLE
        port_option = "--port" if options["port"] is not None else PORT_VARIABLE
        host = validate_host(
            options["host"] or os.environ.get(HOST_VARIABLE) or DEFAULT_HOST, option=host_option
        )
        port = validate_port(
            options["port"] or os.environ.get(PORT_VARIABLE) or DEFAULT_SMTP_PORT,
            option=port_option,
        )
        ensure_port_free(host, port, option=port_option)
        watch_parent_option(options["exit_with_parent"])
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        controller = GatewayController(host=host, port=port)
        controller.start()
        tls = " with STARTTLS" if settings.FAXLINE_SMTPD_TLS_CERT else ""
        self.stdout.write(
            f"faxline smtpd: listening on {format_address(host, port)}{tls} for mail to "
            f"<fax number>@{settings.FAXLINE_FAX_DOMAIN}"
        )
        self.stdout.flush()
        try:
            stop.wait()
        finally:
            controller.stop()
