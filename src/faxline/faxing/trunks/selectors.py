"""Every read of the SIP trunks.

For the operators' page and API (scoped: anyone else gets 404): :func:`trunk_list`,
:func:`trunk_get`, :func:`t38_fallback_list`, :func:`t38_fallback_get`,
:func:`media_rule_list`, :func:`media_rule_get`.

For the transport (system reads, no actor; see ``telephony/sip/config.py``):

- :func:`trunks_for` — the enabled trunks that carry a destination, by priority then name.
  The enabled trunks are read in one query and kept by each process for
  :data:`CACHE_SECONDS` at most, so a change made in the portal or the API reaches calls
  within that time in every process (at once in the process that made it: the services clear
  this cache after commit). The destination rules are cached alike.
- :func:`media_for` — how a call to a destination over a trunk carries the fax. The order:
  **an operator's destination rule** (the longest matching prefix) **> a learned fallback**
  (G.711 only, until it expires) **> the trunk's mode**. Rules are the operator's explicit
  word, so they win even over what the platform learned; a learned fallback is read fresh
  for every call (one indexed query), so a failure learned by one call applies to the next.
- :func:`t38_fallback` — the learned mode of a destination (``G711_ONLY`` while not
  expired) or None.
- :func:`inbound_answer` — whether an INVITE for one of our numbers is taken.

These block on the database: a transport running an event loop calls them in a worker thread.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db.models import QuerySet
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.accounts.models import User
from faxline.core.errors import NotFound, ValidationFailed
from faxline.core.phone import fax_number_e164
from faxline.faxing.trunks.access import may_see_trunks
from faxline.faxing.trunks.models import DestinationMediaRule, SipTrunk, T38Fallback
from faxline.numbers.selectors import number_in_service, number_route
from faxline.telephony.sip.config import (
    InboundAnswer,
    MediaChoice,
    MediaSource,
    T38Mode,
    TrunkConfig,
)

#: How long a process keeps the enabled trunks and the destination rules before reading
#: them again: a change in the portal reaches every process's calls within this time.
CACHE_SECONDS = 5.0

T = TypeVar("T")


class _Cached(Generic[T]):
    """A value read by ``load`` and kept for :data:`CACHE_SECONDS` (per process; threads
    share it). A read that fails keeps nothing."""

    def __init__(self, load: Callable[[], T]) -> None:
        self._load = load
        self._lock = threading.Lock()
        self._value: T | None = None
        self._until = 0.0

    def get(self) -> T:
        with self._lock:
            now = time.monotonic()
            if self._value is None or now >= self._until:
                self._value = self._load()
                self._until = now + CACHE_SECONDS
            return self._value

    def clear(self) -> None:
        with self._lock:
            self._value = None
            self._until = 0.0


def _load_enabled() -> tuple[TrunkConfig, ...]:
    return tuple(
        t.to_config() for t in SipTrunk.objects.filter(enabled=True).order_by("priority", "name")
    )


def _load_rules() -> tuple[tuple[str, T38Mode], ...]:
    rows = DestinationMediaRule.objects.values_list("prefix", "t38_mode")
    return tuple(sorted(((p, T38Mode(m)) for p, m in rows), key=lambda r: -len(r[0])))


_enabled = _Cached(_load_enabled)
_rules = _Cached(_load_rules)


def routing_cache_clear() -> None:
    """Forget this process's cached trunks and rules (after a change; tests)."""
    _enabled.clear()
    _rules.clear()


# --- for the transport ---------------------------------------------------------------------


def enabled_trunks() -> list[TrunkConfig]:
    """Every enabled trunk (decrypted), by priority then name: what the transport registers
    and routes over. Cached (see the module's description)."""
    return list(_enabled.get())


def any_trunk_enabled() -> bool:
    return bool(_enabled.get())


def trunks_for(destination_e164: str) -> list[TrunkConfig]:
    """The enabled trunks that carry ``destination_e164`` (their ``destinations`` prefixes
    match it, or they have none), by priority then name: the order the transport tries
    them."""
    return [t for t in _enabled.get() if t.carries(destination_e164)]


