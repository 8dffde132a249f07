"""Carriers behind one small interface (DESIGN.md rule 4).

``manual`` (the production default): the porting team works with the losing carrier by
email and phone and records each outcome in the operator console; the adapter does nothing
on its own. ``sandbox`` (clearly named: a simulation for demos and tests) plays the upstream
provider and the losing carrier (``porting.carriers.sandbox``).
"""

from __future__ import annotations

from faxline.porting.models import PortRequest


class CarrierError(Exception):
    """A carrier could not take a step; ``retry`` says whether trying again may help."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


class CarrierAdapter:
    """What a carrier does when a request changes; ``tick`` lets it advance on its clock."""

    name = "manual"
    label = "Manual (the porting team records outcomes)"

    def on_event(self, request_id: int, what: str) -> None:
        """Called after commit when a request is submitted, cancelled, ..."""

    def tick(self) -> int:
        """Advance the requests this carrier handles; returns how many changed."""
        return 0


class ManualCarrier(CarrierAdapter):
    name = "manual"


def carrier_for(request: PortRequest) -> CarrierAdapter:
    return carrier_named(request.carrier)


def carrier_named(name: str) -> CarrierAdapter:
    if name == "sandbox":
        from faxline.porting.carriers.sandbox import SandboxCarrier

        return SandboxCarrier()
    return ManualCarrier()


CARRIERS = ("manual", "sandbox")
