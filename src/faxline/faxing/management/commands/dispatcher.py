"""``faxline dispatcher``: place the calls of outbound fax jobs (see
``faxline.faxing.jobs.dispatcher``). ``faxline serve`` runs one as its child; at scale run
as many as you like, on as many machines, against the same PostgreSQL database: they share
the work through row locks and never call one destination twice at once.

Stops gracefully on SIGTERM or Ctrl-C: no new call is claimed and the calls in progress end
first. A dispatcher killed without that chance loses nothing: its calls' leases expire and
another dispatcher (or this one, restarted) tries them again.
"""

from __future__ import annotations

import signal
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from faxline.faxing.jobs.dispatcher import Dispatcher, dispatch_due
from faxline.faxing.jobs.wakeup import nudge
from faxline.faxing.trunks.wiring import PlatformTransport
from faxline.portal.management.serving import (
    add_exit_with_parent_argument,
    validate_positive_int,
    watch_parent_option,
)


class Command(BaseCommand):
    help = (
        "Place the calls of outbound fax jobs as they fall due, with the retry policy; any "
        "number of dispatchers may run against one database. Stops gracefully on SIGTERM."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--concurrency",
            default=None,
            help=(
                "calls at once (default and most: the transport's lines: the enabled SIP "
                "trunks' channels, else FAXLINE_SANDBOX_LINES)"
            ),
        )
        parser.add_argument("--poll", type=float, default=1.0, help="seconds between rounds")
        parser.add_argument(
            "--once", action="store_true", help="place the calls due now, one by one, and exit"
        )
        parser.add_argument("--no-reload", action="store_true", help="accepted, for serve")
        add_exit_with_parent_argument(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        transport = PlatformTransport()
        if options["once"]:
            placed = dispatch_due(transport)
            self.stdout.write(f"{placed} call(s) placed")
            return
        watch_parent_option(options["exit_with_parent"])
        concurrency = (
            validate_positive_int(options["concurrency"], option="--concurrency")
            if options["concurrency"] is not None
            else None
        )
        dispatcher = Dispatcher(transport, concurrency=concurrency, poll_seconds=options["poll"])

        def stop(signum: int, frame: Any) -> None:
            dispatcher.stop.set()
            nudge()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        if int(options.get("verbosity", 1)) >= 1:
            self.stdout.write(
                f"dispatcher {dispatcher.owner}: up to {dispatcher.concurrency} calls at once"
            )
        dispatcher.run()
