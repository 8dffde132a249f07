"""The lab starts in about a second, answers on its ports, and leaves no process behind,
also when the test using it fails."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import pytest

from faxline.telephony.lab import Endpoint, FaxCarriage, LabError, SipLab, group_members
from faxline.telephony.lab.kamailio import KamailioSettings, render_kamailio_cfg
from faxline.telephony.lab.probe import sip_options_ping
from faxline.telephony.transport import run_sync

NEEDED = ("/usr/sbin/kamailio", "/usr/bin/rtpengine", "/usr/bin/sipp")
pytestmark = [
    pytest.mark.database_independent,
    pytest.mark.skipif(
        not all(os.access(path, os.X_OK) for path in NEEDED),
        reason="kamailio, rtpengine-daemon and sip-tester (SIPp) are not installed",
    ),
]

ENDPOINTS = [
    Endpoint("a", port=5090, numbers=("+1212555",), username="alice", password="pw"),
    Endpoint("b", port=5091, numbers=("+1646",), t38=FaxCarriage.T38, refuse_t38=True),
]


def _gone(groups: dict[str, int]) -> bool:
    return all(not group_members(pgid) for pgid in groups.values())


def test_starts_answers_and_stops_without_leftovers() -> None:
    started = time.monotonic()
    with SipLab(ENDPOINTS) as lab:
        startup = time.monotonic() - started
        groups = lab.process_groups
        workdir = lab.workdir
        assert lab.running
        assert set(groups) == {"kamailio", "rtpengine"}
        assert all(group_members(pgid) for pgid in groups.values())
        assert sip_options_ping(lab.sip_host, lab.sip_port) == 200
        assert lab.rtpengine({"command": "ping"})["result"] == "pong"
        assert lab.trunk == f"127.0.0.1:{lab.sip_port}"
        assert lab.rtp_ports[0] < lab.rtp_ports[1]
        assert "rtpengine instance" in lab.kamailio_log.read_text()
        assert "Startup complete" in lab.rtpengine_log.read_text()
    assert startup < 3.0, f"startup took {startup:.2f} s"
    assert _gone(groups), {name: group_members(pgid) for name, pgid in groups.items()}
    assert not workdir.exists()  # a temporary directory of its own, removed


def test_stops_when_the_body_raises() -> None:
    lab = SipLab(ENDPOINTS)
    with pytest.raises(RuntimeError, match="the test failed"), lab:
        groups = lab.process_groups
        raise RuntimeError("the test failed")
    assert _gone(groups)
    assert not lab.running


def test_async_context_manager(tmp_path: Path) -> None:
    async def body() -> dict[str, int]:
        async with SipLab(ENDPOINTS, workdir=tmp_path / "lab") as lab:
            assert sip_options_ping(lab.sip_host, lab.sip_port) == 200
            return lab.process_groups

    groups = run_sync(body())
    assert _gone(groups)
    assert (tmp_path / "lab" / "kamailio.log").exists()  # a given workdir is kept


def test_a_server_that_cannot_start_is_reported_with_its_log(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from faxline.telephony.lab import lab as lab_module

    broken = lab_module.render_kamailio_cfg

    def unparseable(*args: object, **kwargs: object) -> str:
        return broken(*args, **kwargs).replace("request_route {", "request_route {{")  # type: ignore[arg-type]

    monkeypatch.setattr(lab_module, "render_kamailio_cfg", unparseable)
    lab = SipLab(ENDPOINTS)
    with pytest.raises(LabError, match="kamailio exited") as raised:
        lab.start()
    assert "kamailio.log" in str(raised.value)
    assert not lab.running


def test_the_generated_config_passes_kamailios_own_check(tmp_path: Path) -> None:
    config = tmp_path / "kamailio.cfg"
    config.write_text(
        render_kamailio_cfg(
            KamailioSettings(
                host="127.0.0.1", sip_port=5999, ng_port=5998, realm="r.test", secret="x"
            ),
            [*ENDPOINTS, Endpoint("c", numbers=("+",), t38=FaxCarriage.G711)],
        )
    )
    checked = subprocess.run(
        ["/usr/sbin/kamailio", "-c", "-f", str(config), "-Y", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
