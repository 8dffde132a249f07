"""One-time links and Bearer keys never reach a log (``core.redact``): the filter on the
console handler (``settings.LOGGING``) and on uvicorn's access and error logs redacts them
from messages, arguments and tracebacks."""

from __future__ import annotations

import io
import logging
import secrets
import sys
from collections.abc import Iterator

import pytest
import uvicorn

from faxline.core.redact import REDACTED, RedactSecretsFilter, redact_links, redact_secrets
from faxline.portal.management.serving import uvicorn_config


def token() -> str:
    return secrets.token_urlsafe(32)


def test_tokens_in_links_and_queries_are_redacted() -> None:
    t = token()
    assert redact_secrets(f"open https://fax.example/auth/password/reset/{t}/ now") == (
        f"open https://fax.example/auth/password/reset/{REDACTED}/ now"
    )
    assert redact_secrets(f"GET /porting/sign/{t}/?download=pdf") == (
        f"GET /porting/sign/{REDACTED}/?download=pdf"
    )
    assert redact_secrets(f"/x?token={t}&a=1") == f"/x?token={REDACTED}&a=1"
    assert redact_secrets("Authorization: Bearer fx_abc.def-123") == (
        f"Authorization: Bearer {REDACTED}"
    )
    # What is not token-shaped stays readable.
    for kept in ("/porting/42/loa/", "/api/v1/port-requests/7/documents/3", "a=short"):
        assert redact_secrets(kept) == kept


def test_links_of_a_secret_message_are_replaced_whatever_their_shape() -> None:
    text = "Sign here: https://fax.example/porting/sign/abc/ (or http://x.example/y)"
    assert redact_links(text, replacement="[withheld]") == ("Sign here: [withheld] (or [withheld])")


def _emit(handler: logging.Handler, record: logging.LogRecord) -> str:
    stream = io.StringIO()
    assert isinstance(handler, logging.StreamHandler)
    old = handler.setStream(stream)
    try:
        handler.handle(record)
    finally:
        handler.setStream(old)
    return stream.getvalue()


def _record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError(msg % args)
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("django.request", logging.ERROR, __file__, 1, msg, args, exc_info)


def test_the_console_handler_of_the_settings_redacts() -> None:
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactSecretsFilter) for f in h.filters)
    ]
    assert handlers, "settings.LOGGING must put RedactSecretsFilter on the console handler"
    t = token()
    output = _emit(handlers[0], _record("Internal Server Error: %s", f"/porting/sign/{t}/"))
    assert t not in output and REDACTED in output
    output = _emit(handlers[0], _record("failed for %s", f"/auth/password/reset/{t}/", exc=True))
    assert "ValueError" in output and t not in output


@pytest.fixture
def uvicorn_logging() -> Iterator[None]:
    """uvicorn configures its loggers as ``faxline serve`` / ``faxline web`` do; undone after."""
    yield
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()


def test_uvicorn_access_and_error_logs_redact(
    uvicorn_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    uvicorn.Config(**uvicorn_config(host="127.0.0.1", port=8000, verbosity=1))
    t = token()
    access = logging.getLogger("uvicorn.access")
    access.info(
        '%s - "%s %s HTTP/%s" %d', "10.0.0.9:5150", "GET", f"/porting/sign/{t}/", "1.1", 200
    )
    logging.getLogger("uvicorn.error").error(
        "Exception in ASGI application for /auth/password/reset/%s/", t
    )
    out, err = capsys.readouterr()
    assert "GET /porting/sign/[redacted]/ HTTP/1.1" in out and "200" in out
    assert "/auth/password/reset/[redacted]/" in err
    assert t not in out + err
