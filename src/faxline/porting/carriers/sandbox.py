"""SANDBOX carrier: simulates the upstream provider and the losing carrier. (Being built.)"""

from __future__ import annotations

from faxline.porting.carriers import CarrierAdapter


class SandboxCarrier(CarrierAdapter):
    name = "sandbox"
    label = "Sandbox (simulated carrier, for demos and tests)"
