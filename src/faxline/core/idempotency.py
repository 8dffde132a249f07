"""``Idempotency-Key`` for the API's POSTs: a retried request creates nothing new.

A client that sends ``POST`` with ``Idempotency-Key: <its own unique key>`` may send the same
request again (after a time-out, a lost connection, a crash of its own) and gets the first
answer back, status and body, with ``Idempotent-Replayed: true``; nothing runs again.

- The key is scoped to the authenticated person: another person's identical key is another
  key. Keys are 1 to 255 printable ASCII characters.
- The same key with another request (method, path, query or body) is refused with 422
  ``idempotency_key_reused``.
- While the first request with a key is still running, a second one is refused at once with
  409 ``idempotency_in_progress`` (and ``Retry-After``); retry it later to get the answer.
  Nothing waits: a waiting request would hold a worker and, on SQLite, gain nothing.
- Every answer below 500 is kept, refusals included (they are the first answer). A request
  that fails with a server error or an exception keeps nothing: the service's transaction
  was rolled back, so a retry runs again. A request whose process died mid-way leaves its
  key "in progress" until it expires: whether it created something is unknown, so faxline
  will not run it a second time under that key.
- Keys and answers are kept ``FAXLINE_IDEMPOTENCY_TTL_HOURS`` (24 by default), then swept by
  the periodic job ``idempotency_keys_expire`` (declared by ``CoreConfig``). The answer's body
  is stored encrypted.

The API applies it to every POST operation from one place (``faxline.api``) with the two
ninja decorators below: :func:`claim_or_replay` runs after authentication and input
validation, just before the operation (a request refused before it is not remembered, so
a corrected retry may use the same key), and :func:`remember_answer` stores the rendered
answer once the operation returned it.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.utils import timezone

from faxline.core.crypto import decrypt_bytes, encrypt_bytes
from faxline.core.errors import Conflict, ValidationFailed
from faxline.core.models import IdempotencyKey

log = logging.getLogger("faxline.idempotency")

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 255
METHODS = frozenset({"POST"})
# Where claim_or_replay leaves the claimed row's id for remember_answer.
_CLAIM_ATTRIBUTE = "_faxline_idempotency_claim"
_MAX_ATTEMPTS = 3


def ttl() -> timedelta:
    """How long a key and its answer are kept."""
    return timedelta(hours=settings.FAXLINE_IDEMPOTENCY_TTL_HOURS)


def key_from(raw: str) -> str:
    """The key of an ``Idempotency-Key`` header, or 422 naming the header."""
    key = raw.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not all(" " <= c <= "~" for c in key):
        raise ValidationFailed(
            f"{HEADER} must be 1 to {MAX_KEY_LENGTH} printable ASCII characters.",
            field=HEADER,
        )
    return key


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what makes two requests the same: method, path, query and body.

    JSON bodies are compared by their content (key order and spacing do not matter);
    multipart forms by their fields and files (the boundary, which differs on every send,
    does not matter)."""
    digest = hashlib.sha256()
    query = sorted((k, v) for k in request.GET for v in request.GET.getlist(k))
    head = {"method": request.method, "path": request.path, "query": query}
    digest.update(json.dumps(head, sort_keys=True).encode())
    digest.update(b"\0")
    content_type = request.content_type or ""
    if content_type.startswith("multipart/") or content_type == "application/x-www-form-urlencoded":
        fields = sorted((k, v) for k in request.POST for v in request.POST.getlist(k))
        digest.update(json.dumps(fields, sort_keys=True).encode())
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                part = hashlib.sha256()
                for chunk in upload.chunks():
                    part.update(chunk)
                upload.seek(0)
                entry = [name, upload.name, part.hexdigest()]
                digest.update(b"\0" + json.dumps(entry).encode())
        return digest.hexdigest()
    body = request.body
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"))
        digest.update(b"json\0" + canonical.encode())
    except ValueError:
        digest.update(b"raw\0" + body)
    return digest.hexdigest()


