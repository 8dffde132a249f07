"""The porting desk: the operator console and its SLA timers, the team's request page and
its actions, the audited reveal, the fee ledger with waive, change requests."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from desk_support import pending, scheduled, signed_in, submitted
from django.urls import reverse
from django.utils.html import escape
from porting_support import sign_loa

from faxline.accounts.access import Actor
from faxline.core.errors import Conflict, Forbidden
from faxline.core.models import AuditEvent
from faxline.notify.models import NotificationLog
from faxline.porting.choices import PortStatus
from faxline.porting.desk import services as desk
from faxline.porting.models import PortEvent, PortFee, PortRequest
from faxline.porting.requests import services
from faxline.porting.requests.remedies import remedy_for

from cast import Cast, make_operator

MONDAY = datetime(2026, 12, 7, 15, tzinfo=UTC)
CONSOLE = reverse("porting:console")


@pytest.fixture(autouse=True)
def _monday():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def flags_of(cast: Cast, request: PortRequest) -> list[str]:
    fresh = desk.desk_queue(actor=Actor(user=cast.operator)).get(pk=request.pk)
    [row] = desk.queue_rows([fresh])
    return [f.code for f in row.flags]


# --- SLA timers ---------------------------------------------------------------------------


def test_business_days_between_skips_weekends_and_holidays() -> None:
    assert desk.business_days_between(date(2026, 12, 4), date(2026, 12, 7), country="US") == 1
    # Christmas (Friday) in both countries; Canada Day (July 1) in Canada only.
    assert desk.business_days_between(date(2026, 12, 24), date(2026, 12, 28), country="US") == 1
    assert desk.business_days_between(date(2026, 6, 30), date(2026, 7, 1), country="US") == 1
    assert desk.business_days_between(date(2026, 6, 30), date(2026, 7, 1), country="CA") == 0
    assert desk.business_days_between(date(2026, 12, 7), date(2026, 12, 7)) == 0


def test_stall_flag_after_n_business_days(cast: Cast, _monday, settings) -> None:
    settings.FAXLINE_PORTING_STALL_DAYS = 3
    request = submitted(cast)
    assert flags_of(cast, request) == []
    _monday.move_to(datetime(2026, 12, 10, 15, tzinfo=UTC))  # Thursday: 3 business days
    assert "stalled" in flags_of(cast, request)
    settings.FAXLINE_PORTING_STALL_DAYS = 4
    assert "stalled" not in flags_of(cast, request)


def test_loa_about_to_pass_30_days(cast: Cast, _monday) -> None:
    with time_machine.travel(datetime(2026, 11, 11, 15, tzinfo=UTC), tick=False):
        request = submitted(cast)  # LOA signed Nov 11: 26 days before Dec 7
    services.port_request_accept(actor=cast.actor(cast.operator), request=request)
    assert "loa_expiring" in flags_of(cast, request)
    _monday.move_to(datetime(2026, 12, 14, 15, tzinfo=UTC))
    assert "loa_expired" in flags_of(cast, request)
    services.port_request_schedule(
        actor=cast.actor(cast.operator), request=request, foc_date=date(2026, 12, 18)
    )
    # Scheduled: the LOA did its job.
    assert not {"loa_expiring", "loa_expired"} & set(flags_of(cast, request))


def test_foc_tomorrow_and_readiness_failing(cast: Cast, _monday) -> None:
    request = scheduled(cast, date(2026, 12, 8))
    codes = flags_of(cast, request)
    assert "foc_tomorrow" in codes
    assert "readiness_failing" in codes  # not routed to a user, no temporary number
    far = scheduled(
        cast,
        date(2026, 12, 15),
        numbers=[{"number": "+12062345679", "line_type": "landline"}],
        btn="+12062345679",
    )
    assert flags_of(cast, far) == []
    _monday.move_to(datetime(2026, 12, 9, 15, tzinfo=UTC))
    assert "foc_overdue" in flags_of(cast, request)


def test_foc_tomorrow_skips_the_weekend(cast: Cast, _monday) -> None:
    _monday.move_to(datetime(2026, 12, 4, 15, tzinfo=UTC))  # Friday
    request = scheduled(cast, date(2026, 12, 7))
    assert "foc_tomorrow" in flags_of(cast, request)


# --- the console ------------------------------------------------------------------------


def test_console_is_for_operators_only(cast: Cast) -> None:
    submitted(cast)
    for user in (cast.company_admin, cast.outsider_admin, cast.billing_user):
        assert signed_in(user).get(CONSOLE).status_code == 404
    response = signed_in(cast.operator).get(CONSOLE)
    assert response.status_code == 200
    assert response.context["is_porting_desk"] is True
    assert b"Acme Corp" in response.content


def test_console_tabs_counts_and_sort_by_age(cast: Cast, _monday) -> None:
    older = submitted(cast)
    _monday.move_to(datetime(2026, 12, 9, 15, tzinfo=UTC))
    newer = submitted(
        cast, numbers=[{"number": "+12062345679", "line_type": "landline"}], btn="+12062345679"
    )
    client = signed_in(cast.operator)
    response = client.get(CONSOLE)
    tabs = {label: count for _, label, count, _ in response.context["tabs"]}
    assert tabs["New"] == 2 and tabs["All open"] == 2 and tabs["Pending"] == 0
    ids = [row.request.pk for row in response.context["rows"]]
    assert ids == [older.pk, newer.pk]
    assert [row.age_days for row in response.context["rows"]] == [2, 0]
    response = client.get(CONSOLE + "?sort=-age")
    assert [row.request.pk for row in response.context["rows"]] == [newer.pk, older.pk]
    response = client.get(CONSOLE + "?status=pending")
    assert response.context["rows"] == []


def test_console_query_count_is_pinned(cast: Cast, django_assert_num_queries) -> None:
    client = signed_in(cast.operator)
    first = submitted(cast)
    client.get(CONSOLE)  # warm caches (content types)
    numbers = ["+12062345679", "+12062345680", "+15122345670", "+15122345671"]
    for number in numbers:
        submitted(cast, numbers=[{"number": number, "line_type": "landline"}], btn=number)
    services.port_request_accept(actor=cast.actor(cast.operator), request=first)
    services.port_request_schedule(
        actor=cast.actor(cast.operator), request=first, foc_date=date(2026, 12, 8)
    )
    # Session, user, security policy; page count, page, numbers; FOC-day readiness of the
    # one company with an FOC tomorrow (onboarding order, its numbers, temporary numbers);
    # the tab counts. More rows add none.
    with django_assert_num_queries(10):
        response = client.get(CONSOLE)
    assert len(response.context["rows"]) == 5
    for number in ("+12172345678", "+13052345678"):
        submitted(cast, numbers=[{"number": number, "line_type": "landline"}], btn=number)
    with django_assert_num_queries(10):
        response = client.get(CONSOLE)
    assert len(response.context["rows"]) == 7


# --- the request page and its actions -----------------------------------------------------


def page(request: PortRequest, action: str = "") -> str:
    if not action:
        return reverse("porting:desk_request", args=[request.pk])
    return reverse(f"porting:desk_{action}", args=[request.pk])


def test_request_page_shows_everything_to_the_team_only(cast: Cast) -> None:
    request = submitted(cast)
    services.port_note_add(
        actor=cast.actor(cast.operator), request=request, body="Call their rep", private=True
    )
    for user in (cast.company_admin, cast.outsider_admin):
        assert signed_in(user).get(page(request)).status_code == 404
    response = signed_in(cast.operator).get(page(request))
    text = response.content.decode()
    assert response.status_code == 200
    assert "Call their rep" in text and "Team only" in text
    assert "ACCT-998877" not in text and "••••" in text  # masked until revealed
    assert "Reveal" in text
    assert response.context["can"]["accept"] and not response.context["can"]["complete"]


def test_reveal_is_audited(cast: Cast) -> None:
    request = submitted(cast, pin="9876")
    client = signed_in(cast.operator)
    response = client.post(page(request, "reveal"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert b"ACCT-998877" in response.content and b"9876" in response.content
    assert "no-store" in response.headers.get("Cache-Control", "") or "max-age=0" in (
        response.headers.get("Cache-Control", "")
    )
    event = AuditEvent.objects.get(kind="port_request.credentials_revealed")
    assert event.actor == cast.operator
    assert "ACCT" not in str(event.detail) and "9876" not in str(event.detail)
    # Without htmx: the whole page, revealed.
    response = client.post(page(request, "reveal"))
    assert b"ACCT-998877" in response.content
    assert AuditEvent.objects.filter(kind="port_request.credentials_revealed").count() == 2


def test_accept_in_progress_and_set_foc_through_the_page(cast: Cast) -> None:
    request = submitted(cast)
    client = signed_in(cast.operator)
    assert client.post(page(request, "accept")).status_code == 302
    assert client.post(page(request, "in_progress")).status_code == 302
    request.refresh_from_db()
    assert request.status == PortStatus.IN_PROGRESS
    response = client.post(page(request, "schedule"), {"foc_date": "2026-12-25"})
    assert response.status_code == 200
    assert "public holiday" in response.content.decode()
    response = client.post(page(request, "schedule"), {"foc_date": "2026-12-14"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.foc_date, request.eta) == (
        PortStatus.SCHEDULED,
        date(2026, 12, 14),
        date(2026, 12, 14),
    )
    # A second accept is refused with the service's message.
    response = client.post(page(request, "accept"), follow=True)
    assert "cannot be accepted" in response.content.decode()


def test_reject_then_the_customer_sees_the_remedy(cast: Cast) -> None:
    request = pending(cast)
    client = signed_in(cast.operator)
    preview = client.get(page(request, "remedy") + "?code=7402")
    assert escape(remedy_for("7402")) in preview.content.decode()
    assert b'value="street" id="fx-fix-street" checked' in preview.content
    response = client.post(
        page(request, "reject"),
        {"code": "7402", "note": "Suite is 51 on the CSR", "fields_to_fix": ["street", "unit"]},
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == PortStatus.REJECTED
    assert (request.rejection_code, request.fields_to_fix) == ("7402", ["street", "unit"])
    assert request.action_required
    mail = NotificationLog.objects.get(kind="porting.rejected")
    assert remedy_for("7402") in mail.body and "Suite is 51" in mail.body
    customer_page = signed_in(cast.company_admin).get(reverse("porting:detail", args=[request.pk]))
    assert escape(remedy_for("7402")) in customer_page.content.decode()
    # The customer fixes only what was reopened and resubmits (charged: a data error).
    admin = cast.actor(cast.company_admin)
    services.port_request_update(actor=admin, request=request, data={"unit": "Suite 51"})
    sign_loa(request)
    services.port_request_submit(actor=admin, request=request)
    assert PortFee.objects.get(request=request).amount_cents == 1300
    page_text = client.get(page(request)).content.decode()
    assert "Resubmitted after the fix" in page_text


def test_reject_without_code_is_refused(cast: Cast) -> None:
    request = pending(cast)
    response = signed_in(cast.operator).post(page(request, "reject"), {"note": "?"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    request.refresh_from_db()
    assert request.status == PortStatus.PENDING


def test_assign_note_and_cancel(cast: Cast) -> None:
    request = submitted(cast)
    agent = make_operator("agent")
    client = signed_in(cast.operator)
    client.post(page(request, "assign"), {"assignee": agent.pk})
    request.refresh_from_db()
    assert request.assignee == agent
    client.post(page(request, "assign"), {"me": "1"})
    request.refresh_from_db()
    assert request.assignee == cast.operator
    mine = signed_in(cast.operator).get(CONSOLE + "?assignee=me")
    assert [r.request.pk for r in mine.context["rows"]] == [request.pk]
    client.post(
        page(request, "note"), {"body": "Please send the CSR.\r\nThanks", "action_required": "on"}
    )
    request.refresh_from_db()
    assert request.action_required
    assert NotificationLog.objects.filter(kind="porting.note").count() == 1
    client.post(page(request, "cancel"), {"reason": "customer asked"})
    request.refresh_from_db()
    assert request.status == PortStatus.CANCELLED


def test_read_only_operator_sees_but_cannot_act(cast: Cast) -> None:
    request = submitted(cast)
    watcher = make_operator("watcher")
    watcher.read_only = True
    watcher.save(update_fields=["read_only"])
    client = signed_in(watcher)
    response = client.get(page(request))
    assert response.status_code == 200 and b"Reveal" not in response.content
    response = client.post(page(request, "accept"), follow=True)
    assert "porting team" in response.content.decode()
    request.refresh_from_db()
    assert request.status == PortStatus.NEW
    assert signed_in(watcher).post(page(request, "reveal")).status_code == 302


def test_change_requests_accept_and_refuse_from_the_desk(cast: Cast) -> None:
    changes = pytest.importorskip("faxline.porting.requests.changes")
    request = pending(cast)
    admin = cast.actor(cast.company_admin)
    first = changes.change_request_create(
        actor=admin, request=request, changes={"contact_phone": "+1 206 555 0199"}, reason="New"
    )
    second = changes.change_request_create(
        actor=admin, request=request, changes={"special_instructions": "x"}, reason="Oops"
    )
    client = signed_in(cast.operator)
    text = client.get(page(request)).content.decode()
    assert f"Change request {first.pk}" in text and "Accept" in text
    url = reverse("porting:desk_change", args=[request.pk, first.pk, "accept"])
    assert client.post(url, {"note": "Done"}).status_code == 302
    url = reverse("porting:desk_change", args=[request.pk, second.pk, "refuse"])
    client.post(url, {"note": "Not needed"})
    first.refresh_from_db()
    second.refresh_from_db()
    request.refresh_from_db()
    assert (first.status, second.status) == ("accepted", "refused")
    assert request.contact_phone == "+1 206 555 0199"


# --- the fee ledger -------------------------------------------------------------------------


def _fee(request: PortRequest, cents: int = 1300, kind: str = "resubmission") -> PortFee:
    return PortFee.objects.create(request=request, kind=kind, amount_cents=cents, reason="test")


def test_fee_ledger_per_company_and_waive(cast: Cast) -> None:
    request = submitted(cast)
    charged = _fee(request)
    waived = _fee(request, 30000, "snap_back")
    operator = cast.actor(cast.operator)
    desk.port_fee_waive(actor=operator, fee=waived, reason="Carrier error")
    [total] = desk.fee_totals(desk.fee_ledger(actor=operator))
    assert (total.company, total.charged_cents, total.waived_cents, total.count) == (
        cast.company,
        1300,
        30000,
        2,
    )
    event = PortEvent.objects.get(kind="fee_waived")
    assert event.detail["reason"] == "Carrier error" and event.actor == cast.operator
    assert AuditEvent.objects.filter(kind="port_request.fee_waived").exists()
    with pytest.raises(Conflict):
        desk.port_fee_waive(actor=operator, fee=waived, reason="again")
    with pytest.raises(Forbidden):
        desk.port_fee_waive(actor=cast.actor(cast.company_admin), fee=charged, reason="mine")

    client = signed_in(cast.operator)
    response = client.get(reverse("porting:fees"))
    text = response.content.decode()
    assert response.status_code == 200 and "$13.00" in text and "$300.00" in text
    assert "Carrier error" in text
    response = client.post(
        reverse("porting:fee_waive", args=[charged.pk]), {"reason": "Goodwill"}, follow=True
    )
    charged.refresh_from_db()
    assert charged.waived
    assert signed_in(cast.company_admin).get(reverse("porting:fees")).status_code == 404
    only_charged = client.get(reverse("porting:fees") + "?state=charged")
    assert only_charged.context["fees"] == []
