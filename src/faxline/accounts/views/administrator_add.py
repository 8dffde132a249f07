"""Add Administrator: 1 Administrator Details, 2 Time Zone and Language, 3 Rights, on the
portal's wizard engine (``faxline.portal.toolkit.Wizard``), then Administrator Details."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from faxline.accounts import selectors
from faxline.accounts.access import Actor, may_add_at
from faxline.accounts.form_fields import LANGUAGES
from faxline.accounts.forms import AdministratorWizardForm
from faxline.accounts.models import Company, Department
from faxline.accounts.services.administrators import administrator_create
from faxline.accounts.services.people import CreatedAccount
from faxline.accounts.views.common import (
    department_param,
    level_name,
    password_check,
    policy_summary,
    tree_url,
)
from faxline.accounts.views.details import (
    READ_ONLY_TEXT,
    admin_actor,
    remember_password,
    rights_groups,
)
from faxline.portal.toolkit import Wizard, page_redirect, portal_view


def _create(
    actor: Actor, company: Company, department: Department | None, form: AdministratorWizardForm
) -> CreatedAccount:
    return administrator_create(
        actor=actor, company=company, department=department, **form.administrator()
    )


@portal_view
@require_http_methods(["GET", "POST"])
def administrator_add(request: HttpRequest, company_id: int) -> HttpResponse:
    """Add Administrator: 1 Administrator Details, 2 Time Zone and Language, 3 Rights.

    ``?department=<id>`` adds a department-level administrator.
    """
    actor = admin_actor(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    department = department_param(request, actor, "department", company)
    may_add_at(actor, company, department, right="administrators.manage").check()
    grantable = actor.rights
    level_settings = selectors.settings_of(department or company)
    form = AdministratorWizardForm(
        request.POST or None,
        initial={
            "time_zone": level_settings["custom"]["time_zone"],
            "language": LANGUAGES[0][0],
        },
    )
    wizard = Wizard(request, form).advance(check_step=password_check(company, department))
    if wizard.finish:
        created = wizard.submit(lambda: _create(actor, company, department, form))
        if created is not None:
            admin = created.user
            if created.generated_password:
                remember_password(request, admin, created.generated_password)
            messages.success(request, f"Administrator {admin.full_name} created.")
            return page_redirect(
                request, reverse("accounts:administrator_details", args=[admin.pk])
            )
    # Prefilled with every right the actor may grant; then as ticked.
    checked, read_only = form.ticked() if form.is_bound else (set(grantable), False)
    context = wizard.context(
        company=company,
        department=department,
        level_name=department.full_name if department is not None else "Company",
        where=level_name(company, department),
        cancel_url=tree_url(actor, company),
        tree_url=tree_url(actor, company),
        policy_summary=policy_summary(company, department),
        read_only_text=READ_ONLY_TEXT,
        read_only_checked=read_only,
        rights_groups=rights_groups(checked, grantable, read_only=read_only),
    )
    return wizard.render(
        "accounts/administrator_add.html",
        context,
        card="accounts/_administrator_add_wizard.html",
    )
