"""Who runs this platform: the provider's name (``FAXLINE_PROVIDER_NAME``).

One owner for it: the LOA names the provider as the gaining carrier, signing-link emails
sign with it, and the platform's seal certificate carries it (``documents.keys``).
"""

from __future__ import annotations

from django.conf import settings


def provider_name() -> str:
    """The provider's name as configured (``faxline`` when unset)."""
    return str(getattr(settings, "FAXLINE_PROVIDER_NAME", "") or "faxline")
