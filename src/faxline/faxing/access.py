"""Who may do what with fax credits (the shape: ``faxline.core.access``)."""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.core.access import Decision
from faxline.core.errors import Forbidden


def may_see_credits(actor: Actor) -> Decision:
    """A company's fax credits: its administrators, its channel partner, the operators."""
    if actor.is_operator or actor.is_partner or actor.is_administrator:
        return Decision.allow()
    return Decision.refuse(Forbidden("Only administrators can see the company's fax credits."))


def may_manage_credits(actor: Actor) -> Decision:
    """Adjust a company's credits and change its plan: the provider's operators."""
    if actor.is_operator and not actor.read_only:
        return Decision.allow()
    return Decision.refuse(
        Forbidden("Only the provider's operators can adjust fax credits and plans.")
    )


def may_see_sandbox_pstn(actor: Actor) -> Decision:
    """The sandbox PSTN's pages and API (what simulated remote machines received): the
    provider's operators, read-only ones included."""
    if actor.is_operator:
        return Decision.allow()
    return Decision.refuse(
        Forbidden("The sandbox PSTN is for the provider's operators.", code="operators_only")
    )
