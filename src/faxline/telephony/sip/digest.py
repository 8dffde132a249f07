"""HTTP digest authentication as SIP uses it (RFC 2617, RFC 8760 for SHA-256).

A carrier answers a REGISTER or an INVITE with ``401`` (``WWW-Authenticate``, answered by
``Authorization``) or ``407`` (``Proxy-Authenticate``, answered by
``Proxy-Authorization``); :func:`authorization` writes the answer to a challenge. When a
response carries several challenges (RFC 8760 lets a server offer SHA-256 and MD5 at once),
:func:`best_challenge` picks the strongest we can do.

:class:`DigestChecker` is the server side, small and strict, for a test registrar or proxy.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass

from faxline.telephony.sip.message import quote, split_outside, unquote

ALGORITHMS = {
    "MD5": hashlib.md5,
    "MD5-SESS": hashlib.md5,
    "SHA-256": hashlib.sha256,
    "SHA-256-SESS": hashlib.sha256,
}
_STRENGTH = {"SHA-256": 3, "SHA-256-SESS": 3, "MD5": 1, "MD5-SESS": 1}


class DigestError(ValueError):
    """A challenge we cannot answer (unknown scheme or algorithm, no nonce)."""


@dataclass(frozen=True)
class Challenge:
    realm: str
    nonce: str
    algorithm: str = "MD5"
    qop: tuple[str, ...] = ()
    opaque: str | None = None
    stale: bool = False

    @classmethod
    def parse(cls, header: str) -> Challenge:
        scheme, _, rest = header.strip().partition(" ")
        if scheme.lower() != "digest":
            raise DigestError(f"not a digest challenge: {scheme!r}")
        params = parse_auth_params(rest)
        if "nonce" not in params:
            raise DigestError("challenge without a nonce")
        algorithm = params.get("algorithm", "MD5").upper()
        if algorithm not in ALGORITHMS:
            raise DigestError(f"unsupported algorithm {algorithm}")
        qop = tuple(q.strip().lower() for q in params.get("qop", "").split(",") if q.strip())
        return cls(
            realm=params.get("realm", ""),
            nonce=params["nonce"],
            algorithm=algorithm,
            qop=qop,
            opaque=params.get("opaque"),
            stale=params.get("stale", "").lower() == "true",
        )


def parse_auth_params(text: str) -> dict[str, str]:
    """``a="x", b=y`` as a dict (names lowered, values unquoted)."""
    params: dict[str, str] = {}
    for part in split_outside(text, ","):
        name, eq, value = part.strip().partition("=")
        if eq and name.strip():
            params[name.strip().lower()] = unquote(value)
    return params


def best_challenge(headers: list[str]) -> Challenge:
    """The strongest challenge we can answer among ``headers``."""
    usable: list[Challenge] = []
    for header in headers:
        try:
            usable.append(Challenge.parse(header))
        except DigestError:
            continue
    if not usable:
        raise DigestError("no usable digest challenge")
    return max(usable, key=lambda c: _STRENGTH[c.algorithm])


def _hash(algorithm: str, text: str) -> str:
    return ALGORITHMS[algorithm](text.encode("utf-8")).hexdigest()


def digest_response(
    *,
    algorithm: str,
    username: str,
    realm: str,
    password: str,
    method: str,
    uri: str,
    nonce: str,
    qop: str | None = None,
    nc: str = "00000001",
    cnonce: str = "",
    body: bytes = b"",
) -> str:
    """The ``response`` value (RFC 2617 3.2.2.1, with RFC 8760's SHA-256)."""
    algorithm = algorithm.upper()
    ha1 = _hash(algorithm, f"{username}:{realm}:{password}")
    if algorithm.endswith("-SESS"):
        ha1 = _hash(algorithm, f"{ha1}:{nonce}:{cnonce}")
    a2 = f"{method}:{uri}"
    if qop == "auth-int":
        a2 += ":" + ALGORITHMS[algorithm](body).hexdigest()
    ha2 = _hash(algorithm, a2)
    if qop:
        return _hash(algorithm, f"{ha1}:{nonce}:{nc}:{cnonce}:{qop}:{ha2}")
    return _hash(algorithm, f"{ha1}:{nonce}:{ha2}")


def authorization(
    challenge: Challenge,
    *,
    method: str,
    uri: str,
    username: str,
    password: str,
    nc: int = 1,
    cnonce: str | None = None,
    body: bytes = b"",
) -> str:
    """The ``Authorization`` / ``Proxy-Authorization`` value answering ``challenge``."""
    qop: str | None = None
    if "auth" in challenge.qop:
        qop = "auth"
    elif "auth-int" in challenge.qop:
        qop = "auth-int"
    cnonce = cnonce or secrets.token_hex(8)
    nc_text = f"{nc:08x}"
    response = digest_response(
        algorithm=challenge.algorithm,
        username=username,
        realm=challenge.realm,
        password=password,
        method=method,
        uri=uri,
        nonce=challenge.nonce,
        qop=qop,
        nc=nc_text,
        cnonce=cnonce,
        body=body,
    )
    parts = [
        f"username={quote(username)}",
        f"realm={quote(challenge.realm)}",
        f"nonce={quote(challenge.nonce)}",
        f"uri={quote(uri)}",
        f"response={quote(response)}",
        f"algorithm={challenge.algorithm}",
    ]
    if challenge.opaque is not None:
        parts.append(f"opaque={quote(challenge.opaque)}")
    if qop:
        parts += [f"qop={qop}", f"nc={nc_text}", f"cnonce={quote(cnonce)}"]
    return "Digest " + ", ".join(parts)


class DigestChecker:
    """Server side: issue challenges and check the answers (for tests: a registrar, a proxy).

    Nonces are ours (random, remembered for ``nonce_seconds``); a known user with a right
    response passes; an expired nonce asks again with ``stale=true``.
    """

    def __init__(
        self,
        realm: str,
        users: Mapping[str, str],
        *,
        algorithm: str = "MD5",
        qop: str | None = "auth",
        nonce_seconds: float = 300.0,
    ):
        self.realm = realm
        self.users = dict(users)
        self.algorithm = algorithm.upper()
        self.qop = qop
        self.nonce_seconds = nonce_seconds
        self._nonces: dict[str, float] = {}
        self.opaque = secrets.token_hex(8)

    def challenge(self, *, stale: bool = False) -> str:
        nonce = secrets.token_hex(16)
        now = time.monotonic()
        self._nonces = {n: t for n, t in self._nonces.items() if now - t < self.nonce_seconds}
        self._nonces[nonce] = now
        parts = [
            f"realm={quote(self.realm)}",
            f"nonce={quote(nonce)}",
            f"opaque={quote(self.opaque)}",
            f"algorithm={self.algorithm}",
        ]
        if self.qop:
            parts.append(f"qop={quote(self.qop)}")
        if stale:
            parts.append("stale=true")
        return "Digest " + ", ".join(parts)

    def check(self, header: str | None, *, method: str, body: bytes = b"") -> bool | str:
        """True when ``header`` answers one of our challenges for a known user; "stale"
        when it used a nonce we no longer know but was otherwise well formed; else False."""
        if not header:
            return False
        scheme, _, rest = header.strip().partition(" ")
        if scheme.lower() != "digest":
            return False
        params = parse_auth_params(rest)
        username = params.get("username", "")
        if username not in self.users or params.get("realm") != self.realm:
            return False
        nonce = params.get("nonce", "")
        algorithm = params.get("algorithm", "MD5").upper()
        if algorithm != self.algorithm:
            return False
        qop = params.get("qop")
        if (qop or None) != (self.qop or None):
            return False
        expected = digest_response(
            algorithm=algorithm,
            username=username,
            realm=self.realm,
            password=self.users[username],
            method=method,
            uri=params.get("uri", ""),
            nonce=nonce,
            qop=qop,
            nc=params.get("nc", ""),
            cnonce=params.get("cnonce", ""),
            body=body,
        )
        if not hmac.compare_digest(expected, params.get("response", "")):
            return False
        issued = self._nonces.get(nonce)
        if issued is None or time.monotonic() - issued >= self.nonce_seconds:
            return "stale"
        return True
