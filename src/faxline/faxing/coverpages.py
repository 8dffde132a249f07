"""Whether a fax gets a cover page, and the cover page itself, from the sender's settings.

The rule (:func:`cover_wanted`) reads the Coverpage tab's mode in the sender's **effective**
settings (``accounts.selectors.effective_settings``):

========================  =====================================================
Automatic Coverpages      always
On Demand Coverpages      when the sender asks for one (not asked: no)
No Coverpages             never, even when the sender asks
With Body Text            only when the email's body has text (email to fax)
========================  =====================================================

:func:`build_cover` draws the cover for a fax user: their default coverpage (a template of
their level or above, unless "Only my cover(s)" limits it to their level's; the built-in
"faxline Default" otherwise, and when the chosen cover is gone), the recipient, subject and
comments, the page count including the cover, and the date in the sender's date format and
time zone. Templates are filled in the document sandbox: call it outside a transaction.
The header line's settings (:func:`header_line_for`) are the sender's company's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from faxline.accounts.models import User
from faxline.accounts.preferences import CoverpageMode, format_moment
from faxline.accounts.selectors import cover_for, effective_settings
from faxline.core.vault import vault_read
from faxline.documents.coverpage import CoverFields, render_cover
from faxline.documents.header import HeaderLine


@dataclass(frozen=True)
class Recipient:
    """Who a fax goes to, as the cover page names them."""

    fax_number: str
    name: str = ""
    company: str = ""


@dataclass(frozen=True)
class CoverPage:
    """A drawn cover: the one-page PDF, the template used (None: the built-in) and what
    it says."""

    pdf: bytes
    template_id: int | None
    fields: CoverFields


def cover_wanted(mode: str, *, requested: bool | None = None, body_text: str | None = None) -> bool:
    """Whether a fax gets a cover page under the Coverpage tab's ``mode``: ``requested`` is
    the sender's choice (None: not said), ``body_text`` the email body of an email-to-fax
    submission (None: not an email)."""
    if mode == CoverpageMode.AUTOMATIC:
        return True
    if mode == CoverpageMode.NONE:
        return False
    if mode == CoverpageMode.ON_DEMAND:
        return bool(requested)
    if mode == CoverpageMode.WITH_BODY_TEXT:
        return bool(body_text and body_text.strip())
    raise ValueError(f"unknown coverpage mode {mode!r}")


def sender_wants_cover(
    sender: User, *, requested: bool | None = None, body_text: str | None = None
) -> bool:
    """:func:`cover_wanted` under the sender's effective Coverpage settings."""
    mode = effective_settings(sender)["coverpage"]["mode"]
    return cover_wanted(mode, requested=requested, body_text=body_text)


def build_cover(
    *,
    sender: User,
    recipient: Recipient,
    subject: str = "",
    comments: str = "",
    body_pages: int,
    from_fax: str = "",
    moment: datetime | None = None,
) -> CoverPage:
    """The sender's cover page for one fax: ``body_pages`` are the pages after the cover
    (the cover says ``body_pages + 1``); ``from_fax`` the number the fax is sent from;
    ``moment`` the time to print (now)."""
    settings = effective_settings(sender)
    tab = settings["coverpage"]
    fields = CoverFields(
        to=recipient.name,
        to_company=recipient.company,
        to_fax=recipient.fax_number,
        sender=sender.full_name or sender.username,
        from_company=sender.company.name if sender.company else "",
        from_fax=from_fax,
        from_phone=sender.phone,
        subject=subject,
        comments=comments,
        pages=max(0, body_pages) + 1,
        date=format_moment(moment or timezone.now(), settings["custom"]),
    )
    cover = cover_for(sender, tab["default_coverpage"], only_mine=tab["only_my_covers"])
    template = vault_read(cover.vault_name) if cover is not None else None
    pdf = render_cover(fields, template=template)
    return CoverPage(pdf=pdf, template_id=cover.pk if cover else None, fields=fields)


def header_line_for(sender: User, *, moment: datetime | None = None) -> HeaderLine | None:
    """The header line of the sender's faxes (None when their company turned it off): the
    company's ident (its name unless set) and the time in the sender's format and zone."""
    company = sender.company
    if company is None or not company.header_line:
        return None
    settings = effective_settings(sender)
    return HeaderLine(
        ident=company.header_ident or company.name,
        when=format_moment(moment or timezone.now(), settings["custom"]),
    )
