"""Background tasks of the porting desk: thin, idempotent wrappers around services.

``tick`` lets the carrier adapters advance their requests (the SANDBOX carrier's clock).
The periodic scheduler (``core/periodic.py``: run by ``faxline serve``, or alone by
``faxline scheduler``) calls ``porting_tick`` every minute, as ``PortingConfig``
declares; this task and ``faxline
porting_tick`` run the same sweep on demand.
"""

from __future__ import annotations

from django_tasks import task

from faxline.porting.desk.services import porting_tick


@task()
def tick() -> int:
    """Advance every due port request of the carrier adapters once; returns how many."""
    return porting_tick()


@task()
def test_fax(request_id: int) -> int:
    """Fax each ported number of a completed request once and record the results
    (``porting.requests.testfax``); returns how many it recorded."""
    from faxline.porting.requests.testfax import port_request_test_faxes

    return port_request_test_faxes(request_id)


@task()
def document_read(document_id: int) -> str:
    """Read a pending bill or CSR and record its facts (``porting.files.reading``); returns
    its read status. Idempotent: a document already read is not read again."""
    from faxline.porting.files.reading import port_document_read

    return port_document_read(document_id)
