"""The long-running dispatcher in this process: its calls run in threads, never more at once
than the transport has lines, and never two to one destination."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import OperationalError

from faxing.jobs_support import give_number, note, transport
from faxline.accounts.access import Actor
from faxline.faxing.jobs.dispatcher import Dispatcher
from faxline.faxing.jobs.send import CoverRequest, fax_send
from faxline.faxing.models import FaxAttempt, FaxJob
from faxline.telephony.transport import CallOutcome, CallRequest, Transport

from cast import Cast


class Watched(Transport):
    """The sandbox PSTN, watched: how many calls run at once, and to which numbers."""

    name = "watched"

    def __init__(self, inner: Transport):
        self.inner = inner
        self.lines = inner.lines  # type: ignore[attr-defined]
        self.inbound = inner.inbound
        self.active: list[str] = []
        self.most = 0
        self.overlap = False
        self._lock = threading.Lock()

    async def place_call(self, request: CallRequest) -> CallOutcome:
        with self._lock:
            self.overlap |= request.to_number in self.active
            self.active.append(request.to_number)
            self.most = max(self.most, len(self.active))
        try:
            outcome = await self.inner.place_call(request)
            time.sleep(0.05)  # hold the line a little: overlaps would show
            return outcome
        finally:
            with self._lock:
                self.active.remove(request.to_number)


@pytest.mark.django_db(transaction=True)
def test_calls_run_in_threads_up_to_the_lines_and_one_per_destination(
    cast: Cast, settings: object
) -> None:
    settings.FAXLINE_SANDBOX_LINES = 2  # type: ignore[attr-defined]
    sender = cast.billing_user
    give_number(sender)
    numbers = ["+16175559876"] * 3 + [f"+1617555{9700 + i}" for i in range(4)]
    for number in numbers:
        fax_send(actor=Actor(user=sender), to=[number], files=[note()], cover=CoverRequest(False))
    watched = Watched(transport())
    dispatcher = Dispatcher(watched, concurrency=8, poll_seconds=0.05)
    assert dispatcher.concurrency == 2  # no more than the lines
    deadline = time.monotonic() + 120

    def finished() -> bool:
        # The test database is SQLite in memory with a shared cache, whose locks are per
        # table: a read while a call's thread writes its outcome (the job, its events and
        # its traffic tallies, in one transaction) is refused rather than kept waiting.
        # The installed database is a file in WAL mode, where readers never wait.
        try:
            return not FaxJob.objects.exclude(status__in=["success", "failed"]).exists()
        except OperationalError as exc:
            if "locked" not in str(exc):
                raise
            return False

    dispatcher.run(until=lambda: time.monotonic() > deadline or finished())
    assert set(FaxJob.objects.values_list("status", flat=True)) == {"success"}
    assert FaxAttempt.objects.count() == 7
    assert watched.most == 2
    assert not watched.overlap
