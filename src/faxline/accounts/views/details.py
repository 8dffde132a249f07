"""Company, Department, User Account and Administrator Details pages with their tabs.

Every page reads through ``accounts.selectors`` and writes through ``accounts.services``.
The portal disables what the acting administrator may not change, and the services refuse
it again on the server: a refused POST shows the service's message (403) and saves nothing.
Objects outside the actor's scope are 404, exactly as missing ones.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from faxline.accounts import selectors
from faxline.accounts.access import (
    Actor,
    may_administer_accounts,
    may_change_security_policy,
    may_change_settings,
    may_manage_person,
    may_push_settings,
    request_actor,
)
from faxline.accounts.choices import Role
from faxline.accounts.details_forms import (
    PHI_WARNING,
    SETTINGS_FORMS,
    TAB_LABELS,
    AdministratorDetailsForm,
    ContactForm,
    DepartmentForm,
    PortalForm,
    PushForm,
    SecurityPolicyForm,
    SetPasswordForm,
    UserDetailsForm,
    UserFaxForm,
    WelcomeSendForm,
    policy_rows,
)
from faxline.accounts.models import Company, Department, SecurityPolicy, User
from faxline.accounts.policy import POLICY_FIELDS
from faxline.accounts.rights import (
    CHANGE_RIGHTS,
    RIGHT_GROUPS,
    held_rights,
    ticked_rights,
)
from faxline.accounts.services.administrators import (
    administrator_password_reset,
    administrator_set_rights,
)
from faxline.accounts.services.companies import company_update
from faxline.accounts.services.coverpages import company_header_line_update
from faxline.accounts.services.departments import department_update
from faxline.accounts.services.passwords import password_set_by_admin
from faxline.accounts.services.security import security_policy_reset, security_policy_save
from faxline.accounts.services.settings import settings_push_to_descendants, settings_update
from faxline.accounts.services.users import user_update
from faxline.accounts.services.welcome import user_send_welcome
from faxline.core.access import Decision
from faxline.core.crypto import decrypt_text, encrypt_text
from faxline.core.errors import Conflict, DomainError, NotFound, ValidationFailed
from faxline.portal.toolkit import apply_domain_error, error_field, form_status, portal_view

COMPANY_TABS = ("fax", "coverpage", "notifications", "custom", "archive", "security", "contacts")
DEPARTMENT_TABS = ("department", *COMPANY_TABS)
USER_PAGE_TABS = ("details", "fax", "coverpage", "notifications", "custom")
ADMINISTRATOR_TABS = ("details", "rights", "security")
MAX_CONTACTS = 3
# A generated password travels from the POST to the page after the redirect in the session,
# encrypted, and is removed as soon as it has been shown.
ONCE_KEY = "faxline_password_once"
READ_ONLY_TEXT = (
    "A Read-Only Administrator is permitted to view settings and administrative report data "
    "but may not make changes to the Company, Departments or Users."
)


# --- plumbing -------------------------------------------------------------------------


def admin_actor(request: HttpRequest) -> Actor:
    """The acting administrator; fax users have no Account Administration (404)."""
    actor = request_actor(request)
    if not may_administer_accounts(actor):
        raise Http404("Account Administration is for administrators.")
    return actor


def _human(message: str, form: forms.BaseForm) -> str:
    """A service message as a sentence for the page: no ``settings.tab.field:`` prefix,
    no pydantic "Value error," and the field's label instead of its code name."""
    text = re.sub(r"^settings\.[\w.]+:\s*", "", message)
    text = re.sub(r"^(Value error|Assertion failed),\s*", "", text)
    for name, bound in form.fields.items():
        if text.startswith(name + " ") and bound.label:
            text = f"{bound.label}{text[len(name) :]}"
            break
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def show_error(
    form: forms.BaseForm, exc: DomainError, aliases: dict[str, str] | None = None
) -> None:
    """Put a service's refusal on the field it names (or the field its message names)."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message) from exc
    target = error_field(form, exc, aliases) or ""
    if not target:
        # Whole-tab rules ("email_address is required when archiving to email").
        named = [n for n in form.fields if re.search(rf"\b{re.escape(n)}\b", exc.message)]
        target = named[0] if named else ""
    error = type(exc)(_human(exc.message, form), code=exc.code, field=target or None)
    apply_domain_error(form, error)


def rights_groups(
    checked: set[str], grantable: frozenset[str], *, read_only: bool = False
) -> list[dict[str, Any]]:
    """The Rights checkboxes: each group with its main box and its rights. For a read-only
    administrator the rights that change something are shown cleared and disabled."""
    held = set(held_rights(checked, read_only=read_only))
    groups = []
    for group in RIGHT_GROUPS:
        rights = [
            {
                "code": r.code,
                "label": r.label,
                "checked": r.code in held,
                "grantable": r.code in grantable,
                "changes": r.code in CHANGE_RIGHTS,
                "locked_by_read_only": read_only and r.code in CHANGE_RIGHTS,
            }
            for r in group.rights
        ]
        on = sum(1 for r in rights if r["checked"])
        groups.append(
            {
                "code": group.code,
                "label": group.label,
                "rights": rights,
                "checked": on > 0,
                "partial": 0 < on < len(rights),
                "locked_by_read_only": all(r["locked_by_read_only"] for r in rights),
            }
        )
    return groups


def _policy_source(policy: SecurityPolicy, customized: bool, where: str) -> str:
    """Where the policy in force comes from, in words."""
    if customized:
        return f"Customized for this {where}."
    if policy.is_global:
        return "Inherited from the Global Policy of the platform."
    if policy.department_id is not None and policy.department is not None:
        return f"Inherited from the department {policy.department.full_name}."
    return "Inherited from the company's security policy."


def remember_password(request: HttpRequest, user: User, password: str) -> None:
    request.session[ONCE_KEY] = {"user": user.pk, "secret": encrypt_text(password)}


def _take_password(request: HttpRequest, user: User) -> str | None:
    """The generated password of ``user`` to show now, once; None when there is none."""
    data = request.session.get(ONCE_KEY)
    if not isinstance(data, dict) or data.get("user") != user.pk:
        return None
    del request.session[ONCE_KEY]
    return decrypt_text(data["secret"])


def _level_name(user: User) -> str:
    return user.department.full_name if user.department is not None else "Company"


# --- the details page of a company, department, user or administrator -----------------


@dataclass
class DetailsPage:
    """One details page: whose it is, its tabs, and what the actor may change on them."""

    request: HttpRequest
    actor: Actor
    kind: str  # company | department | user | administrator
    obj: Company | Department | User
    company: Company
    department: Department | None
    tabs: tuple[str, ...]
    tab: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        wanted = self.request.POST.get("tab") if self.request.method == "POST" else None
        wanted = wanted or self.request.GET.get("tab") or self.tabs[0]
        self.tab = wanted if wanted in self.tabs else self.tabs[0]

    # where -----------------------------------------------------------------------------

    @property
    def heading(self) -> str:
        return {
            "company": "Company Details",
            "department": "Department Details",
            "user": "User Account Details",
            "administrator": "Administrator Details",
        }[self.kind]

    @property
    def name(self) -> str:
        if isinstance(self.obj, User):
            return self.obj.full_name or self.obj.username
        return self.obj.name

    @property
    def url(self) -> str:
        names = {
            "company": ("accounts:company_details", "company_id"),
            "department": ("accounts:department_details", "department_id"),
            "user": ("accounts:user_details", "user_id"),
            "administrator": ("accounts:administrator_details", "user_id"),
        }
        view, arg = names[self.kind]
        return reverse(view, kwargs={arg: self.obj.pk})

    def tab_url(self, tab: str | None = None, **params: str) -> str:
        return f"{self.url}?{urlencode({'tab': tab or self.tab, **params})}"

    @property
    def tab_links(self) -> list[dict[str, Any]]:
        labels = dict(TAB_LABELS)
        if self.kind == "user":
            labels["custom"] = "Date Format"
        return [
            {"key": t, "label": labels[t], "url": self.tab_url(t), "active": t == self.tab}
            for t in self.tabs
        ]

    @property
    def breadcrumbs(self) -> list[tuple[str, str | None]]:
        """Account Administration, the company, the departments: linking what the actor sees."""
        crumbs: list[tuple[str, str | None]] = [
            ("Account Administration", reverse("accounts:tree"))
        ]
        company_url = (
            reverse("accounts:company_details", args=[self.company.pk])
            if self.actor.manages_whole_company(self.company)
            else None
        )
        crumbs.append((self.company.name, company_url))
        if self.department is not None:
            for dept in [*self.department.ancestors(), self.department]:
                url = (
                    reverse("accounts:department_details", args=[dept.pk])
                    if self.actor.sees_department(dept)
                    else None
                )
                crumbs.append((dept.name, url))
        if self.kind in ("company", "department"):
            crumbs[-1] = (crumbs[-1][0], None)
        return crumbs

    # may -------------------------------------------------------------------------------

    def may_change(self, tab: str | None = None) -> Decision:
        """Whether the actor may change this tab: the access decision of accounts that the
        tab's service enforces on Save (the page only shows it)."""
        tab = tab or self.tab
        actor, obj = self.actor, self.obj
        if isinstance(obj, User):
            person = may_manage_person(actor, obj)
            if self.kind == "administrator" or tab == "details":
                return person
            if tab == "fax" and not person:
                # The user's fax addresses are saved with the tab (user_update).
                return person
            return may_change_settings(actor, obj, tab)
        if tab == "department":
            return actor.may("departments.manage")
        if tab == "security":
            return may_change_security_policy(actor, self.company, self.department)
        return may_change_settings(actor, obj, tab)

    def refusal(self, tab: str | None = None) -> str:
        """Why the actor cannot change this tab ("" when they can)."""
        return self.may_change(tab).reason

    def editable(self, tab: str | None = None) -> bool:
        return not self.refusal(tab)

    @property
    def can_push(self) -> bool:
        return self.kind in ("company", "department") and bool(may_push_settings(self.actor))

    @property
    def can_set_password(self) -> bool:
        """Set password: a fax user's (an administrator gets a reset link instead)."""
        return (
            self.kind == "user"
            and isinstance(self.obj, User)
            and bool(may_manage_person(self.actor, self.obj))
        )

    @property
    def can_send_welcome(self) -> bool:
        """Send Welcome Message: a fax user the actor may change."""
        return self.can_set_password

    @property
    def can_send_reset_link(self) -> bool:
        """Send password reset link: another administrator the rule lets the actor manage."""
        return self.kind == "administrator" and self.editable()

    # render ----------------------------------------------------------------------------

    def render(
        self, status: int = 200, *, template: str = "accounts/details.html", **extra: Any
    ) -> HttpResponse:
        """The page (or, with ``template``, one fragment of it for an htmx swap)."""
        template_tab = self.tab
        if self.kind == "user" and self.tab == "details":
            template_tab = "user_details"
        if self.kind == "administrator":
            template_tab = {
                "details": "admin_details",
                "rights": "rights",
                "security": "admin_security",
            }[self.tab]
        context: dict[str, Any] = {
            "page": self,
            "tab_template": f"accounts/_tab_{template_tab}.html",
            "editable": self.editable(),
            "refusal": self.refusal(),
            "phi_warning": PHI_WARNING,
            "read_only_text": READ_ONLY_TEXT,
            "now": timezone.now(),
            **self.context,
            **extra,
        }
        if self.can_push:
            context.setdefault("push_form", PushForm())
        if self.can_set_password:
            context.setdefault("password_form", SetPasswordForm())
        if self.can_send_welcome:
            context.setdefault("welcome_form", WelcomeSendForm(initial={"kind": _welcome_of(self)}))
        if isinstance(self.obj, User) and self.request.method == "GET":
            context["new_password"] = _take_password(self.request, self.obj)
        response = render(self.request, template, context, status=status)
        if context.get("new_password"):
            add_never_cache_headers(response)
        return response

    def saved(self, message: str, **params: str) -> HttpResponse:
        messages.success(self.request, message)
        return redirect(self.tab_url(**params))


