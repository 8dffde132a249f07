"""Every email goes through the notification log (``faxline.notify``): no other module of
the platform sends mail itself (Django's mail API or smtplib), so every message is logged,
retried with backoff by the task worker, and never sent inside a web request. Apps below
notify (accounts) queue theirs through ``faxline.core.mail.queue_email``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "faxline"
# The notification log's delivery, and its backends that print instead of sending.
ALLOWED = (PACKAGE / "notify",)
# The settings name the backend; they send nothing.
ALLOWED_FILES = (PACKAGE / "settings.py",)
SENDERS = ("django.core.mail", "smtplib")

pytestmark = pytest.mark.database_independent


def sending_imports(path: Path) -> list[str]:
    """``file:line imports name`` for each import of a mail-sending module in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if any(name == s or name.startswith(s + ".") for s in SENDERS):
                found.append(f"{path.name}:{node.lineno} imports {name}")
    return found


def test_only_notify_sends_email() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path in ALLOWED_FILES or any(path.is_relative_to(a) for a in ALLOWED):
            continue
        offenders += [f"{path.parent.name}/{line}" for line in sending_imports(path)]
    assert offenders == [], "send email through faxline.notify.services.notify_email:\n" + (
        "\n".join(offenders)
    )


def test_the_check_sees_every_form_of_import(tmp_path: Path) -> None:
    sample = tmp_path / "rogue.py"
    sample.write_text(
        "from django.core import mail\nimport smtplib\n"
        "from django.core.mail import send_mail\nimport json\n",
        encoding="utf-8",
    )
    assert sending_imports(sample) == [
        "rogue.py:1 imports django.core.mail",
        "rogue.py:2 imports smtplib",
        "rogue.py:3 imports django.core.mail.send_mail",
    ]
