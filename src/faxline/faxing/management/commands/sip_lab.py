"""``faxline sip_lab``: a local carrier for trying the SIP trunk transport by hand.

Starts kamailio (the carrier's SIP proxy and registrar) and rtpengine (its media relay, with a
T.38 ↔ G.711 gateway) on loopback through :class:`faxline.telephony.lab.SipLab`, with two
endpoints: faxline itself (digest credentials, the numbers it receives faxes on) and a remote
party, and prints what to configure. The remote party is, unless ``--remote-external``, a fax
machine of the lab's own (:class:`faxline.telephony.lab.faxmachine.RemoteFaxMachine`): what
it receives is written to ``DIR/received/``, and a document dropped into ``DIR/outbox/``
named after a number (``+12125550100.pdf``) is faxed to that number, then moved to
``DIR/sent/``. Ctrl-C (or SIGTERM) stops everything.
"""

from __future__ import annotations

import secrets
import signal
import time
from pathlib import Path
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from faxline.core.errors import DomainError
from faxline.documents.faximage import convert_to_fax
from faxline.telephony.lab import Endpoint, FaxCarriage, LabError, SipLab
from faxline.telephony.lab.faxmachine import RemoteFaxMachine
from faxline.telephony.sip.config import SipTransportName, T38Mode

EXAMPLE = """
example (faxline's SIP transport on 127.0.0.1:5080 with DIDs +1212555xxxx, the lab's
fax machine on 127.0.0.1:5090 for +1646555xxxx, carrying faxes in G.711 only):

  faxline sip_lab --port 5070 \\
      --faxline 127.0.0.1:5080 --faxline-numbers +1212555 \\
      --remote 127.0.0.1:5090 --remote-numbers +1646555 --remote-t38 g711

then configure the trunk printed (host 127.0.0.1, port 5070, the username and password);
faxes from faxline to +1646555xxxx reach the lab's fax machine with rtpengine translating
T.38 to G.711, and documents dropped into its outbox reach faxline's +1212555xxxx numbers.
Ctrl-C stops the lab.
"""


