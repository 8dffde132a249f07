"""A task that checks a document, as the fax engine's tasks will (used by test_sandbox.py to
run intake under the real task worker)."""

from __future__ import annotations

import base64
from typing import Any

from django_tasks import task

from faxline.core.errors import ValidationFailed
from faxline.documents.intake import accept_document


@task()
def check_document(data_b64: str) -> dict[str, Any]:
    """The pages of the document, or the code of its refusal."""
    try:
        accepted = accept_document(base64.b64decode(data_b64))
    except ValidationFailed as exc:
        return {"refused": exc.code}
    return {"pages": accepted.pages}