# --- page-wide actions ----------------------------------------------------------------


def _push(page: DetailsPage) -> HttpResponse:
    """Push to descendants (operators): copy chosen tabs onto every level below."""
    form = PushForm(page.request.POST)
    if form.is_valid():
        assert isinstance(page.obj, Company | Department)
        try:
            counts = settings_push_to_descendants(
                actor=page.actor, owner=page.obj, tabs=form.cleaned_data["tabs"]
            )
        except DomainError as exc:
            show_error(form, exc)
            return page.render(status=form_status(exc), push_form=form, open_modal="push")
        names = ", ".join(TAB_LABELS[t] for t in form.cleaned_data["tabs"])
        return page.saved(
            f"Pushed {names} to {counts['departments']} department(s) and "
            f"{counts['users']} user account(s)."
        )
    return page.render(status=422, push_form=form, open_modal="push")


def _set_password(page: DetailsPage) -> HttpResponse:
    """Set password: the one typed, or a generated one shown exactly once (fax users; for an
    administrator the service refuses, and the refusal is the portal's 403)."""
    assert isinstance(page.obj, User)
    if page.kind == "administrator":
        password_set_by_admin(actor=page.actor, user=page.obj, password=None)
    form = SetPasswordForm(page.request.POST)
    if form.is_valid():
        try:
            password = password_set_by_admin(
                actor=page.actor,
                user=page.obj,
                password=form.cleaned_data["password"] or None,
                generate=form.cleaned_data["generate_password"],
            )
        except DomainError as exc:
            show_error(form, exc)
            return page.render(status=form_status(exc), password_form=form, open_modal="password")
        if form.cleaned_data["generate_password"]:
            remember_password(page.request, page.obj, password)
        return page.saved(f"The password of {page.name} has been set.")
    return page.render(status=422, password_form=form, open_modal="password")


