"""Email backends that print instead of sending, without the one-time links.

The default install has no SMTP server: emails are printed on the console (the process's
output, which ends up in logs). Password-reset, set-password and LOA-signing emails carry a
one-time link whose token lets whoever reads it act as the recipient, so these backends
print every message with such links withheld:

- a message that :func:`faxline.notify.services.notification_deliver` marks as carrying a
  one-time secret (``NotificationLog.carries_secret``) has every link replaced;
- in any other message, token-shaped link segments are redacted
  (``faxline.core.redact.redact_secrets``), in case a secret was not marked.

The recipient's copy is the only one with the link: to receive such emails, configure an
SMTP server (``FAXLINE_SMTP_HOST``). See ``docs/decisions`` (one-time links never logged).
"""

from __future__ import annotations

import copy
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend
from django.core.mail.backends.filebased import EmailBackend as DjangoFileBackend

from faxline.core.redact import redact_links, redact_secrets

# Set on an EmailMessage whose body holds a one-time link (a Python attribute: it is never
# sent as a header).
ONE_TIME_LINK = "faxline_one_time_link"
WITHHELD = "[one-time link withheld from the log: only the recipient's copy has it]"


def printable(message: EmailMessage) -> EmailMessage:
    """A copy of ``message`` safe to print: one-time links withheld, tokens redacted."""
    shown = copy.copy(message)
    body = str(message.body or "")
    if getattr(message, ONE_TIME_LINK, False):
        body = redact_links(body, replacement=WITHHELD)
    shown.body = redact_secrets(body)
    shown.subject = redact_secrets(str(message.subject or ""))
    if getattr(message, "alternatives", None):
        # HTML alternatives would print the same links again.
        shown.alternatives = []  # type: ignore[attr-defined]
        shown.body += "\n[alternative parts not printed]\n"
    shown.attachments = []
    if message.attachments:
        shown.body += f"\n[{len(message.attachments)} attachment(s) not printed]\n"
    return shown


class ConsoleEmailBackend(DjangoConsoleBackend):
    """Django's console backend (the default without SMTP), one-time links withheld."""

    def write_message(self, message: Any) -> None:
        super().write_message(printable(message))


class FileEmailBackend(DjangoFileBackend):
    """Django's file backend (``EMAIL_FILE_PATH``), one-time links withheld."""

    def write_message(self, message: Any) -> None:
        super().write_message(printable(message))
