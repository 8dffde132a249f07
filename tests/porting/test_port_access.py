"""Porting's access rules are written once (``porting.access``): the services enforce the
same decision the pages and the API show, and a carrier acts as a system actor."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
import time_machine
from desk_support import pending, scheduled, signed_in, submitted
from django.db import transaction
from django.urls import reverse
from porting_support import ready_request

from faxline.accounts.access import SYSTEM, Actor, SystemActor
from faxline.accounts.models import User
from faxline.core.access import Decision
from faxline.core.errors import Conflict, DomainError, Forbidden, NotFound
from faxline.porting import access
from faxline.porting.choices import PortStatus
from faxline.porting.models import PortEvent, PortRequest
from faxline.porting.requests import services

from cast import Cast

MONDAY = datetime(2026, 12, 7, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _monday() -> Iterator[None]:
    with time_machine.travel(MONDAY, tick=False):
        yield


class _Undo(Exception):
    pass


def _outcome(actor: Actor, request: PortRequest) -> tuple[str, str]:
    """What cancelling does (rolled back): ("ok", "") or the refusal's class and code."""
    try:
        with transaction.atomic():
            services.port_request_cancel(actor=actor, request=request)
            raise _Undo
    except _Undo:
        return "ok", ""
    except DomainError as exc:
        return type(exc).__name__, exc.code


def _decision(actor: Actor, request: PortRequest) -> tuple[str, str]:
    decision = access.may_cancel(actor, request)
    if decision:
        return "ok", ""
    assert decision.refusal is not None
    return type(decision.refusal).__name__, decision.code


def test_cancel_is_refused_by_the_service_exactly_when_the_rule_says_so(cast: Cast) -> None:
    admin = cast.actor(cast.company_admin)
    requests = {
        "draft": ready_request(admin, cast.company),
        "new": submitted(cast, numbers=[{"number": "+12062345679"}], btn="+12062345679"),
        "pending": pending(cast, numbers=[{"number": "+12062345680"}], btn="+12062345680"),
        "foc_in_two_days": scheduled(
            cast, date(2026, 12, 9), numbers=[{"number": "+15122345670"}], btn="+15122345670"
        ),
    }
    people = [
        cast.company_admin,
        cast.read_only_admin,
        cast.dept_admin,
        cast.billing_user,
        cast.operator,
        cast.outsider_admin,
    ]
    seen: set[tuple[str, str]] = set()
    for state, request in requests.items():
        for person in people:
            actor = Actor(user=person)
            request.refresh_from_db()
            expected = _decision(actor, request)
            assert _outcome(actor, request) == expected, (state, person.username)
            seen.add(expected)
    # The matrix reaches every kind of answer.
    assert {
        ("ok", ""),
        ("NotFound", "not_found"),
        ("Forbidden", "read_only"),
        ("Forbidden", "cancel_needs_porting_team"),
    } <= seen


def test_the_request_page_shows_the_rule_the_service_enforces(cast: Cast) -> None:
    request = pending(cast)
    admin = signed_in(cast.company_admin)
    page = admin.get(reverse("porting:detail", args=[request.pk]))
    decision = access.may_cancel(cast.actor(cast.company_admin), request)
    assert not decision and bool(page.context["can_cancel"]) is False
    assert page.context["cancel_rule"] == decision.reason
    assert "ask them in a note" in decision.reason
    team = signed_in(cast.operator).get(reverse("porting:detail", args=[request.pk]))
    assert bool(team.context["can_cancel"]) is True and team.context["cancel_rule"] == ""


def test_a_closed_request_cannot_be_cancelled_by_anyone(cast: Cast) -> None:
    request = submitted(cast)
    services.port_request_cancel(actor=cast.actor(cast.operator), request=request)
    for person in (cast.operator, cast.company_admin):
        decision = access.may_cancel(Actor(user=person), request)
        assert decision.code == "invalid_transition"
        with pytest.raises(Conflict):
            services.port_request_cancel(actor=Actor(user=person), request=request)


def test_a_carrier_acts_as_the_porting_team_and_is_named_in_the_timeline(cast: Cast) -> None:
    request = submitted(cast)
    carrier = SystemActor(label="Test carrier")
    with pytest.raises(Forbidden) as refused:
        services.port_request_accept(actor=cast.actor(cast.company_admin), request=request)
    assert refused.value.code == "porting_team_only"
    services.port_request_accept(actor=carrier, request=request, message="Approved upstream")
    request.refresh_from_db()
    assert request.status == PortStatus.PENDING
    event = PortEvent.objects.get(request=request, kind="accepted")
    assert (event.actor_id, event.actor_label, event.message) == (
        None,
        "Test carrier",
        "Approved upstream",
    )
    # A system actor has no person behind it: no rule about people lets it through.
    assert SYSTEM.user is None and str(SYSTEM) == "faxline"
    assert access.may_act_as_porting_team(carrier)
    assert not access.may_act_as_porting_team(cast.actor(cast.read_only_admin))


def test_read_only_operators_look_but_do_not_act(cast: Cast) -> None:
    looker = User.objects.create_user(
        username="olivia", password="x", role=cast.operator.role, read_only=True
    )
    actor = Actor(user=looker)
    assert access.may_use_desk(actor) and access.may_see_request(actor, submitted(cast))
    assert not access.may_act_as_porting_team(actor)
    assert access.may_write_company_requests(actor, cast.company).code == "read_only"
    with pytest.raises(Forbidden):
        services.port_request_create(actor=actor, company=cast.company, data={})


def test_outside_the_scope_is_not_found_not_forbidden(cast: Cast) -> None:
    request = submitted(cast)
    outsider = cast.actor(cast.outsider_admin)
    assert access.may_see_request(outsider, request).code == "not_found"
    assert access.may_write_company_requests(outsider, cast.company).code == "not_found"
    with pytest.raises(NotFound):
        services.port_note_add(actor=outsider, request=request, body="hello")


def test_a_decision_raises_a_fresh_error_each_time() -> None:
    decision = Decision.refuse(Forbidden("No.", code="nope", field="x"))
    errors = []
    for _ in range(2):
        with pytest.raises(Forbidden) as caught:
            decision.check()
        errors.append(caught.value)
    assert errors[0] is not errors[1]
    assert [(e.message, e.code, e.field) for e in errors] == [("No.", "nope", "x")] * 2
    assert (bool(decision), decision.reason, decision.code) == (False, "No.", "nope")
    allowed = Decision.allow()
    allowed.check()
    assert (bool(allowed), allowed.reason, allowed.code) == (True, "", "")
