"""Nothing accepted is lost: a message whose nudge was lost, or whose worker died while
processing it, is finished by the periodic sweep, once; raw messages go after their
retention."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from faxing.jobs_support import give_number
from faxline.core.errors import NotFound
from faxline.core.vault import vault_read
from faxline.faxing.models import FaxJob
from faxline.gateway import services
from faxline.gateway.choices import MessageStatus
from faxline.gateway.models import GatewayMessage
from gateway.gateway_support import a_pdf, email_to_fax, wire

from cast import Cast

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def kept(cast: Cast) -> GatewayMessage:
    """A message kept by the SMTP server whose nudge never reached the worker."""
    give_number(cast.billing_user)
    message = services.message_receive(
        content=wire(email_to_fax("bill@acme.example", ["6175559876"], pdf=a_pdf())),
        mail_from="bill@acme.example",
        recipients=["+16175559876"],
        peer_ip="127.0.0.1",
        helo="client.test",
    )
    DBTaskResult.objects.all().delete()  # the nudge was lost
    return message


def later(minutes: float) -> Any:
    return time_machine.travel(timezone.now() + timedelta(minutes=minutes), tick=False)


def test_a_lost_nudge_is_sent_again_by_the_sweep(kept: GatewayMessage, run_tasks: Any) -> None:
    assert services.gateway_sweep()["nudged"] == 0  # too early: the nudge may be on its way
    with later(3):
        assert services.gateway_sweep()["nudged"] == 1
        assert services.gateway_sweep()["nudged"] == 0  # nudged once per LOST_NUDGE
        run_tasks()
    kept.refresh_from_db()
    assert kept.status == MessageStatus.DONE
    assert FaxJob.objects.count() == 1


def test_the_claim_of_a_worker_that_died_is_taken_back_and_the_job_made_once(
    kept: GatewayMessage, run_tasks: Any
) -> None:
    assert services._claim(kept.pk, timezone.now())  # a worker claimed it, then died
    assert services.message_process(message_id=kept.pk) is None  # another sees it taken
    with later(10):
        assert services.gateway_sweep() == {"released": 0, "nudged": 0, "deleted": 0}
    with later(16):
        counts = services.gateway_sweep()
        assert (counts["released"], counts["nudged"]) == (1, 1)
        run_tasks()
        run_tasks()
    kept.refresh_from_db()
    assert (kept.status, kept.attempts) == (MessageStatus.DONE, 2)
    assert FaxJob.objects.count() == 1
    assert services.message_process(message_id=kept.pk) is None  # finished: never again
    assert FaxJob.objects.count() == 1


def test_raw_messages_are_deleted_after_their_retention(
    kept: GatewayMessage, run_tasks: Any, settings: Any
) -> None:
    services.message_process(message_id=kept.pk)
    kept.refresh_from_db()
    name = kept.raw_vault_name
    assert kept.status == MessageStatus.DONE and vault_read(name)
    with later(6 * 24 * 60):
        assert services.gateway_sweep()["deleted"] == 0
    with later(8 * 24 * 60):
        assert services.gateway_sweep()["deleted"] == 1
    kept.refresh_from_db()
    assert kept.raw_vault_name == "" and kept.raw_deleted_at is not None
    with pytest.raises(NotFound):
        vault_read(name)
    # The row (the outcome and the job identifiers) stays.
    assert kept.job_identifiers == [FaxJob.objects.get().identifier]
