"""What follows the reception of an inbound fax: told, never asked.

:func:`faxline.faxing.inbound.services.inbound_fax_receive` calls :func:`inbound_received`
inside the transaction that stores the fax, so what follows is written as rows in that
transaction and delivered by tasks after it commits: the webhook event
``fax.inbound.received`` (``faxing/events.py``) and the Archive tab's copy
(``faxing/archive/``). (Delivery to the recipient's email is the fax's own task.)
"""

from __future__ import annotations

from faxline.faxing.inbound.models import InboundFax


def inbound_received(fax: InboundFax) -> None:
    """``fax`` was received and stored (it may have no company: an unknown number)."""
    from faxline.faxing import events
    from faxline.faxing.archive import archive_inbound

    events.inbound_event(fax)
    archive_inbound(fax)
