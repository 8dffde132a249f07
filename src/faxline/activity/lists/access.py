"""Who may use the Activity lists (the shape: ``faxline.core.access``).

Fax users always see their own faxes; administrators need the right to view outbound
(``activity.outbound``) or inbound (``activity.inbound``) activity, and then see their scope
(a department administrator: their subtree); channel partners their client companies;
operators everything. What rows each one sees is faxing's rule (``jobs_visible``,
``inbound_visible_q``); these rules only say whether the list is theirs at all.
"""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.rights import RIGHT_LABELS
from faxline.core.access import Decision
from faxline.core.errors import Forbidden

OUTBOUND_RIGHT = "activity.outbound"
INBOUND_RIGHT = "activity.inbound"
RESUBMIT_RIGHT = "activity.resubmit"


def _list_rule(actor: Actor, right: str, what: str) -> Decision:
    if actor.user.role == Role.FAX_USER or actor.is_operator or actor.can(right):
        return Decision.allow()
    return Decision.refuse(
        Forbidden(
            f"You do not have the right to see {what} ({RIGHT_LABELS[right]}); ask an "
            "administrator who manages your rights.",
            code="missing_right",
        )
    )


def may_see_outbound_activity(actor: Actor) -> Decision:
    """Outbound Activity: fax users (their own jobs), administrators holding View outbound
    activity, channel partners and operators."""
    return _list_rule(actor, OUTBOUND_RIGHT, "outbound activity")


def may_see_inbound_activity(actor: Actor) -> Decision:
    """Inbound Activity: fax users (the faxes received on their numbers), administrators
    holding View inbound activity, channel partners and operators."""
    return _list_rule(actor, INBOUND_RIGHT, "inbound activity")


def may_bulk_resubmit(actor: Actor) -> Decision:
    """The Bulk Resubmit panel of Inbound Activity: a fax user (their own faxes), or someone
    who sees the list and holds Resubmit received faxes (not read-only). faxing still
    decides fax by fax when the resubmission is posted."""
    seen = may_see_inbound_activity(actor)
    if not seen or actor.user.role == Role.FAX_USER:
        return seen
    return actor.may(RESUBMIT_RIGHT)
