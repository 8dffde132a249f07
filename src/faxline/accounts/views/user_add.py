"""Add User Account: User Details, Contact Details, Custom Fields, Fax Settings, Coverpage,
Notifications and Date Format, then Finish (with the generated password shown once).
Bulk Create is its second tab (``bulk_create``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from faxline.accounts import selectors
from faxline.accounts.access import Actor, request_actor
from faxline.accounts.fax_numbers import user_numbers
from faxline.accounts.forms import UserWizardForm, settings_initial
from faxline.accounts.models import Company, Department
from faxline.accounts.policy import effective_policy, password_problems
from faxline.accounts.services import users as user_services
from faxline.accounts.services.people import CreatedAccount
from faxline.accounts.views.common import department_param, level_name, require_admin, tree_url
from faxline.core.errors import Forbidden
from faxline.portal.toolkit import Wizard, portal_view, render_page


def _password_check(
    company: Company, department: Department | None
) -> Callable[[UserWizardForm, int], None]:
    """Step 1: say at once when the password breaks the policy (the service checks it
    again at Finish)."""

    def check(form: UserWizardForm, step: int) -> None:
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


def _policy_summary(company: Company, department: Department | None) -> str:
    policy, _ = selectors.policy_of(company=company, department=department)
    parts = [f"{policy.min_length} to {policy.max_length} characters"]
    for count, label in (
        (policy.min_alpha, "letter"),
        (policy.min_upper, "upper-case letter"),
        (policy.min_numeric, "digit"),
        (policy.min_special, "special character"),
    ):
        if count:
            parts.append(f"at least {count} {label}{'s' if count > 1 else ''}")
    text = "; ".join(parts)
    if policy.exclude_personal_info:
        text += "; no name, username or email address"
    return text + "."


def _create(
    actor: Actor, company: Company, department: Department | None, form: UserWizardForm
) -> CreatedAccount:
    data = form.cleaned_data
    generate = bool(data["generate_password"])
    return user_services.user_create(
        actor=actor,
        company=company,
        department=department,
        first_name=data["first_name"],
        last_name=data["last_name"],
        email=data["email"],
        username=data["username"] or None,
        use_email_as_username=bool(data["use_email_as_username"]),
        password=None if generate else data["password"],
        generate_password=generate,
        contact=form.contact(),
        sending_email=data["sending_email"] or None,
        receiving_emails=form.receiving_emails() or None,
        settings=form.settings_values(),
        fax_number=data["fax_number"] or None,
    )


@portal_view
@require_http_methods(["GET", "POST"])
def user_add(request: HttpRequest, company_id: int) -> HttpResponse:
    """Add User Account: User Details, Contact Details, Custom Fields, Fax Settings,
    Coverpage, Notifications and Date Format, then Finish."""
    actor = request_actor(request)
    require_admin(actor)
    company = selectors.company_get(actor=actor, company_id=company_id)
    department = department_param(request, actor, "department", company)
    actor.require("users.manage")
    if department is None and not actor.manages_whole_company(company):
        raise Forbidden("Department administrators can only add users in their department.")
    source = selectors.settings_of(department or company)
    free_numbers = user_numbers().unassigned(actor=actor, company=company)
    initial = {
        **settings_initial(source),
        "country": "US",
        "no_fax_number": not free_numbers,
    }
    form = UserWizardForm(request.POST or None, initial=initial)
    form.set_coverpages(source["coverpage"]["default_coverpage"])
    form.set_fax_numbers(free_numbers)
    wizard = Wizard(request, form).advance(check_step=_password_check(company, department))
    # Back on the tree, it opens at the department the user is added to.
    opened = {"open": str(department.pk)} if department is not None else {}
    page: dict[str, Any] = {
        "company": company,
        "department": department,
        "level_name": level_name(company, department),
        "cancel_url": tree_url(actor, company, **opened),
        "policy_summary": _policy_summary(company, department),
        "bulk_url": reverse("accounts:users_bulk", args=[company.pk])
        + (f"?department={department.pk}" if department else "")
        if actor.can("users.bulk_create")
        else None,
    }
    if wizard.finish:
        created = wizard.submit(lambda: _create(actor, company, department, form))
        if created is not None:
            user = created.user
            done = {
                **page,
                "new_user": user,
                "generated_password": created.generated_password,
                "details_url": reverse("accounts:user_details", args=[user.pk]),
                "again_url": request.get_full_path(),
                "tree_url": tree_url(actor, company, **opened),
            }
            return render_page(
                request,
                "accounts/user_add_done.html",
                done,
                partials={"fx-wizard": "accounts/_user_add_done.html"},
            )
    return wizard.render(
        "accounts/user_add.html", wizard.context(**page), card="accounts/_user_add_wizard.html"
    )