def _welcome_of(page: DetailsPage) -> str:
    """The welcome message preselected: the user's Notifications tab's, when it is one."""
    assert isinstance(page.obj, User)
    chosen = selectors.effective_settings(page.obj)["notifications"]["welcome_message"]
    return chosen if chosen != "none" else "welcome"


def _send_welcome(page: DetailsPage) -> HttpResponse:
    """Send Welcome Message: written to the notification log, sent by the task worker."""
    assert isinstance(page.obj, User)
    form = WelcomeSendForm(page.request.POST)
    if form.is_valid():
        try:
            sent = user_send_welcome(
                actor=page.actor, user=page.obj, kind=form.cleaned_data["kind"]
            )
        except Conflict as exc:
            messages.error(page.request, exc.message)
            return redirect(page.tab_url())
        what = " with a link to choose a password" if sent.link_expires_in_days else ""
        return page.saved(f"A welcome message{what} is on its way to {page.name} at {sent.email}.")
    return page.render(status=422, welcome_form=form, open_modal="welcome")


def _send_reset_link(page: DetailsPage) -> HttpResponse:
    """Send password reset link: email the administrator a link to choose a new password."""
    assert isinstance(page.obj, User)
    try:
        administrator_password_reset(actor=page.actor, admin=page.obj)
    except Conflict as exc:
        messages.error(page.request, exc.message)
        return redirect(page.tab_url())
    return page.saved(
        f"A password reset link is on its way to {page.name} at {page.obj.email}. It works "
        "once, for one hour; their password stays as it is until they use it."
    )


