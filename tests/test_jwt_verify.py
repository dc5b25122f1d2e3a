"""Our HS256 verification against PyJWT's: the same verdict on generated tokens, stricter where documented.

`verify_hs256` checks Jira's tokens itself (it runs on every request); PyJWT remains the reference
for what a correct verifier accepts. Times are generated well away from the leeway's edges, so the
two clocks (ours is pinned, PyJWT reads its own) cannot disagree.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from addon.connect.jwt import TokenError, verify_hs256

SECRET = "s" * 40
OTHER_SECRET = "o" * 40
LEEWAY = 30
REQUIRED = ["exp", "iat", "iss", "qsh"]

# Seconds from now, none within 3 s of 0 or of the leeway on either side.
OFFSETS = st.sampled_from([-86400, -300, -35, -35, -27, -27, -10, 10, 27, 27, 35, 35, 300, 86400])
TIME_VALUES = st.one_of(OFFSETS.map(lambda d: ("int", d)), OFFSETS.map(lambda d: ("float", d + 0.5)))


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def make_token(header: dict, claims: dict, secret: str) -> str:
    signing_input = b64(json.dumps(header).encode()) + "." + b64(json.dumps(claims).encode())
    if header.get("alg") == "HS512":
        digest = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha512).digest()
    else:
        digest = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(digest)


# Hypothesis favours the ends of an integer range; a sampled list spreads its draws more evenly.
RARELY = st.sampled_from([False] * 7 + [True])


def rarely(draw) -> bool:
    return draw(RARELY)


@st.composite
def tokens(draw):
    """Mostly good tokens, each with a few independent, rare defects, so both verdicts are common."""
    now = int(time.time())
    claims: dict = {}
    for name, usual in (("exp", 120), ("iat", 0), ("nbf", -5)):
        if name in ("exp", "iat") and rarely(draw):
            continue  # missing
        if name in ("exp", "iat") or draw(st.booleans()):
            kind, offset = draw(TIME_VALUES) if draw(st.sampled_from([False, False, True])) else ("int", usual)
            claims[name] = now + offset if kind == "int" else float(now) + offset
    for name in ("iss", "qsh"):
        if not rarely(draw):
            claims[name] = draw(st.text(min_size=1, max_size=20))
    for name in ("sub", "jti"):
        if draw(st.booleans()):
            claims[name] = draw(st.integers(-5, 5)) if rarely(draw) else draw(st.text(max_size=20))
    if rarely(draw):
        claims["aud"] = draw(st.sampled_from(["x", ["x", "y"]]))
    alg = draw(st.sampled_from(["HS512", "RS256", "none"])) if rarely(draw) else "HS256"
    header = {"alg": alg, "typ": "JWT"}
    if draw(st.booleans()):
        header["kid"] = "k1"
    secret = OTHER_SECRET if rarely(draw) else SECRET
    token = make_token(header, claims, secret)
    if rarely(draw):  # a changed character in the claims
        head, body, sig = token.split(".")
        at = draw(st.integers(0, len(body) - 1))
        body = body[:at] + ("A" if body[at] != "A" else "B") + body[at + 1:]
        token = ".".join((head, body, sig))
    return token


def pyjwt_accepts(token: str) -> bool:
    try:
        jwt.decode(token, SECRET, algorithms=["HS256"], leeway=LEEWAY,
                   options={"require": REQUIRED})
    except jwt.PyJWTError:
        return False
    except (ValueError, TypeError):  # PyJWT lets some malformed input through as these
        return False
    return True


def ours_accepts(token: str) -> bool:
    try:
        claims = verify_hs256(token, SECRET, LEEWAY)
    except TokenError:
        return False
    assert isinstance(claims, dict)
    return True


@settings(max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
@given(tokens())
def test_same_verdict_as_pyjwt(token):
    assert ours_accepts(token) == pyjwt_accepts(token)


def test_generated_tokens_include_both_verdicts():
    # The differential test means little if nearly every token gets the same verdict.
    verdicts: list[bool] = []

    @settings(max_examples=300, deadline=None, database=None)
    @given(tokens())
    def collect(token):
        verdicts.append(pyjwt_accepts(token))

    collect()
    assert 0.1 < sum(verdicts) / len(verdicts) < 0.9


def claims_now(**changes):
    now = int(time.time())
    claims = {"iss": "tenant", "qsh": "q", "iat": now, "exp": now + 120}
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def header():
    return {"alg": "HS256", "typ": "JWT"}


@pytest.mark.parametrize("changes", [
    {"exp": str(int(time.time()) + 120)},  # PyJWT takes a numeric string
    {"exp": True},
    {"iat": str(int(time.time()))},
    {"nbf": [1]},
    {"exp": 1e400},  # json.dumps writes Infinity, which json.loads reads back
    {"iss": 7},
])
def test_stricter_than_pyjwt_on_claim_types(changes):
    token = make_token(header(), claims_now(**changes), SECRET)
    assert not ours_accepts(token)


@pytest.mark.parametrize("extra", [{"crit": ["exp"]}, {"b64": False}, {"jku": "https://evil.example/keys"}])
def test_header_extensions_are_refused(extra):
    token = make_token({**header(), **extra}, claims_now(), SECRET)
    assert not ours_accepts(token)


def test_signature_must_be_canonical_base64url():
    token = make_token(header(), claims_now(), SECRET)
    assert ours_accepts(token)
    head, body, sig = token.split(".")
    # The last of 43 characters carries 4 unused bits: other letters decode to the same bytes.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    same_bytes = [c for c in alphabet if c != sig[-1]
                  and base64.urlsafe_b64decode(sig[:-1] + c + "=") == base64.urlsafe_b64decode(sig + "=")]
    assert same_bytes
    assert not ours_accepts(f"{head}.{body}.{sig[:-1]}{same_bytes[0]}")
    assert not ours_accepts(f"{head}.{body}.{sig}=")
    assert not ours_accepts(f"{head}.{body}.{sig[:-1]}")
    assert not ours_accepts(f"{head}=.{body}.{sig}")


def test_expiry_and_not_before_use_the_leeway():
    now = 1_800_000_000
    token = make_token(header(), {"iss": "t", "qsh": "q", "exp": now, "nbf": now + 20, "iat": now - 60}, SECRET)
    assert verify_hs256(token, SECRET, LEEWAY, now=now + LEEWAY - 1)["iss"] == "t"
    with pytest.raises(TokenError, match="expired"):
        verify_hs256(token, SECRET, LEEWAY, now=now + LEEWAY)
    with pytest.raises(TokenError, match="not valid yet"):
        verify_hs256(token, SECRET, LEEWAY, now=now - 11)


def test_missing_required_claim_is_named():
    token = make_token(header(), claims_now(qsh=None), SECRET)
    with pytest.raises(TokenError, match="'qsh'"):
        verify_hs256(token, SECRET, LEEWAY)


def test_wrong_secret_and_other_algorithms():
    claims = claims_now()
    assert not ours_accepts(make_token(header(), claims, OTHER_SECRET))
    assert not ours_accepts(make_token({"alg": "HS512", "typ": "JWT"}, claims, SECRET))
    unsigned = b64(b'{"alg":"none"}') + "." + b64(json.dumps(claims).encode()) + "."
    assert not ours_accepts(unsigned)


def noncanonical(segment: str) -> str:
    """Another spelling of the same bytes: the last character with its unused bits set."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    assert len(segment) % 4 in (2, 3)
    for c in alphabet:
        other = segment[:-1] + c
        if c != segment[-1] and base64.urlsafe_b64decode(other + "=" * (-len(other) % 4)) == \
                base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)):
            return other
    raise AssertionError("no other spelling")


