"""Who may see and change fax credits (the portal and the API ask here)."""

from __future__ import annotations

from faxline.accounts.access import Actor


def may_see_credits(actor: Actor) -> bool:
    """Administrators (read-only ones too), channel partners and operators; not fax users."""
    return actor.is_operator or actor.is_partner or actor.is_administrator
