"""``faxline scheduler``: run the periodic jobs that the installed apps declare."""

from __future__ import annotations

import signal
import threading
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from faxline.core.periodic import registered_jobs, run_due, run_forever


class Command(BaseCommand):
    help = (
        "Run the periodic jobs that the installed apps declare (for example the porting "
        "carriers' clock, queued notifications, aged numbers back to the pool). 'faxline "
        "serve' runs this itself; at scale run one scheduler next to the workers (more are "
        "harmless: every job is idempotent)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run every job once, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:
            for name in run_due(registered_jobs()):
                self.stdout.write(f"ran: {name}")
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        signal.signal(signal.SIGINT, lambda *_: stop.set())
        self.stdout.write("faxline scheduler: running (Ctrl-C to stop)")
        run_forever(stop)