# --- settings tabs --------------------------------------------------------------------


def _settings_tab(page: DetailsPage) -> HttpResponse:
    return settings_tab(page)


def settings_tab(page: DetailsPage, *, form_only: bool = False, status: int = 200) -> HttpResponse:
    """Fax, Coverpage, Notifications, Custom and Archive: one form, one Save. With
    ``form_only`` the tab's form is shown as stored whatever the request (another form of
    the tab, such as Outbound Number Blocking's Add, was refused), with ``status``."""
    request, tab, owner = page.request, page.tab, page.obj
    shown = selectors.settings_of(owner)[tab]
    form_class = UserFaxForm if (tab == "fax" and page.kind == "user") else SETTINGS_FORMS[tab]
    kwargs: dict[str, Any] = {}
    extra: dict[str, Any] = {"ftp_password_set": shown.get("ftp_password_set", False)}
    if tab == "coverpage":
        from faxline.accounts.views.coverpages import cover_form_kwargs, covers_context

        kwargs.update(cover_form_kwargs(page))
        extra.update(covers_context(page))
    company_fields = tab == "custom" and page.kind == "company"
    header_fields = tab == "fax" and page.kind == "company"
    if company_fields or header_fields:
        kwargs["company_fields"] = True
    if tab == "notifications":
        kwargs["company_level"] = page.kind == "company"
    if header_fields and "blocking" not in page.context:
        from faxline.accounts.views.blocking import blocking_context

        extra.update(blocking_context(page))

    if request.method == "POST" and not form_only:
        form = form_class(request.POST, **kwargs)
        if not form.is_valid():
            return page.render(status=422, form=form, **extra)
        try:
            _save_settings(page, form, company_fields, header_fields)
        except DomainError as exc:
            # The transaction rolled back; the objects in memory may still carry the change.
            page.obj.refresh_from_db()
            page.company.refresh_from_db()
            show_error(form, exc, aliases={"receiving_emails": "receiving_email_1"})
            return page.render(status=form_status(exc), form=form, **extra)
        label = "Date format" if (page.kind == "user" and tab == "custom") else TAB_LABELS[tab]
        return page.saved(f"{label} settings saved.")

    initial = dict(shown)
    if company_fields:
        initial.update(name=page.company.name, domain=page.company.domain)
    if header_fields:
        initial.update(header_line=page.company.header_line, header_ident=page.company.header_ident)
    if isinstance(owner, User) and tab == "fax":
        initial["sending_email"] = owner.sending_email
        for i, address in enumerate(owner.receiving_emails[:3], start=1):
            initial[f"receiving_email_{i}"] = address
    return page.render(status=status, form=form_class(initial=initial, **kwargs), **extra)


