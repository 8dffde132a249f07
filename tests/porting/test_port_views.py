"""Number Porting in the portal, the customer's side: the Port Requests list, the New Port
Request wizard with its live checks, a request's details and tabs, Submit, Cancel, Notes,
Edit / Fix and resubmit, Request a change (and the team's decision), and who may see what."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from porting_support import add_bill, ready_request, request_data, sign_loa

from faxline.accounts.models import User
from faxline.porting.choices import ChangeStatus, PortStatus
from faxline.porting.models import ChangeRequest, PortEvent, PortRequest, ServiceAddress
from faxline.porting.requests import changes, services

from cast import Cast

LIST = reverse("porting:list")
NEW = reverse("porting:new")
HTMX = {"HTTP_HX_REQUEST": "true"}
PIN = "4321"
ACCOUNT = "ACCT-998877"


@pytest.fixture(autouse=True)
def _monday() -> Any:
    with time_machine.travel(datetime(2026, 12, 7, 15, tzinfo=UTC)):
        yield


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return str(response.content.decode())


def detail(port: PortRequest, tab: str = "") -> str:
    url = reverse("porting:detail", args=[port.pk])
    return f"{url}?tab={tab}" if tab else url


def wizard_data(**changes: Any) -> dict[str, Any]:
    """Everything the wizard's steps hold, as the page posts it."""
    data: dict[str, Any] = {
        "step": "7",
        "reached": "7",
        "action": "finish",
        "contact_first_name": "Carol",
        "contact_last_name": "Chief",
        "contact_phone": "+1 206 555 0100",
        "contact_email": "carol@acme.example",
        "number_cc": ["1"],
        "number_sub": ["2062345678"],
        "number_type": ["landline"],
        "btn": "",
        "btn_same": "on",
        "losing_carrier": "Old Telco",
        "account_number": ACCOUNT,
        "pin": PIN,
        "business_name": "Acme Corp",
        "authorized_name": "Carol Chief",
        "authorized_title": "CEO",
        "authorized_email": "",
        "address_choice": "new",
        "street": "1313 Mockingbird Lane",
        "unit": "Suite 15",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
        "country": "US",
        "save_address": "on",
        "port_type": "full",
        "new_btn": "",
        "requested_date": "",
        "special_instructions": "After 5 pm please.",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def admin(cast: Cast) -> Client:
    return signed_in(cast.company_admin)


# --- the list ---------------------------------------------------------------------------


def test_list_columns_filter_search_and_paging(cast: Cast, admin: Client) -> None:
    actor = cast.actor(cast.company_admin)
    first = ready_request(actor, cast.company, business_name="Acme Anvil")
    services.port_request_submit(actor=actor, request=first)
    for i in range(11):
        number = f"+120623457{i:02d}"
        services.port_request_create(
            actor=actor,
            company=cast.company,
            data=request_data(numbers=[{"number": number}], btn=number),
        )
    page = text(admin.get(LIST))
    for column in ("ID", "Business Name", "Created", "FOC", "Completed", "Status"):
        assert f">{column}</th>" in page
    assert ">Company</th>" not in page
    assert "+ New Port Request" in page and "Bulk import" in page
    assert page.count("data-port-id=") == 10 and "1\u201310 of 12" in page
    second = text(admin.get(LIST, {"page": 2}))
    assert second.count("data-port-id=") == 2
    assert text(admin.get(LIST, {"rows": 25})).count("data-port-id=") == 12
    only_new = text(admin.get(LIST, {"status": "new"}))
    assert only_new.count("data-port-id=") == 1 and "Acme Anvil" in only_new
    found = text(admin.get(LIST, {"q": "2062345705"}))
    assert found.count("data-port-id=") == 1
    by_id = text(admin.get(LIST, {"q": str(first.pk), "rows": 50}))
    assert by_id.count(f'data-port-id="{first.pk}"') == 1
    # htmx swaps the same list (hx-select).
    assert 'id="fx-port-list"' in text(admin.get(LIST, {"status": "draft"}, **HTMX))
    # Bad parameters fall back to the defaults.
    assert admin.get(LIST, {"rows": "7", "page": "x", "status": "bogus"}).status_code == 200


def test_action_required_badge_and_filter(cast: Cast, admin: Client) -> None:
    actor, team = cast.actor(cast.company_admin), cast.actor(cast.operator)
    port = ready_request(actor, cast.company)
    services.port_request_submit(actor=actor, request=port)
    services.port_request_accept(actor=team, request=port)
    services.port_request_reject(actor=team, request=port, code="7402", fields_to_fix=["unit"])
    page = text(admin.get(LIST))
    assert "Action required</span>" in page
    assert text(admin.get(LIST, {"action_required": "on"})).count("data-port-id=") == 1


def test_who_sees_the_list(cast: Cast) -> None:
    actor = cast.actor(cast.company_admin)
    ours = ready_request(actor, cast.company)
    theirs = services.port_request_create(
        actor=cast.actor(cast.outsider_admin),
        company=cast.outsider_company,
        data=request_data(numbers=[{"number": "+12062345699"}], btn="+12062345699"),
    )
    outsider = text(signed_in(cast.outsider_admin).get(LIST))
    assert f'data-port-id="{theirs.pk}"' in outsider and f'data-port-id="{ours.pk}"' not in outsider
    operator = text(signed_in(cast.operator).get(LIST))
    assert ">Company</th>" in operator and "Globex" in operator and "Acme Corp" in operator
    reader = signed_in(cast.read_only_admin).get(LIST)
    assert reader.status_code == 200 and f'data-port-id="{ours.pk}"' in text(reader)
    assert "+ New Port Request" not in text(reader)
    fax_user = signed_in(cast.billing_user).get(LIST)
    assert fax_user.status_code == 403 and "data-port-id" not in text(fax_user)
    assert signed_in(cast.billing_user).get(detail(ours)).status_code in (403, 404)


# --- the wizard -------------------------------------------------------------------------


def test_wizard_steps_and_finish(cast: Cast, admin: Client) -> None:
    start = text(admin.get(NEW))
    assert "Contact Information" in start and 'value="Carol"' in start
    # Next with an empty Numbers step stays there with the error next to the rows.
    stay = text(admin.post(NEW, wizard_data(step="2", reached="2", action="next", number_sub=[""])))
    assert "Enter at least one number to port." in stay
    assert 'name="step" value="2"' in stay
    moved = text(admin.post(NEW, wizard_data(step="2", reached="2", action="next")))
    assert 'name="step" value="3"' in moved
    # Add and remove number rows.
    added = text(admin.post(NEW, wizard_data(step="2", action="add_number")))
    assert added.count('name="number_sub"') == 2
    removed = text(
        admin.post(
            NEW,
            wizard_data(
                step="2",
                action="remove:0",
                number_cc=["1", "1"],
                number_sub=["2062345678", "2062345679"],
                number_type=["landline", "voip"],
            ),
        )
    )
    assert removed.count('name="number_sub"') == 1 and 'value="2062345679"' in removed
    # Finish: the Draft and the tracking ID, with the next steps.
    done = admin.post(NEW, wizard_data())
    page = text(done)
    port = PortRequest.objects.get()
    assert "The port request identifier for your submission is:" in page
    assert f">{port.pk}</span>" in page
    assert "Sign the Letter of Authorization" in page
    assert port.status == PortStatus.DRAFT
    assert (port.btn, port.pin, port.account_number) == ("+12062345678", PIN, ACCOUNT)
    assert port.special_instructions == "After 5 pm please."
    assert list(port.numbers.values_list("number", "line_type")) == [("+12062345678", "landline")]
    assert PIN not in page and ACCOUNT not in page
    saved = ServiceAddress.objects.get(company=cast.company)
    assert (saved.street, saved.unit) == ("1313 Mockingbird Lane", "Suite 15")


def test_wizard_paste_and_upload_many_numbers(cast: Cast, admin: Client) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    pasted = wizard_data(
        step="2",
        action="import",
        number_sub=[""],
        numbers_paste="2062345601,wireless\n2062345602\n555",
    )
    page = text(admin.post(NEW, pasted))
    assert 'value="2062345601"' in page and 'value="2062345602"' in page
    assert "&#x27;555&#x27; is not a valid US or Canadian number" in page
    upload = SimpleUploadedFile("n.csv", b"number,line_type\n2062345603,voip\n")
    data = wizard_data(step="2", action="import", number_sub=["2062345601"], numbers_file=upload)
    page = text(admin.post(NEW, data))
    assert page.count('name="number_sub"') == 2 and 'value="2062345603"' in page


def test_wizard_bad_input_names_the_field_and_writes_nothing(cast: Cast, admin: Client) -> None:
    page = text(admin.post(NEW, wizard_data(contact_email="nope", step="7")))
    assert 'name="step" value="1"' in page and "Enter a valid email address." in page
    page = text(admin.post(NEW, wizard_data(number_sub=["12345"])))
    assert 'name="step" value="2"' in page and "is not a valid number" in page
    page = text(admin.post(NEW, wizard_data(btn_same=None, btn="")))
    assert "Enter the Billing Telephone Number" in page
    page = text(admin.post(NEW, wizard_data(port_type="partial")))
    assert 'name="step" value="6"' in page and "give the new BTN" in page
    page = text(admin.post(NEW, wizard_data(state="")))
    assert 'name="step" value="5"' in page
    assert not PortRequest.objects.exists() and not ServiceAddress.objects.exists()


def test_wizard_live_checks(cast: Cast, admin: Client) -> None:
    actor = cast.actor(cast.company_admin)
    other = ready_request(actor, cast.company, numbers=[{"number": "+12062345679"}])
    services.port_request_submit(actor=actor, request=other)
    # A check of the address step finds the PO box at once (htmx: only the live panel).
    data = wizard_data(step="5", reached="5", action="check", street="PO Box 12")
    live = text(admin.post(NEW, data, **HTMX)).strip()
    assert live.startswith('<div id="fx-live"') and 'data-code="PO_BOX"' in live
    # On the next full step the number already in another open request is next to its row.
    data = wizard_data(step="2", reached="2", action="next", number_sub=["2062345679"])
    page = text(admin.post(NEW, data))
    assert 'data-code="NUMBER_DUPLICATE"' in page
    # A wireless number without a PIN; the missing documents are next steps, not errors.
    data = wizard_data(number_type=["wireless"], pin="", action="next", step="6", reached="6")
    page = text(admin.post(NEW, data))
    assert 'data-code="PIN_REQUIRED"' in page
    assert 'data-code="LOA_MISSING"' in page and "fx-finding-next" in page
    # The shared-line question brings the advice and the warning.
    data = wizard_data(shared_line_uses=["alarm"], action="next", step="3", reached="3")
    page = text(admin.post(NEW, data))
    assert 'data-code="SHARED_LINE"' in page and "call forwarding" in page.lower()


def test_wizard_existing_address(cast: Cast, admin: Client) -> None:
    address = ServiceAddress.objects.create(
        company=cast.company, street="1 Main St", city="Tacoma", state="WA", postal_code="98402"
    )
    other = ServiceAddress.objects.create(
        company=cast.outsider_company,
        street="9 Elm St",
        city="Spokane",
        state="WA",
        postal_code="99201",
    )
    page = text(admin.post(NEW, wizard_data(step="5", action="address", address_choice="")))
    assert "1 Main St, Tacoma, WA 98402" in page and "9 Elm St" not in page
    stay = text(admin.post(NEW, wizard_data(step="5", action="next", address_choice="")))
    assert "Choose an existing service address" in stay
    assert "9 Elm" not in text(admin.post(NEW, wizard_data(address_choice=str(other.pk))))
    assert not PortRequest.objects.exists()
    admin.post(NEW, wizard_data(address_choice=str(address.pk), street="", city=""))
    port = PortRequest.objects.get()
    assert (port.street, port.city, port.postal_code) == ("1 Main St", "Tacoma", "98402")
    assert ServiceAddress.objects.filter(company=cast.company).count() == 1


def test_wizard_access(cast: Cast) -> None:
    assert signed_in(cast.read_only_admin).get(NEW).status_code == 403
    assert signed_in(cast.billing_user).get(NEW).status_code == 403
    operator = signed_in(cast.operator)
    assert "Choose the company" in text(operator.get(NEW))
    operator.post(NEW, wizard_data(company=str(cast.company.pk)))
    assert PortRequest.objects.get().company == cast.company
    # An operator must choose the company.
    page = text(operator.post(NEW, wizard_data(number_sub=["2062345600"])))
    assert 'name="step" value="1"' in page and PortRequest.objects.count() == 1


# --- details, tabs and actions ----------------------------------------------------------


def test_details_tabs_never_show_pin_or_account(cast: Cast, admin: Client) -> None:
    port = ready_request(cast.actor(cast.company_admin), cast.company, pin=PIN)
    for tab in ("details", "files", "notes", "timeline"):
        response = admin.get(detail(port, tab))
        page = text(response)
        assert response.status_code == 200, tab
        assert PIN not in page and ACCOUNT not in page, tab
    page = text(admin.get(detail(port)))
    assert "••••8877" in page and "(on file, hidden)" in page
    assert "Ready to submit" in page
    # htmx swaps only the tabs.
    pane = text(admin.get(detail(port, "timeline"), HTTP_HX_TARGET="fx-port-tab", **HTMX)).strip()
    assert pane.startswith('<div id="fx-port-tab">') and "Request started" in pane


def test_details_scope(cast: Cast) -> None:
    port = ready_request(cast.actor(cast.company_admin), cast.company)
    assert signed_in(cast.outsider_admin).get(detail(port)).status_code == 404
    assert (
        signed_in(cast.outsider_admin).post(reverse("porting:submit", args=[port.pk])).status_code
        == 404
    )
    assert signed_in(cast.sales_user).get(detail(port)).status_code in (403, 404)
    assert signed_in(cast.operator).get(detail(port)).status_code == 200
    reader = signed_in(cast.read_only_admin)
    page = text(reader.get(detail(port)))
    assert 'action="/settings/porting/' not in page.split("<main")[1].split("fx-port-tab")[0]
    # Submit from the request's page: back on it, with the refusal on top.
    response = reader.post(
        reverse("porting:submit", args=[port.pk]), HTTP_REFERER="http://testserver" + detail(port)
    )
    assert response.status_code == 302 and response["Location"] == detail(port)
    # The same action from nowhere known: the portal's 403 page with the reason.
    response = reader.post(reverse("porting:submit", args=[port.pk]))
    assert response.status_code == 403 and "Not allowed" in text(response)
    # Edit is a page: refused, it is the 403 page (it used to redirect to the request).
    assert reader.get(reverse("porting:edit", args=[port.pk])).status_code == 403
    port.refresh_from_db()
    assert port.status == PortStatus.DRAFT


def test_submit_shows_what_blocks_it_then_submits(cast: Cast, admin: Client) -> None:
    actor = cast.actor(cast.company_admin)
    port = services.port_request_create(actor=actor, company=cast.company, data=request_data())
    page = text(admin.get(detail(port)))
    assert "Sign the Letter of Authorization" in page and "Ready to submit" not in page
    submit = reverse("porting:submit", args=[port.pk])
    page = text(admin.post(submit, follow=True))
    assert "Sign the Letter of Authorization first" in page
    sign_loa(port)
    page = text(admin.post(submit, follow=True))
    assert "Add a copy of your most recent phone bill" in page
    add_bill(port)
    page = text(admin.post(submit, follow=True))
    port.refresh_from_db()
    assert port.status == PortStatus.NEW and port.eta is not None
    assert "was submitted to the porting team" in page
    assert f"{port.eta:%b} {port.eta.day}, {port.eta.year}" in page
    assert 'data-testid="port-eta"' in page


def test_cancel_rules(cast: Cast, admin: Client) -> None:
    actor, team = cast.actor(cast.company_admin), cast.actor(cast.operator)
    port = ready_request(actor, cast.company)
    services.port_request_submit(actor=actor, request=port)
    url = reverse("porting:cancel", args=[port.pk])
    assert "Cancel the request" in text(admin.get(url))
    services.port_request_accept(actor=team, request=port)
    page = text(admin.get(url))
    assert "Cancel the request" not in page and "ask them in a note" in page
    admin.post(url, {"reason": "changed our minds"})
    port.refresh_from_db()
    assert port.status == PortStatus.PENDING
    services.port_request_schedule(actor=team, request=port, foc_date=date(2026, 12, 8))
    operator = signed_in(cast.operator)
    operator.post(url, {"reason": "customer called"})
    port.refresh_from_db()
    assert port.status == PortStatus.CANCELLED
    draft = services.port_request_create(
        actor=actor,
        company=cast.company,
        data=request_data(numbers=[{"number": "+12062345600"}], btn="+12062345600"),
    )
    admin.post(reverse("porting:cancel", args=[draft.pk]), {"reason": ""})
    draft.refresh_from_db()
    assert draft.status == PortStatus.CANCELLED


def test_notes_both_ways_and_private_notes_stay_private(cast: Cast, admin: Client) -> None:
    actor, team = cast.actor(cast.company_admin), cast.actor(cast.operator)
    port = ready_request(actor, cast.company)
    services.port_note_add(actor=team, request=port, body="Agent only: check CSR", private=True)
    services.port_note_add(actor=team, request=port, body="Please confirm the suite")
    notes = reverse("porting:note", args=[port.pk])
    pane = text(admin.post(notes, {"body": "Suite 15 is right."}, **HTMX)).strip()
    assert pane.startswith('<div id="fx-notes">') and "Suite 15 is right." in pane
    for tab in ("notes", "timeline"):
        page = text(admin.get(detail(port, tab)))
        assert "Please confirm the suite" in page
        assert "Agent only" not in page
    team_page = text(signed_in(cast.operator).get(detail(port, "notes")))
    assert "Agent only: check CSR" in team_page and "Private: porting team only" in team_page
    # Only the team writes private notes; an empty note names the field.
    admin.post(notes, {"body": "sneaky", "private": "on"}, **HTMX)
    assert not port.notes.filter(body="sneaky").exists()
    empty = admin.post(notes, {"body": ""})
    assert empty.status_code == 422 and "This field is required." in text(empty)
    reader = signed_in(cast.read_only_admin)
    reader.post(notes, {"body": "read-only"})
    assert not port.notes.filter(body="read-only").exists()


def test_rejected_fix_only_reopened_fields_and_resubmit(cast: Cast, admin: Client) -> None:
    actor, team = cast.actor(cast.company_admin), cast.actor(cast.operator)
    port = ready_request(actor, cast.company)
    services.port_request_submit(actor=actor, request=port)
    services.port_request_accept(actor=team, request=port)
    services.port_request_reject(
        actor=team, request=port, code="7402", note="Suite is 51 per CSR", fields_to_fix=["unit"]
    )
    page = text(admin.get(detail(port)))
    assert "Action required" in page and "copy the service address exactly" in page
    assert "Suite is 51 per CSR" in page and "Fix and resubmit" in page
    edit = reverse("porting:edit", args=[port.pk])
    form = text(admin.get(edit))
    assert 'name="unit"' in form and 'name="street"' not in form and 'name="city"' not in form
    admin.post(edit, {"action": "save", "unit": "Suite 51", "street": "Elsewhere 1"})
    port.refresh_from_db()
    assert (port.unit, port.street) == ("Suite 51", "1313 Mockingbird Lane")
    sign_loa(port)
    admin.post(reverse("porting:submit", args=[port.pk]))
    port.refresh_from_db()
    assert port.status == PortStatus.NEW and not port.action_required
    page = text(admin.get(detail(port)))
    assert "$13.00" in page and "Resubmission after rejection 7402" in page


def test_edit_a_draft(cast: Cast, admin: Client) -> None:
    port = ready_request(cast.actor(cast.company_admin), cast.company)
    edit = reverse("porting:edit", args=[port.pk])
    form = text(admin.get(edit))
    assert PIN not in form and ACCOUNT not in form and 'name="number_sub"' in form
    data = {
        "action": "save",
        "contact_first_name": "Carol",
        "contact_last_name": "Chief",
        "contact_phone": "",
        "contact_email": "carol@acme.example",
        "number_cc": ["1", "1"],
        "number_sub": ["2062345678", "2062345601"],
        "number_type": ["landline", "voip"],
        "btn": "2062345678",
        "losing_carrier": "Old Telco",
        "account_number": "",
        "pin": "",
        "business_name": "Acme Corporation",
        "authorized_name": "Carol Chief",
        "authorized_title": "CEO",
        "street": "1313 Mockingbird Lane",
        "unit": "Suite 15",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
        "country": "US",
        "port_type": "full",
    }
    bad = text(admin.post(edit, {**data, "btn": "555"}))
    assert "is not a valid US or Canadian number" in bad
    port.refresh_from_db()
    assert port.business_name == "Acme Corp"
    response = admin.post(edit, data, follow=True)
    port.refresh_from_db()
    assert port.business_name == "Acme Corporation"
    assert port.account_number == ACCOUNT  # an empty secret keeps the one on file
    assert sorted(port.numbers.values_list("number", flat=True)) == ["+12062345601", "+12062345678"]
    assert "sign it again" in text(response)
    # After submission, Edit sends the customer to Request a change.
    sign_loa(port)
    services.port_request_submit(actor=cast.actor(cast.company_admin), request=port)
    assert admin.get(edit).status_code == 302


def test_change_request_accepted_by_the_team_changes_the_request(cast: Cast, admin: Client) -> None:
    actor = cast.actor(cast.company_admin)
    port = ready_request(actor, cast.company)
    url = reverse("porting:change", args=[port.pk])
    assert "can still be edited directly" in text(admin.get(url))
    services.port_request_submit(actor=actor, request=port)
    form = text(admin.get(url))
    assert PIN not in form and ACCOUNT not in form
    base = {
        "numbers_text": "+12062345678,landline",
        "btn": "+12062345678",
        "losing_carrier": "Old Telco",
        "business_name": "Acme Corp",
        "authorized_name": "Carol Chief",
        "authorized_title": "CEO",
        "street": "1313 Mockingbird Lane",
        "unit": "Suite 15",
        "city": "Seattle",
        "state": "WA",
        "postal_code": "98101",
        "country": "US",
        "contact_first_name": "Carol",
        "contact_last_name": "Chief",
        "contact_email": "carol@acme.example",
        "contact_phone": "+1 206 555 0100",
        "port_type": "full",
    }
    nothing = text(admin.post(url, {**base, "reason": "no change"}))
    assert "Change at least one field" in nothing
    no_reason = text(admin.post(url, {**base, "unit": "Suite 51", "reason": ""}))
    assert "This field is required." in no_reason
    assert not ChangeRequest.objects.exists()
    admin.post(url, {**base, "unit": "Suite 51", "pin": "9999", "reason": "CSR says 51"})
    change = ChangeRequest.objects.get()
    assert changes.asked_changes(change) == {"unit": "Suite 51", "pin": "9999"}
    page = text(admin.get(detail(port)))
    assert "Change request" in page and "Suite 51" in page and "9999" not in page
    # The customer cannot decide; the team accepts and the request changes.
    decide = reverse("porting:change_decide", args=[port.pk, change.pk])
    admin.post(decide, {"decision": "accept"})
    change.refresh_from_db()
    assert change.status == ChangeStatus.OPEN
    signed_in(cast.operator).post(decide, {"decision": "accept", "note": "Sent to the carrier"})
    port.refresh_from_db()
    change.refresh_from_db()
    assert change.status == ChangeStatus.ACCEPTED
    assert (port.unit, port.pin) == ("Suite 51", "9999")
    assert PortEvent.objects.filter(request=port, kind="change_accepted").exists()
    assert port.notes.filter(body__contains="was accepted").exists()
    assert "Change accepted" in text(admin.get(detail(port, "timeline")))


def test_change_request_refused_records_the_reason(cast: Cast, admin: Client) -> None:
    actor = cast.actor(cast.company_admin)
    port = ready_request(actor, cast.company)
    services.port_request_submit(actor=actor, request=port)
    change = changes.change_request_create(
        actor=actor, request=port, changes={"city": "Tacoma"}, reason="We moved"
    )
    decide = reverse("porting:change_decide", args=[port.pk, change.pk])
    operator = signed_in(cast.operator)
    operator.post(decide, {"decision": "refuse", "note": ""})
    change.refresh_from_db()
    assert change.status == ChangeStatus.OPEN  # a refusal needs its reason
    operator.post(decide, {"decision": "refuse", "note": "The carrier has the old address."})
    change.refresh_from_db()
    port.refresh_from_db()
    assert change.status == ChangeStatus.REFUSED and port.city == "Seattle"
    assert change.decision_note == "The carrier has the old address."
    page = text(admin.get(reverse("porting:change", args=[port.pk])))
    assert "Refused" in page and "The carrier has the old address." in page


def test_list_query_count_is_pinned(
    cast: Cast, admin: Client, django_assert_max_num_queries: Any
) -> None:
    actor = cast.actor(cast.company_admin)
    for i in range(3):
        number = f"+120623457{i:02d}"
        services.port_request_create(
            actor=actor,
            company=cast.company,
            data=request_data(numbers=[{"number": number}], btn=number),
        )
    admin.get(LIST)
    with django_assert_max_num_queries(12) as few:
        admin.get(LIST)
    for i in range(3, 12):
        number = f"+120623457{i:02d}"
        services.port_request_create(
            actor=actor,
            company=cast.company,
            data=request_data(numbers=[{"number": number}], btn=number),
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        admin.get(LIST, {"rows": 50})
