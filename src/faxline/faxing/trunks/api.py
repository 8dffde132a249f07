"""REST API of the SIP trunks (operators only): ``/api/v1/trunks``, the learned T.38
fallbacks (``/api/v1/trunks/fallbacks``) and the destination media rules
(``/api/v1/trunks/rules``).

Anyone but an operator gets 404 (the resource does not exist for them); a read-only operator
403 ``read_only`` on every change; bad input 422 naming the field. A trunk's ``password`` is
write-only: answers say only whether one is set (``password_set``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Schema, Status
from pydantic import Field

from faxline.accounts.api_auth import actor_of
from faxline.accounts.schemas import Error, InputSchema
from faxline.core.pagination import paginate
from faxline.faxing.trunks import selectors, services
from faxline.faxing.trunks.models import DestinationMediaRule, SipTrunk, T38Fallback

router = Router(tags=["SIP trunks"])
LIMIT = Query(50, description="Page size (1 to 500).")
OFFSET = Query(0, description="Items to skip.")
T38_DOC = "preferred (start in G.711, switch to T.38), g711_only or t38_only."


def _errors(*codes: int) -> dict[int, type[Error]]:
    return dict.fromkeys((401, *codes), Error)


class TrunkOut(Schema):
    id: int
    name: str
    enabled: bool
    host: str
    port: int
    transport: str = Field(description="udp, tcp or tls.")
    username: str
    password_set: bool = Field(description="Whether a password is stored (never shown).")
    auth_username: str
    registration: bool = Field(description="Registration-based (true) or IP-authenticated.")
    register_expires: int
    outbound_proxy: str
    domain: str
    codecs: list[str]
    t38_mode: str
    caller_id_format: str
    channels: int
    priority: int
    destinations: list[str]
    reachable: bool | None = Field(
        description="Whether the carrier answered the last keep-alive OPTIONS (sent every "
        "30 s while the trunk is enabled); null before the first."
    )
    seen_status: int | None = Field(description="The status of that answer (408: none).")
    seen_at: datetime | None
    created_at: datetime
    updated_at: datetime


class TrunkPage(Schema):
    items: list[TrunkOut]
    count: int


class TrunkIn(InputSchema):
    name: str = Field(description="Unique name of the trunk (the carrier's, say).")
    host: str = Field(description="Host name or IP address of the carrier's SIP server.")
    port: int = Field(5060, description="1 to 65535.")
    transport: str = Field("udp", description="udp, tcp or tls.")
    username: str = ""
    password: str = Field("", description="Write-only: stored encrypted, never returned.")
    auth_username: str = Field("", description="Digest user when it differs from username.")
    registration: bool = Field(
        False,
        description="Registration-based: REGISTER with username and password (else "
        "IP-authenticated).",
    )
    register_expires: int = Field(3600, description="Seconds, 60 to 86400.")
    outbound_proxy: str = Field("", description="host or host:port every request goes to.")
    domain: str = Field("", description="SIP domain of To and the Request-URI (default: host).")
    codecs: list[str] = Field(["PCMU", "PCMA"], description="Ordered subset of PCMU, PCMA.")
    t38_mode: str = Field("preferred", description=T38_DOC)
    caller_id_format: str = Field("e164", description="e164, national or one_national.")
    channels: int = Field(30, description="Calls at once over the trunk, 1 to 1000.")
    priority: int = Field(10, description="Lower is tried first (0 to 1000).")
    destinations: list[str] = Field(
        [], description='E.164 prefixes the trunk carries ("+1", "+44"); empty: all.'
    )
    enabled: bool = True


class TrunkPatch(InputSchema):
    name: str | None = None
    host: str | None = None
    port: int | None = None
    transport: str | None = None
    username: str | None = None
    password: str | None = Field(
        None, description="A new password; omitted or empty keeps the stored one."
    )
    clear_password: bool = Field(False, description="Remove the stored password.")
    auth_username: str | None = None
    registration: bool | None = None
    register_expires: int | None = None
    outbound_proxy: str | None = None
    domain: str | None = None
    codecs: list[str] | None = None
    t38_mode: str | None = Field(None, description=T38_DOC)
    caller_id_format: str | None = None
    channels: int | None = None
    priority: int | None = None
    destinations: list[str] | None = None
    enabled: bool | None = None


class FallbackOut(Schema):
    id: int
    destination: str = Field(description="The number (E.164) whose calls go in G.711.")
    trunk_id: int | None
    trunk_name: str = Field(description="The trunk of the failed call, when known.")
    reason: str
    learned_at: datetime
    expires_at: datetime


class FallbackPage(Schema):
    items: list[FallbackOut]
    count: int


class RuleOut(Schema):
    id: int
    prefix: str
    t38_mode: str
    note: str
    created_at: datetime
    updated_at: datetime


class RulePage(Schema):
    items: list[RuleOut]
    count: int


class RuleIn(InputSchema):
    prefix: str = Field(description="E.164 prefix (+44, +4420); the longest match wins.")
    t38_mode: str = Field(description=T38_DOC)
    note: str = ""


class RulePatch(InputSchema):
    prefix: str | None = None
    t38_mode: str | None = Field(None, description=T38_DOC)
    note: str | None = None


def trunk_out(t: SipTrunk) -> dict[str, Any]:
    return {
        "id": t.pk,
        "name": t.name,
        "enabled": t.enabled,
        "host": t.host,
        "port": t.port,
        "transport": t.transport,
        "username": t.username,
        "password_set": t.has_password,
        "auth_username": t.auth_username,
        "registration": t.register,
        "register_expires": t.register_expires,
        "outbound_proxy": t.outbound_proxy,
        "domain": t.domain,
        "codecs": list(t.codecs or []),
        "t38_mode": t.t38_mode,
        "caller_id_format": t.caller_id_format,
        "channels": t.channels,
        "priority": t.priority,
        "destinations": list(t.destinations or []),
        "reachable": t.reachable,
        "seen_status": t.seen_status,
        "seen_at": t.seen_at,
        "created_at": t.created_at,
        "updated_at": t.updated_at,
    }


def fallback_out(f: T38Fallback) -> dict[str, Any]:
    return {
        "id": f.pk,
        "destination": f.destination,
        "trunk_id": f.trunk_id,
        "trunk_name": f.trunk.name if f.trunk is not None else "",
        "reason": f.reason,
        "learned_at": f.learned_at,
        "expires_at": f.expires_at,
    }


def rule_out(r: DestinationMediaRule) -> dict[str, Any]:
    return {
        "id": r.pk,
        "prefix": r.prefix,
        "t38_mode": r.t38_mode,
        "note": r.note,
        "created_at": r.created_at,
        "updated_at": r.updated_at,
    }


# --- learned fallbacks (before /trunks/{trunk_id}) -----------------------------------------


@router.get(
    "/trunks/fallbacks",
    response={200: FallbackPage, **_errors(404, 422)},
    summary="Learned T.38 fallbacks (operators)",
)
def fallback_list(request: HttpRequest, limit: int = LIMIT, offset: int = OFFSET) -> Any:
    """Destinations whose calls go in G.711 because a T.38 call to them failed, newest
    first (only those in force)."""
    qs = selectors.t38_fallback_list(actor=actor_of(request))
    items, count = paginate(qs, limit=limit, offset=offset)
    return {"items": [fallback_out(f) for f in items], "count": count}


@router.delete(
    "/trunks/fallbacks/{fallback_id}",
    response={204: None, **_errors(403, 404)},
    summary="Clear a learned T.38 fallback (operators)",
)
def fallback_clear(request: HttpRequest, fallback_id: int) -> Any:
    """The next call to the number tries T.38 again (by its trunk's mode)."""
    actor = actor_of(request)
    found = selectors.t38_fallback_get(actor=actor, fallback_id=fallback_id)
    services.t38_fallback_clear(actor=actor, fallback=found)
    return Status(204, None)


# --- destination rules ---------------------------------------------------------------------


@router.get(
    "/trunks/rules",
    response={200: RulePage, **_errors(404, 422)},
    summary="Destination media rules (operators)",
)
def rule_list(request: HttpRequest, limit: int = LIMIT, offset: int = OFFSET) -> Any:
    """By prefix. A rule's mode wins over any learned fallback and the trunk's mode."""
    qs = selectors.media_rule_list(actor=actor_of(request))
    items, count = paginate(qs, limit=limit, offset=offset)
    return {"items": [rule_out(r) for r in items], "count": count}


@router.post(
    "/trunks/rules",
    response={201: RuleOut, **_errors(403, 404, 422)},
    summary="Add a destination media rule (operators)",
)
def rule_create(request: HttpRequest, payload: RuleIn) -> Any:
    rule = services.media_rule_create(actor=actor_of(request), **payload.model_dump())
    return Status(201, rule_out(rule))


@router.get(
    "/trunks/rules/{rule_id}",
    response={200: RuleOut, **_errors(404)},
    summary="One destination media rule (operators)",
)
def rule_get(request: HttpRequest, rule_id: int) -> Any:
    return rule_out(selectors.media_rule_get(actor=actor_of(request), rule_id=rule_id))


@router.patch(
    "/trunks/rules/{rule_id}",
    response={200: RuleOut, **_errors(403, 404, 422)},
    summary="Change a destination media rule (operators)",
)
def rule_update(request: HttpRequest, rule_id: int, payload: RulePatch) -> Any:
    actor = actor_of(request)
    rule = selectors.media_rule_get(actor=actor, rule_id=rule_id)
    rule = services.media_rule_update(actor=actor, rule=rule, **payload.model_dump())
    return rule_out(rule)


@router.delete(
    "/trunks/rules/{rule_id}",
    response={204: None, **_errors(403, 404)},
    summary="Delete a destination media rule (operators)",
)
def rule_delete(request: HttpRequest, rule_id: int) -> Any:
    actor = actor_of(request)
    services.media_rule_delete(
        actor=actor, rule=selectors.media_rule_get(actor=actor, rule_id=rule_id)
    )
    return Status(204, None)


# --- trunks ----------------------------------------------------------------------------


@router.get(
    "/trunks",
    response={200: TrunkPage, **_errors(404, 422)},
    summary="SIP trunks (operators)",
)
def trunk_list(request: HttpRequest, limit: int = LIMIT, offset: int = OFFSET) -> Any:
    """By priority (lower first), then name. With no enabled trunk the sandbox PSTN carries
    the calls."""
    items, count = paginate(
        selectors.trunk_list(actor=actor_of(request)), limit=limit, offset=offset
    )
    return {"items": [trunk_out(t) for t in items], "count": count}


@router.post(
    "/trunks",
    response={201: TrunkOut, **_errors(403, 404, 422)},
    summary="Add a SIP trunk (operators)",
)
def trunk_create(request: HttpRequest, payload: TrunkIn) -> Any:
    data = payload.model_dump()
    data["register"] = data.pop("registration")
    trunk = services.trunk_create(actor=actor_of(request), **data)
    return Status(201, trunk_out(trunk))


@router.get(
    "/trunks/{trunk_id}",
    response={200: TrunkOut, **_errors(404)},
    summary="One SIP trunk (operators)",
)
def trunk_get(request: HttpRequest, trunk_id: int) -> Any:
    """The trunk (never its password: ``password_set`` says whether one is stored)."""
    return trunk_out(selectors.trunk_get(actor=actor_of(request), trunk_id=trunk_id))


@router.patch(
    "/trunks/{trunk_id}",
    response={200: TrunkOut, **_errors(403, 404, 422)},
    summary="Change a SIP trunk (operators)",
)
def trunk_update(request: HttpRequest, trunk_id: int, payload: TrunkPatch) -> Any:
    """Change the fields given (omitted: unchanged; an omitted or empty password keeps the
    stored one)."""
    actor = actor_of(request)
    trunk = selectors.trunk_get(actor=actor, trunk_id=trunk_id)
    data = payload.model_dump(exclude_unset=True)
    if "registration" in data:
        data["register"] = data.pop("registration")
    trunk = services.trunk_update(actor=actor, trunk=trunk, **data)
    return trunk_out(trunk)


@router.delete(
    "/trunks/{trunk_id}",
    response={204: None, **_errors(403, 404)},
    summary="Delete a SIP trunk (operators)",
)
def trunk_delete(request: HttpRequest, trunk_id: int) -> Any:
    actor = actor_of(request)
    services.trunk_delete(actor=actor, trunk=selectors.trunk_get(actor=actor, trunk_id=trunk_id))
    return Status(204, None)
