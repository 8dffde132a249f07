"""What the Account Administration pages share: where the tree is, the ``?department=`` of
an add page, the administrators-only rule, and the password step of Add User Account and
Add Administrator."""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.http import urlencode

from faxline.accounts import selectors
from faxline.accounts.access import Actor, may_administer_accounts
from faxline.accounts.models import Company, Department
from faxline.accounts.passwords import policy_rules
from faxline.accounts.policy import effective_policy, password_problems
from faxline.portal.toolkit import StepsForm


def tree_url(actor: Actor, company: Company | None = None, **params: str) -> str:
    """The tree, on ``company`` when the actor has no company of their own."""
    query = dict(params)
    if company is not None and actor.user.company_id != company.pk:
        query["company"] = str(company.pk)
    url = reverse("accounts:tree")
    return f"{url}?{urlencode(query)}" if query else url


def int_param(request: HttpRequest, name: str) -> int | None:
    """``?<name>=<id>`` as a number (None when absent; 404 when not a number)."""
    raw = request.GET.get(name, "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404(f"Bad {name}.")
    return int(raw)


def department_param(
    request: HttpRequest, actor: Actor, name: str, company: Company
) -> Department | None:
    """The department named by ``?<name>=<id>``, within the actor's scope and the company."""
    department_id = int_param(request, name)
    if department_id is None:
        return None
    department = selectors.department_get(actor=actor, department_id=department_id)
    if department.company_id != company.pk:
        raise Http404("Department not found.")
    return department


def require_admin(actor: Actor) -> None:
    """Account Administration is for administrators (and operators, partners)."""
    may_administer_accounts(actor).check()


def level_name(company: Company, department: Department | None) -> str:
    """The level an add page works on, as the page names it."""
    if department is None:
        return company.name
    return selectors.department_full_names([department])[department.pk]


def password_check(
    company: Company, department: Department | None
) -> Callable[[StepsForm, int], None]:
    """The wizard's ``check_step`` for a new person's first step: say at once when the
    password breaks the policy of the level (the service checks it again at Finish)."""

    def check(form: StepsForm, step: int) -> None:
        data = form.cleaned_data
        if step != 1 or data.get("generate_password") or not data.get("password"):
            return
        username = data.get("email") if data.get("use_email_as_username") else data.get("username")
        problems = password_problems(
            data["password"],
            policy=effective_policy(company=company, department=department),
            personal=(
                data.get("first_name", ""),
                data.get("last_name", ""),
                username or "",
                data.get("email", ""),
            ),
        )
        if problems:
            form.add_error("password", "The password " + "; ".join(problems) + ".")

    return check


def policy_summary(company: Company, department: Department | None) -> str:
    """The password policy of a level in one line, under a new person's password field."""
    policy, _ = selectors.policy_of(company=company, department=department)
    return "; ".join(policy_rules(policy, own=False)) + "."
