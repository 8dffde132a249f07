"""Who may see Accounting (the shape: ``faxline.core.access``).

The guide: Accounting "is available to Account-level administrators only". So: a
company-level administrator holding "View accounting" (a read-only one too: it is a view
right), the company's channel partner and the provider's operators. A department
administrator and a fax user are refused with 403 and a sentence that says why; another
company is 404 (it does not exist for the actor).
"""

from __future__ import annotations

from faxline.accounts.access import Actor
from faxline.accounts.choices import Role
from faxline.accounts.models import Company
from faxline.core.access import Decision
from faxline.core.errors import Forbidden, NotFound

RIGHT = "reports.accounting"


def may_see_accounting(actor: Actor) -> Decision:
    """Open Accounting at all (the menu entry, the page, the API)."""
    if actor.is_operator or actor.is_partner:
        return Decision.allow()
    if actor.user.role == Role.FAX_USER:
        return Decision.refuse(
            Forbidden(
                "Accounting is for company-level administrators only.",
                code="accounting_company_admins_only",
            )
        )
    if not actor.is_company_admin:
        return Decision.refuse(
            Forbidden(
                "Accounting is for company-level administrators only: a department "
                "administrator cannot see the company's Call Detail Records.",
                code="accounting_company_admins_only",
            )
        )
    if not actor.can(RIGHT):
        return Decision.refuse(
            Forbidden(
                "You do not have the right to view accounting; ask a company administrator "
                "who holds it.",
                code="missing_right",
            )
        )
    return Decision.allow()


def may_see_company_accounting(actor: Actor, company: Company) -> Decision:
    """See (and generate) a given company's Call Detail Records."""
    decision = may_see_accounting(actor)
    if not decision:
        return decision
    if not actor.manages_whole_company(company):
        return Decision.refuse(NotFound("Company not found.", field="company_id"))
    return Decision.allow()
