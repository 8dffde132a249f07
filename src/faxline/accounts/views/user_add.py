"""Add User Account: User Details, Contact Details, Custom Fields, Fax Settings, Coverpage,
Notifications and Date Format, then Finish (with the generated password shown once).
Bulk Create is its second tab (``bulk_create``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from faxline.accounts import selectors
from faxline.accounts.access import Actor, may_add_at, request_actor
from faxline.accounts.fax_numbers import user_numbers
from faxline.accounts.forms import UserWizardForm, settings_initial
from faxline.accounts.models import Company, Department
from faxline.accounts.services import users as user_services
from faxline.accounts.services.people import CreatedAccount
from faxline.accounts.views.common import (
    department_param,
    level_name,
    password_check,
    policy_summary,
    require_admin,
    tree_url,
)
from faxline.portal.toolkit import Wizard, portal_view, render_page


def _create(
    actor: Actor, company: Company, department: Department | None, form: UserWizardForm
) -> CreatedAccount:
    data = form.cleaned_data
    return user_services.user_create(
        actor=actor,
        company=company,
        department=department,
        **form.person(),
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
    may_add_at(actor, company, department, right="users.manage").check()
    source = selectors.settings_of(department or company)
    free_numbers = user_numbers().unassigned(actor=actor, company=company)
    initial = {
        **settings_initial(source),
        "country": "US",
        "no_fax_number": not free_numbers,
    }
    form = UserWizardForm(request.POST or None, initial=initial)
    form.set_coverpages(department or company)
    form.set_fax_numbers(free_numbers)
    wizard = Wizard(request, form).advance(check_step=password_check(company, department))
    # Back on the tree, it opens at the department the user is added to.
    opened = {"open": str(department.pk)} if department is not None else {}
    page: dict[str, Any] = {
        "company": company,
        "department": department,
        "level_name": level_name(company, department),
        "cancel_url": tree_url(actor, company, **opened),
        "policy_summary": policy_summary(company, department),
        "bulk_url": reverse("accounts:users_bulk", args=[company.pk])
        + (f"?department={department.pk}" if department else "")
        if actor.may("users.bulk_create")
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
