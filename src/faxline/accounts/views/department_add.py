"""Add Department: the name, then the department's default Fax, Coverpage, Notifications and
Date settings (prefilled from the level above), then Finish."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from faxline.accounts import selectors
from faxline.accounts.access import Actor, may_add_at, request_actor
from faxline.accounts.forms import DepartmentWizardForm, settings_initial
from faxline.accounts.models import Company, Department
from faxline.accounts.services import departments as department_services
from faxline.accounts.views.common import department_param, level_name, require_admin, tree_url
from faxline.portal.toolkit import Wizard, page_redirect, portal_view


def _create(
    actor: Actor,
    company: Company,
    parent: Department | None,
    form: DepartmentWizardForm,
) -> Department:
    """The department with the settings chosen in the wizard (one service call)."""
    return department_services.department_create(
        actor=actor,
        company=company,
        parent=parent,
        name=form.cleaned_data["name"],
        settings=form.settings_values(),
    )


@portal_view
@require_http_methods(["GET", "POST"])
def department_add(request: HttpRequest, company_id: int) -> HttpResponse:
    """Add Department: the name, then its default Fax, Coverpage, Notifications and Date
    settings (prefilled from the parent), then Finish."""
    actor = request_actor(request)
    require_admin(actor)
    company = selectors.company_get(actor=actor, company_id=company_id)
    parent = department_param(request, actor, "parent", company)
    may_add_at(actor, company, parent, right="departments.manage", field="parent_id").check()
    source = selectors.settings_of(parent or company)
    form = DepartmentWizardForm(request.POST or None, initial=settings_initial(source))
    form.set_coverpages(parent or company)
    wizard = Wizard(request, form).advance()
    if wizard.finish:
        department = wizard.submit(lambda: _create(actor, company, parent, form))
        if department is not None:
            messages.success(request, f"Department {department.name} was added.")
            return page_redirect(request, tree_url(actor, company, open=str(department.pk)))
    context = wizard.context(
        company=company,
        parent=parent,
        level_name=level_name(company, parent),
        cancel_url=tree_url(actor, company, **({"open": str(parent.pk)} if parent else {})),
    )
    return wizard.render(
        "accounts/department_add.html", context, card="accounts/_department_add_wizard.html"
    )
