"""Add Administrator: 1 Administrator Details, 2 Time Zone and Language, 3 Rights (the
steps are shown one at a time in the browser; the whole form is posted at Finish)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from faxline.accounts import selectors
from faxline.accounts.details_forms import LANGUAGES, AdministratorAddForm
from faxline.accounts.models import Department
from faxline.accounts.services.administrators import administrator_create
from faxline.accounts.views.details import (
    READ_ONLY_TEXT,
    admin_actor,
    form_status,
    posted_rights,
    remember_password,
    rights_groups,
    show_error,
)
from faxline.core.errors import DomainError, Forbidden
from faxline.portal.toolkit import portal_view


@portal_view
@require_http_methods(["GET", "POST"])
def administrator_add(request: HttpRequest, company_id: int) -> HttpResponse:
    """Add Administrator: 1 Administrator Details, 2 Time Zone and Language, 3 Rights.

    ``?department=<id>`` adds a department-level administrator.
    """
    actor = admin_actor(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    department: Department | None = None
    raw = request.GET.get("department") or request.POST.get("department")
    if raw:
        if not raw.isdigit():
            raise Http404("Department not found.")
        department = selectors.department_get(actor=actor, department_id=int(raw))
        if department.company_id != company.pk:
            raise Http404("Department not found.")
    actor.require("administrators.manage")
    if department is None and not actor.manages_whole_company(company):
        raise Forbidden(
            "Department administrators can add administrators only in their own department."
        )
    grantable = actor.rights
    context: dict[str, Any] = {
        "company": company,
        "department": department,
        "level_name": department.full_name if department is not None else "Company",
        "read_only_text": READ_ONLY_TEXT,
        "tree_url": reverse("accounts:tree"),
    }
    step = 1
    if request.method == "POST":
        form = AdministratorAddForm(request.POST)
        rights = posted_rights(request.POST)
        read_only = request.POST.get("read_only") == "on"
        if form.is_valid():
            data = form.cleaned_data
            try:
                created = administrator_create(
                    actor=actor,
                    company=company,
                    department=department,
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    username=data["username"] or None,
                    use_email_as_username=data["use_email_as_username"],
                    password=data["password"] or None,
                    generate_password=data["generate_password"],
                    time_zone=data["time_zone"],
                    language=data["language"],
                    rights=rights,
                    read_only=read_only,
                )
            except DomainError as exc:
                show_error(form, exc)
                step = AdministratorAddForm.STEP_OF.get((exc.field or "").rsplit(".")[-1], 1)
                status = form_status(exc)
            else:
                admin = created.user
                if created.generated_password:
                    remember_password(request, admin, created.generated_password)
                messages.success(request, f"Administrator {admin.full_name} created.")
                return redirect("accounts:administrator_details", user_id=admin.pk)
        else:
            step = form.first_error_step()
            status = 422
        checked = set(rights)
    else:
        level_settings = selectors.settings_of(department or company)
        form = AdministratorAddForm(
            initial={
                "time_zone": level_settings["custom"]["time_zone"],
                "language": LANGUAGES[0][0],
            }
        )
        checked = set(grantable)
        read_only = False
        status = 200
    context.update(
        form=form,
        step=step,
        read_only_checked=read_only,
        rights_groups=rights_groups(checked, grantable, read_only=read_only),
    )
    return render(request, "accounts/administrator_add.html", context, status=status)
