"""``faxline web``: the portal and the REST API over ASGI (uvicorn), without the worker."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from faxline.portal.management.serving import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    adopt_portal_url,
    ensure_port_free,
    portal_address,
    portal_url_note,
    silence_static_file_warning,
    uvicorn_config,
    validate_host,
    validate_port,
    validate_positive_int,
)


class Command(BaseCommand):
    help = (
        "Serve the portal and the REST API with uvicorn. Run one or more of these (on one "
        "or several machines sharing one PostgreSQL database through DATABASE_URL), with "
        "'faxline worker' for the background work. Static files are served by WhiteNoise; "
        "collectstatic is not needed."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--host",
            default=DEFAULT_HOST,
            help="Address to listen on (default: %(default)s; 0.0.0.0 for all IPv4 interfaces).",
        )
        parser.add_argument(
            "--port", default=str(DEFAULT_PORT), help="TCP port (default: %(default)s)."
        )
        parser.add_argument(
            "--workers",
            default="1",
            help="Number of uvicorn worker processes (default: %(default)s).",
        )
        parser.add_argument(
            "--forwarded-allow-ips",
            default=None,
            help=(
                "Comma-separated addresses of reverse proxies whose X-Forwarded-* headers "
                "are trusted (default: 127.0.0.1)."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        host = validate_host(options["host"], option="--host")
        port = validate_port(options["port"], option="--port")
        workers = validate_positive_int(options["workers"], option="--workers")
        ensure_port_free(host, port, option="--port")

        import uvicorn

        silence_static_file_warning()

        extra: dict[str, Any] = {"workers": workers}
        if options.get("forwarded_allow_ips"):
            extra["forwarded_allow_ips"] = options["forwarded_allow_ips"]
        portal = adopt_portal_url(host, port)
        self.stdout.write(f"faxline web: portal at {portal_address(host, port)}")
        self.stdout.write(f"  Email links: {portal_url_note(portal, host)}")
        self.stdout.flush()
        uvicorn.run(**uvicorn_config(host=host, port=port, verbosity=options["verbosity"], **extra))
