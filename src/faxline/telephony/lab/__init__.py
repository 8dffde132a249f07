"""A local carrier on loopback for tests and newcomers: kamailio routes SIP between declared
endpoints, rtpengine relays (and, between a T.38 and a G.711 endpoint, gateways) the media.

See :class:`SipLab` and :class:`Endpoint`; ``faxline sip_lab`` runs one in the foreground.
What rtpengine does between two endpoints (``T.38=decode`` towards a G.711-only endpoint,
``T.38=force`` from one to a T.38-only endpoint, relay otherwise) is decided, and explained,
by :func:`t38_flags`; the carrier's routing is described in :mod:`.kamailio`; SIPp scenarios
and a runner for the far end of test calls are in :mod:`.sipp`.
No Django and no app imports here: telephony's tests and the management command both use it.
"""

from faxline.telephony.lab.endpoints import Endpoint, FaxCarriage, carrier_digits, t38_flags
from faxline.telephony.lab.lab import LabError, SipLab, free_port, group_members

__all__ = [
    "Endpoint",
    "FaxCarriage",
    "LabError",
    "SipLab",
    "carrier_digits",
    "free_port",
    "group_members",
    "t38_flags",
]
