"""Every write of the SIP trunks: the operators' trunks and destination rules, the learned
T.38 fallbacks.

- :func:`trunk_create`, :func:`trunk_update`, :func:`trunk_delete`, the rule services and
  :func:`t38_fallback_clear` check ``trunks.access`` (operators; read-only ones 403) and leave
  an audit event (``sip_trunk.*``, ``t38_fallback.cleared``, ``media_rule.*``), never with
  the password.
- :func:`t38_failure_learn` is the transport's (``TrunkDirectory.learn_t38_failure``): no
  person acts, no audit event.

A change applies to calls within :data:`~faxline.faxing.trunks.selectors.CACHE_SECONDS`
in every process (the routing cache of each process expires), at once in this one.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from faxline.accounts.access import Actor
from faxline.core.audit import audit_record
from faxline.core.errors import NotFound, ValidationFailed
from faxline.faxing.trunks import validation as v
from faxline.faxing.trunks.access import may_manage_trunks
from faxline.faxing.trunks.models import DestinationMediaRule, SipTrunk, T38Fallback
from faxline.faxing.trunks.selectors import routing_cache_clear
from faxline.telephony.sip.config import CallerIdFormat, SipTransportName, T38Mode

log = logging.getLogger(__name__)

#: The most trunks and destination rules a platform has (every list shows them all).
MAX_TRUNKS = 100
MAX_RULES = 500

#: How long a learned fallback lasts: the carrier's path to the destination may be mended.
FALLBACK_DAYS = 30

# The settings of a trunk, in the order pages and audit events list them.
TRUNK_FIELDS = (
    "name",
    "enabled",
    "host",
    "port",
    "transport",
    "username",
    "auth_username",
    "register",
    "register_expires",
    "outbound_proxy",
    "domain",
    "codecs",
    "t38_mode",
    "caller_id_format",
    "channels",
    "priority",
    "destinations",
)


def _clean(field: str, value: Any) -> Any:
    """One trunk setting checked and normalized (``password`` is handled apart)."""
    if field == "name":
        return v.clean_name(value)
    if field == "enabled" or field == "register":
        if not isinstance(value, bool):
            raise ValidationFailed(f"{field}: true or false.", field=field)
        return value
    if field == "host":
        return v.host_of(value, field="host")
    if field == "domain":
        return v.host_of(value, field="domain", required=False)
    if field == "port":
        return v.clean_port(value)
    if field == "transport":
        return v.clean_transport(value)
    if field in ("username", "auth_username"):
        return v.clean_user(value, field=field)
    if field == "register_expires":
        return v.clean_int(
            value, field=field, bounds=v.REGISTER_EXPIRES, what="The registration's lifetime"
        )
    if field == "outbound_proxy":
        return v.clean_proxy(value)
    if field == "codecs":
        return v.clean_codecs(value)
    if field == "t38_mode":
        return v.clean_t38_mode(value)
    if field == "caller_id_format":
        return v.clean_caller_id(value)
    if field == "channels":
        return v.clean_int(value, field=field, bounds=v.CHANNELS, what="Channels")
    if field == "priority":
        return v.clean_int(value, field=field, bounds=v.PRIORITY, what="Priority")
    if field == "destinations":
        return v.clean_destinations(value)
    raise ValidationFailed(f"{field}: unknown setting.", field=field)


def _check_whole(trunk: SipTrunk) -> None:
    """The rules between settings: a registration-based trunk needs its username and
    password; names are unique whatever their case."""
    if trunk.register and not trunk.username:
        raise ValidationFailed(
            "username: a registration-based trunk needs the username it registers with.",
            code="username_required",
            field="username",
        )
    if trunk.register and not trunk.password:
        raise ValidationFailed(
            "password: a registration-based trunk needs its password.",
            code="password_required",
            field="password",
        )
    taken = SipTrunk.objects.filter(name__iexact=trunk.name).exclude(pk=trunk.pk).exists()
    if taken:
        raise ValidationFailed(
            f"name: there is already a trunk named {trunk.name!r}.",
            code="name_taken",
            field="name",
        )


def _save(trunk: SipTrunk, **kwargs: Any) -> None:
    """Save; a name another operator took meanwhile is the same refusal as one taken before."""
    try:
        with transaction.atomic():
            trunk.save(**kwargs)
    except IntegrityError as exc:
        raise ValidationFailed(
            f"name: there is already a trunk named {trunk.name!r}.",
            code="name_taken",
            field="name",
        ) from exc


def _audit(kind: str, actor: Actor, target: Any, **detail: Any) -> None:
    audit_record(
        kind=kind,
        actor=actor.user,
        company=None,
        target=target,
        ip_address=actor.ip_address,
        detail=detail,
    )


def _changed_after_commit() -> None:
    transaction.on_commit(routing_cache_clear)


@transaction.atomic
def trunk_create(
    *,
    actor: Actor,
    name: str,
    host: str,
    port: int = 5060,
    transport: str = SipTransportName.UDP.value,
    username: str = "",
    password: str = "",
    auth_username: str = "",
    register: bool = False,
    register_expires: int = 3600,
    outbound_proxy: str = "",
    domain: str = "",
    codecs: list[str] | tuple[str, ...] = ("PCMU", "PCMA"),
    t38_mode: str = T38Mode.PREFERRED.value,
    caller_id_format: str = CallerIdFormat.E164.value,
    channels: int = 30,
    priority: int = 10,
    destinations: list[str] | tuple[str, ...] = (),
    enabled: bool = True,
) -> SipTrunk:
    """Add a trunk (its password encrypted at rest)."""
    may_manage_trunks(actor).check()
    if SipTrunk.objects.count() >= MAX_TRUNKS:
        raise ValidationFailed(
            f"name: a platform has at most {MAX_TRUNKS} trunks.",
            code="too_many_trunks",
            field="name",
        )
    given = {
        "name": name,
        "enabled": enabled,
        "host": host,
        "port": port,
        "transport": transport,
        "username": username,
        "auth_username": auth_username,
        "register": register,
        "register_expires": register_expires,
        "outbound_proxy": outbound_proxy,
        "domain": domain,
        "codecs": list(codecs),
        "t38_mode": t38_mode,
        "caller_id_format": caller_id_format,
        "channels": channels,
        "priority": priority,
        "destinations": list(destinations),
    }
    trunk = SipTrunk(**{field: _clean(field, value) for field, value in given.items()})
    trunk.password = v.clean_password(password)
    _check_whole(trunk)
    _save(trunk)
    _audit("sip_trunk.created", actor, trunk, **_described(trunk))
    _changed_after_commit()
    return trunk


@transaction.atomic
def trunk_update(
    *,
    actor: Actor,
    trunk: SipTrunk,
    password: str | None = None,
    clear_password: bool = False,
    **changes: Any,
) -> SipTrunk:
    """Change the settings given (any of :data:`TRUNK_FIELDS`; None: unchanged). A
    ``password`` that is None or empty keeps the stored one (a form left blank);
    ``clear_password`` removes it."""
    may_manage_trunks(actor).check()
    locked = SipTrunk.objects.select_for_update().filter(pk=trunk.pk).first()
    if locked is None:
        raise NotFound("Trunk not found.", field="trunk_id")
    unknown = sorted(set(changes) - set(TRUNK_FIELDS))
    if unknown:
        raise ValidationFailed(f"{unknown[0]}: unknown setting.", field=unknown[0])
    fields: list[str] = []
    for field, value in changes.items():
        if value is None:
            continue
        clean = _clean(field, value)
        if clean != getattr(locked, field):
            setattr(locked, field, clean)
            fields.append(field)
    if clear_password and locked.password:
        locked.password = ""
        fields.append("password")
    elif password:
        clean_password = v.clean_password(password)
        if clean_password != locked.password:
            locked.password = clean_password
            fields.append("password")
    if not fields:
        return locked
    _check_whole(locked)
    _save(locked, update_fields=[*fields, "updated_at"])
    # The audit event names the settings changed; the password's value never appears.
    _audit(
        "sip_trunk.changed",
        actor,
        locked,
        fields=sorted(fields),
        **{f: _described(locked)[f] for f in fields if f != "password"},
    )
    _changed_after_commit()
    return locked


@transaction.atomic
def trunk_delete(*, actor: Actor, trunk: SipTrunk) -> None:
    """Delete a trunk (its learned fallbacks stay, without a trunk)."""
    may_manage_trunks(actor).check()
    _audit("sip_trunk.deleted", actor, trunk, name=trunk.name, host=trunk.host)
    SipTrunk.objects.filter(pk=trunk.pk).delete()
    _changed_after_commit()


def _described(trunk: SipTrunk) -> dict[str, Any]:
    """The trunk's settings for an audit event: everything but the password, which is only
    said to be set or not."""
    data = {field: getattr(trunk, field) for field in TRUNK_FIELDS}
    data["password_set"] = bool(trunk.password)
    return data


# --- learned T.38 fallbacks ---------------------------------------------------------------


def trunk_seen(key: str, status: int) -> None:
    """The SIP transport's keep-alive answer for trunk ``key`` (its id): kept for the
    operators' page. A system write of one row, no audit (it happens every 30 seconds)."""
    if not key.isdigit() or not 0 <= status < 1000:
        return
    SipTrunk.objects.filter(pk=int(key)).update(seen_status=status, seen_at=timezone.now())


