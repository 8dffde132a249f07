"""Outgoing email for apps that sit below ``notify``: the port, not the delivery.

``accounts`` must send password-reset and set-password links, but it may not import
``notify`` (which sits above it and knows companies and actors). So core declares the one
call such an app needs, :func:`queue_email`, and ``notify`` plugs its notification log in
at start-up (``NotifyConfig.ready``). The message is recorded inside the caller's
transaction and delivered by the task worker after commit, like every other notification.
Apps above ``notify`` call ``faxline.notify.services.notify_email`` directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol


class EmailQueue(Protocol):
    """What ``notify`` provides: record one email per recipient, deliver it after commit."""

    def __call__(
        self,
        *,
        kind: str,
        to: str | Sequence[str],
        subject: str,
        body: str,
        company_id: int | None,
        related: str,
        secret: bool,
    ) -> None: ...


_queue: EmailQueue | None = None


def register_email_queue(queue: EmailQueue) -> None:
    """Plug in the delivery (called once by ``notify`` when the apps are ready)."""
    global _queue
    _queue = queue


def queue_email(
    *,
    kind: str,
    to: str | Sequence[str],
    subject: str,
    body: str,
    company_id: int | None = None,
    related: str = "",
    secret: bool = False,
) -> None:
    """Record an email and have the worker send it once the caller's transaction commits.

    ``secret`` marks a body that carries a one-time link: the notification log withholds it.
    """
    if _queue is None:
        raise RuntimeError(
            "No email delivery is registered: install the app that queues email (INSTALLED_APPS)."
        )
    _queue(
        kind=kind,
        to=to,
        subject=subject,
        body=body,
        company_id=company_id,
        related=related,
        secret=secret,
    )
