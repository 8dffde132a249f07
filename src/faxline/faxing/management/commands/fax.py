"""``faxline fax call --from N --to M FILE``: place one call on the sandbox PSTN and print its
outcome and statistics as JSON (operators and development: how a newcomer sees the modem work
before fax jobs exist).

FILE is converted to a fax image first (:func:`_fax_image_of`); the call's progress goes to
stderr as it happens, the outcome to stdout as one JSON document.
"""

from __future__ import annotations

import io
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from PIL import Image

from faxline.core.errors import ValidationFailed
from faxline.faxing.sandbox.wiring import sandbox_transport
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.transport import CallRequest, ProgressEvent, normalized_number

T4_WIDTHS = (1728, 2048, 2432)


@dataclass(frozen=True)
class FaxImage:
    """A document ready to send: TIFF-F bytes and its page count."""

    tiff: bytes
    pages: int


def _fax_image_of(path: Path, *, resolution: str) -> FaxImage:
    """FILE as a TIFF-F at ``resolution`` (fine: 204x196, standard: 204x98).

    Until document conversion (``faxline.documents``) is wired in, FILE must already be a
    bilevel TIFF-F (1728 px wide, resolution tags set); a fine image sent at standard
    resolution drops every other line. The lead replaces the body with the converter:
    ``converted = convert_to_fax(path.read_bytes(), filename=path.name, resolution=resolution)``
    and ``return FaxImage(converted.tiff, converted.pages)``.
    """
    data = path.read_bytes()
    if data[:4] not in (b"II*\x00", b"MM\x00*"):
        raise CommandError(
            f"{path.name}: not a TIFF. Until document conversion is available, FILE must be a "
            "TIFF-F (bilevel, G3 or G4, 1728 pixels wide)."
        )
    pages: list[Image.Image] = []
    unchanged = True
    with Image.open(io.BytesIO(data)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            if image.mode != "1" or image.size[0] not in T4_WIDTHS:
                raise CommandError(
                    f"{path.name}: page {index + 1} is not a fax page (bilevel, "
                    f"{' or '.join(map(str, T4_WIDTHS))} pixels wide); it is "
                    f"{image.mode} {image.size[0]}x{image.size[1]}."
                )
            dpi = image.info.get("dpi") or (204, 196)
            page = image.copy()
            fine = float(dpi[1]) > 150
            if resolution == "standard" and fine:
                page = page.resize((page.size[0], page.size[1] // 2), Image.Resampling.NEAREST)
                unchanged = False
            elif resolution == "fine" and not fine:
                raise CommandError(
                    f"{path.name}: page {index + 1} is at standard resolution; send it with "
                    "--resolution standard."
                )
            pages.append(page)
    if unchanged:
        return FaxImage(data, len(pages))
    target = (204, 98) if resolution == "standard" else (204, 196)
    out = io.BytesIO()
    pages[0].save(
        out,
        format="TIFF",
        compression="group4",
        dpi=target,
        save_all=True,
        append_images=pages[1:],
    )
    return FaxImage(out.getvalue(), len(pages))


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
        call.add_argument("file", help="the document (a TIFF-F until conversion is available)")
        call.add_argument(
            "--resolution", choices=("fine", "standard"), default="fine", help="default: fine"
        )
        call.add_argument("--ident", help="our fax ident (TSI), default: the --from number")
        call.add_argument("--t38", action="store_true", help="carry the fax over T.38")
        call.add_argument(
            "--real-time", action="store_true", help="pace the call at real time (a demo)"
        )
        call.add_argument("--log", action="store_true", help="include spandsp's log")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "call":
            self._call(options)

    def _call(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        image = _fax_image_of(path, resolution=options["resolution"])
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
            "pages": image.pages,
            "resolution": options["resolution"],
        }
        self.stdout.write(json.dumps(data, indent=2))
