"""What the SIP transport asks of the platform: the trunks of a destination (enabled, by
priority then name, cached a few seconds), the media of a call (destination rule > learned
fallback > trunk), learned fallbacks and their expiry, inbound admission, the directory and
the transport of the process; and what an attempt records of a trunk call."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from faxing.jobs_support import REMOTE, give_number, note, on_demand_covers
from faxline.accounts.access import Actor
from faxline.accounts.services.users import user_lock
from faxline.faxing.jobs import dispatcher
from faxline.faxing.jobs.dispatcher import claim_next
from faxline.faxing.jobs.selectors import job_attempts
from faxline.faxing.jobs.send import fax_send
from faxline.faxing.models import FaxAttempt
from faxline.faxing.sandbox.wiring import sandbox_transport
from faxline.faxing.trunks import selectors, services, wiring
from faxline.faxing.trunks.models import SipTrunk, T38Fallback
from faxline.numbers.choices import NumberSource, NumberStatus
from faxline.numbers.models import FaxNumber
from faxline.telephony.outcomes import OutcomeName, outcome_named
from faxline.telephony.sip.config import (
    InboundAnswer,
    MediaChoice,
    MediaSource,
    T38Mode,
    TrunkDirectory,
)
from faxline.telephony.sip.trunk import SipTrunkTransport
from faxline.telephony.transport import CallOutcome

from cast import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache() -> Any:
    selectors.routing_cache_clear()
    yield
    selectors.routing_cache_clear()


def trunk(cast: Cast, name: str, **kw: Any) -> SipTrunk:
    kw.setdefault("host", f"{name.lower()}.carrier.example")
    made = services.trunk_create(actor=Actor(user=cast.operator), name=name, **kw)
    selectors.routing_cache_clear()  # on_commit does not run inside the test's transaction
    return made


def names(configs: list[Any]) -> list[str]:
    return [c.name for c in configs]


def test_trunks_for_orders_by_priority_then_name_and_follows_destinations(cast: Cast) -> None:
    trunk(cast, "Zulu", priority=5)
    trunk(cast, "Alpha", priority=5, destinations=["+1"])
    trunk(cast, "Early", priority=1, destinations=["+44", "+33"])
    trunk(cast, "Off", priority=0, enabled=False)
    assert names(selectors.trunks_for("+12125550100")) == ["Alpha", "Zulu"]
    assert names(selectors.trunks_for("+442071234567")) == ["Early", "Zulu"]
    assert names(selectors.trunks_for("+4915112345678")) == ["Zulu"]
    assert names(selectors.enabled_trunks()) == ["Early", "Alpha", "Zulu"]


def test_trunks_for_is_one_query_then_cached_for_a_few_seconds(cast: Cast) -> None:
    trunk(cast, "Alpha")
    with CaptureQueriesContext(connection) as first:
        assert names(selectors.trunks_for("+12125550100")) == ["Alpha"]
    assert len(first.captured_queries) == 1
    SipTrunk.objects.filter(name="Alpha").update(enabled=False)  # behind the services' back
    with CaptureQueriesContext(connection) as cached:
        assert names(selectors.trunks_for("+12125550100")) == ["Alpha"]
    assert len(cached.captured_queries) == 0
    import time as clock

    later = clock.monotonic() + selectors.CACHE_SECONDS + 0.1
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(selectors.time, "monotonic", lambda: later)
        assert selectors.trunks_for("+12125550100") == []


def test_a_change_through_the_services_clears_this_processs_cache_after_commit(
    cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    alpha = trunk(cast, "Alpha")
    assert names(selectors.trunks_for("+1212")) == ["Alpha"]
    with django_capture_on_commit_callbacks(execute=True):
        services.trunk_update(actor=Actor(user=cast.operator), trunk=alpha, enabled=False)
    assert selectors.trunks_for("+1212") == []


def test_to_config_decrypts_and_converts(cast: Cast) -> None:
    made = trunk(
        cast,
        "Reg",
        register=True,
        username="faxline",
        password="s3cret pass",
        codecs=["PCMA"],
        t38_mode="t38_only",
        caller_id_format="one_national",
        outbound_proxy="[2001:db8::1]:5070",
        transport="TLS",
        port=5061,
    )
    config = made.to_config()
    assert config.key == str(made.pk) and config.password == "s3cret pass"
    assert (config.register, config.username, config.transport.value) == (True, "faxline", "tls")
    assert [c.value for c in config.codecs] == ["PCMA"]
    assert (config.t38, config.caller_id.value) == (T38Mode.T38_ONLY, "one_national")
    assert config.outbound_proxy == "[2001:db8::1]:5070" and config.port == 5061
    assert "s3cret" not in repr(config)


def test_the_longest_rule_wins_over_learned_fallback_and_trunk(cast: Cast) -> None:
    config = trunk(cast, "Alpha", t38_mode="preferred").to_config()
    op = Actor(user=cast.operator)
    uk, london = "+442071234567", "+442071234567"[:5]
    assert selectors.media_for(config, uk) == MediaChoice(T38Mode.PREFERRED, MediaSource.TRUNK)
    services.t38_failure_learn(uk, "488 Not Acceptable Here")
    choice = selectors.media_for(config, uk)
    assert choice == MediaChoice(T38Mode.G711_ONLY, MediaSource.LEARNED)
    assert choice.learned_fallback
    services.media_rule_create(actor=op, prefix="+44", t38_mode="t38_only")
    services.media_rule_create(actor=op, prefix=london, t38_mode="preferred")
    selectors.routing_cache_clear()
    assert selectors.media_rule_for(uk) == (london, T38Mode.PREFERRED)
    assert selectors.media_for(config, uk) == MediaChoice(T38Mode.PREFERRED, MediaSource.RULE)
    assert selectors.media_for(config, "+441611234567").mode is T38Mode.T38_ONLY
    assert selectors.media_rule_for("+12125550100") is None


def test_a_learned_fallback_lasts_thirty_days_and_is_refreshed(cast: Cast) -> None:
    alpha = trunk(cast, "Alpha")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        first = services.t38_failure_learn(REMOTE, "488", trunk_key=str(alpha.pk))
    assert first is not None and first.trunk_id == alpha.pk
    assert selectors.t38_fallback(REMOTE) is T38Mode.G711_ONLY
    with time_machine.travel(start + timedelta(days=29), tick=False):
        assert selectors.t38_fallback(REMOTE) is T38Mode.G711_ONLY
        again = services.t38_failure_learn(REMOTE, "T.38 exchange failed")
    assert again is not None and T38Fallback.objects.count() == 1  # one row per destination
    assert (again.reason, again.trunk_id) == ("T.38 exchange failed", None)
    with time_machine.travel(start + timedelta(days=58), tick=False):
        assert selectors.t38_fallback(REMOTE) is T38Mode.G711_ONLY
    with time_machine.travel(start + timedelta(days=60), tick=False):
        assert selectors.t38_fallback(REMOTE) is None
        assert not selectors.t38_fallback_list(actor=Actor(user=cast.operator)).exists()


@pytest.mark.parametrize("bad", ["", "12125550100", "+1212abc", "+" + "1" * 20])
def test_a_malformed_destination_is_not_learned(bad: str) -> None:
    assert services.t38_failure_learn(bad, "488") is None
    assert not T38Fallback.objects.exists()


def _number(number: str, *, company: Any, user: Any = None, status: str = "") -> None:
    FaxNumber.objects.create(
        number=number,
        country="US",
        area_code=number[2:5],
        source=NumberSource.SANDBOX,
        status=status or NumberStatus.IN_SERVICE,
        company=company,
        user=user,
    )


def test_inbound_answer(cast: Cast) -> None:
    _number("+12125557001", company=cast.company, user=cast.billing_user)
    _number("+12125557002", company=cast.company)
    _number("+12125557003", company=cast.company, user=cast.sales_user)
    _number("+12125557004", company=cast.company, status=NumberStatus.AGING)
    caller = "+16175559876"
    assert selectors.inbound_answer("+12125557001", caller) is InboundAnswer.ACCEPT
    assert selectors.inbound_answer("2125557001", caller) is InboundAnswer.ACCEPT  # national
    assert selectors.inbound_answer("+12125557002", caller) is InboundAnswer.ACCEPT  # no user
    assert selectors.inbound_answer("+12125557004", caller) is InboundAnswer.UNKNOWN_NUMBER
    assert selectors.inbound_answer("+12125559999", caller) is InboundAnswer.UNKNOWN_NUMBER
    assert selectors.inbound_answer("not-a-number", caller) is InboundAnswer.UNKNOWN_NUMBER
    user_lock(actor=Actor(user=cast.company_admin), user=cast.sales_user)
    assert selectors.inbound_answer("+12125557003", caller) is InboundAnswer.USER_LOCKED
    assert selectors.inbound_answer("+12125557001", caller) is InboundAnswer.ACCEPT


def test_the_directory_bundles_faxings_answers(cast: Cast) -> None:
    _number("+12125557001", company=cast.company, user=cast.billing_user)
    config = trunk(cast, "Alpha").to_config()
    directory = wiring.trunk_directory()
    assert isinstance(directory, TrunkDirectory)
    assert directory.inbound_answer("+12125557001", REMOTE) is InboundAnswer.ACCEPT
    assert directory.t38_fallback(REMOTE) is None
    directory.learn_t38_failure(REMOTE, "488 Not Acceptable Here")
    assert directory.t38_fallback(REMOTE) is T38Mode.G711_ONLY
    assert directory.media_for(config, REMOTE).source is MediaSource.LEARNED


def test_the_default_directory_uses_the_trunks_mode() -> None:
    from faxline.telephony.sip.config import TrunkConfig

    directory = TrunkDirectory(inbound_answer=lambda _d, _c: InboundAnswer.ACCEPT)
    config = TrunkConfig(key="1", name="x", host="h", t38=T38Mode.G711_ONLY)
    assert directory.media_for(config, REMOTE) == MediaChoice(T38Mode.G711_ONLY)


def test_the_sandbox_carries_calls_until_a_trunk_is_enabled(cast: Cast) -> None:
    wiring.fax_transport_reset()
    assert wiring.fax_transport() is sandbox_transport()
    trunk(cast, "Off", enabled=False)
    assert wiring.fax_transport() is sandbox_transport()


def test_an_enabled_trunk_makes_the_sip_transport(cast: Cast, settings: Any) -> None:
    """With a trunk enabled the SIP transport is made once, with faxing's callbacks and the
    configured address (made, not started: nothing is bound until a call or the
    dispatcher's round starts it); the per-call router follows the trunks."""
    settings.FAXLINE_SIP_HOST, settings.FAXLINE_SIP_PORT = "127.0.0.2", 5099
    wiring.fax_transport_reset()
    router = wiring.PlatformTransport()
    assert router.lines == sandbox_transport().lines
    alpha = trunk(cast, "Alpha")
    first, second = wiring.fax_transport(), wiring.fax_transport()
    assert isinstance(first, SipTrunkTransport) and first is second
    assert (first.host, first.port) == ("127.0.0.2", 5099)
    assert names(first.trunks()) == ["Alpha"]
    assert isinstance(first.directory, TrunkDirectory)
    assert first.directory.t38_fallback(REMOTE) is None
    assert router.lines.count == alpha.channels
    services.trunk_update(actor=Actor(user=cast.operator), trunk=alpha, enabled=False)
    selectors.routing_cache_clear()  # what the commit does
    assert wiring.fax_transport() is sandbox_transport()
    wiring.fax_transport_reset()


# --- what an attempt records ---------------------------------------------------------------


def _claimed(cast: Cast) -> FaxAttempt:
    give_number(cast.billing_user)
    on_demand_covers(cast, cast.billing_user)
    fax_send(actor=Actor(user=cast.billing_user), to=[REMOTE], files=[note()])
    attempt = claim_next("test-worker")
    assert attempt is not None
    return attempt


def _outcome(name: OutcomeName, **kw: Any) -> CallOutcome:
    return CallOutcome(
        outcome=outcome_named(name, cause=str(name)),
        transport="sip",
        from_number="+12125557001",
        to_number=REMOTE,
        **kw,
    )


def test_record_writes_the_trunk_media_and_fallback(cast: Cast) -> None:
    attempt = _claimed(cast)
    outcome = _outcome(
        OutcomeName.NEGOTIATION_FAILED,
        connected=True,
        media="audio",
        trunk="Carrier A",
        t38_fallback=True,
    )
    assert dispatcher.record(attempt, outcome) is not None
    attempt.refresh_from_db()
    assert (attempt.trunk, attempt.media, attempt.t38_fallback) == ("Carrier A", "audio", True)
    (view,) = job_attempts(attempt.job)
    assert (view.trunk, view.media_label) == ("Carrier A", "G.711 audio (T.38 fallback)")


def test_record_reads_the_far_end_too_and_no_answer_has_no_media(cast: Cast) -> None:
    attempt = _claimed(cast)
    far_end = {"trunk": "Carrier B", "media": "t38", "t38_fallback": False}
    dispatcher.record(
        attempt, _outcome(OutcomeName.TRANSMISSION_FAILED, connected=True, far_end=far_end)
    )
    attempt.refresh_from_db()
    assert (attempt.trunk, attempt.media, attempt.t38_fallback) == ("Carrier B", "t38", False)

    busy = FaxAttempt.objects.create(
        job=attempt.job,
        number=2,
        started_at=timezone.now(),
        lease_owner="w",
        lease_expires_at=timezone.now() + timedelta(seconds=60),
    )
    from faxline.faxing.models import FaxJob

    FaxJob.objects.filter(pk=attempt.job_id).update(status="in_progress")
    dispatcher.record(busy, _outcome(OutcomeName.BUSY, connected=False))
    busy.refresh_from_db()
    assert (busy.trunk, busy.media, busy.t38_fallback) == ("", "", False)