def media_rule_for(destination_e164: str) -> tuple[str, T38Mode] | None:
    """The operators' rule for a destination: ``(prefix, mode)`` of the longest matching
    prefix, or None."""
    for prefix, mode in _rules.get():
        if destination_e164.startswith(prefix):
            return prefix, mode
    return None


def t38_fallback(destination_e164: str) -> T38Mode | None:
    """``G711_ONLY`` while a learned fallback of the destination has not expired, else
    None."""
    active = T38Fallback.objects.filter(
        destination=destination_e164, expires_at__gt=timezone.now()
    ).exists()
    return T38Mode.G711_ONLY if active else None


def media_for(trunk: TrunkConfig, destination_e164: str) -> MediaChoice:
    """How a call to ``destination_e164`` over ``trunk`` carries the fax: the destination
    rule, else the learned fallback, else the trunk's mode (see the module's
    description)."""
    rule = media_rule_for(destination_e164)
    if rule is not None:
        return MediaChoice(rule[1], MediaSource.RULE)
    learned = t38_fallback(destination_e164)
    if learned is not None:
        return MediaChoice(learned, MediaSource.LEARNED)
    return MediaChoice(trunk.t38, MediaSource.TRUNK)


def inbound_answer(did_e164: str, caller_e164: str) -> InboundAnswer:
    """Whether an INVITE to ``did_e164`` is taken: a number not in service here is
    ``UNKNOWN_NUMBER`` (404); a number whose user is locked (Lock User: "a locked user can
    neither send nor receive faxes") ``USER_LOCKED`` (486); otherwise ``ACCEPT`` — also for
    a number with no user, or whose user was deleted: the fax is kept for the company's
    administrators as undeliverable, as the sandbox's on-net calls are. ``caller_e164`` is
    not judged yet (``DECLINED`` is for a caller rule to come)."""
    try:
        number = fax_number_e164(did_e164, field="to")
    except ValidationFailed:
        return InboundAnswer.UNKNOWN_NUMBER
    route = number_route(number)
    if route is None:
        return InboundAnswer.ACCEPT if number_in_service(number) else InboundAnswer.UNKNOWN_NUMBER
    if route.user_id is not None and User.objects.filter(pk=route.user_id, is_locked=True).exists():
        return InboundAnswer.USER_LOCKED
    return InboundAnswer.ACCEPT


# --- for the operators ---------------------------------------------------------------------


def trunk_list(*, actor: Actor) -> QuerySet[SipTrunk]:
    """Every trunk, by priority then name."""
    may_see_trunks(actor).check()
    return SipTrunk.objects.order_by("priority", "name", "id")


def trunk_get(*, actor: Actor, trunk_id: int) -> SipTrunk:
    may_see_trunks(actor).check()
    trunk = SipTrunk.objects.filter(pk=trunk_id).first()
    if trunk is None:
        raise NotFound("Trunk not found.", field="trunk_id")
    return trunk


def t38_fallback_list(*, actor: Actor) -> QuerySet[T38Fallback]:
    """The learned fallbacks still in force, newest first, with their trunk's name."""
    may_see_trunks(actor).check()
    return (
        T38Fallback.objects.filter(expires_at__gt=timezone.now())
        .select_related("trunk")
        .order_by("-learned_at", "-id")
    )


def t38_fallback_get(*, actor: Actor, fallback_id: int) -> T38Fallback:
    may_see_trunks(actor).check()
    found = T38Fallback.objects.filter(pk=fallback_id).first()
    if found is None:
        raise NotFound("Learned fallback not found.", field="fallback_id")
    return found


def media_rule_list(*, actor: Actor) -> QuerySet[DestinationMediaRule]:
    may_see_trunks(actor).check()
    return DestinationMediaRule.objects.order_by("prefix")


def media_rule_get(*, actor: Actor, rule_id: int) -> DestinationMediaRule:
    may_see_trunks(actor).check()
    rule = DestinationMediaRule.objects.filter(pk=rule_id).first()
    if rule is None:
        raise NotFound("Destination rule not found.", field="rule_id")
    return rule