def _address(value: str, option: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit():
        raise CommandError(f"{option}: give HOST:PORT, e.g. 127.0.0.1:5080")
    return host, int(port)


def _numbers(values: list[str] | None, option: str) -> tuple[str, ...]:
    numbers = tuple(n.strip() for value in values or () for n in value.split(",") if n.strip())
    if not numbers:
        raise CommandError(f"{option}: give at least one E.164 number or prefix, e.g. +1212555")
    return numbers


class Command(BaseCommand):
    help = (
        "Run a local SIP carrier (kamailio + rtpengine on loopback) for faxline's SIP trunk "
        "and one remote party, in the foreground; prints the trunk settings and the "
        "credentials; Ctrl-C stops it."
    )

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.epilog = EXAMPLE
        from argparse import RawDescriptionHelpFormatter

        parser.formatter_class = RawDescriptionHelpFormatter
        return parser

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--port", type=int, default=5070, help="the carrier's SIP port, UDP and TCP "
            "(default 5070; 0: any free port)",
        )  # fmt: skip
        parser.add_argument(
            "--faxline", default="127.0.0.1:5080", metavar="HOST:PORT",
            help="where faxline's SIP transport listens (default 127.0.0.1:5080)",
        )  # fmt: skip
        parser.add_argument(
            "--faxline-numbers", action="append", metavar="E164[,E164...]",
            help="numbers or prefixes faxline receives on (e.g. +1212555); repeatable",
        )  # fmt: skip
        parser.add_argument(
            "--faxline-transport", choices=["udp", "tcp"], default="udp",
            help="how the carrier reaches faxline (default udp)",
        )  # fmt: skip
        parser.add_argument("--username", default="faxline", help="faxline's digest username")
        parser.add_argument(
            "--password", default="", help="faxline's digest password (default: a random one)"
        )
        parser.add_argument(
            "--faxline-t38", choices=[c.value for c in FaxCarriage], default="pass",
            help="how the carrier treats faxline's fax media (default pass: relay T.38 and "
            "G.711 as negotiated)",
        )  # fmt: skip
        parser.add_argument(
            "--remote", default="127.0.0.1:5090", metavar="HOST:PORT",
            help="the remote party, recognised by this address (no digest; default "
            "127.0.0.1:5090)",
        )  # fmt: skip
        parser.add_argument(
            "--remote-numbers", action="append", metavar="E164[,E164...]",
            help="numbers or prefixes of the remote party (e.g. +1646555); repeatable",
        )  # fmt: skip
        parser.add_argument(
            "--remote-transport", choices=["udp", "tcp"], default="udp",
            help="how the carrier reaches the remote party (default udp)",
        )  # fmt: skip
        parser.add_argument(
            "--remote-t38", choices=[c.value for c in FaxCarriage], default="pass",
            help="how the remote party carries faxes: t38, g711 (rtpengine gateways between "
            "a t38 and a g711 side) or pass (default)",
        )  # fmt: skip
        parser.add_argument(
            "--remote-refuses-t38", action="store_true",
            help="the carrier answers 488 to T.38 offers towards the remote party",
        )  # fmt: skip
        parser.add_argument(
            "--remote-external", action="store_true",
            help="the remote party is yours (SIPp, a softphone): do not run the lab's fax "
            "machine on --remote",
        )  # fmt: skip
        parser.add_argument(
            "--dir", type=Path, default=None, dest="folder",
            help="the lab fax machine's folders received/, outbox/ and sent/ (default "
            "$FAXLINE_HOME/sip-lab)",
        )  # fmt: skip
        parser.add_argument(
            "--workdir", type=Path, default=None,
            help="keep kamailio.cfg and the logs here (default: a temporary directory)",
        )  # fmt: skip

    def handle(self, *args: Any, **options: Any) -> None:
        faxline_host, faxline_port = _address(options["faxline"], "--faxline")
        remote_host, remote_port = _address(options["remote"], "--remote")
        password = options["password"] or secrets.token_urlsafe(12)
        try:
            faxline = Endpoint(
                "faxline",
                host=faxline_host,
                port=faxline_port,
                transport=SipTransportName(options["faxline_transport"]),
                numbers=_numbers(options["faxline_numbers"], "--faxline-numbers"),
                username=options["username"],
                password=password,
                t38=FaxCarriage(options["faxline_t38"]),
            )
            remote = Endpoint(
                "remote",
                host=remote_host,
                port=remote_port,
                transport=SipTransportName(options["remote_transport"]),
                numbers=_numbers(options["remote_numbers"], "--remote-numbers"),
                t38=FaxCarriage(options["remote_t38"]),
                refuse_t38=options["remote_refuses_t38"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

        def stop(_signum: int, _frame: FrameType | None) -> None:
            raise KeyboardInterrupt

        # SIGINT too: a process started in the background by a shell inherits SIGINT ignored,
        # and Python then never turns Ctrl-C into KeyboardInterrupt
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        lab = SipLab(
            [faxline, remote], sip_port=options["port"] or None, workdir=options["workdir"]
        )
        machine: RemoteFaxMachine | None = None
        try:
            with lab:
                if not options["remote_external"]:
                    machine = self._machine(lab, remote, options["folder"])
                self._print_settings(lab, faxline, remote)
                if machine is not None:
                    self._print_machine(machine, options["folder"])
                while lab.running:
                    if machine is not None:
                        self._send_outbox(machine, remote)
                    time.sleep(0.5)
                raise CommandError("a lab server stopped by itself:\n" + lab.logs())
        except LabError as exc:
            raise CommandError(str(exc)) from exc
        except KeyboardInterrupt:
            self.stdout.write("\nstopped kamailio and rtpengine")
        finally:
            if machine is not None:
                machine.stop()

    # --- the lab's fax machine ---------------------------------------------------------------

    def _folder(self, folder: Path | None) -> Path:
        return folder or Path(settings.FAXLINE_HOME) / "sip-lab"

    def _machine(self, lab: SipLab, remote: Endpoint, folder: Path | None) -> RemoteFaxMachine:
        base = self._folder(folder)
        for name in ("received", "outbox", "sent"):
            (base / name).mkdir(parents=True, exist_ok=True)
        machine = RemoteFaxMachine(
            host=remote.host,
            port=remote.port,
            numbers=remote.numbers,
            carrier_host=lab.sip_host,
            carrier_port=lab.sip_port,
            transport=remote.transport,
            inbox=base / "received",
            # The machine carries faxes the way the carrier was told its side does.
            t38=T38Mode.G711_ONLY if remote.t38 is FaxCarriage.G711 else T38Mode.PREFERRED,
        )
        try:
            machine.start()
        except OSError as exc:
            raise CommandError(
                f"--remote {remote.host}:{remote.port}: cannot listen there ({exc}); "
                "choose another address or use --remote-external"
            ) from exc
        return machine

    def _print_machine(self, machine: RemoteFaxMachine, folder: Path | None) -> None:
        base = self._folder(folder)
        write = self.stdout.write
        write("")
        write(f"The remote party is the lab's fax machine (numbers {', '.join(machine.numbers)}):")
        write(f"  faxes it receives are written to {base / 'received'}/")
        write(f"  drop a document named after a number into {base / 'outbox'}/ to fax it,")
        write(f"  e.g. {base / 'outbox'}/+12125550100.pdf (then moved to {base / 'sent'}/)")
        self.stdout.flush()

    def _send_outbox(self, machine: RemoteFaxMachine, remote: Endpoint) -> None:
        base = machine.inbox.parent
        for path in sorted((base / "outbox").iterdir()):
            if not path.is_file():
                continue
            sent = base / "sent" / path.name
            path.replace(sent)
            self._send_one(machine, remote, sent)
        for path in list(machine.received):
            self.stdout.write(f"received: {path}")
            machine.received.remove(path)
        self.stdout.flush()

    def _send_one(self, machine: RemoteFaxMachine, remote: Endpoint, path: Path) -> None:
        to = path.stem
        try:
            image = convert_to_fax(path.read_bytes(), filename=path.name)
        except DomainError as exc:
            self.stdout.write(f"{path.name}: not sent: {exc}")
            return
        tiff = path.with_suffix(path.suffix + ".tif")
        tiff.write_bytes(image.tiff)
        caller = remote.numbers[0].ljust(12, "0")  # a prefix made a whole (NANP) number
        try:
            outcome = machine.send(tiff, to=to, from_number=caller)
        except DomainError as exc:
            self.stdout.write(f"{path.name}: not sent: {exc}")
            return
        pages = outcome.fax.pages if outcome.fax is not None else 0
        self.stdout.write(
            f"{path.name}: {outcome.name} to {outcome.to_number} ({pages} page(s), "
            f"{outcome.media or 'no media'})"
        )

    def _print_settings(self, lab: SipLab, faxline: Endpoint, remote: Endpoint) -> None:
        write = self.stdout.write
        write(self.style.SUCCESS("SIP lab running (kamailio + rtpengine on loopback)"))
        write("")
        write("Trunk to configure for faxline:")
        write(f"  host        {lab.sip_host}")
        write(f"  port        {lab.sip_port} (UDP or TCP)")
        write(f"  username    {faxline.username}")
        write(f"  password    {faxline.password}")
        write(f"  realm       {lab.realm}")
        write("  registration optional: calls go to faxline's registered contact, else to")
        write(f"              {faxline.host}:{faxline.port} ({faxline.transport})")
        write("")
        write(f"faxline receives calls for {', '.join(faxline.numbers)}")
        write(f"  its INVITEs and REGISTERs are challenged (407/401); fax media: {faxline.t38}")
        write(
            f"remote party at {remote.host}:{remote.port} ({remote.transport}), numbers "
            f"{', '.join(remote.numbers)}"
        )
        write(
            f"  recognised by its address, no digest; fax media: {remote.t38}"
            + ("; T.38 offers to it get 488" if remote.refuse_t38 else "")
        )
        write("")
        write(f"rtpengine NG control {lab.sip_host}:{lab.ng_port}, media ports {lab.rtp_ports}")
        write(f"logs: {lab.kamailio_log}")
        write(f"      {lab.rtpengine_log}")
        write("Ctrl-C stops the lab.")
        self.stdout.flush()
