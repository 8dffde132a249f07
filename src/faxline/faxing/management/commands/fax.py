"""``faxline fax call --from N --to M FILE``: place one call on the sandbox PSTN and print its
outcome and statistics as JSON (operators and development: how a newcomer sees the modem work
before fax jobs exist).

FILE is converted to a fax image first (:func:`_fax_image_of`); the call's progress goes to
stderr as it happens, the outcome to stdout as one JSON document.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from faxline.core.errors import ValidationFailed
from faxline.documents.faximage import Resolution, convert_to_fax
from faxline.documents.header import HeaderLine, stamp_header
from faxline.faxing.sandbox.wiring import sandbox_transport
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.transport import CallRequest, ProgressEvent, normalized_number


@dataclass(frozen=True)
class FaxImage:
    """A document ready to send: TIFF-F bytes, its page count and what it was."""

    tiff: bytes
    pages: int
    sha256: str
    source_kind: str
    discouraged: bool


def _fax_image_of(path: Path, *, resolution: str, header: HeaderLine | None) -> FaxImage:
    """FILE converted to TIFF-F at ``resolution`` (fine: 204x196, standard: 204x98) by the one
    converter every caller uses, in the documents sandbox; with the header line stamped on
    every page when ``header`` is given. A refused document is the guide's "Invalid
    Attachment" with its reason."""
    try:
        converted = convert_to_fax(
            path.read_bytes(), filename=path.name, resolution=Resolution(resolution)
        )
    except ValidationFailed as exc:
        raise CommandError(f"{path.name}: {exc.message}") from exc
    tiff = converted.tiff if header is None else stamp_header(converted.tiff, header)
    return FaxImage(
        tiff=tiff,
        pages=converted.pages,
        sha256=hashlib.sha256(tiff).hexdigest(),
        source_kind=converted.source_kind,
        discouraged=converted.discouraged,
    )


class Command(BaseCommand):
    help = (
        "Fax from the command line. `faxline fax call --from N --to M FILE` places one call "
        "on the sandbox PSTN and prints the outcome and statistics as JSON."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        call = actions.add_parser(
            "call",
            help="place one sandbox call carrying FILE and print the outcome as JSON",
            description=(
                "Place one call on the SANDBOX PSTN (a simulated network: numbers in service "
                "here stay on-net, NXX-555-0100..0199 are test numbers with fixed outcomes, "
                "any other number reaches a simulated remote fax machine)."
            ),
        )
        call.add_argument("--from", dest="from_number", required=True, help="calling number")
        call.add_argument("--to", dest="to_number", required=True, help="number to dial")
        call.add_argument(
            "file",
            help="the document: PDF, TIFF, text, RTF, Office (DOC/DOCX, XLS/XLSX, PPT/PPTX, VSD) "
            "or an image (JPG, GIF, PNG: discouraged)",
        )
        call.add_argument(
            "--resolution", choices=("fine", "standard"), default="fine", help="default: fine"
        )
        call.add_argument("--ident", help="our fax ident (TSI), default: the --from number")
        call.add_argument("--t38", action="store_true", help="carry the fax over T.38")
        call.add_argument(
            "--real-time", action="store_true", help="pace the call at real time (a demo)"
        )
        call.add_argument("--log", action="store_true", help="include spandsp's log")
        call.add_argument(
            "--header",
            action="store_true",
            help="stamp the header line (ident, date and time in UTC, page n of m) on every page",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "call":
            self._call(options)

    def _call(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        header = None
        if options["header"]:
            when = timezone.now().strftime("%m/%d/%Y %I:%M %p UTC")
            header = HeaderLine(ident=options["ident"] or options["from_number"], when=when)
        image = _fax_image_of(path, resolution=options["resolution"], header=header)
        verbose = int(options.get("verbosity", 1)) >= 1

        def progress(event: ProgressEvent) -> None:
            if verbose:
                print(f"{event.at_seconds:8.2f} s  {event.kind}  {event.detail}", file=sys.stderr)

        with tempfile.TemporaryDirectory(prefix="faxline-call-") as folder:
            tiff = Path(folder) / "fax.tif"
            tiff.write_bytes(image.tiff)
            try:
                from_number = normalized_number(options["from_number"], field_name="from")
                request = CallRequest(
                    from_number=from_number,
                    to_number=options["to_number"],
                    tiff=tiff,
                    options=FaxOptions(ident=options["ident"] or from_number),
                    on_progress=progress,
                    t38=bool(options["t38"]),
                )
            except ValidationFailed as exc:
                raise CommandError(f"--{exc.field}: {exc.message}") from exc
            except ValueError as exc:  # FaxOptions: an ident T.30 cannot carry
                raise CommandError(f"--ident: {exc}") from exc
            transport = sandbox_transport(real_time=True if options["real_time"] else None)
            outcome = transport.place_call_sync(request)
        data = outcome.as_dict(with_log=bool(options["log"]))
        data["document"] = {
            "file": path.name,
            "kind": image.source_kind,
            "discouraged": image.discouraged,
            "pages": image.pages,
            "resolution": options["resolution"],
            "sha256": image.sha256,
        }
        self.stdout.write(json.dumps(data, indent=2))
