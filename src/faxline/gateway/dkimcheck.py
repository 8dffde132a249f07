"""DKIM verification of an email for fax (a company may require it: Fax tab "Require DKIM
signature", beyond what the guide offers).

A message passes when at least one DKIM-Signature verifies (dkimpy, keys from the DNS
through :class:`faxline.gateway.resolver.Dns`) and its signing domain (``d=``) is the
domain of the sender's From address or a parent of it (``d=example.com`` signs for
``mail.example.com``): a valid signature of another domain proves nothing about the
sender.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import dkim

from faxline.gateway.resolver import Dns

log = logging.getLogger(__name__)
MAX_SIGNATURES = 5


@dataclass(frozen=True)
class DkimOutcome:
    """``pass``, ``fail`` (signatures, none valid for the sender) or ``none`` (unsigned)."""

    result: str
    reason: str


def aligned(signing_domain: str, sender_domain: str) -> bool:
    """Whether ``signing_domain`` is ``sender_domain`` or one of its parents."""
    signer = signing_domain.lower().rstrip(".")
    sender = sender_domain.lower().rstrip(".")
    return bool(signer) and (sender == signer or sender.endswith("." + signer))


def verify(raw: bytes, *, sender_domain: str, dns: Dns | None = None) -> DkimOutcome:
    """Verify the DKIM signatures of ``raw`` for mail from ``sender_domain``."""
    resolver = dns or Dns()
    try:
        checker = dkim.DKIM(raw, minkey=1024, timeout=5)
    except Exception as exc:  # a message dkimpy cannot even read
        return DkimOutcome("fail", f"unreadable message ({type(exc).__name__})")
    count = sum(1 for name, _value in checker.headers if name.lower() == b"dkim-signature")
    if count == 0:
        return DkimOutcome("none", "the message carries no DKIM signature")
    reasons: list[str] = []
    for idx in range(min(count, MAX_SIGNATURES)):
        try:
            valid = checker.verify(idx=idx, dnsfunc=resolver.dkim_txt)
        except dkim.DKIMException as exc:
            reasons.append(f"signature {idx + 1}: {exc}")
            continue
        domain = (checker.domain or b"").decode("ascii", errors="replace")
        if not valid:
            reasons.append(f"signature {idx + 1} (d={domain}) does not verify")
        elif not aligned(domain, sender_domain):
            reasons.append(f"signature {idx + 1} is by d={domain}, not {sender_domain}")
        else:
            return DkimOutcome("pass", f"valid signature by d={domain}")
    return DkimOutcome("fail", "; ".join(reasons))
