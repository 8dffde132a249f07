"""Account Administration pages: the tree, its actions, the wizards and Bulk Create.

Every test uses the standard cast (tests/cast.py): Carol (company administrator of Acme),
Dana (administrator of Billing Dept), Rita (read-only), Bill (Billing Level 1), Sarah
(Sales), and Otto/Gina of Globex, the outsiders.
"""

from __future__ import annotations

from html import unescape
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from faxline.accounts.access import Actor
from faxline.accounts.forms import settings_initial
from faxline.accounts.models import Department, User
from faxline.accounts.selectors import settings_of
from faxline.accounts.services.users import user_create, user_lock

from cast import PASSWORD, Cast

pytestmark = pytest.mark.django_db

CHANGING_ACTIONS = (
    "Add Department",
    "Add User Account",
    "Add Administrator",
    "Lock User",
    "Unlock User Account",
    "Delete User Account",
    "Delete Department",
    "Bulk Create",
    ">Delete<",
)


def page(client: Client, user: User, name: str = "accounts:tree", *args: Any, **params: Any) -> Any:
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def text(response: Any) -> str:
    return response.content.decode()


def tree_of(response: Any) -> str:
    """The hierarchy only (the menu bar shows the signed-in person's name too)."""
    html = text(response)
    return html[html.index('id="fx-tree"') :]


def form_data(owner: Any, **values: Any) -> dict[str, Any]:
    """What the browser posts for a wizard: the settings steps as prefilled, plus values."""
    data: dict[str, Any] = {}
    for name, value in settings_initial(settings_of(owner)).items():
        if value is True:
            data[name] = "on"
        elif value not in (False, None):
            data[name] = value
    for name, value in values.items():
        if value is False:
            data.pop(name, None)
        else:
            data[name] = "on" if value is True else value
    return data


# --- the tree -------------------------------------------------------------------------


def test_company_administrator_sees_the_whole_company(client: Client, cast: Cast) -> None:
    html = tree_of(page(client, cast.company_admin))
    for name in (
        "Acme Corp",
        "Billing Dept",
        "Billing Level 1",
        "Sales",
        "Bill Payer",
        "Sarah Salesperson",
        "Dana Dept",
        "Rita Reader",
        "Carol Chief",
    ):
        assert name in html
    assert "Globex" not in html and "Gina" not in html
    assert 'aria-label="Actions for Acme Corp"' in html
    assert 'aria-label="Actions for Billing Dept"' in html
    for action in (
        "Company Details",
        "Add Department",
        "Add User Account",
        "Add Administrator",
        "Department Details",
        "Delete Department",
        "User Account Details",
        "Lock User",
        "Delete User Account",
        "Administrator Details",
    ):
        assert action in html, action
    # The actions point at the details pages and the wizards with their level.
    assert reverse("accounts:department_details", args=[cast.sales.pk]) in html
    assert (
        reverse("accounts:user_add", args=[cast.company.pk]) + f"?department={cast.sales.pk}"
        in html
    )
    assert (
        reverse("accounts:department_add", args=[cast.company.pk]) + f"?parent={cast.billing.pk}"
        in html
    )
    assert (
        reverse("accounts:administrator_add", args=[cast.company.pk])
        + f"?department={cast.billing.pk}"
        in html
    )


def test_department_administrator_sees_only_their_subtree(client: Client, cast: Cast) -> None:
    html = tree_of(page(client, cast.dept_admin))
    for name in ("Billing Dept", "Billing Level 1", "Bill Payer", "Dana Dept"):
        assert name in html
    assert "Sales" not in html and "Sarah" not in html
    assert "Carol Chief" not in html and "Rita Reader" not in html
    # The company is the top of the tree but not Dana's to manage.
    assert "Acme Corp" in html
    assert 'aria-label="Actions for Acme Corp"' not in html
    assert "Company Details" not in html
    # Dana cannot delete the department she administers, nor herself.
    assert reverse("accounts:department_delete", args=[cast.billing.pk]) not in html
    assert reverse("accounts:department_delete", args=[cast.billing_l1.pk]) in html
    assert reverse("accounts:user_delete", args=[cast.dept_admin.pk]) not in html


