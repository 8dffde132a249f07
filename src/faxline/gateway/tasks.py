"""Background task of the SMTP gateway: thin and idempotent; the row is the truth."""

from __future__ import annotations

from django_tasks import task

from faxline.gateway import services


@task()
def process(message_id: int) -> str:
    """Turn one received email into fax jobs (or refuse it); returns the message's status
    afterwards ("skipped" when it was not due: another worker has it, or it is finished)."""
    message = services.message_process(message_id=message_id)
    return message.status if message is not None else "skipped"
