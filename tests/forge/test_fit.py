"""FIT verification as plain functions: what Forge signs is accepted, every other token is refused."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from addon.forge import fit
from addon.forge.fit import FitRefused, Invocation

from .conftest import APP_ARI, APP_UUID, fit_claims, sign_fit

KID = "fit-test-key"
PRIVATE = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER = rsa.generate_private_key(public_exponent=65537, key_size=2048)
CLOUD = "c821c30c-a2ad-47d7-b742-9fed48cfd6b9"
INSTALLATION = "ari:cloud:ecosystem::installation/" + str(uuid.uuid4())
API_BASE = f"https://api.atlassian.com/ex/jira/{CLOUD}"


def key_for(kid: str) -> Any:
    if kid != KID:
        raise FitRefused("The token names a signing key Forge does not publish.")
    return PRIVATE.public_key()


def claims(principal: Any = "user-1", **overrides: Any) -> dict[str, Any]:
    return fit_claims(INSTALLATION, API_BASE, CLOUD, principal, **overrides)


def check(token: str, app_id: str = APP_UUID, require_principal: bool = True, **kwargs: Any) -> Invocation:
    return fit.verify(token, key_for, app_id, 30, require_principal=require_principal, **kwargs)


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_a_fit_forge_signed_gives_its_invocation() -> None:
    token = sign_fit(claims(), PRIVATE, KID)
    invocation = check(token)
    assert invocation.installation_id == INSTALLATION
    assert invocation.api_base_url == API_BASE
    assert invocation.cloud_id == CLOUD
    assert invocation.principal == "user-1"
    assert invocation.app_id == APP_ARI
    assert invocation.module_key == "skills-page"
    assert token not in repr(invocation) and token.split(".")[2] not in repr(invocation)


@pytest.mark.parametrize("setting", [APP_UUID, APP_ARI, f"  {APP_ARI} "])
def test_the_app_id_setting_works_with_or_without_its_ari_prefix(setting: str) -> None:
    assert check(sign_fit(claims(), PRIVATE, KID), app_id=setting).app_id == APP_ARI


def test_the_cloud_id_comes_from_the_api_base_url_when_the_context_has_none() -> None:
    token = sign_fit(fit_claims(INSTALLATION, API_BASE, None, None), PRIVATE, KID)
    invocation = check(token, require_principal=False)
    assert invocation.cloud_id == CLOUD and invocation.principal is None


def test_a_principal_object_gives_its_account_id() -> None:
    token = sign_fit(claims(principal={"accountId": "user-9"}), PRIVATE, KID)
    assert check(token).principal == "user-9"


def test_expiry_has_thirty_seconds_of_leeway() -> None:
    assert check(sign_fit(claims(exp_in=-10), PRIVATE, KID)).principal == "user-1"
    with pytest.raises(FitRefused, match="expired"):
        check(sign_fit(claims(exp_in=-31), PRIVATE, KID))


def hs256_with_public_key(payload: dict[str, Any]) -> str:
    """The RS/HS confusion attack: HMAC keyed with the PEM of the public key the verifier holds."""
    pem = PRIVATE.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": KID}).encode()) + "." + b64(json.dumps(payload).encode())
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(signature)


def unsigned(payload: dict[str, Any]) -> str:
    return b64(json.dumps({"alg": "none", "kid": KID}).encode()) + "." + b64(json.dumps(payload).encode()) + "."


def without(name: str) -> dict[str, Any]:
    payload = claims()
    del payload[name]
    return payload


def without_app(name: str) -> dict[str, Any]:
    payload = claims()
    del payload["app"][name]
    return payload


REFUSED: dict[str, Any] = {
    "another aud": lambda: sign_fit(claims(audience="ari:cloud:ecosystem::app/" + str(uuid.uuid4())), PRIVATE, KID),
    "another iss": lambda: sign_fit(claims(iss="forge/other-token"), PRIVATE, KID),
    "no iss": lambda: sign_fit(without("iss"), PRIVATE, KID),
    "no aud": lambda: sign_fit(without("aud"), PRIVATE, KID),
    "no exp": lambda: sign_fit(without("exp"), PRIVATE, KID),
    "alg none": lambda: unsigned(claims()),
    "HS256 with a shared secret": lambda: sign_fit(claims(), "a-shared-secret-of-enough-length-000", KID, "HS256"),
    "HS256 keyed with the public key": lambda: hs256_with_public_key(claims()),
    "RS512": lambda: sign_fit(claims(), PRIVATE, KID, "RS512"),
    "unknown kid": lambda: sign_fit(claims(), PRIVATE, "fit-unknown"),
    "no kid": lambda: sign_fit(claims(), PRIVATE, None),
    "kid with a path": lambda: sign_fit(claims(), PRIVATE, "../../etc/passwd"),
    "another key, our kid": lambda: sign_fit(claims(), OTHER, KID),
    "expired": lambda: sign_fit(claims(exp_in=-3600), PRIVATE, KID),
    "not yet valid": lambda: sign_fit(claims(nbf=int(time.time()) + 3600), PRIVATE, KID),
    "no principal": lambda: sign_fit(without("principal"), PRIVATE, KID),
    "empty principal": lambda: sign_fit(claims(principal=""), PRIVATE, KID),
    "principal not a string": lambda: sign_fit(claims(principal=42), PRIVATE, KID),
    "no installationId": lambda: sign_fit(without_app("installationId"), PRIVATE, KID),
    "empty installationId": lambda: sign_fit(claims(app={**claims()["app"], "installationId": " "}), PRIVATE, KID),
    "no apiBaseUrl": lambda: sign_fit(without_app("apiBaseUrl"), PRIVATE, KID),
    "http apiBaseUrl": lambda: sign_fit(claims(app={**claims()["app"], "apiBaseUrl": "http://api.atlassian.com/ex/jira/" + CLOUD}), PRIVATE, KID),
    "apiBaseUrl with credentials": lambda: sign_fit(claims(app={**claims()["app"], "apiBaseUrl": "https://u:p@evil.test/"}), PRIVATE, KID),
    "no app": lambda: sign_fit(without("app"), PRIVATE, KID),
    "another app.id": lambda: sign_fit(claims(app={**claims()["app"], "id": "ari:cloud:ecosystem::app/other"}), PRIVATE, KID),
    "cloudId of another site": lambda: sign_fit(claims(context={"cloudId": str(uuid.uuid4())}), PRIVATE, KID),
    "crit header": lambda: jwt.encode(claims(), PRIVATE, algorithm="RS256", headers={"kid": KID, "crit": ["exp"]}),
    "jku header": lambda: jwt.encode(claims(), PRIVATE, algorithm="RS256", headers={"kid": KID, "jku": "https://evil.test/jwks"}),
    "not a JWT": lambda: "jus_abcdef",
    "garbage segments": lambda: "a.b.c",
    "too long": lambda: sign_fit(claims(padding="x" * 20_000), PRIVATE, KID),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_refused(case: str) -> None:
    token = REFUSED[case]()
    with pytest.raises(FitRefused) as refused:
        check(token)
    assert token not in str(refused.value)


def test_the_front_is_off_without_an_app_id() -> None:
    with pytest.raises(FitRefused, match="FORGE_APP_ID"):
        check(sign_fit(claims(), PRIVATE, KID), app_id="")


def test_loopback_http_api_base_url_only_when_allowed() -> None:
    token = sign_fit(claims(app={**claims()["app"], "apiBaseUrl": f"http://127.0.0.1:1/ex/jira/{CLOUD}"}), PRIVATE, KID)
    with pytest.raises(FitRefused, match="https"):
        check(token)
    assert check(token, allow_http=True).api_base_url == f"http://127.0.0.1:1/ex/jira/{CLOUD}"


def test_looks_like_jwt_keeps_api_tokens_and_fits_apart() -> None:
    assert fit.looks_like_jwt(sign_fit(claims(), PRIVATE, KID))
    assert fit.looks_like_jwt(unsigned(claims()))  # still a JWT: the FIT check refuses it
    for token in ("jus_" + "a" * 43, "jus_a.b.c", "", "a.b", "e30.e30.e30", "x" * 20_000):
        assert not fit.looks_like_jwt(token), token


def test_site_ari_of_a_lifecycle_event() -> None:
    assert fit.cloud_id_of_site_ari(f"ari:cloud:jira::site/{CLOUD}") == CLOUD
    assert fit.cloud_id_of_site_ari("ari:cloud:jira::site/../x") is None
    assert fit.cloud_id_of_site_ari(None) is None


# ------------------------------------------------------------------------------------------------
# The RS256 check is written out (it runs on every Forge call): it must refuse all PyJWT refuses.

def pyjwt_accepts(token: str, now: float) -> bool:
    try:
        jwt.decode(token, PRIVATE.public_key(), algorithms=["RS256"], audience=APP_ARI, issuer=fit.ISSUER,
                   leeway=30, options={"require": ["exp", "iss", "aud"]})
    except jwt.PyJWTError:
        return False
    return True


def ours_accepts(token: str, now: float) -> bool:
    try:
        fit.verify_rs256(token, PRIVATE.public_key(), APP_ARI, 30, now=now)
    except FitRefused:
        return False
    return True


def generated_tokens() -> list[str]:
    import random
    rng = random.Random(11)
    now = int(time.time())
    tokens = []
    for n in range(300):
        payload: dict[str, Any] = {"iss": fit.ISSUER, "aud": APP_ARI, "exp": now + 300}
        choice = rng.randrange(12)
        if choice == 0:
            # Well inside or outside the leeway: PyJWT reads its own clock, later than ours.
            payload["exp"] = now - rng.choice([0, 10, 3600])
        elif choice == 1:
            payload["nbf"] = now + rng.choice([0, 10, 3600])
        elif choice == 2:
            payload["iat"] = now + rng.choice([0, 10, 3600])
        elif choice == 3:
            payload["aud"] = rng.choice([[APP_ARI], ["other", APP_ARI], ["other"], "other", APP_ARI + "x"])
        elif choice == 4:
            payload["iss"] = rng.choice(["forge/invocation-tokens", "", "Forge/invocation-token"])
        elif choice == 5:
            del payload[rng.choice(["exp", "iss", "aud"])]
        elif choice == 6:
            payload["exp"] = rng.choice([now + 300.5, now - 300.5])
        token = jwt.encode(payload, PRIVATE, algorithm="RS256", headers={"kid": KID})
        if choice == 7:  # a changed payload under the old signature
            head, _, sig = token.split(".")
            token = head + "." + b64(json.dumps({**payload, "aud": APP_ARI, "x": n}).encode()) + "." + sig
        elif choice == 8:  # a flipped signature byte
            head, body, sig = token.split(".")
            raw = bytearray(base64.urlsafe_b64decode(sig + "=" * (-len(sig) % 4)))
            raw[rng.randrange(len(raw))] ^= 1 << rng.randrange(8)
            token = head + "." + body + "." + b64(bytes(raw))
        elif choice == 9:  # signed by another key
            token = jwt.encode(payload, OTHER, algorithm="RS256", headers={"kid": KID})
        tokens.append(token)
    return tokens


def test_the_written_out_rs256_check_refuses_whatever_pyjwt_refuses() -> None:
    now = time.time()
    accepted = 0
    for token in generated_tokens():
        ours, theirs = ours_accepts(token, now), pyjwt_accepts(token, now)
        # Ours may be stricter (non-canonical encodings, string times), never more lenient.
        assert not ours or theirs, token
        assert ours == theirs, token  # on these tokens, where neither is at its edge, they agree
        accepted += ours
    assert 50 < accepted < 250  # both outcomes were exercised


@pytest.mark.parametrize(("claim", "offset", "accepted"), [
    ("exp", -29, True), ("exp", -30, False), ("exp", -31, False),
    ("nbf", 30, True), ("nbf", 31, False), ("iat", 30, True), ("iat", 31, False)])
def test_the_leeway_edges(claim: str, offset: int, accepted: bool) -> None:
    now = 1_800_000_000
    payload: dict[str, Any] = {"iss": fit.ISSUER, "aud": APP_ARI, "exp": now + 300, claim: now + offset}
    token = jwt.encode(payload, PRIVATE, algorithm="RS256", headers={"kid": KID})
    assert ours_accepts(token, now) is accepted


@pytest.mark.parametrize("mutate", ["padding", "non-canonical last char", "string exp", "bool exp", "aud of numbers"])
def test_the_written_out_check_is_stricter_than_pyjwt_where_it_is_lenient(mutate: str) -> None:
    now = int(time.time())
    payload: dict[str, Any] = {"iss": fit.ISSUER, "aud": APP_ARI, "exp": now + 300}
    if mutate == "string exp":
        payload["exp"] = str(now + 300)
    elif mutate == "bool exp":
        payload["exp"] = True
    elif mutate == "aud of numbers":
        payload["aud"] = [APP_ARI, 5]
    token = jwt.encode(payload, PRIVATE, algorithm="RS256", headers={"kid": KID})
    head, body, sig = token.split(".")
    if mutate == "padding":
        token = f"{head}.{body}.{sig}=="
    elif mutate == "non-canonical last char":
        # The last base64 character carries unused bits; another value of them decodes the same.
        alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        last = alphabet.index(sig[-1])
        token = f"{head}.{body}.{sig[:-1]}{alphabet[last ^ 1]}"
    with pytest.raises(FitRefused):
        fit.verify_rs256(token, PRIVATE.public_key(), APP_ARI, 30)


def event_claims(**overrides: Any) -> dict[str, Any]:
    """A FIT as Forge mints it for its own invocation of a remote (an event): no principal, no context."""
    return fit_claims(INSTALLATION, API_BASE, None, None, **overrides)


def test_an_events_fit_is_one_forge_minted_for_itself() -> None:
    invocation = check(sign_fit(event_claims(issued_at=1_700_000_000, exp_in=10**10), PRIVATE, KID), event=True)
    assert invocation.principal is None and invocation.issued_at == 1_700_000_000
    # A page's call (invokeRemote may name any path of the remote) carries a user, a page, or both.
    for page_call in (claims(), claims(principal=None), fit_claims(INSTALLATION, API_BASE, None, "user-1")):
        with pytest.raises(FitRefused, match="'principal' or 'context'"):
            check(sign_fit(page_call, PRIVATE, KID), event=True)
    untimed = event_claims()
    del untimed["iat"], untimed["nbf"]
    with pytest.raises(FitRefused, match="cannot be ordered"):
        check(sign_fit(untimed, PRIVATE, KID), event=True)
    assert check(sign_fit(untimed, PRIVATE, KID), require_principal=False).issued_at is None


def test_an_events_time_is_its_iat_else_its_nbf() -> None:
    only_nbf = event_claims(issued_at=1_700_000_100, exp_in=10**10)
    del only_nbf["iat"]
    assert check(sign_fit(only_nbf, PRIVATE, KID), event=True).issued_at == 1_700_000_100


@pytest.mark.parametrize("wanted, minted, served", [
    ("", "DEVELOPMENT", True), ("PRODUCTION", "PRODUCTION", True), ("PRODUCTION", "production", True),
    ("PRODUCTION", "DEVELOPMENT", False), ("STAGING", "PRODUCTION", False), ("PRODUCTION", None, False),
])
def test_only_the_configured_forge_environment_is_served(wanted: str, minted: str | None, served: bool) -> None:
    token_claims = claims()
    if minted is None:
        del token_claims["app"]["environment"]
    else:
        token_claims["app"]["environment"]["type"] = minted
    token = sign_fit(token_claims, PRIVATE, KID)
    if served:
        assert check(token, environment=wanted).environment_type == minted
    else:
        with pytest.raises(FitRefused, match="environment"):
            check(token, environment=wanted)