def test_read_only_administrator_sees_no_action_that_changes_things(
    client: Client, cast: Cast
) -> None:
    html = text(page(client, cast.read_only_admin))
    assert "Sarah Salesperson" in html
    assert "User Account Details" in html and "Department Details" in html
    for action in CHANGING_ACTIONS:
        assert action not in html, action
    assert "Read-only administrator" in html


def test_locked_users_are_marked_and_filtered(client: Client, cast: Cast) -> None:
    user_lock(actor=Actor(user=cast.company_admin), user=cast.sales_user)
    html = text(page(client, cast.company_admin))
    assert 'role="img" aria-label="Locked"' in html
    assert "Unlock User Account" in html

    html = tree_of(page(client, cast.company_admin, show="locked"))
    assert "Sarah Salesperson" in html
    assert "Bill Payer" not in html and "Billing Dept" not in html

    html = tree_of(page(client, cast.company_admin, show="departments"))
    assert "Billing Level 1" in html and "Sarah" not in html and "Carol Chief" not in html

    html = tree_of(page(client, cast.company_admin, show="administrators"))
    assert "Carol Chief" in html and "Dana Dept" in html and "Bill Payer" not in html

    # The filter through htmx returns only the tree.
    response = client.get(
        reverse("accounts:tree"),
        {"show": "users"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="fx-tree",
    )
    html = text(response)
    assert "<html" not in html and 'id="fx-tree"' in html
    assert "Bill Payer" in html and "Carol Chief" not in html


def test_tree_query_count_does_not_grow_with_the_company(
    client: Client, cast: Cast, django_assert_max_num_queries: Any
) -> None:
    admin = Actor(user=cast.company_admin)
    for n in range(15):
        user_create(
            actor=admin,
            company=cast.company,
            department=[cast.billing, cast.billing_l1, cast.sales][n % 3],
            first_name="Many",
            last_name=f"User{n}",
            email=f"m{n}@acme.example",
            username=f"many{n}",
            password=PASSWORD,
        )
    client.force_login(cast.company_admin)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("accounts:tree"))
    assert text(response).count('aria-label="Actions for Many User') == 15


def test_operator_picks_a_company_and_can_add_companies(client: Client, cast: Cast) -> None:
    # Operators pick a company first (a list with search), no company's tree until then.
    html = text(page(client, cast.operator))
    assert 'name="company_q"' in html and "Add Company" in html
    assert f'?company={cast.outsider_company.pk}">' in html and "Globex" in html
    assert 'id="fx-tree"' not in html
    html = tree_of(page(client, cast.operator, company=cast.outsider_company.pk))
    assert "Gina Globex" in html and "Sarah" not in html

    client.force_login(cast.operator)
    response = client.post(
        reverse("accounts:company_add"), {"name": "Initech", "domain": "initech.example"}
    )
    company = cast.company.__class__.objects.get(name="Initech")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:administrator_add", args=[company.pk])

    response = client.post(reverse("accounts:company_add"), {"name": "acme corp"})
    assert response.status_code == 200
    assert "already exists" in text(response)


def test_administrators_cannot_add_companies(client: Client, cast: Cast) -> None:
    response = page(client, cast.company_admin, "accounts:company_add")
    assert response.status_code == 403  # the portal's one refusal page, with the reason
    assert "Only the provider&#x27;s operators and channel partners add companies" in text(response)
    assert "Add Company" not in text(page(client, cast.company_admin))


def test_fax_user_is_sent_to_the_dashboard(client: Client, cast: Cast) -> None:
    response = page(client, cast.sales_user)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")
    response = page(client, cast.sales_user, "accounts:user_add", cast.company.pk)
    assert response.status_code == 403
    assert "Account Administration is for administrators" in text(response)


