"""The media of the SIP trunk transport: G.711 over RTP, T.38 over UDPTL, and the loops that
run a fax session over them.

- :mod:`.g711`: µ-law and A-law to and from 16-bit linear audio (in C).
- :mod:`.rtp`: :class:`RtpEndpoint`, one RTP stream with a small jitter buffer.
- :mod:`.udptl`: the UDPTL packet codec (T.38 clause 9, ALIGNED PER) and
  :class:`UdptlEndpoint`, T.38 IFPs with redundancy.
- :mod:`.faxcall`: :func:`run_audio` and :func:`run_t38`, a session over an endpoint paced by
  a :class:`~faxline.telephony.transport.MediaClock`.

Signalling (SIP, SDP) is elsewhere (``telephony.sip``); the SIP trunk transport combines both.
No Django, no app: plain asyncio.
"""

from __future__ import annotations

from faxline.telephony.media.faxcall import AudioRunStats, T38RunStats, run_audio, run_t38
from faxline.telephony.media.g711 import decode, encode
from faxline.telephony.media.rtp import JitterBuffer, RtpEndpoint, RtpStats
from faxline.telephony.media.udptl import UdptlEndpoint, UdptlStats

__all__ = [
    "AudioRunStats",
    "JitterBuffer",
    "RtpEndpoint",
    "RtpStats",
    "T38RunStats",
    "UdptlEndpoint",
    "UdptlStats",
    "decode",
    "encode",
    "run_audio",
    "run_t38",
]
