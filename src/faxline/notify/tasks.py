"""Background tasks of the notification log: thin and idempotent; the row is the truth.

``deliver`` is the nudge that :func:`faxline.notify.services.notify_email` sends after its
caller commits (and the sweep sends again when a nudge was lost). Running it twice, late, or
for a message already sent does nothing more than running it once.
"""

from __future__ import annotations

from django_tasks import task

from faxline.notify import services


@task()
def deliver(notification_id: int) -> str:
    """Attempt to deliver one notification; returns its status afterwards ("skipped" when
    it was not due or not pending: another worker has it, or it is settled)."""
    message = services.notification_deliver(notification_id=notification_id)
    return message.status if message is not None else "skipped"
