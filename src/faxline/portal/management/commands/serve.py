"""``faxline serve``: the embedded single-machine install in one command.

Applies migrations, starts the task worker as a child process and serves the portal and
the REST API with uvicorn in the foreground. When the web server stops (Ctrl-C, SIGTERM)
the worker is asked to stop after the task in hand; if the worker dies, the web server is
stopped too and the command fails, so that a supervisor restarts the whole.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from argparse import ArgumentParser
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from faxline.core.periodic import registered_jobs
from faxline.core.periodic import start_thread as start_scheduler
from faxline.portal.management.serving import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_SMTP_PORT,
    adopt_portal_url,
    ensure_port_free,
    portal_address,
    portal_url_note,
    silence_static_file_warning,
    uvicorn_config,
    validate_host,
    validate_port,
)

WORKER_STOP_TIMEOUT = 30.0
WORKER_POLL_INTERVAL = 1.0


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


class Command(BaseCommand):
    help = (
        "Run faxline on one machine: apply migrations, start the task worker and serve the "
        "portal and the REST API (uvicorn) until stopped. --smtp-port is accepted and "
        "checked now; the SMTP email-to-fax gateway that will listen on it joins in a later "
        "release. To run at scale, use 'faxline web' and 'faxline worker' instead."
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
                "TCP port for the SMTP email-to-fax gateway (default: %(default)s). Reserved: "
                "the gateway joins in a later release; the value is only validated for now."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        serve = validate_serve_options(
            host=options["host"], port=options["port"], smtp_port=options["smtp_port"]
        )
        verbosity: int = options["verbosity"]
        ensure_port_free(serve.host, serve.port, option="--port")

        call_command("migrate", interactive=False, verbosity=verbosity)

        # Before the worker starts: it sends the emails, and inherits the address from here.
        portal = adopt_portal_url(serve.host, serve.port)
        worker = self.start_worker(verbosity=verbosity)
        address = portal_address(serve.host, serve.port)
        self.stdout.write(
            "\n".join(
                [
                    "faxline serve",
                    f"  Portal:       {address}",
                    f"  API docs:     {address}api/v1/docs",
                    f"  Email links:  {portal_url_note(portal, serve.host)}",
                    f"  Task worker:  running (process {worker.pid})",
                    "  Scheduler:    running ("
                    + ", ".join(job.name for job in registered_jobs())
                    + ")",
                    f"  SMTP gateway: port {serve.smtp_port} reserved (joins in a later release)",
                    "Press Ctrl-C to stop.",
                ]
            )
        )
        self.stdout.flush()

        _scheduler, scheduler_stop = start_scheduler()
        worker_failed = threading.Event()
        try:
            self.run_web(serve, verbosity=verbosity, worker=worker, worker_failed=worker_failed)
        finally:
            scheduler_stop.set()
            self.stop_worker(worker)
        if worker_failed.is_set():
            raise CommandError(
                f"the task worker stopped unexpectedly (exit code {worker.returncode}); "
                "the web server was stopped with it"
            )

    def start_worker(self, *, verbosity: int) -> subprocess.Popen[bytes]:
        """Start ``faxline worker`` as a child process.

        It runs in its own session so that Ctrl-C on the terminal reaches only this process,
        which then stops the worker with exactly one SIGTERM (a second signal would abort the
        task in hand). ``--exit-with-parent`` stops it should this process be killed.
        """
        env = dict(os.environ)
        env.setdefault("DJANGO_SETTINGS_MODULE", "faxline.settings")
        env["FAXLINE_HOME"] = str(settings.FAXLINE_HOME)
        command = [
            sys.executable,
            "-m",
            "faxline.cli",
            "worker",
            "--no-reload",
            f"--verbosity={verbosity}",
            f"--exit-with-parent={os.getpid()}",
        ]
        return subprocess.Popen(command, env=env, start_new_session=True)  # noqa: S603

    def run_web(
        self,
        serve: ServeOptions,
        *,
        verbosity: int,
        worker: subprocess.Popen[bytes],
        worker_failed: threading.Event,
    ) -> None:
        """Serve with uvicorn in the foreground until stopped or until the worker dies."""
        import uvicorn

        silence_static_file_warning()

        server = uvicorn.Server(
            uvicorn.Config(**uvicorn_config(host=serve.host, port=serve.port, verbosity=verbosity))
        )
        stopped = threading.Event()

        def watch_worker() -> None:
            while not stopped.wait(WORKER_POLL_INTERVAL):
                if worker.poll() is not None:
                    self.stderr.write(
                        f"faxline serve: the task worker exited (code {worker.returncode}); "
                        "stopping"
                    )
                    worker_failed.set()
                    server.should_exit = True
                    return

        watcher = threading.Thread(target=watch_worker, name="faxline-worker-watch", daemon=True)
        watcher.start()
        try:
            server.run()
        finally:
            stopped.set()
            watcher.join(timeout=WORKER_POLL_INTERVAL * 2)

    def stop_worker(self, worker: subprocess.Popen[bytes]) -> None:
        """Ask the worker to stop after the task in hand; kill it if it does not."""
        if worker.poll() is not None:
            return
        self.stdout.write("Stopping the task worker ...")
        worker.terminate()
        try:
            worker.wait(timeout=WORKER_STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.stderr.write(
                f"The task worker did not stop within {WORKER_STOP_TIMEOUT:.0f} s; killing it"
            )
            worker.kill()
            worker.wait()
