"""A local carrier on loopback for tests and newcomers: kamailio routes SIP between declared
endpoints, rtpengine relays (and, between a T.38 and a G.711 endpoint, gateways) the media.

See :class:`SipLab` and :class:`Endpoint`; ``faxline sip_lab`` runs one in the foreground.
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
