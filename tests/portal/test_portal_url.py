"""Links in emails point where the portal is served: ``faxline serve --port`` and
``faxline web --port`` give the address to the process they run and to the processes they
start, unless ``FAXLINE_PORTAL_URL`` is set (issue 7: links said ``127.0.0.1:8000`` whatever
the port)."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
import uvicorn
from django.conf import settings as django_settings
from django.core import mail
from django.core.management import call_command

from faxline.accounts.models import User
from faxline.accounts.passwords import password_reset_request
from faxline.portal.management import serving
from faxline.portal.management.commands import serve as serve_command
from faxline.portal.management.commands import web as web_command

from worker import after_commit

pytestmark = pytest.mark.django_db

DEFAULT = "http://127.0.0.1:8000"
RESET_LINK = re.compile(r"(https?://\S+)/auth/\S+")


@pytest.fixture(autouse=True)
def _portal_url_unset(monkeypatch: pytest.MonkeyPatch, settings: Any) -> None:
    """FAXLINE_PORTAL_URL unset (an empty value counts as unset); what the commands set in
    the environment and the settings is undone after the test."""
    monkeypatch.setenv("FAXLINE_PORTAL_URL", "")
    settings.FAXLINE_PORTAL_URL = DEFAULT


@pytest.fixture
def ann() -> User:
    return User.objects.create_user(
        username="ann", password="Fax-Secret-2026", email="ann@example.com", first_name="Ann"
    )


def emailed_portal_url() -> str:
    """The address of the reset link in the last email sent."""
    found = RESET_LINK.search(mail.outbox[-1].body)
    assert found, mail.outbox[-1].body
    return found.group(1)


def test_serve_gives_its_address_to_the_worker_and_to_its_own_emails(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ann: User
) -> None:
    started: dict[str, Any] = {}
    seen: dict[str, str] = {}

    def children(self: Any, *, verbosity: int) -> list[Any]:
        # The task worker as serve would start it (but not started here).
        worker = serve_command.process_child(
            serve_command.served_processes()[0], verbosity=verbosity
        )
        started["env"] = worker.env
        return []

    def fake_run_web(self: Any, options: Any, **kwargs: Any) -> None:
        # What the web server would do on a Forgot Password request.
        with after_commit():
            password_reset_request(username="ann")
        seen["link"] = emailed_portal_url()

    monkeypatch.setattr(serve_command, "call_command", lambda *a, **k: None)
    monkeypatch.setattr(serve_command, "ensure_port_free", lambda *a, **k: None)
    monkeypatch.setattr(serve_command.Command, "children", children)
    monkeypatch.setattr(serve_command.Command, "run_web", fake_run_web)

    call_command("serve", "--port", "8123")

    assert seen["link"] == "http://127.0.0.1:8123"
    # The task worker (which sends the queued emails) gets it through its environment.
    assert started["env"]["FAXLINE_PORTAL_URL"] == "http://127.0.0.1:8123"
    assert django_settings.FAXLINE_PORTAL_URL == "http://127.0.0.1:8123"
    out = capsys.readouterr().out
    assert "Email links:  http://127.0.0.1:8123 (from --host and --port" in out


def test_web_gives_its_address_to_uvicorn_and_its_workers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ann: User
) -> None:
    seen: dict[str, Any] = {}

    def fake_run(**config: Any) -> None:
        seen["config"] = config
        # uvicorn's worker processes read the settings from the environment they inherit.
        seen["environ"] = os.environ.get("FAXLINE_PORTAL_URL")
        with after_commit():
            password_reset_request(username="ann")
        seen["link"] = emailed_portal_url()

    monkeypatch.setattr(web_command, "ensure_port_free", lambda *a, **k: None)
    monkeypatch.setattr(uvicorn, "run", fake_run)

    call_command("web", "--host", "::1", "--port", "9001", "--workers", "2")

    assert seen["config"]["port"] == 9001 and seen["config"]["workers"] == 2
    assert seen["environ"] == "http://[::1]:9001"
    assert seen["link"] == "http://[::1]:9001"
    assert "Email links: http://[::1]:9001" in capsys.readouterr().out


def test_the_setting_wins(
    monkeypatch: pytest.MonkeyPatch, settings: Any, capsys: pytest.CaptureFixture[str], ann: User
) -> None:
    monkeypatch.setenv("FAXLINE_PORTAL_URL", "https://fax.example.com")
    settings.FAXLINE_PORTAL_URL = "https://fax.example.com"
    seen: dict[str, str] = {}

    def fake_run(**config: Any) -> None:
        with after_commit():
            password_reset_request(username="ann")
        seen["link"] = emailed_portal_url()

    monkeypatch.setattr(web_command, "ensure_port_free", lambda *a, **k: None)
    monkeypatch.setattr(uvicorn, "run", fake_run)
    call_command("web", "--port", "9002")

    assert seen["link"] == "https://fax.example.com"
    assert os.environ["FAXLINE_PORTAL_URL"] == "https://fax.example.com"
    assert "Email links: https://fax.example.com (FAXLINE_PORTAL_URL)" in capsys.readouterr().out


def test_adopt_portal_url() -> None:
    derived = serving.adopt_portal_url("0.0.0.0", 8080)
    assert derived == serving.PortalUrl("http://127.0.0.1:8080", configured=False)
    assert django_settings.FAXLINE_PORTAL_URL == "http://127.0.0.1:8080"
    # Listening on every interface: say that the address only works on this machine.
    assert "set FAXLINE_PORTAL_URL" in serving.portal_url_note(derived, "0.0.0.0")
    # Once set in the environment (as for the processes started next), it is configuration.
    again = serving.adopt_portal_url("127.0.0.1", 9999)
    assert again == serving.PortalUrl("http://127.0.0.1:8080", configured=True)


def test_other_commands_keep_the_default(ann: User) -> None:
    with after_commit():
        password_reset_request(username="ann")
    assert emailed_portal_url() == DEFAULT
