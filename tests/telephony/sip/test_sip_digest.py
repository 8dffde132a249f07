"""Digest authentication: the RFC example vectors, challenge choice, the server checker."""

from __future__ import annotations

import pytest

from faxline.telephony.sip.digest import (
    Challenge,
    DigestChecker,
    DigestError,
    authorization,
    best_challenge,
    digest_response,
    parse_auth_params,
)

pytestmark = pytest.mark.database_independent


def test_rfc2617_example() -> None:
    # RFC 2617 section 3.5
    assert (
        digest_response(
            algorithm="MD5",
            username="Mufasa",
            realm="testrealm@host.com",
            password="Circle Of Life",
            method="GET",
            uri="/dir/index.html",
            nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093",
            qop="auth",
            nc="00000001",
            cnonce="0a4f113b",
        )
        == "6629fae49393a05397450978507c4ef1"
    )


@pytest.mark.parametrize(
    ("algorithm", "expected"),
    [
        ("MD5", "8ca523f5e9506fed4657c9700eebdbec"),
        ("SHA-256", "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1"),
    ],
)
def test_rfc7616_examples(algorithm: str, expected: str) -> None:
    # RFC 7616 section 3.9.1 (RFC 8760 brings SHA-256 to SIP)
    assert (
        digest_response(
            algorithm=algorithm,
            username="Mufasa",
            realm="http-auth@example.org",
            password="Circle of Life",
            method="GET",
            uri="/dir/index.html",
            nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
            qop="auth",
            nc="00000001",
            cnonce="f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ",
        )
        == expected
    )


def test_rfc2069_without_qop_and_md5_sess() -> None:
    without = digest_response(
        algorithm="MD5",
        username="u",
        realm="r",
        password="p",
        method="INVITE",
        uri="sip:a@b",
        nonce="n",
    )
    import hashlib

    def md5(text: str) -> str:
        return hashlib.md5(text.encode()).hexdigest()

    assert without == md5(f"{md5('u:r:p')}:n:{md5('INVITE:sip:a@b')}")
    sess = digest_response(
        algorithm="MD5-sess",
        username="u",
        realm="r",
        password="p",
        method="INVITE",
        uri="sip:a@b",
        nonce="n",
        qop="auth",
        cnonce="c",
    )
    ha1 = md5(f"{md5('u:r:p')}:n:c")
    assert sess == md5(f"{ha1}:n:00000001:c:auth:{md5('INVITE:sip:a@b')}")


def test_authorization_header_answers_the_challenge() -> None:
    challenge = Challenge.parse(
        'Digest realm="sip.example.com", nonce="abc,def", opaque="op", qop="auth,auth-int", '
        "algorithm=MD5"
    )
    assert challenge.qop == ("auth", "auth-int") and challenge.nonce == "abc,def"
    value = authorization(
        challenge,
        method="INVITE",
        uri="sip:+1@sip.example.com",
        username="trunk1",
        password="s3cret",
        cnonce="cn",
    )
    params = parse_auth_params(value.removeprefix("Digest "))
    assert params["username"] == "trunk1" and params["realm"] == "sip.example.com"
    assert params["nonce"] == "abc,def" and params["opaque"] == "op"
    assert params["qop"] == "auth" and params["nc"] == "00000001" and params["cnonce"] == "cn"
    assert params["response"] == digest_response(
        algorithm="MD5",
        username="trunk1",
        realm="sip.example.com",
        password="s3cret",
        method="INVITE",
        uri="sip:+1@sip.example.com",
        nonce="abc,def",
        qop="auth",
        cnonce="cn",
    )


def test_strongest_challenge_is_chosen() -> None:
    chosen = best_challenge(
        [
            'Digest realm="r", nonce="1", algorithm=MD5',
            'Basic realm="r"',
            'Digest realm="r", nonce="2", algorithm=SHA-256',
            'Digest realm="r", nonce="3", algorithm=SHA-512-256',
        ]
    )
    assert chosen.algorithm == "SHA-256" and chosen.nonce == "2"
    with pytest.raises(DigestError):
        best_challenge(['Basic realm="r"', 'Digest realm="r"'])


@pytest.mark.parametrize("algorithm", ["MD5", "SHA-256"])
def test_checker_accepts_right_answers_only(algorithm: str) -> None:
    checker = DigestChecker("faxline.test", {"alice": "pw"}, algorithm=algorithm)
    challenge = Challenge.parse(checker.challenge())
    good = authorization(
        challenge, method="REGISTER", uri="sip:faxline.test", username="alice", password="pw"
    )
    assert checker.check(good, method="REGISTER") is True
    assert checker.check(good, method="INVITE") is False  # signed for another method
    wrong = authorization(
        challenge, method="REGISTER", uri="sip:faxline.test", username="alice", password="nope"
    )
    assert checker.check(wrong, method="REGISTER") is False
    stranger = authorization(
        challenge, method="REGISTER", uri="sip:faxline.test", username="mallory", password="pw"
    )
    assert checker.check(stranger, method="REGISTER") is False
    assert checker.check(None, method="REGISTER") is False
    assert checker.check("Basic YWxpY2U6cHc=", method="REGISTER") is False
    forged = Challenge(realm="faxline.test", nonce="not-ours", algorithm=algorithm, qop=("auth",))
    old = authorization(
        forged, method="REGISTER", uri="sip:faxline.test", username="alice", password="pw"
    )
    assert checker.check(old, method="REGISTER") == "stale"
