"""``faxline sip_lab``: the newcomer's local carrier starts, prints the trunk settings, answers
on the printed port and stops both servers on Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from faxline.telephony.lab import free_port, group_members
from faxline.telephony.lab.probe import sip_options_ping
from faxline.telephony.outcomes import OutcomeName
from faxline.telephony.sip.config import InboundAnswer, TrunkConfig, TrunkDirectory
from faxline.telephony.sip.trunk import SipTrunkTransport
from faxline.telephony.t30 import FaxOptions
from faxline.telephony.transport import CallRequest, ReceivedFax
from telephony.lab.trunk_pair import sparse_tiff

pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.skipif(
        not all(os.access(p, os.X_OK) for p in ("/usr/sbin/kamailio", "/usr/bin/rtpengine")),
        reason="kamailio and rtpengine-daemon are not installed",
    ),
]


def test_sip_lab_runs_until_ctrl_c(tmp_path: Path) -> None:
    """Also the newcomer's round trip with the lab's fax machine: faxline's transport (as
    `faxline serve` runs it, with the printed trunk) sends a page to the remote number, which
    lands in received/; a document dropped into outbox/ is faxed to faxline's number."""
    faxline_port, remote_port = free_port(tcp_too=True), free_port(tcp_too=True)
    folder = tmp_path / "fax"
    command = subprocess.Popen(
        [
            sys.executable, "-m", "faxline.cli", "sip_lab", "--port", "0",
            "--faxline", f"127.0.0.1:{faxline_port}",
            "--faxline-numbers", "+1212555", "--username", "newcomer", "--password", "pw-1",
            "--remote", f"127.0.0.1:{remote_port}",
            "--remote-numbers", "+1646555,+1718555", "--remote-t38", "pass",
            "--workdir", str(tmp_path / "lab"), "--dir", str(folder),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    assert command.stdout is not None
    printed: list[str] = []
    text = ""
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            line = command.stdout.readline()
            if not line:
                break
            printed.append(line)
            if "then moved to" in line:
                break
        text = "".join(printed)
        port = re.search(r"^  port\s+(\d+) \(UDP or TCP\)$", text, re.MULTILINE)
        assert port, text
        assert re.search(r"^  username\s+newcomer$", text, re.MULTILINE), text
        assert re.search(r"^  password\s+pw-1$", text, re.MULTILINE), text
        assert "numbers +1646555, +1718555" in text
        assert sip_options_ping("127.0.0.1", int(port.group(1))) == 200
        rtpengine = int((tmp_path / "lab" / "rtpengine.pid").read_text())
        assert f"faxes it receives are written to {folder / 'received'}/" in text
        _round_trip(int(port.group(1)), faxline_port, folder, tmp_path)
    finally:
        command.send_signal(signal.SIGINT)
        rest, _ = command.communicate(timeout=15)
    assert command.returncode == 0, text + rest
    assert "stopped kamailio and rtpengine" in rest
    assert sip_options_ping("127.0.0.1", int(port.group(1)), timeout=0.2) is None
    assert not group_members(rtpengine)
    assert (tmp_path / "lab" / "kamailio.log").exists()  # --workdir keeps the logs


def _round_trip(carrier_port: int, faxline_port: int, folder: Path, tmp_path: Path) -> None:
    received: list[ReceivedFax] = []
    trunk = TrunkConfig(
        key="lab", name="lab", host="127.0.0.1", port=carrier_port, username="newcomer",
        password="pw-1",
    )  # fmt: skip
    faxline = SipTrunkTransport(
        lambda: [trunk],
        TrunkDirectory(inbound_answer=lambda did, caller: InboundAnswer.ACCEPT),
        received.append,
        port=faxline_port,
    )
    try:
        faxline.start()
        page = sparse_tiff(tmp_path / "page.tif", pages=1)
        request = CallRequest(
            from_number="+12125550100", to_number="+16465550142", tiff=page,
            options=FaxOptions(ident="newcomer"),
        )  # fmt: skip
        outcome = faxline.place_call_sync(request)
        assert outcome.name is OutcomeName.SENT, outcome.as_dict()
        deadline = time.monotonic() + 10
        while not any((folder / "received").iterdir()) and time.monotonic() < deadline:
            time.sleep(0.1)
        (kept,) = (folder / "received").iterdir()
        assert "from+12125550100-to+16465550142" in kept.name
        (folder / "outbox" / "+12125550177.txt").write_text("Hello from the lab.\n")
        deadline = time.monotonic() + 60
        while not received and time.monotonic() < deadline:
            time.sleep(0.2)
        assert [(f.to_number, f.result.pages) for f in received] == [("+12125550177", 1)]
    finally:
        faxline.close()