def idempotency_begin(
    *, principal: AbstractBaseUser, key: str, method: str, path: str, fingerprint: str
) -> IdempotencyKey:
    """Claim ``key`` for this request, or find the answer a first one got.

    Returns the new row (``status`` None: run the request, then
    :func:`idempotency_finish`) or the finished first one (replay its answer). Refuses with
    422 ``idempotency_key_reused`` when the key was used for another request and 409
    ``idempotency_in_progress`` while the first one still runs. Each write is its own short
    transaction, committed before the request runs, so that a concurrent twin sees it."""
    for _ in range(_MAX_ATTEMPTS):
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    principal_id=principal.pk,
                    key=key,
                    method=method,
                    path=path[:500],
                    fingerprint=fingerprint,
                    created_at=now,
                )
        except IntegrityError:
            first = IdempotencyKey.objects.filter(principal_id=principal.pk, key=key).first()
        if first is None:
            continue  # expired or abandoned meanwhile: claim it again
        if first.created_at <= now - ttl():
            IdempotencyKey.objects.filter(pk=first.pk, created_at=first.created_at).delete()
            continue
        if first.fingerprint != fingerprint:
            raise ValidationFailed(
                f"This {HEADER} was already used for another request ({first.method} "
                f"{first.path}, or another body): use a new key for a new request.",
                code="idempotency_key_reused",
                field=HEADER,
            )
        if first.status is None:
            break
        return first
    raise Conflict(
        f"A request with this {HEADER} is still running: retry in a moment to get its answer.",
        code="idempotency_in_progress",
        field=HEADER,
    )


def idempotency_finish(*, claim_id: int, response: HttpResponseBase) -> None:
    """Keep the answer of a claimed request (encrypted), for the retries to come."""
    content = response.content if isinstance(response, HttpResponse) else b""
    IdempotencyKey.objects.filter(pk=claim_id, status__isnull=True).update(
        status=response.status_code,
        content_type=response.get("Content-Type", "")[:200],
        body_encrypted=encrypt_bytes(content),
        completed_at=timezone.now(),
    )


def idempotency_abandon(*, claim_id: int) -> None:
    """Forget a claim whose request failed (server error): a retry runs it again."""
    IdempotencyKey.objects.filter(pk=claim_id, status__isnull=True).delete()


def idempotency_keys_expire() -> int:
    """Delete the keys older than the time they are kept; the periodic sweep."""
    deleted, _ = IdempotencyKey.objects.filter(created_at__lte=timezone.now() - ttl()).delete()
    return deleted


def replay(first: IdempotencyKey) -> HttpResponse:
    """The first request's answer, again."""
    assert first.status is not None
    response = HttpResponse(
        decrypt_bytes(bytes(first.body_encrypted)) if first.body_encrypted else b"",
        status=first.status,
        content_type=first.content_type or None,
    )
    response[REPLAYED_HEADER] = "true"
    return response


def _principal(request: HttpRequest) -> AbstractBaseUser | None:
    principal = getattr(request, "auth", None)
    if isinstance(principal, AbstractBaseUser) and principal.pk is not None:
        return principal
    return None


def claim_or_replay(view_func: Callable[..., Any]) -> Callable[..., Any]:
    """Ninja ``operation`` decorator (runs after authentication and validation): replay a
    finished request's answer, refuse a reused or busy key, or claim the key and run."""

    @wraps(view_func)
    def claimed(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        raw = request.headers.get(HEADER)
        principal = _principal(request)
        if request.method not in METHODS or raw is None or principal is None:
            return view_func(request, *args, **kwargs)
        try:
            first = idempotency_begin(
                principal=principal,
                key=key_from(raw),
                method=request.method,
                path=request.get_full_path(),
                fingerprint=request_fingerprint(request),
            )
        except Conflict as busy:
            refused = JsonResponse(busy.as_dict(), status=busy.status)
            refused["Retry-After"] = "1"
            return refused
        if first.status is not None:
            return replay(first)
        setattr(request, _CLAIM_ATTRIBUTE, first.pk)
        return view_func(request, *args, **kwargs)

    return claimed


def remember_answer(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Ninja ``view`` decorator (around the whole operation): keep the rendered answer of a
    claimed request, or forget the claim when the request failed."""

    @wraps(run)
    def remembering(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            response = run(request, *args, **kwargs)
        except BaseException:
            claim_id = getattr(request, _CLAIM_ATTRIBUTE, None)
            if claim_id is not None:
                idempotency_abandon(claim_id=claim_id)
            raise
        claim_id = getattr(request, _CLAIM_ATTRIBUTE, None)
        if claim_id is None:
            return response
        delattr(request, _CLAIM_ATTRIBUTE)
        if response.status_code >= 500 or not isinstance(response, HttpResponse):
            idempotency_abandon(claim_id=claim_id)
        else:
            try:
                idempotency_finish(claim_id=claim_id, response=response)
            except Exception:
                # The answer still goes out; the key stays "in progress" until it expires.
                log.exception("could not keep the answer of %s %s", request.method, request.path)
        return response

    return remembering
