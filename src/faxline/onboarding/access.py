"""Who may do what in onboarding (the shape: ``faxline.core.access``).

Onboarding orders are started by the provider's operators or the company's channel partner
and worked on by them and the company's company-level administrators (with the Number
Porting manage right to change them). Department administrators and fax users of the
company are refused (403); anyone outside the company does not see it (404).
"""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company
from faxline.core.access import Decision
from faxline.core.errors import Forbidden, NotFound
from faxline.numbers.access import may_assign_numbers
from faxline.onboarding.models import OnboardingOrder


def _inside(actor: Actor, company: Company) -> bool:
    return actor.sees_company(company) or actor.user.company_id == company.pk


def may_view_orders(actor: Actor) -> Decision:
    """The onboarding pages and lists at all: operators, channel partners (their clients)
    and company-level administrators."""
    if actor.is_operator or actor.is_partner or actor.is_company_admin:
        return Decision.allow()
    return Decision.refuse(
        Forbidden(
            "Onboarding orders are for operators, channel partners and company administrators.",
            code="not_allowed",
        )
    )


def may_view_order(actor: Actor, order: OnboardingOrder) -> Decision:
    """One order: operators, its company's channel partner, its company-level
    administrators."""
    company = order.company
    if actor.is_operator:
        return Decision.allow()
    if not _inside(actor, company):
        return Decision.refuse(NotFound("Onboarding order not found.", field="order_id"))
    if actor.is_partner or (actor.is_company_admin and actor.user.company_id == company.pk):
        return Decision.allow()
    return Decision.refuse(
        Forbidden(
            "Only company-level administrators can see the onboarding order.", code="not_allowed"
        )
    )


def may_manage_order(actor: Actor, order: OnboardingOrder) -> Decision:
    """Change the order (fields, documents, numbers, completion): those who see it, with the
    Number Porting manage right; never read-only administrators."""
    seen = may_view_order(actor, order)
    if not seen:
        if seen.code == "not_found":
            return seen
        return Decision.refuse(
            Forbidden(
                "Only company-level administrators can change the onboarding order.",
                code="not_allowed",
            )
        )
    return actor.may("porting.manage")


def may_create_order(actor: Actor, company: Company | None = None) -> Decision:
    """Start the onboarding of a client company: the provider's operators, or the company's
    channel partner (without ``company``: whether the actor may start any)."""
    if company is not None and not actor.is_operator and not _inside(actor, company):
        return Decision.refuse(NotFound("Company not found.", field="company_id"))
    if not actor.read_only and (
        actor.is_operator
        or (
            actor.is_partner
            and (company is None or company.channel_partner_id == actor.user.channel_partner_id)
        )
    ):
        return Decision.allow()
    return Decision.refuse(
        Forbidden(
            "Only the provider's operators and the company's channel partner can start an "
            "onboarding order.",
            code="not_allowed",
        )
    )


def may_see_channel_partner(actor: Actor) -> Decision:
    """Which channel partner an order belongs to: the provider's operators and partners."""
    if actor.is_operator or actor.is_partner:
        return Decision.allow()
    return Decision.refuse(Forbidden("Only operators and channel partners see this."))


def may_route_numbers(actor: Actor, order: OnboardingOrder) -> Decision:
    """Route an unassigned number to a fax user from the configuration checklist."""
    seen = may_view_order(actor, order)
    if not seen:
        return Decision.refuse(NotFound("Onboarding order not found.", field="order_id"))
    return may_assign_numbers(actor)


def may_answer_first_sign_in(actor: Actor) -> Decision:
    """Whether the first sign-in question is for this person: a company-level administrator
    of their own company with the Request inventory right (operators and channel partners
    have no company of their own to set up)."""
    company = actor.user.company if actor.user.company_id is not None else None
    if company is None:
        return Decision.refuse(
            Forbidden("The first sign-in question is for a company's administrators.")
        )
    return may_choose_first_service(actor, company)


def may_choose_first_service(actor: Actor, company: Company) -> Decision:
    """The first sign-in question (new number, or keep my number): company-level
    administrators with the Request inventory right."""
    if not _inside(actor, company):
        return Decision.refuse(NotFound("Company not found.", field="company_id"))
    if actor.role == Role.FAX_USER:
        return Decision.refuse(
            Forbidden("Ask your administrator to set up the fax service.", code="not_allowed")
        )
    right = actor.may("numbers.request")
    if not right:
        return right
    if not actor.manages_whole_company(company):
        return Decision.refuse(
            Forbidden(
                "Only company-level administrators can set up the fax service.",
                code="not_allowed",
            )
        )
    return Decision.allow()
