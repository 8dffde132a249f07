"""Shared pieces of the fax job tests: a sender with a number, documents, the transport."""

from __future__ import annotations

from pathlib import Path

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.accounts.services.settings import settings_update
from faxline.faxing.jobs.send import Attachment
from faxline.faxing.sandbox.wiring import sandbox_transport
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.telephony.sandbox.pstn import SandboxPSTN, SandboxTimings
from telephony.fax_calls import make_tiff

from cast import Cast

SENDER_NUMBER = "+12125557001"
REMOTE = "+16175559876"
FAST = SandboxTimings(listen_seconds=3.0)


def give_number(user: User, number: str = SENDER_NUMBER) -> str:
    FaxNumber.objects.create(
        number=number,
        country="US",
        area_code=number[2:5],
        source=NumberSource.SANDBOX,
        status=NumberStatus.IN_SERVICE,
        company=user.company,
        user=user,
        outbound=True,
    )
    return number


def on_demand_covers(cast: Cast, user: User) -> None:
    """The user's Coverpage mode "On Demand": a cover only when the sender asks."""
    settings_update(
        actor=Actor(user=cast.company_admin),
        owner=user,
        tab="coverpage",
        values={"mode": "on_demand"},
    )


def three_pages(folder: Path) -> Attachment:
    path = make_tiff(folder / "three.tif", pages=3)
    return Attachment(path.read_bytes(), "three.tif")


def note() -> Attachment:
    return Attachment(b"Please find the figures attached.\n", "note.txt")


def transport() -> SandboxPSTN:
    return sandbox_transport(timings=FAST)
