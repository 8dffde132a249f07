"""Without an SMTP server, emails are printed by the console backend of the default install
(``faxline.notify.backends.ConsoleEmailBackend``), with every one-time link withheld: the
password-reset and set-password links reach their recipient's mailbox only, never the
process's output or a log record."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import transaction
from django.test import Client

from faxline.accounts.passwords import password_link_send
from faxline.notify.backends import WITHHELD
from faxline.notify.models import NotificationLog
from faxline.notify.services import notify_email

from cast import Cast
from worker import after_commit

CONSOLE = "faxline.notify.backends.ConsoleEmailBackend"
LINK = re.compile(r"https://fax\.example/auth/password/reset/([A-Za-z0-9_-]+)/")


@pytest.fixture(autouse=True)
def _console(settings: Any) -> None:
    settings.EMAIL_BACKEND = CONSOLE
    settings.FAXLINE_PORTAL_URL = "https://fax.example"


def test_it_is_the_default_without_smtp(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FAXLINE_SMTP")}
    env.pop("FAXLINE_EMAIL_BACKEND", None)
    env.update(DJANGO_SETTINGS_MODULE="faxline.settings", FAXLINE_HOME=str(tmp_path))
    code = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    out = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == CONSOLE
    assert django_settings.EMAIL_BACKEND == CONSOLE  # this test's setting


def _tokens(kind: str) -> list[str]:
    bodies = NotificationLog.objects.filter(kind=kind).values_list("body", flat=True)
    return [m.group(1) for body in bodies for m in LINK.finditer(body)]


def test_password_reset_link_is_not_printed(
    cast: Cast, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    with after_commit():
        Client().post("/auth/password/forgot/", {"username": "carol"})
    (token,) = _tokens("accounts.password_reset")
    printed = capsys.readouterr()
    output = printed.out + printed.err
    assert "Reset your faxline password" in output and "To: carol@acme.example" in output
    assert WITHHELD in output
    assert token not in output and "/auth/password/reset/" not in output
    assert all(token not in r.getMessage() for r in caplog.records)
    assert NotificationLog.objects.get(kind="accounts.password_reset").status == "logged"


def test_set_password_link_of_a_new_account_is_not_printed(
    cast: Cast, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    # Bulk Create emails each new account this link (accounts.bulk).
    with after_commit(), transaction.atomic():
        password_link_send(user=cast.sales_user)
    tokens = _tokens("accounts.password_link")
    assert tokens
    printed = capsys.readouterr()
    output = printed.out + printed.err
    assert "choose your password" in output and WITHHELD in output
    assert all(t not in output for t in tokens)
    assert all(t not in r.getMessage() for t in tokens for r in caplog.records)


def test_an_unmarked_token_link_is_redacted_all_the_same(
    cast: Cast, capsys: pytest.CaptureFixture[str]
) -> None:
    token = "Q" * 43
    with after_commit():
        notify_email(
            kind="test.unmarked",
            to="someone@acme.example",
            subject="A link",
            body=f"Open https://fax.example/somewhere/{token}/ and https://fax.example/help/",
        )
    output = capsys.readouterr().out
    assert token not in output
    assert "https://fax.example/somewhere/[redacted]/" in output
    assert "https://fax.example/help/" in output  # an ordinary link stays
