"""Who may see and act on received faxes (the shape: ``faxline.core.access``).

A fax user sees the faxes received on their numbers; an administrator holding "View inbound
activity" those of their scope (a department administrator: their subtree's users'; a
company-level one: the whole company's, the unrouted and undeliverable ones included);
channel partners their clients'; operators all, the faxes to numbers of no company too.
Deleting and resubmitting: the fax's own user, or an administrator in scope with that right
who is not read-only.
"""

from __future__ import annotations

from django.db.models import Q

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.core.access import Decision
from faxline.core.errors import Forbidden
from faxline.faxing.inbound.models import InboundFax

RIGHT = "activity.inbound"


def inbound_visible_q(actor: Actor) -> Q:
    """Filter on InboundFax: what the actor may see (nothing when none)."""
    if actor.is_operator:
        return Q()
    if actor.user.role == Role.FAX_USER:
        return Q(user_id=actor.user.pk)
    if not actor.can(RIGHT):
        return Q(pk__in=[])
    q = actor.in_companies_q()
    root = actor.scope_department
    if root is not None:
        q &= Q(department__path__startswith=root.path)
    return q


def may_act_on_inbound(actor: Actor, fax: InboundFax) -> Decision:
    """Delete or resubmit a fax the actor can see."""
    if actor.user.role == Role.FAX_USER and fax.user_id == actor.user.pk:
        return Decision.allow()
    if actor.read_only:
        return actor.may(RIGHT)
    if actor.is_operator or actor.can(RIGHT):
        return Decision.allow()
    return Decision.refuse(
        Forbidden("You do not have the right to act on received faxes.", code="missing_right")
    )


RESUBMIT_RIGHT = "activity.resubmit"


def may_resubmit_inbound(actor: Actor, fax: InboundFax | None = None) -> Decision:
    """Resubmit (and Bulk Resubmit) received faxes the actor can see: a fax user their own;
    an administrator holding "Resubmit received faxes" (``activity.resubmit``), not
    read-only; the provider's operators (not read-only). ``fax`` None: whether the actor
    may resubmit at all (the Bulk Resubmit button)."""
    if actor.user.role == Role.FAX_USER:
        if fax is None or fax.user_id == actor.user.pk:
            return Decision.allow()
        return Decision.refuse(
            Forbidden("You can resubmit only the faxes sent to you.", code="missing_right")
        )
    if actor.is_operator and not actor.read_only:
        return Decision.allow()
    return actor.may(RESUBMIT_RIGHT)