def _save_settings(
    page: DetailsPage, form: forms.Form, company_fields: bool, header_fields: bool = False
) -> None:
    """One Save of a settings tab: one service call, all or nothing. The company's Custom
    tab also carries its name and domain (``company_update``), its Fax tab the header line
    (``company_header_line_update``), a user's Fax tab their fax addresses
    (``user_update``); the API calls the same services."""
    data = form.cleaned_data
    assert hasattr(form, "settings_values")
    tabs = {page.tab: form.settings_values()}
    if header_fields:
        company_header_line_update(
            actor=page.actor,
            company=page.company,
            enabled=data["header_line"],
            ident=data["header_ident"],
            settings=tabs,
        )
    elif company_fields:
        changes = {k: data[k] for k in ("name", "domain") if data[k] != getattr(page.company, k)}
        company_update(actor=page.actor, company=page.company, **changes, settings=tabs)
    elif isinstance(form, UserFaxForm):
        assert isinstance(page.obj, User)
        user_update(actor=page.actor, user=page.obj, changes=form.user_changes(), settings=tabs)
    else:
        settings_update(actor=page.actor, owner=page.obj, tab=page.tab, values=tabs[page.tab])


def _security_tab(page: DetailsPage) -> HttpResponse:
    """Security: the policy in force; Customize Security Policy; Use inherited policy."""
    request = page.request
    where = "company" if page.department is None else "department"
    policy, customized = selectors.policy_of(company=page.company, department=page.department)
    editing = request.GET.get("edit") == "1" and page.editable()
    form: SecurityPolicyForm | None = None
    action = request.POST.get("action") if request.method == "POST" else None

    if action == "reset_policy":
        try:
            security_policy_reset(
                actor=page.actor, company=page.company, department=page.department
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise Http404(exc.message) from exc
            return page.render(
                status=form_status(exc),
                policy_error=exc.message,
                **_policy_context(page, policy, customized, where),
            )
        return page.saved("The inherited security policy applies again.")

    if action == "save_policy":
        form = SecurityPolicyForm(request.POST)
        editing = True
        if form.is_valid():
            try:
                security_policy_save(
                    actor=page.actor,
                    company=page.company,
                    department=page.department,
                    values=dict(form.cleaned_data),
                )
            except DomainError as exc:
                show_error(form, exc)
                return page.render(
                    status=form_status(exc),
                    policy_form=form,
                    editing=True,
                    **_policy_context(page, policy, customized, where),
                )
            return page.saved("Security policy saved.")
        return page.render(
            status=422,
            policy_form=form,
            editing=True,
            **_policy_context(page, policy, customized, where),
        )

    if editing:
        initial = {name: getattr(policy, name) for name in POLICY_FIELDS}
        if not customized:
            initial["description"] = f"{page.name} security policy"
        form = SecurityPolicyForm(initial=initial)
    return page.render(
        policy_form=form, editing=editing, **_policy_context(page, policy, customized, where)
    )


def _policy_context(
    page: DetailsPage, policy: SecurityPolicy, customized: bool, where: str
) -> dict[str, Any]:
    return {
        "policy": policy,
        "policy_customized": customized,
        "policy_source": _policy_source(policy, customized, where),
        "policy_rows": policy_rows(policy),
        "policy_where": where,
    }


def _contacts_tab(page: DetailsPage) -> HttpResponse:
    """Contacts: emergency contacts, at most three (the service enforces it)."""
    request = page.request
    contacts: list[dict[str, Any]] = selectors.settings_of(page.obj)["contacts"][
        "emergency_contacts"
    ]
    editing = request.GET.get("contact", "")
    context: dict[str, Any] = {"contacts": contacts, "max_contacts": MAX_CONTACTS}

    if request.method == "POST":
        action = request.POST.get("action", "")
        index = _index(request.POST.get("index"), len(contacts))
        updated = list(contacts)
        form = ContactForm(request.POST)
        if action == "delete_contact":
            if index is None:
                raise Http404("Contact not found.")
            removed = updated.pop(index)
            message = f"Emergency contact {removed['name']} deleted."
        else:
            if action == "update_contact" and index is None:
                raise Http404("Contact not found.")
            if not form.is_valid():
                return page.render(status=422, contact_form=form, contact_index=index, **context)
            contact = {k: form.cleaned_data[k] for k in ("name", "email", "phone", "extension")}
            if index is None:
                updated.append(contact)
                message = f"Emergency contact {contact['name']} added."
            else:
                updated[index] = contact
                message = f"Emergency contact {contact['name']} saved."
        try:
            settings_update(
                actor=page.actor,
                owner=page.obj,
                tab="contacts",
                values={"emergency_contacts": updated},
            )
        except DomainError as exc:
            if (exc.field or "").endswith("emergency_contacts"):
                exc = ValidationFailed(
                    f"You can have at most {MAX_CONTACTS} emergency contacts. Delete one "
                    "before adding another.",
                    code="too_many_contacts",
                    field="emergency_contacts",
                )
            show_error(form, exc)
            return page.render(
                status=form_status(exc), contact_form=form, contact_index=index, **context
            )
        return page.saved(message)

    shown: ContactForm | None = None
    index = None
    if editing == "new" and len(contacts) < MAX_CONTACTS:
        shown = ContactForm()
    elif editing:
        index = _index(editing, len(contacts))
        if index is not None:
            shown = ContactForm(initial=contacts[index])
    return page.render(contact_form=shown, contact_index=index, **context)


def _index(raw: str | None, size: int) -> int | None:
    try:
        value = int(raw or "")
    except ValueError:
        return None
    return value if 0 <= value < size else None


def _simple_form_tab(
    page: DetailsPage,
    form_class: type[PortalForm],
    initial: dict[str, Any],
    save: Callable[[dict[str, Any]], object],
    message: str,
    form_kwargs: dict[str, Any] | None = None,
) -> HttpResponse:
    """A tab with one form saved by one service call."""
    extra = form_kwargs or {}
    if page.request.method == "POST":
        form = form_class(page.request.POST, **extra)
        if form.is_valid():
            try:
                save(form.cleaned_data)
            except DomainError as exc:
                show_error(form, exc)
                return page.render(status=form_status(exc), form=form)
            return page.saved(message)
        return page.render(status=422, form=form)
    return page.render(form=form_class(initial=initial, **extra))


def _department_tab(page: DetailsPage) -> HttpResponse:
    dept = page.obj
    assert isinstance(dept, Department)
    return _simple_form_tab(
        page,
        DepartmentForm,
        {"name": dept.name},
        lambda data: department_update(actor=page.actor, department=dept, name=data["name"]),
        "Department details saved.",
    )


def _user_details_tab(page: DetailsPage) -> HttpResponse:
    user = page.obj
    assert isinstance(user, User)
    names = ("first_name", "last_name", "email", *UserDetailsForm.CONTACT, *UserDetailsForm.CUSTOM)
    initial = {n: getattr(user, n) for n in names}
    initial["department"] = (
        str(user.department_id) if user.department_id else UserDetailsForm.COMPANY_LEVEL
    )
    return _simple_form_tab(
        page,
        UserDetailsForm,
        initial,
        lambda data: user_update(
            actor=page.actor, user=user, changes=UserDetailsForm.changes_from(data)
        ),
        "User account details saved.",
        form_kwargs={"departments": _move_targets(page.actor, page.company)},
    )


def _move_targets(actor: Actor, company: Company) -> list[tuple[str, str]]:
    """The Department select of User Details: the departments the actor may see, after
    "Company level" when the actor's scope covers it."""
    choices: list[tuple[str, str]] = []
    if actor.manages_whole_company(company):
        choices.append((UserDetailsForm.COMPANY_LEVEL, "Company level"))
    departments = list(selectors.department_list(actor=actor, company=company))
    names = selectors.department_full_names(departments)
    choices += sorted(((str(d.pk), names[d.pk]) for d in departments), key=lambda c: c[1])
    return choices


def _admin_details_tab(page: DetailsPage) -> HttpResponse:
    admin = page.obj
    assert isinstance(admin, User)
    names = ("first_name", "last_name", "email", "phone", "time_zone", "language")
    return _simple_form_tab(
        page,
        AdministratorDetailsForm,
        {n: getattr(admin, n) for n in names},
        lambda data: user_update(actor=page.actor, user=admin, changes=data),
        "Administrator details saved.",
    )


def _rights_tab(page: DetailsPage) -> HttpResponse:
    admin = page.obj
    assert isinstance(admin, User)
    grantable = page.actor.rights
    if page.request.method == "POST":
        # Rights the actor cannot grant are shown disabled (so not posted): keep them. (The
        # administrator rule lets only an actor who holds all of them save, so none today.)
        kept = set(held_rights(admin.rights, read_only=admin.read_only)) - set(grantable)
        posted = page.request.POST
        ticked = ticked_rights(posted.getlist("rights"), posted.getlist("group"))
        rights = sorted(set(ticked) | kept)
        read_only = page.request.POST.get("read_only") == "on"
        try:
            administrator_set_rights(
                actor=page.actor, admin=admin, rights=rights, read_only=read_only
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise Http404(exc.message) from exc
            return page.render(
                status=form_status(exc),
                rights_error=exc.message,
                rights_groups=rights_groups(set(rights), grantable, read_only=read_only),
                read_only_checked=read_only,
            )
        return page.saved("Rights saved.")
    return page.render(
        rights_groups=rights_groups(set(admin.rights), grantable, read_only=admin.read_only),
        read_only_checked=admin.read_only,
    )


def _admin_security_tab(page: DetailsPage) -> HttpResponse:
    admin = page.obj
    assert isinstance(admin, User)
    policy, customized = selectors.policy_of(company=page.company, department=page.department)
    if page.department is not None:
        level_url = reverse("accounts:department_details", args=[page.department.pk])
    else:
        level_url = reverse("accounts:company_details", args=[page.company.pk])
    where = "company" if page.department is None else "department"
    return page.render(
        level_url=f"{level_url}?tab=security", **_policy_context(page, policy, customized, where)
    )


def _coverpage_tab(page: DetailsPage) -> HttpResponse:
    """Coverpage: the settings form, and Upload, Manage (rename, delete) and Browse."""
    from faxline.accounts.views.coverpages import coverpage_action

    return coverpage_action(page) or _settings_tab(page)


def _fax_tab(page: DetailsPage) -> HttpResponse:
    """Fax: the settings form, and on a company's tab Outbound Number Blocking."""
    from faxline.accounts.views.blocking import blocking_action

    return blocking_action(page) or _settings_tab(page)


TAB_VIEWS: dict[str, Callable[[DetailsPage], HttpResponse]] = {
    "fax": _fax_tab,
    "coverpage": _coverpage_tab,
    "notifications": _settings_tab,
    "custom": _settings_tab,
    "archive": _settings_tab,
    "security": _security_tab,
    "contacts": _contacts_tab,
    "department": _department_tab,
}


def _dispatch(page: DetailsPage) -> HttpResponse:
    action = page.request.POST.get("action") if page.request.method == "POST" else None
    if action == "push":
        return _push(page)
    if action == "set_password":
        return _set_password(page)
    if action == "send_welcome" and page.kind == "user":
        return _send_welcome(page)
    if action == "send_reset_link" and page.kind == "administrator":
        return _send_reset_link(page)
    if page.kind == "administrator":
        handler = {
            "details": _admin_details_tab,
            "rights": _rights_tab,
            "security": _admin_security_tab,
        }[page.tab]
        if page.tab == "security" and page.request.method == "POST":
            return HttpResponseNotAllowed(["GET"])
        return handler(page)
    if page.kind == "user" and page.tab == "details":
        return _user_details_tab(page)
    return TAB_VIEWS[page.tab](page)


# --- views ----------------------------------------------------------------------------


@portal_view
@require_http_methods(["GET", "POST"])
def company_details(request: HttpRequest, company_id: int) -> HttpResponse:
    """Company Details: Fax, Coverpage, Notifications, Custom, Archive, Security, Contacts."""
    actor = admin_actor(request)
    company = selectors.company_get(actor=actor, company_id=company_id)
    page = DetailsPage(request, actor, "company", company, company, None, COMPANY_TABS)
    return _dispatch(page)


@portal_view
@require_http_methods(["GET", "POST"])
def department_details(request: HttpRequest, department_id: int) -> HttpResponse:
    """Department Details: the Department tab and the department's settings tabs."""
    actor = admin_actor(request)
    department = selectors.department_get(actor=actor, department_id=department_id)
    page = DetailsPage(
        request, actor, "department", department, department.company, department, DEPARTMENT_TABS
    )
    return _dispatch(page)


@portal_view
@require_http_methods(["GET", "POST"])
def user_details(request: HttpRequest, user_id: int) -> HttpResponse:
    """User Account Details: Details, Fax, Coverpage, Notifications, Date Format."""
    actor = admin_actor(request)
    user = selectors.user_get(actor=actor, user_id=user_id)
    if user.role == Role.ADMINISTRATOR:
        return redirect("accounts:administrator_details", user_id=user.pk)
    if user.role != Role.FAX_USER or user.company is None:
        raise Http404("User not found.")
    page = DetailsPage(request, actor, "user", user, user.company, user.department, USER_PAGE_TABS)
    return _dispatch(page)


@portal_view
@require_http_methods(["GET", "POST"])
def administrator_details(request: HttpRequest, user_id: int) -> HttpResponse:
    """Administrator Details: Details, Rights, Security (the guide's three tabs)."""
    actor = admin_actor(request)
    admin = selectors.user_get(actor=actor, user_id=user_id, role=Role.ADMINISTRATOR)
    if admin.company is None:
        raise Http404("Administrator not found.")
    page = DetailsPage(
        request, actor, "administrator", admin, admin.company, admin.department, ADMINISTRATOR_TABS
    )
    page.context["level_name"] = _level_name(admin)
    return _dispatch(page)