def sign_segments(head: str, body: str, secret: str = SECRET) -> str:
    signing_input = f"{head}.{body}"
    return signing_input + "." + b64(hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest())


@pytest.mark.parametrize("pad", ["", "x", "xy"])
def test_claims_segment_must_be_canonical_base64url(pad):
    # Signed over the non-canonical spelling, so only the encoding check can refuse it.
    claims = claims_now(pad=pad)
    head = b64(json.dumps(header()).encode())
    body = b64(json.dumps(claims).encode())
    if len(body) % 4 == 0:
        claims["pad"] += "z"
        body = b64(json.dumps(claims).encode())
    assert ours_accepts(sign_segments(head, body)) and pyjwt_accepts(sign_segments(head, body))
    token = sign_segments(head, noncanonical(body))
    assert not pyjwt_accepts(token)
    assert not ours_accepts(token)


def test_header_segment_must_be_canonical_base64url():
    head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "k": ""}).encode())
    if len(head) % 4 == 0:
        head = b64(json.dumps({"alg": "HS256", "typ": "JWT", "k": "a"}).encode())
    body = b64(json.dumps(claims_now()).encode())
    assert ours_accepts(sign_segments(head, body))
    token = sign_segments(noncanonical(head), body)
    assert not pyjwt_accepts(token)
    assert not ours_accepts(token)


def test_iat_is_required():
    token = make_token(header(), claims_now(iat=None), SECRET)
    assert not pyjwt_accepts(token)
    with pytest.raises(TokenError, match="'iat'"):
        verify_hs256(token, SECRET, LEEWAY)


@pytest.mark.parametrize("aud", ["other-app", ["other-app"], "", [], None, 7, [7]])
def test_audience_of_another_app_is_refused(aud):
    token = make_token(header(), {**claims_now(), "aud": aud}, SECRET)
    with pytest.raises(TokenError):
        verify_hs256(token, SECRET, LEEWAY)
    with pytest.raises(TokenError):
        verify_hs256(token, SECRET, LEEWAY, audiences=("jira-user-skills",))


def test_audience_refused_as_pyjwt_refuses_it_when_none_is_expected():
    token = make_token(header(), {**claims_now(), "aud": "jira-user-skills"}, SECRET)
    assert not pyjwt_accepts(token)
    assert not ours_accepts(token)


@pytest.mark.parametrize("aud", ["jira-user-skills", ["other-app", "jira-user-skills"]])
def test_audience_naming_this_app_is_accepted_when_expected(aud):
    token = make_token(header(), {**claims_now(), "aud": aud}, SECRET)
    assert verify_hs256(token, SECRET, LEEWAY, audiences=("jira-user-skills",))["iss"] == "tenant"
    jwt.decode(token, SECRET, algorithms=["HS256"], audience="jira-user-skills", options={"require": REQUIRED})