def t38_failure_learn(destination: str, reason: str, *, trunk_key: str = "") -> T38Fallback | None:
    """Remember that a T.38 call to ``destination`` failed: its calls go in G.711 for
    :data:`FALLBACK_DAYS` days (from now: a new failure extends it). ``trunk_key``: the
    trunk's ``TrunkConfig.key``, when known. The transport's callback: a malformed
    destination is ignored (logged), never an exception in a call's path."""
    number = (destination or "").strip()
    if not (number.startswith("+") and number[1:].isdigit() and 2 <= len(number) <= 16):
        log.warning("t38 fallback not learned: %r is not an E.164 number", number[:40])
        return None
    trunk_id = int(trunk_key) if trunk_key.isdigit() else None
    if trunk_id is not None and not SipTrunk.objects.filter(pk=trunk_id).exists():
        trunk_id = None
    now = timezone.now()
    values = {
        "trunk_id": trunk_id,
        "reason": (reason or "")[:200],
        "learned_at": now,
        "expires_at": now + timedelta(days=FALLBACK_DAYS),
    }
    for _ in range(2):  # two processes learning the same number at once: the loser updates
        try:
            with transaction.atomic():
                fallback, _created = T38Fallback.objects.update_or_create(
                    destination=number, defaults=values
                )
                return fallback
        except IntegrityError:
            continue
    return T38Fallback.objects.filter(destination=number).first()


