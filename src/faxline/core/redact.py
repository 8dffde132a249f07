"""Keeping one-time secrets out of logs: password-reset, set-password and LOA-signing links.

Those links carry a random token (``secrets.token_urlsafe(32)``: 43 URL-safe characters) in
their path; whoever reads it can use the link. The token belongs in the recipient's mailbox
and nowhere else, so everything faxline writes where operators read (the process's log
records, the web server's access log, the console email backend of the default install)
goes through :func:`redact_secrets` first:

- a path segment or query value of 32 or more URL-safe characters (the shape of every token
  faxline issues) becomes ``[redacted]``;
- so does a Bearer credential (``Authorization: Bearer …``).

:class:`RedactSecretsFilter` applies it to log records (message, arguments, the formatted
traceback); ``settings.LOGGING`` puts it on the console handler and ``faxline serve`` /
``faxline web`` on uvicorn's access and error logs. Redacting a long identifier that is not a
secret costs nothing but a less precise log line.
"""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"
# A token-shaped path segment or query value: after "/" or "=", 32+ URL-safe characters.
_TOKEN = re.compile(r"(?<=[/=])[A-Za-z0-9_-]{32,}(?![A-Za-z0-9_-])")
_BEARER = re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._~+/=-]+")
_URL = re.compile(r"https?://[^\s<>\"'()]+")
# A whole value that is token-shaped (a token passed on its own to a "…/%s/" message).
_BARE_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,}")


def redact_secrets(text: str) -> str:
    """``text`` with every token-shaped path segment and Bearer credential replaced."""
    if not text:
        return text
    text = _TOKEN.sub(REDACTED, text)
    return _BEARER.sub(rf"\1 {REDACTED}", text)


def redact_links(text: str, *, replacement: str) -> str:
    """``text`` with every http(s) link replaced by ``replacement`` (for a message known to
    carry a one-time link, whatever its shape)."""
    return _URL.sub(replacement, text or "")


def _redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return REDACTED if _BARE_TOKEN.fullmatch(value) else redact_secrets(value)
    if value is None or isinstance(value, int | float):
        return value
    # An object whose text shows a token (a request's repr shows its path): its text, redacted.
    text = str(value)
    redacted = redact_secrets(text)
    return redacted if redacted != text else value


class RedactSecretsFilter(logging.Filter):
    """A logging filter (on a handler) that redacts secrets from each record it passes on.

    The message and its arguments are redacted one by one (uvicorn's access log formats its
    arguments itself, so they must keep their places), and an exception's traceback is
    formatted and redacted here, before any formatter prints it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact_secrets(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_redact_value(arg) for arg in record.args)
        elif isinstance(record.args, dict):
            record.args = {key: _redact_value(arg) for key, arg in record.args.items()}
        if record.args and not record.name.startswith("uvicorn.access"):
            # A secret put together by the formatting itself: keep the redacted text only.
            # (uvicorn's access formatter needs its arguments; they are the request line's
            # parts, each redacted above.)
            try:
                message = record.getMessage()
            except Exception:  # a broken format is the handler's to report, as before
                return True
            redacted = redact_secrets(message)
            if redacted != message:
                record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_secrets(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_secrets(record.stack_info)
        return True
