"""The Letter of Authorization: generated from the request, e-signed by the authorized
person, sealed with the platform's key.

1. :mod:`.content` says what the LOA states (US or Canadian variant): business name,
   authorized person and title, service address, BTN, new BTN, losing carrier, account
   number and PIN, the numbers, the authorization wording; :mod:`.rendering` lays it out as a
   PDF. The account number and PIN are printed in full (the carrier needs them; the PDF is
   encrypted at rest in the vault) and never written to logs or pages.
2. :mod:`.unsigned`: :func:`loa_generate` stores the unsigned PDF as an ``loa`` document,
   tagged with the fingerprint of the data it states (``checks.loa_fingerprint``).
3. :mod:`.signing`: :func:`loa_sign` (signed in to the portal or the API) records the
   signature and its audit trail and stores the sealed ``signed_loa`` document;
   :func:`loa_verify` checks its seal.
4. :mod:`.links`: :func:`loa_send_link` emails the authorized person a link that signs once
   within 7 days (:func:`loa_sign_with_token`, no account).
5. :mod:`.status`: :func:`loa_status`, the LOA as the Files tab shows it.

Generic PDF work (layout, joining, the platform's seal key, sealing and verification) is
:mod:`faxline.documents`. This package's public services are the names below, which the
portal views and the API use.
"""

from faxline.porting.files.loa.content import LoaContent, consent_text, loa_content
from faxline.porting.files.loa.links import (
    LINK_REFUSALS,
    MAX_LINKS_PER_DAY,
    LinkSent,
    LinkState,
    loa_link_state,
    loa_send_link,
    loa_sign_with_token,
)
from faxline.porting.files.loa.signing import (
    MAX_SIGNATURE_URL_CHARS,
    SignatureInput,
    loa_sign,
    loa_verify,
)
from faxline.porting.files.loa.status import LoaStatus, loa_status
from faxline.porting.files.loa.unsigned import loa_current, loa_generate, loa_preview_pdf

__all__ = [
    "LINK_REFUSALS",
    "MAX_LINKS_PER_DAY",
    "MAX_SIGNATURE_URL_CHARS",
    "LinkSent",
    "LinkState",
    "LoaContent",
    "LoaStatus",
    "SignatureInput",
    "consent_text",
    "loa_content",
    "loa_current",
    "loa_generate",
    "loa_link_state",
    "loa_preview_pdf",
    "loa_send_link",
    "loa_sign",
    "loa_sign_with_token",
    "loa_status",
    "loa_verify",
]
