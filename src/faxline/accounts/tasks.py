"""Background tasks of the accounts app: thin, idempotent wrappers around services.

Each is a nudge enqueued after its caller commits (``faxline.core.aftercommit``); the rows
the services write are the truth.
"""

from __future__ import annotations

from django_tasks import task

from faxline.accounts import bulk, passwords


@task()
def password_reset_send(username: str, ip_address: str | None) -> None:
    """Forgot Password, off the request's path: look the account up, issue a link, queue
    the email. Running it again issues a new link that replaces the earlier one."""
    passwords.password_reset_send(username=username, ip_address=ip_address)


@task()
def password_reset_link_send(user_id: int, ip_address: str | None) -> None:
    """An administrator had another administrator sent a reset link: issue it and queue the
    email. Running it again issues a new link that replaces the earlier one."""
    passwords.password_reset_link_send(user_id=user_id, ip_address=ip_address)


@task()
def bulk_create_run(job_id: int) -> str:
    """Work through a Bulk Create job; returns its status ("skipped" when it was not this
    run's to do: finished already, or another worker has it). Safe to run again."""
    job = bulk.bulk_create_run(job_id=job_id)
    return job.status if job is not None else "skipped"
