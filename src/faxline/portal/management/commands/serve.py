"""``faxline serve``: the embedded single-machine install in one command.

Applies migrations, then serves the portal and the REST API with uvicorn in the foreground
while a supervisor (``faxline.portal.management.supervisor``) keeps its children running:
the task worker (a child process), the periodic scheduler (a thread) and every process the
apps declare (``served_processes()`` on their AppConfig). A child that crashes is logged
and started again, backing off while it keeps crashing; it never stops the web server.
SIGTERM or Ctrl-C stops the web server, then every child (the worker after the task in
hand); a second one while stopping kills what is left.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from argparse import ArgumentParser
from dataclasses import dataclass
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from faxline.core.contributions import collect
from faxline.core.periodic import registered_jobs, run_forever
from faxline.portal.management.serving import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_SMTP_PORT,
    EXIT_WITH_PARENT_OPTION,
    adopt_portal_url,
    ensure_port_free,
    portal_address,
    portal_url_note,
    silence_static_file_warning,
    uvicorn_config,
    validate_host,
    validate_port,
)
from faxline.portal.management.supervisor import (
    Child,
    ProcessChild,
    ServedProcess,
    Supervisor,
    ThreadChild,
)

SCHEDULER = "scheduler"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


@dataclass(frozen=True)
class ServeOptions:
    """Validated arguments of ``faxline serve``."""

    host: str
    port: int
    smtp_port: int


def validate_serve_options(*, host: object, port: object, smtp_port: object) -> ServeOptions:
    """Check the arguments of ``faxline serve``; a bad one is a CommandError naming it."""
    options = ServeOptions(
        host=validate_host(host, option="--host"),
        port=validate_port(port, option="--port"),
        smtp_port=validate_port(smtp_port, option="--smtp-port"),
    )
    if options.port == options.smtp_port:
        raise CommandError(
            f"--smtp-port: must differ from --port (both are {options.port})",
        )
    return options


SMTP_HOST_VARIABLE = "FAXLINE_SMTPD_HOST"
SMTP_PORT_VARIABLE = "FAXLINE_SMTPD_PORT"


def adopt_smtp_address(host: str, port: int) -> None:
    """Where the SMTP gateway listens: ``--host`` and ``--smtp-port``, given to the children
    through their environment (the gateway's process, ``faxline smtpd``, reads them)."""
    os.environ[SMTP_HOST_VARIABLE] = host
    os.environ[SMTP_PORT_VARIABLE] = str(port)


def served_processes() -> list[ServedProcess]:
    """The long-running commands the installed apps declare for ``faxline serve`` (the task
    worker is the portal's own; see ``PortalConfig.served_processes``)."""
    return collect("served_processes", ServedProcess)


def process_child(served: ServedProcess, *, verbosity: int) -> ProcessChild:
    """``served`` as a child process of this one, with the settings and the portal address
    this process uses (through the environment it inherits)."""
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")
    env["FAXLINE_HOME"] = str(settings.FAXLINE_HOME)
    command = [
        sys.executable,
        "-m",
        "faxline.cli",
        *served.command,
        f"--verbosity={verbosity}",
        f"{EXIT_WITH_PARENT_OPTION}={os.getpid()}",
    ]
    return ProcessChild(served.name, command, env=env, stop_timeout=served.stop_timeout)


def scheduler_child() -> ThreadChild:
    """The periodic scheduler, as a thread of this process."""
    return ThreadChild(SCHEDULER, run_forever)


class StopSignals:
    """SIGTERM and SIGINT while ``faxline serve`` runs: the first stops the web server (and
    then the children, in order); another one while stopping kills the children.

    uvicorn takes the two signals over while it serves and, once it has stopped, raises the
    one it caught again: it arrives here, so the children are still stopped in order
    instead of the process ending on the spot."""

    def __init__(self) -> None:
        self.received = threading.Event()
        self.server: Any = None
        self.supervisor: Supervisor | None = None
        self._previous: dict[int, Any] = {}

    def install(self) -> None:
        for sig in STOP_SIGNALS:
            self._previous[sig] = signal.signal(sig, self.handle)

    def restore(self) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)
        self._previous.clear()

    def handle(self, signum: int, frame: FrameType | None) -> None:
        if self.server is not None and not self.server.should_exit:
            self.server.should_exit = True
        elif self.received.is_set() and self.supervisor is not None:
            self.supervisor.kill()
        self.received.set()


