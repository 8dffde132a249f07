"""A previewed fax, handed back to its sender as a signed token (the API's ``preview_id``).

The token names the stored images (by SHA-256, one per recipient), whether they start with
a cover page, and the user who prepared them; it is signed with the site's key and valid
for :data:`PREVIEW_MAX_AGE`. Nothing else is kept: the images themselves are the
content-addressed rows of ``faxing.images``. Anyone but the preparer, a forged or an
expired token, is answered as if the preview did not exist (404, or 422 naming the field
where a form field carries it).
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing

from faxline.accounts.access import Actor
from faxline.core.errors import NotFound
from faxline.faxing.jobs.send import PreparedFax
from faxline.faxing.models import FaxImageFile

PREVIEW_MAX_AGE = timedelta(hours=24)
_SALT = "faxline.faxing.preview"


def preview_token(actor: Actor, prepared: PreparedFax) -> str:
    """The token of ``prepared``, for ``actor`` only."""
    return signing.dumps(
        {
            "u": actor.user.pk,
            "i": [[number, image.sha256] for number, image in prepared.images.items()],
            "c": prepared.cover,
        },
        salt=_SALT,
        compress=True,
    )


def preview_load(actor: Actor, token: str, *, field: str = "preview_id") -> PreparedFax:
    """The prepared fax of ``token`` if ``actor`` prepared it (else :class:`NotFound`)."""
    gone = NotFound("No such preview (or it has expired): preview the fax again.", field=field)
    try:
        data = signing.loads(token, salt=_SALT, max_age=PREVIEW_MAX_AGE)
    except signing.BadSignature:
        raise gone from None
    if not isinstance(data, dict) or data.get("u") != actor.user.pk:
        raise gone
    pairs = data["i"]
    rows = {r.sha256: r for r in FaxImageFile.objects.filter(sha256__in=[p[1] for p in pairs])}
    if not pairs or len(rows) != len({p[1] for p in pairs}):
        raise gone
    return PreparedFax({p[0]: rows[p[1]] for p in pairs}, bool(data["c"]))