def test_pages_require_sign_in(client: Client, cast: Cast) -> None:
    response = client.get(reverse("accounts:tree"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("accounts:department_add", "company"),
        ("accounts:user_add", "company"),
        ("accounts:users_bulk", "company"),
        ("accounts:department_delete", "department"),
        ("accounts:user_lock", "user"),
        ("accounts:user_unlock", "user"),
        ("accounts:user_delete", "user"),
    ],
)
def test_outsider_cannot_open_acmes_pages(client: Client, cast: Cast, name: str, kind: str) -> None:
    target = {"company": cast.company, "department": cast.sales, "user": cast.sales_user}[kind]
    client.force_login(cast.outsider_admin)
    url = reverse(name, args=[target.pk])
    assert client.get(url).status_code == 404
    if kind != "company":
        assert client.post(url).status_code == 404
    assert client.get(reverse("accounts:tree"), {"company": cast.company.pk}).status_code == 404
    cast.sales_user.refresh_from_db()
    assert not cast.sales_user.is_locked and cast.sales_user.deleted_at is None
    assert Department.objects.filter(pk=cast.sales.pk).exists()


def test_department_administrator_cannot_reach_a_sibling_department(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.dept_admin)
    assert client.post(reverse("accounts:user_lock", args=[cast.sales_user.pk])).status_code == 404
    url = reverse("accounts:user_add", args=[cast.company.pk])
    assert client.get(url, {"department": cast.sales.pk}).status_code == 404
    url = reverse("accounts:department_add", args=[cast.company.pk])
    assert client.get(url, {"parent": cast.sales.pk}).status_code == 404


# --- Lock / Unlock / Delete -----------------------------------------------------------


