"""schemathesis against the OpenAPI document: every operation, fuzzed, as an operator and as
a company administrator, must answer with a documented status, content type and body, and
never with a server error.

A bounded run (``MAX_EXAMPLES`` per operation, about a minute on two idle cores) that
``make test`` runs once, on SQLite (``scripts/test.sh`` sets ``FAXLINE_SKIP_SCHEMATHESIS``
for the PostgreSQL pass). The app is called in-process through WSGI, inside the test's
database transaction, against the standard cast (whose objects have small ids, which
hypothesis tries first).
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from faxline.accounts.access import Actor
from faxline.accounts.services.api_keys import api_key_create

from cast import Cast

# A deeper run: FAXLINE_SCHEMATHESIS_EXAMPLES=500 pytest tests/api/test_schemathesis.py
MAX_EXAMPLES = int(os.environ.get("FAXLINE_SCHEMATHESIS_EXAMPLES", "25"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.schemathesis,
    pytest.mark.skipif(
        bool(os.environ.get("FAXLINE_SKIP_SCHEMATHESIS")),
        reason="schemathesis runs once per make test, on SQLite",
    ),
]

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Iterator[None]:
    """The WSGI handler closes the database connection at the end of a request, which would
    end the test's transaction (on PostgreSQL); Django's test client holds it the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def callers(cast: Cast) -> Iterator[str]:
    """``Authorization`` headers of an operator and of a company administrator (all rights),
    taken in turn by the examples of one operation."""
    return itertools.cycle(
        [
            f"Bearer {api_key_create(actor=Actor(user=user), name='schemathesis').secret}"
            for user in (cast.operator, cast.company_admin)
        ]
    )


@pytest.fixture
def inbound_faxes(cast: Cast, request: pytest.FixtureRequest) -> None:
    """Received faxes with small ids, so that the inbound operations are fuzzed past 404:
    one with a real image, one whose content is any bytes (refused when converted). Only
    for the inbound operations."""
    if not any("/inbound" in str(k) for k in request.node.keywords):
        return
    from django.utils import timezone

    from faxline.core.vault import vault_store
    from faxline.faxing.inbound.models import DeliveryStatus, InboundFax
    from telephony.fax_calls import STANDARD, make_tiff

    path = make_tiff(Path(tempfile.mkdtemp()) / "one.tif", pages=1, dpi=STANDARD)
    for data in (path.read_bytes(), b"II*\x00 not a fax"):
        stored = vault_store(data, purpose="inbound-fax")
        InboundFax.objects.create(
            to_number="+12125551234",
            from_number="+13125550000",
            company=cast.company,
            user=cast.billing_user,
            department=cast.billing_user.department,
            received_at=timezone.now(),
            pages=1,
            vault_name=stored.name,
            size=stored.size,
            sha256=stored.sha256,
            delivery_status=DeliveryStatus.DELIVERED,
        )


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.usefixtures("inbound_faxes")
def test_every_operation_answers_as_documented(case: Any, callers: Iterator[str]) -> None:
    case.call_and_validate(headers={"Authorization": next(callers)}, checks=CHECKS)