class Command(BaseCommand):
    help = (
        "Run faxline on one machine: apply migrations, start the task worker and the "
        "scheduler (restarted if they crash) and serve the portal and the REST API "
        "(uvicorn) until stopped, with the SMTP email-to-fax gateway on --smtp-port. To run "
        "at scale, use 'faxline web', 'faxline worker', 'faxline smtpd' and 'faxline "
        "scheduler' instead."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--host",
            default=DEFAULT_HOST,
            help="Address to listen on (default: %(default)s; 0.0.0.0 for all IPv4 interfaces).",
        )
        parser.add_argument(
            "--port",
            default=str(DEFAULT_PORT),
            help="TCP port of the portal and the API (default: %(default)s).",
        )
        parser.add_argument(
            "--smtp-port",
            default=str(DEFAULT_SMTP_PORT),
            help=(
                "TCP port of the SMTP email-to-fax gateway, on the same --host "
                "(default: %(default)s)."
            ),
        )

    def children(self, *, verbosity: int) -> list[Child]:
        """What runs beside the web server: every served process, then the scheduler."""
        processes: list[Child] = [
            process_child(served, verbosity=verbosity) for served in served_processes()
        ]
        return [*processes, scheduler_child()]

    def handle(self, *args: Any, **options: Any) -> None:
        serve = validate_serve_options(
            host=options["host"], port=options["port"], smtp_port=options["smtp_port"]
        )
        verbosity: int = options["verbosity"]
        ensure_port_free(serve.host, serve.port, option="--port")
        ensure_port_free(serve.host, serve.smtp_port, option="--smtp-port")
        adopt_smtp_address(serve.host, serve.smtp_port)

        call_command("migrate", interactive=False, verbosity=verbosity)

        # Before the children start: the worker sends the emails, and inherits the address
        # from here.
        portal = adopt_portal_url(serve.host, serve.port)
        signals = StopSignals()
        signals.install()
        try:
            supervisor = Supervisor(self.children(verbosity=verbosity))
            signals.supervisor = supervisor
            running = supervisor.start()
            try:
                self.banner(serve, portal_note=portal_url_note(portal, serve.host), running=running)
                if not signals.received.is_set():
                    self.run_web(serve, verbosity=verbosity, signals=signals)
            finally:
                self.stdout.write("Stopping ...")
                self.stdout.flush()
                supervisor.stop()
        finally:
            signals.restore()

    def banner(self, serve: ServeOptions, *, portal_note: str, running: dict[str, str]) -> None:
        address = portal_address(serve.host, serve.port)
        lines = [
            "faxline serve",
            f"  Portal:       {address}",
            f"  API docs:     {address}api/v1/docs",
            f"  Email links:  {portal_note}",
        ]
        for name, how in running.items():
            label = f"{name[:1].upper()}{name[1:]}:"
            if name == SCHEDULER:
                how = ", ".join(job.name for job in registered_jobs())
            lines.append(f"  {label:<14}running ({how or 'starting again shortly'})")
        lines += [f"  SMTP gateway: port {serve.smtp_port}", "Press Ctrl-C to stop."]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def run_web(self, serve: ServeOptions, *, verbosity: int, signals: StopSignals) -> None:
        """Serve with uvicorn in the foreground until stopped."""
        import uvicorn

        silence_static_file_warning()

        server = uvicorn.Server(
            uvicorn.Config(**uvicorn_config(host=serve.host, port=serve.port, verbosity=verbosity))
        )
        signals.server = server
        server.run()
