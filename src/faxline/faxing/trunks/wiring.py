"""The fax transport of this process: the SIP trunks when an operator enabled one, else the
sandbox PSTN.

:func:`trunk_directory` bundles faxing's answers to the SIP transport's questions
(``telephony.sip.config.TrunkDirectory``); :func:`fax_transport` builds the transport.
The SIP transport is made once per process (it owns a SIP socket on
``FAXLINE_SIP_HOST``:``FAXLINE_SIP_PORT``); it reads the trunks through
:func:`~faxline.faxing.trunks.selectors.enabled_trunks` on every call, so trunks added,
changed or disabled later reach it within ``selectors.CACHE_SECONDS``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from django.conf import settings

from faxline.faxing.sandbox.wiring import inbound_receive, sandbox_transport
from faxline.faxing.trunks.selectors import (
    any_trunk_enabled,
    enabled_trunks,
    inbound_answer,
    media_for,
    t38_fallback,
)
from faxline.faxing.trunks.services import t38_failure_learn
from faxline.telephony.sip.config import TrunkDirectory
from faxline.telephony.transport import Transport

logger = logging.getLogger(__name__)


def _learn(destination: str, reason: str) -> object:
    return t38_failure_learn(destination, reason)


def trunk_directory() -> TrunkDirectory:
    """faxing's answers to the SIP transport: inbound admission, the learned fallbacks (read
    and learn) and the media of a call (destination rule > learned fallback > trunk)."""
    return TrunkDirectory(
        inbound_answer=inbound_answer,
        t38_fallback=t38_fallback,
        learn_t38_failure=_learn,
        media_for=media_for,
    )


_lock = threading.Lock()
_sip: Transport | None = None
_sip_unavailable = False


def _sip_transport() -> Transport | None:
    """This process's SIP trunk transport, made on first use; None when this faxline has no
    SIP transport (the module is not there: the sandbox carries the calls, said once in the
    log)."""
    global _sip, _sip_unavailable
    with _lock:
        if _sip is not None or _sip_unavailable:
            return _sip
        try:
            from faxline.telephony.sip.trunk import SipTrunkTransport
        except ImportError as exc:
            _sip_unavailable = True
            logger.warning(
                "SIP trunks are enabled but the SIP transport cannot be loaded (%s): "
                "the sandbox PSTN carries the calls",
                exc,
            )
            return None
        built: Any = SipTrunkTransport(
            trunks=enabled_trunks,
            directory=trunk_directory(),
            inbound=inbound_receive,
            # A destination no enabled trunk carries fails (the transport's no-route
            # outcome) rather than being "delivered" by the simulated network.
            fallback_transport=None,
            host=str(settings.FAXLINE_SIP_HOST),
            port=int(settings.FAXLINE_SIP_PORT),
        )
        _sip = built
        return _sip


def fax_transport() -> Transport:
    """The transport this process's calls go through: the SIP trunk transport when at least
    one trunk is enabled (and the SIP transport is installed), otherwise the sandbox PSTN
    (``faxing.sandbox.wiring.sandbox_transport``)."""
    if any_trunk_enabled():
        sip = _sip_transport()
        if sip is not None:
            return sip
    return sandbox_transport()


def fax_transport_reset() -> None:
    """Forget the SIP transport made by this process (tests; the caller stops it first)."""
    global _sip, _sip_unavailable
    with _lock:
        _sip = None
        _sip_unavailable = False
