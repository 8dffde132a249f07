"""``faxline serve``, ``web`` and ``worker``: argument checking and orchestration.

Nothing here starts a real server or worker process (``test_serve_live.py`` does).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from faxline import cli
from faxline.portal.management import serving
from faxline.portal.management.commands import serve as serve_command
from faxline.portal.management.commands import worker as worker_command
from faxline.portal.management.commands.serve import ServeOptions, validate_serve_options
from faxline.portal.management.supervisor import (
    ProcessChild,
    ServedProcess,
    Supervisor,
    ThreadChild,
)


@pytest.fixture(autouse=True)
def _portal_url_kept(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """``serve`` and ``web`` set the portal address for their process (tests/portal/
    test_portal_url.py): whatever they set is undone after each test."""
    monkeypatch.setenv("FAXLINE_PORTAL_URL", "")
    settings.FAXLINE_PORTAL_URL = "http://127.0.0.1:8000"


def test_valid_serve_options_are_normalised() -> None:
    options = validate_serve_options(host="0.0.0.0", port="8080", smtp_port=2525)
    assert options == ServeOptions(host="0.0.0.0", port=8080, smtp_port=2525)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "fax.example.com", "::1", "[::1]"])
def test_hosts_accepted(host: str) -> None:
    assert validate_serve_options(host=host, port=8000, smtp_port=2525).host == host.strip("[]")


@pytest.mark.parametrize("port", ["abc", "", "0", "-1", "65536", "80.5", 0, 70000, True, None])
def test_bad_port_names_the_port_option(port: object) -> None:
    with pytest.raises(CommandError, match=r"^--port: expected a port number from 1 to 65535"):
        validate_serve_options(host="127.0.0.1", port=port, smtp_port=2525)


@pytest.mark.parametrize("smtp_port", ["smtp", "0", "65536"])
def test_bad_smtp_port_names_the_smtp_port_option(smtp_port: str) -> None:
    with pytest.raises(CommandError, match=r"^--smtp-port: "):
        validate_serve_options(host="127.0.0.1", port=8000, smtp_port=smtp_port)


@pytest.mark.parametrize("host", ["", "bad host", "999.1.1.1", "-x.example", "a..b", "http://x"])
def test_bad_host_names_the_host_option(host: str) -> None:
    with pytest.raises(CommandError, match=r"^--host: .* is not an IP address or a host name"):
        validate_serve_options(host=host, port=8000, smtp_port=2525)


def test_smtp_port_must_differ_from_web_port() -> None:
    with pytest.raises(CommandError, match=r"^--smtp-port: must differ from --port"):
        validate_serve_options(host="127.0.0.1", port=2525, smtp_port=2525)


def test_serve_command_rejects_bad_port_before_starting_anything(monkeypatch) -> None:
    def must_not_run(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("nothing may start on bad arguments")

    monkeypatch.setattr(serve_command, "call_command", must_not_run)
    monkeypatch.setattr(Supervisor, "start", must_not_run)
    with pytest.raises(CommandError, match="--port"):
        call_command("serve", port="http")
    with pytest.raises(CommandError, match="--port"):
        call_command("serve", "--port", "99999")


def test_web_command_rejects_bad_arguments() -> None:
    with pytest.raises(CommandError, match=r"^--port: "):
        call_command("web", port="0")
    with pytest.raises(CommandError, match=r"^--host: "):
        call_command("web", host="not a host")
    with pytest.raises(CommandError, match=r"^--workers: "):
        call_command("web", workers="0")


def test_port_in_use_is_reported_with_the_option() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(CommandError, match=rf"^--port: 127.0.0.1:{port} is already in use"):
            serving.ensure_port_free("127.0.0.1", port, option="--port")


def test_portal_address() -> None:
    assert serving.portal_address("127.0.0.1", 8000) == "http://127.0.0.1:8000/"
    assert serving.portal_address("0.0.0.0", 80) == "http://127.0.0.1:80/"
    assert serving.portal_address("::1", 8000) == "http://[::1]:8000/"


def test_serve_migrates_starts_its_children_and_web_then_stops_the_children(
    monkeypatch, capsys
) -> None:
    calls: list[str] = []

    def pretend_worker(stop: threading.Event) -> None:
        calls.append("worker started")
        stop.wait()
        calls.append("worker stopped")

    def fake_call_command(name: str, **kwargs: Any) -> None:
        calls.append(name)
        assert kwargs["interactive"] is False

    def children(self: Any, *, verbosity: int) -> list[Any]:
        return [ThreadChild("task worker", pretend_worker)]

    def fake_run_web(self: Any, serve: ServeOptions, **kwargs: Any) -> None:
        calls.append(f"web {serve.host}:{serve.port}")
        raise KeyboardInterrupt  # as if stopped by Ctrl-C

    monkeypatch.setattr(serve_command, "call_command", fake_call_command)
    monkeypatch.setattr(serve_command, "ensure_port_free", lambda *a, **k: None)
    monkeypatch.setattr(serve_command.Command, "children", children)
    monkeypatch.setattr(serve_command.Command, "run_web", fake_run_web)

    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    with pytest.raises(KeyboardInterrupt):
        call_command("serve", "--port", "8123")

    assert calls == ["migrate", "worker started", "web 127.0.0.1:8123", "worker stopped"]
    out = capsys.readouterr().out
    assert "Portal:       http://127.0.0.1:8123/" in out
    assert "Task worker:  running (thread faxline-task-worker)" in out
    assert "SMTP gateway: port 2525" in out
    # serve's own signal handlers are gone with it.
    assert {sig: signal.getsignal(sig) for sig in handlers} == handlers


def test_serve_runs_the_declared_processes_and_the_scheduler() -> None:
    children = serve_command.Command().children(verbosity=1)
    assert [child.name for child in children] == [
        "fax dispatcher",
        "email to fax",
        "task worker",
        "scheduler",
    ]
    dispatcher, smtpd, worker, scheduler = children
    assert isinstance(smtpd, ProcessChild)
    assert smtpd.command[:5] == [sys.executable, "-m", "faxline.cli", "smtpd", "--no-reload"]
    assert isinstance(dispatcher, ProcessChild)
    assert dispatcher.command[:4] == [sys.executable, "-m", "faxline.cli", "dispatcher"]
    assert isinstance(worker, ProcessChild)
    assert isinstance(scheduler, ThreadChild)
    assert worker.command[:4] == [sys.executable, "-m", "faxline.cli", "worker"]
    assert "--no-reload" in worker.command
    assert "--verbosity=1" in worker.command
    assert f"--exit-with-parent={os.getpid()}" in worker.command
    assert worker.env is not None
    assert worker.env["DJANGO_SETTINGS_MODULE"]
    assert serve_command.served_processes() == [
        ServedProcess("fax dispatcher", ("dispatcher", "--no-reload"), stop_timeout=120),
        ServedProcess("email to fax", ("smtpd", "--no-reload")),
        ServedProcess("task worker", ("worker", "--no-reload")),
    ]


def test_worker_builds_the_lock_tolerant_worker_from_its_options() -> None:
    worker = worker_command.Command().build_worker(
        queue_name="default,mail", interval="0.5", batch=False, max_tasks="10", worker_id=None
    )
    assert isinstance(worker, worker_command.LockTolerantWorker)
    assert worker.queue_names == ["default", "mail"]
    assert worker.interval == 0.5
    assert worker.max_tasks == 10
    assert worker.backend_name == "default"
    assert 0 < len(worker.worker_id) <= 64


def test_worker_refuses_a_task_backend_it_cannot_run(settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    with pytest.raises(CommandError, match=r"^FAXLINE_TASK_BACKEND: the task worker needs"):
        worker_command.require_database_backend()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["--interval", "-1"], "--interval"),
        (["--interval", "soon"], "--interval"),
        (["--max-tasks", "0"], "--max-tasks"),
        (["--worker-id", "x" * 65], "--worker-id"),
        (["--queue-name", ","], "--queue-name"),
        (["--exit-with-parent", "me"], "--exit-with-parent"),
    ],
)
def test_worker_rejects_bad_options(monkeypatch, args: list[str], option: str) -> None:
    monkeypatch.setattr(worker_command.LockTolerantWorker, "run", lambda self: None)
    monkeypatch.setattr(worker_command.LockTolerantWorker, "configure_signals", lambda self: None)
    with pytest.raises(CommandError, match=f"^{option}: "):
        call_command("worker", *args)


def test_cli_runs_management_commands(capsys) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["faxline", "serve", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    assert out.startswith("usage: faxline serve")
    assert "SMTP email-to-fax gateway" in out


def test_a_second_stop_signal_while_stopping_kills_the_children() -> None:
    sleeper = ProcessChild("task worker", [sys.executable, "-c", "import time; time.sleep(60)"])
    supervisor = Supervisor([sleeper], poll_interval=3600)
    supervisor.start()
    signals = serve_command.StopSignals()
    signals.supervisor = supervisor
    try:
        signals.handle(signal.SIGTERM, None)  # the first: stop in order
        assert signals.received.is_set()
        assert sleeper.exit_reason() is None
        signals.handle(signal.SIGINT, None)  # another one while stopping: kill
        assert sleeper.exit_reason() == "killed by SIGKILL"
    finally:
        supervisor.stop()
