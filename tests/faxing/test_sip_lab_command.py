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

from faxline.telephony.lab import group_members
from faxline.telephony.lab.probe import sip_options_ping

pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.skipif(
        not all(os.access(p, os.X_OK) for p in ("/usr/sbin/kamailio", "/usr/bin/rtpengine")),
        reason="kamailio and rtpengine-daemon are not installed",
    ),
]


def test_sip_lab_runs_until_ctrl_c(tmp_path: Path) -> None:
    command = subprocess.Popen(
        [
            sys.executable, "-m", "faxline.cli", "sip_lab", "--port", "0",
            "--faxline-numbers", "+1212555", "--username", "newcomer", "--password", "pw-1",
            "--remote-numbers", "+1646555,+1718555", "--remote-t38", "g711",
            "--workdir", str(tmp_path / "lab"),
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
            if "Ctrl-C stops the lab." in line:
                break
        text = "".join(printed)
        port = re.search(r"^  port\s+(\d+) \(UDP or TCP\)$", text, re.MULTILINE)
        assert port, text
        assert re.search(r"^  username\s+newcomer$", text, re.MULTILINE), text
        assert re.search(r"^  password\s+pw-1$", text, re.MULTILINE), text
        assert "numbers +1646555, +1718555" in text
        assert sip_options_ping("127.0.0.1", int(port.group(1))) == 200
        rtpengine = int((tmp_path / "lab" / "rtpengine.pid").read_text())
    finally:
        command.send_signal(signal.SIGINT)
        rest, _ = command.communicate(timeout=15)
    assert command.returncode == 0, text + rest
    assert "stopped kamailio and rtpengine" in rest
    assert sip_options_ping("127.0.0.1", int(port.group(1)), timeout=0.2) is None
    assert not group_members(rtpengine)
    assert (tmp_path / "lab" / "kamailio.log").exists()  # --workdir keeps the logs
