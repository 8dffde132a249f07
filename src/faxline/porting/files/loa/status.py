"""The LOA as the Files tab shows it: not generated, waiting for a signature, signed, or
signed for data that has changed since."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from faxline.porting.files.loa.unsigned import loa_current
from faxline.porting.models import LoaSignature, PortDocument, PortRequest
from faxline.porting.validation.checks import current_signature, loa_fingerprint


@dataclass(frozen=True)
class LoaStatus:
    """The LOA as the Files tab shows it."""

    state: str  # not_generated | waiting | signed | outdated
    label: str
    unsigned: PortDocument | None
    signature: LoaSignature | None
    link: LoaSignature | None

    @property
    def signed(self) -> bool:
        return self.state == "signed"


def loa_status(request: PortRequest) -> LoaStatus:
    """Not generated / Waiting for signature / Signed on … by … (or signed for older data)."""
    fingerprint = loa_fingerprint(request)
    signature = current_signature(request)
    unsigned = loa_current(request)
    link = (
        LoaSignature.objects.filter(
            request=request,
            signed_at__isnull=True,
            token_expires_at__gt=timezone.now(),
            data_sha256=fingerprint,
        )
        .exclude(token_digest="")
        .order_by("-created_at", "-id")
        .first()
    )
    if signature is not None and signature.data_sha256 == fingerprint:
        assert signature.signed_at is not None
        on = timezone.localtime(signature.signed_at)
        label = f"Signed on {on:%b} {on.day}, {on:%Y} by {signature.signer_name}"
        return LoaStatus("signed", label, unsigned, signature, None)
    if signature is not None:
        return LoaStatus(
            "outdated",
            "Waiting for a new signature: the request changed after the LOA was signed",
            unsigned,
            signature,
            link,
        )
    if unsigned is None and link is None:
        return LoaStatus("not_generated", "Not generated", None, None, None)
    return LoaStatus("waiting", "Waiting for signature", unsigned, None, link)