@transaction.atomic
def t38_fallback_clear(*, actor: Actor, fallback: T38Fallback) -> None:
    """Forget a learned fallback: the next call to the number tries T.38 again (by the
    trunk's mode)."""
    may_manage_trunks(actor).check()
    _audit(
        "t38_fallback.cleared",
        actor,
        fallback,
        destination=fallback.destination,
        reason=fallback.reason,
    )
    T38Fallback.objects.filter(pk=fallback.pk).delete()


# --- destination media rules --------------------------------------------------------------


def _rule_prefix_free(prefix: str, *, exclude: int | None = None) -> None:
    taken = DestinationMediaRule.objects.filter(prefix=prefix)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationFailed(
            f"prefix: there is already a rule for {prefix}; change that one.",
            code="prefix_taken",
            field="prefix",
        )


def _clean_note(note: Any) -> str:
    if note is None:
        return ""
    if not isinstance(note, str) or len(note.strip()) > 200:
        raise ValidationFailed("note: at most 200 characters.", field="note")
    return " ".join(note.split())


@transaction.atomic
def media_rule_create(
    *, actor: Actor, prefix: str, t38_mode: str, note: str = ""
) -> DestinationMediaRule:
    """Add a destination rule: calls to numbers starting with ``prefix`` use ``t38_mode``."""
    may_manage_trunks(actor).check()
    clean_prefix = v.clean_prefix(prefix, field="prefix")
    mode = v.clean_t38_mode(t38_mode)
    _rule_prefix_free(clean_prefix)
    if DestinationMediaRule.objects.count() >= MAX_RULES:
        raise ValidationFailed(
            f"prefix: at most {MAX_RULES} destination rules.",
            code="too_many_rules",
            field="prefix",
        )
    rule = DestinationMediaRule.objects.create(
        prefix=clean_prefix, t38_mode=mode, note=_clean_note(note)
    )
    _audit("media_rule.created", actor, rule, prefix=rule.prefix, t38_mode=rule.t38_mode)
    _changed_after_commit()
    return rule


@transaction.atomic
def media_rule_update(
    *,
    actor: Actor,
    rule: DestinationMediaRule,
    prefix: str | None = None,
    t38_mode: str | None = None,
    note: str | None = None,
) -> DestinationMediaRule:
    """Change what was given (None: unchanged)."""
    may_manage_trunks(actor).check()
    fields: list[str] = []
    if prefix is not None:
        clean_prefix = v.clean_prefix(prefix, field="prefix")
        if clean_prefix != rule.prefix:
            _rule_prefix_free(clean_prefix, exclude=rule.pk)
            rule.prefix = clean_prefix
            fields.append("prefix")
    if t38_mode is not None:
        mode = v.clean_t38_mode(t38_mode)
        if mode != rule.t38_mode:
            rule.t38_mode = mode
            fields.append("t38_mode")
    if note is not None:
        clean_note = _clean_note(note)
        if clean_note != rule.note:
            rule.note = clean_note
            fields.append("note")
    if fields:
        rule.save(update_fields=[*fields, "updated_at"])
        _audit(
            "media_rule.changed",
            actor,
            rule,
            fields=sorted(fields),
            prefix=rule.prefix,
            t38_mode=rule.t38_mode,
        )
        _changed_after_commit()
    return rule


@transaction.atomic
def media_rule_delete(*, actor: Actor, rule: DestinationMediaRule) -> None:
    may_manage_trunks(actor).check()
    _audit("media_rule.deleted", actor, rule, prefix=rule.prefix, t38_mode=rule.t38_mode)
    DestinationMediaRule.objects.filter(pk=rule.pk).delete()
    _changed_after_commit()