def test_lock_unlock_and_delete_need_csrf_and_confirmation(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.company_admin)
    lock_url = reverse("accounts:user_lock", args=[cast.sales_user.pk])

    confirm = client.get(lock_url)
    assert confirm.status_code == 200
    assert "Are you sure you want to lock Sarah Salesperson?" in text(confirm)
    assert ">OK<" in text(confirm) and "Cancel" in text(confirm)
    token = (
        confirm.cookies["csrftoken"].value
        if "csrftoken" in confirm.cookies
        else client.cookies["csrftoken"].value
    )

    assert client.post(lock_url).status_code == 403  # no CSRF token
    cast.sales_user.refresh_from_db()
    assert not cast.sales_user.is_locked

    response = client.post(lock_url, {"csrfmiddlewaretoken": token}, follow=True)
    # Back on the tree, opened at her department.
    at_sales = reverse("accounts:tree") + f"?open={cast.sales.pk}"
    assert response.redirect_chain[-1][0] == at_sales
    assert "Sarah Salesperson is locked." in text(response)
    assert 'aria-label="Locked"' in text(response)
    cast.sales_user.refresh_from_db()
    assert cast.sales_user.is_locked

    # htmx asks for the modal's body and gets told to reload after OK.
    modal = client.get(lock_url, HTTP_HX_REQUEST="true")
    assert "<html" not in text(modal) and 'id="fx-confirm-title"' in text(modal)

    unlock_url = reverse("accounts:user_unlock", args=[cast.sales_user.pk])
    response = client.post(unlock_url, {"csrfmiddlewaretoken": token}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and response["HX-Redirect"] == at_sales
    cast.sales_user.refresh_from_db()
    assert not cast.sales_user.is_locked

    delete_url = reverse("accounts:user_delete", args=[cast.sales_user.pk])
    response = client.post(delete_url, {"csrfmiddlewaretoken": token}, follow=True)
    assert "Sarah Salesperson was deleted." in text(response)
    cast.sales_user.refresh_from_db()
    assert cast.sales_user.deleted_at is not None
    assert "Sarah Salesperson" not in text(client.get(reverse("accounts:tree")))


def test_read_only_administrator_is_refused_by_the_service(client: Client, cast: Cast) -> None:
    client.force_login(cast.read_only_admin)
    lock_url = reverse("accounts:user_lock", args=[cast.sales_user.pk])
    # From the tree's menu: back on the tree, with the refusal on top.
    tree = "http://testserver" + reverse("accounts:tree")
    response = client.post(lock_url, HTTP_REFERER=tree, follow=True)
    assert response.redirect_chain == [(reverse("accounts:tree"), 302)]
    assert "read-only administrator" in text(response)
    # From nowhere known (the confirmation page posts to itself): the 403 page.
    response = client.post(lock_url)
    assert response.status_code == 403 and "read-only administrator" in text(response)
    cast.sales_user.refresh_from_db()
    assert not cast.sales_user.is_locked


def test_delete_department_refused_while_it_has_active_users(client: Client, cast: Cast) -> None:
    admin = Actor(user=cast.company_admin)
    for n in (1, 2):
        user_create(
            actor=admin,
            company=cast.company,
            department=cast.billing,
            first_name="Temp",
            last_name=f"Number{n}",
            email=f"t{n}@acme.example",
            username=f"temp{n}",
            password=PASSWORD,
        )
    client.force_login(cast.company_admin)
    response = client.post(
        reverse("accounts:department_delete", args=[cast.billing.pk]), follow=True
    )
    assert (
        "Billing Dept has 2 active users: delete or move them before deleting the department."
    ) in text(response)
    assert Department.objects.filter(pk=cast.billing.pk).exists()

    user_delete_url = reverse("accounts:user_delete", args=[cast.sales_user.pk])
    client.post(user_delete_url)
    response = client.post(reverse("accounts:department_delete", args=[cast.sales.pk]), follow=True)
    assert "Department Sales was deleted." in text(response)
    assert not Department.objects.filter(pk=cast.sales.pk).exists()


# --- Add Department -------------------------------------------------------------------


def test_department_wizard_copies_the_parent_and_saves_changed_tabs(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.company_admin)
    url = reverse("accounts:department_add", args=[cast.company.pk]) + f"?parent={cast.billing.pk}"
    html = text(client.get(url))
    for step in ("Department Details", "Fax", "Coverpage", "Notifications", "Date"):
        assert step in html
    assert "in Billing Dept" in html

    # Next without a name stays on step 1 with the error on the field.
    response = client.post(url, {**form_data(cast.billing), "step": "1", "action": "next"})
    assert 'id="id_name_error"' in text(response)
    assert 'name="step" value="1"' in text(response)
    response = client.post(
        url, {**form_data(cast.billing, name="Billing Level 2"), "step": "1", "action": "next"}
    )
    assert 'name="step" value="2"' in text(response)

    data = form_data(
        cast.billing,
        name="Billing Level 2",
        fax_inbound_file_type="TIF",
        fax_page_separation=True,
        custom_time_zone="Europe/Paris",
    )
    response = client.post(url, {**data, "step": "5", "action": "finish"})
    assert response.status_code == 302
    dept = Department.objects.get(name="Billing Level 2")
    assert dept.parent_id == cast.billing.pk
    assert dept.settings["fax"]["inbound_file_type"] == "TIF"
    assert dept.settings["fax"]["page_separation"] is True
    assert dept.settings["custom"]["time_zone"] == "Europe/Paris"
    assert dept.settings["coverpage"] == settings_of(cast.billing)["coverpage"]


def test_department_wizard_swaps_only_its_card_for_htmx(client: Client, cast: Cast) -> None:
    client.force_login(cast.company_admin)
    url = reverse("accounts:department_add", args=[cast.company.pk])
    data = {**form_data(cast.company, name="Htmx Dept"), "step": "1", "action": "next"}
    card = text(client.post(url, data, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="fx-wizard"))
    assert "<html" not in card
    assert 'id="fx-wizard"' in card and 'name="step" value="2"' in card
    page_ = text(client.post(url, data))
    assert "<html" in page_ and 'name="step" value="2"' in page_
    done = client.post(
        url, {**data, "step": "5", "action": "finish"}, HTTP_HX_REQUEST="true"
    )  # Finish: htmx is told to load the tree as a whole page
    new = Department.objects.get(name="Htmx Dept")
    # The tree, opened at the new department.
    assert done.status_code == 200
    assert done["HX-Redirect"] == reverse("accounts:tree") + f"?open={new.pk}"


def test_department_wizard_refusal_leaves_nothing(client: Client, cast: Cast) -> None:
    client.force_login(cast.company_admin)
    url = reverse("accounts:department_add", args=[cast.company.pk])
    before = Department.objects.count()
    response = client.post(
        url, {**form_data(cast.company, name="sales"), "step": "5", "action": "finish"}
    )
    assert response.status_code == 200
    assert "already exists here" in text(response)
    assert 'name="step" value="1"' in text(response)
    assert Department.objects.count() == before


def test_department_administrator_adds_only_below_their_department(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.dept_admin)
    response = client.get(reverse("accounts:department_add", args=[cast.company.pk]))
    assert response.status_code == 403  # the company level is not hers
    assert "can only add to their own department" in text(response)
    response = client.get(
        reverse("accounts:department_add", args=[cast.company.pk]), {"parent": cast.billing.pk}
    )
    assert response.status_code == 200


# --- Add User Account -----------------------------------------------------------------


def user_data(owner: Any, **values: Any) -> dict[str, Any]:
    base = {
        "first_name": "Nina",
        "last_name": "New",
        "email": "nina@acme.example",
        "username": "nina",
        "password": "Fax-Secret-2026",
        "country": "US",
        "no_fax_number": True,
    }
    return form_data(owner, **{**base, **values})


def test_user_wizard_finish_with_a_bad_password_shows_the_policy_and_creates_nothing(
    client: Client, cast: Cast
) -> None:
    client.force_login(cast.company_admin)
    url = reverse("accounts:user_add", args=[cast.company.pk]) + f"?department={cast.sales.pk}"
    before = User.objects.count()
    response = client.post(
        url, {**user_data(cast.sales, password="short"), "step": "7", "action": "finish"}
    )
    assert response.status_code == 200
    html = text(response)
    assert "The password must be at least 8 characters long" in html
    assert 'id="id_password_error"' in html
    assert 'name="step" value="1"' in html  # back on the step with the password
    assert User.objects.count() == before


def test_user_wizard_next_checks_the_step_it_leaves(client: Client, cast: Cast) -> None:
    client.force_login(cast.company_admin)
    url = reverse("accounts:user_add", args=[cast.company.pk])
    response = client.post(
        url,
        {**user_data(cast.company, first_name="", password="abc"), "step": "1", "action": "next"},
    )
    html = text(response)
    assert 'id="id_first_name_error"' in html
    assert 'name="step" value="1"' in html
    # A bad sending email on step 4 does not stop step 1.
    response = client.post(
        url, {**user_data(cast.company, sending_email="nope"), "step": "1", "action": "next"}
    )
    assert 'name="step" value="2"' in text(response)
    assert 'id="id_sending_email_error"' not in text(response)
    # Policy wording at once on Next.
    response = client.post(
        url, {**user_data(cast.company, password="abcdefgh"), "step": "1", "action": "next"}
    )
    assert "The password must contain at least 1 digit" in text(response)
    # Back keeps the values and shows no errors.
    response = client.post(
        url, {**user_data(cast.company, first_name=""), "step": "3", "action": "back"}
    )
    assert 'name="step" value="2"' in text(response) and "_error" not in text(response)


def test_user_wizard_finish_creates_the_user_with_everything(client: Client, cast: Cast) -> None:
    client.force_login(cast.company_admin)
    url = reverse("accounts:user_add", args=[cast.company.pk]) + f"?department={cast.sales.pk}"
    data = user_data(
        cast.sales,
        use_email_as_username=True,
        username="",
        password="",
        generate_password=True,
        city="Springfield",
        region="IL",
        custom1="CC-12",
        receiving_email_1="inbox@acme.example",
        receiving_email_2="copy@acme.example",
        sending_email="nina.fax@acme.example",
        fax_inbound_file_type="XPS",
        coverpage_mode="on_demand",
        notifications_delivery_success=False,
        custom_date_format="yyyy-MM-dd",
    )
    response = client.post(url, {**data, "step": "7", "action": "finish"})
    assert response.status_code == 200
    html = text(response)
    user = User.objects.get(username="nina@acme.example")
    assert "User account created" in html and "only once" in html
    assert user.department_id == cast.sales.pk
    assert user.city == "Springfield" and user.region == "IL" and user.custom1 == "CC-12"
    assert user.receiving_emails == ["inbox@acme.example", "copy@acme.example"]
    assert user.sending_email == "nina.fax@acme.example"
    assert user.settings["fax"]["inbound_file_type"] == "XPS"
    assert user.settings["coverpage"]["mode"] == "on_demand"
    assert user.settings["notifications"]["delivery_success"] is False
    assert user.settings["custom"]["date_format"] == "yyyy-MM-dd"
    secret = html.split('data-testid="generated-password">')[1].split("<")[0]
    assert user.check_password(unescape(secret))


def test_user_wizard_username_taken_goes_back_to_step_one(client: Client, cast: Cast) -> None:
    client.force_login(cast.company_admin)
    url = reverse("accounts:user_add", args=[cast.company.pk])
    response = client.post(
        url, {**user_data(cast.company, username="Sarah"), "step": "7", "action": "finish"}
    )
    html = text(response)
    assert "already taken" in html and 'name="step" value="1"' in html
    assert 'id="id_username_error"' in html


def test_user_wizard_has_the_bulk_create_tab(client: Client, cast: Cast) -> None:
    html = text(page(client, cast.company_admin, "accounts:user_add", cast.company.pk))
    assert reverse("accounts:users_bulk", args=[cast.company.pk]) in html
    assert "Personal Health Information (PHI)" in html
    assert "No Fax Number Required" in html and "Choose Fax Number" in html


# --- Bulk Create ----------------------------------------------------------------------


def test_bulk_upload_shows_progress_then_the_report(
    client: Client, cast: Cast, after_commit: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.company_admin)
    url = reverse("accounts:users_bulk", args=[cast.company.pk])
    html = text(client.get(url))
    assert "first_name" in html and "Download a sample CSV" in html

    sample = client.get(url, {"sample": "1"})
    assert sample["Content-Type"].startswith("text/csv")
    assert sample.content.decode().startswith("first_name,last_name,email")

    csv_text = (
        "first_name,last_name,email,username,department,password\r\n"
        "Ann,Able,ann@acme.example,ann,Sales,\r\n"
        "Ben,Baker,not-an-email,ben,Sales,Fax-Secret-2026\r\n"
        "Cat,Cole,cat@acme.example,cat,Billing Dept -> Billing Level 1,Fax-Secret-2026\r\n"
    )
    upload = SimpleUploadedFile("users.csv", csv_text.encode(), content_type="text/csv")
    with after_commit():
        response = client.post(url, {"file": upload, "default_department": ""})
        # The upload answers at once with the job's page; the worker runs after commit.
        assert response.status_code == 302
        job_url = response["Location"]
        waiting = text(client.get(job_url))
        assert "0 of 3 rows processed" in waiting and 'hx-trigger="every 1s"' in waiting
    html = text(client.get(job_url, HTTP_HX_REQUEST="true"))  # the page's next poll
    assert "hx-trigger" not in html  # done: the polling stops
    assert "2 created" in html and "1 refused" in html
    assert html.count(">Created<") == 2 and html.count(">Refused<") == 1
    assert "email is not a valid email address" in html
    assert "only once" in html  # Ann's password was generated
    assert User.objects.filter(username__in=["ann", "cat"]).count() == 2
    assert not User.objects.filter(username="ben").exists()
    # Reloaded, the report stays; the generated password is gone.
    again = text(client.get(job_url))
    assert "2 created" in again and "only once" not in again
    client.force_login(cast.dept_admin)  # not hers, and not her scope
    assert client.get(job_url).status_code == 404


def test_bulk_upload_refuses_a_bad_file_on_the_field(client: Client, cast: Cast) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(cast.company_admin)
    url = reverse("accounts:users_bulk", args=[cast.company.pk])
    upload = SimpleUploadedFile("users.csv", b"name,mail\r\nx,y\r\n", content_type="text/csv")
    html = text(client.post(url, {"file": upload}))
    assert 'id="id_file_error"' in html and "Unknown column" in html


def test_bulk_create_hidden_and_refused_without_the_right(client: Client, cast: Cast) -> None:
    client.force_login(cast.read_only_admin)
    response = client.get(reverse("accounts:users_bulk", args=[cast.company.pk]))
    assert response.status_code == 403
