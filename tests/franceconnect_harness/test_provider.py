"""The FranceConnect stand-in does what FranceConnect v2 does, and misbehaves
exactly as asked: the portal's security tests are only worth what it is."""
import contextlib
import json
import secrets
import time
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from joserfc import jws, jwt
from joserfc.errors import ExpiredTokenError, InvalidKeyIdError
from joserfc.jwk import KeySet

from oidc_provider import ACCOUNTS, franceconnect_provider

CLIENT_ID = "portail-famille"
CLIENT_SECRET = secrets.token_urlsafe(32)
# Nothing listens there: the provider only sends the browser to these URLs.
CALLBACK = "http://127.0.0.1:9/auth/franceconnect/retour"
AFTER_LOGOUT = "http://127.0.0.1:9/auth/franceconnect/deconnecte"
SCOPE = "openid given_name family_name preferred_username email birthdate"


@pytest.fixture
def start():
    """start(alg=..., mode=...) -> a running provider with the portal registered, stopped after the test."""
    with contextlib.ExitStack() as stack:
        yield lambda **options: stack.enter_context(
            franceconnect_provider(CLIENT_ID, CLIENT_SECRET, [CALLBACK], [AFTER_LOGOUT], **options))


def authorize_url(provider, state, nonce, **overrides):
    params = {"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": CALLBACK, "scope": SCOPE,
              "acr_values": "eidas1", "state": state, "nonce": nonce, "prompt": "login consent"}
    params.update(overrides)
    return f"{provider.metadata()['authorization_endpoint']}?{urlencode(params)}"


def log_in(provider, login="jean.dupont", session=None):
    """The relying party's side of a login: (tokens, nonce, the callback's query)."""
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    callback = provider.log_in(session or requests.Session(), authorize_url(provider, state, nonce), login)
    assert callback.startswith(CALLBACK + "?")
    query = {name: values[0] for name, values in parse_qs(urlsplit(callback).query).items()}
    assert query["state"] == state
    answer = requests.post(provider.metadata()["token_endpoint"], timeout=10, data={
        "grant_type": "authorization_code", "code": query["code"], "redirect_uri": CALLBACK,
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET})
    assert answer.status_code == 200, answer.text
    return answer.json(), nonce, query


def published_keys(provider):
    return KeySet.import_key_set(requests.get(provider.metadata()["jwks_uri"], timeout=10).json())


def kids(provider):
    return {key.kid for key in published_keys(provider)}


def verified(provider, token):
    """The token's claims once its signature checks against the provider's JWKS with the run's alg."""
    return jwt.decode(token, published_keys(provider), algorithms=[provider.alg]).claims


def header_of(token):
    return jws.extract_compact(token.encode()).headers()


def unverified_claims(token):
    return json.loads(jws.extract_compact(token.encode()).payload)


def test_the_discovery_document_describes_franceconnect_v2(start):
    provider = start()
    metadata = requests.get(provider.discovery_url, timeout=10).json()

    assert metadata["issuer"] == provider.issuer == f"http://127.0.0.1:{provider.port}"
    for endpoint in ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint"):
        assert metadata[endpoint].startswith(provider.issuer + "/")
    assert metadata["acr_values_supported"] == ["eidas1"]
    assert metadata["token_endpoint_auth_methods_supported"] == ["client_secret_post"]
    assert {"RS256", "ES256"} <= set(metadata["id_token_signing_alg_values_supported"])
    assert {"RS256", "ES256"} <= set(metadata["userinfo_signing_alg_values_supported"])
    assert set(SCOPE.split()) <= set(metadata["scopes_supported"])
    assert {key.key_type for key in published_keys(provider)} == {"RSA", "EC"}


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_a_code_flow_gives_a_signed_id_token_and_a_signed_userinfo(start, alg):
    provider = start(alg=alg)
    tokens, nonce, callback = log_in(provider, "marie.martin")

    assert callback["iss"] == provider.issuer
    assert header_of(tokens["id_token"])["alg"] == alg
    id_token = verified(provider, tokens["id_token"])
    assert id_token["iss"] == provider.issuer
    assert id_token["aud"] == CLIENT_ID
    assert id_token["nonce"] == nonce
    assert id_token["acr"] == "eidas1"
    assert id_token["iat"] <= time.time() < id_token["exp"]
    assert "given_name" not in id_token, "FranceConnect gives identity claims through userinfo only"

    answer = requests.get(provider.metadata()["userinfo_endpoint"], timeout=10,
                          headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].startswith("application/jwt")
    assert header_of(answer.text)["alg"] == alg
    userinfo = verified(provider, answer.text)
    assert userinfo["iss"] == provider.issuer
    assert userinfo["aud"] == CLIENT_ID
    assert userinfo["sub"] == id_token["sub"]
    for claim in ("given_name", "family_name", "preferred_username", "email", "birthdate"):
        assert userinfo[claim] == ACCOUNTS["marie.martin"][claim]
    assert "gender" not in userinfo, "only the claims of the scopes asked for"


def test_the_subject_is_opaque_and_stable_per_login_name_across_restarts(start):
    provider = start()
    first = unverified_claims(log_in(provider, "jean.dupont")[0]["id_token"])["sub"]
    other = unverified_claims(log_in(provider, "marie.martin")[0]["id_token"])["sub"]
    provider.restart(new_keys=True)
    again = unverified_claims(log_in(provider, "jean.dupont")[0]["id_token"])["sub"]

    assert first == again != other
    assert "dupont" not in first.lower() and len(first) >= 64


def test_any_other_login_name_gets_claims_made_from_it(start):
    provider = start()
    tokens, _, _ = log_in(provider, "lea.bernard")
    userinfo = verified(provider, requests.get(provider.metadata()["userinfo_endpoint"], timeout=10,
                        headers={"Authorization": f"Bearer {tokens['access_token']}"}).text)

    assert (userinfo["given_name"], userinfo["family_name"]) == ("Lea", "BERNARD")
    assert userinfo["email"] == "lea.bernard@franceconnect.test"


@pytest.mark.parametrize("overrides", [
    {"state": "court"},
    {"nonce": "court"},
    {"nonce": ""},
    {"acr_values": "eidas2"},
])
def test_an_authorization_request_franceconnect_would_refuse_is_refused(start, overrides):
    provider = start()
    request = {"state": secrets.token_urlsafe(32), "nonce": secrets.token_urlsafe(32), **overrides}
    url = authorize_url(provider, **request)

    answer = requests.get(url, allow_redirects=False, timeout=10)

    assert answer.status_code == 400
    assert "invalid_request" in answer.text


def test_the_token_endpoint_wants_the_client_secret(start):
    provider = start()
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    callback = provider.log_in(requests.Session(), authorize_url(provider, state, nonce))
    code = parse_qs(urlsplit(callback).query)["code"][0]

    answer = requests.post(provider.metadata()["token_endpoint"], timeout=10, data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
        "client_id": CLIENT_ID, "client_secret": "pas le bon secret"})

    assert answer.status_code == 401
    assert answer.json()["error"] == "invalid_client"


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_other_key_mode_signs_the_id_token_with_a_key_the_jwks_does_not_publish(start, alg):
    provider = start(alg=alg, mode="other_key")
    tokens, nonce, _ = log_in(provider)

    assert header_of(tokens["id_token"])["kid"] not in kids(provider)
    assert header_of(tokens["id_token"])["alg"] == alg
    with pytest.raises(InvalidKeyIdError):
        verified(provider, tokens["id_token"])
    assert unverified_claims(tokens["id_token"])["nonce"] == nonce, "nothing else is wrong"


def test_expired_mode_gives_a_well_signed_id_token_whose_exp_is_past(start):
    provider = start(mode="expired")
    tokens, nonce, _ = log_in(provider)

    id_token = verified(provider, tokens["id_token"])
    assert id_token["exp"] < time.time() - 600
    assert id_token["nonce"] == nonce
    with pytest.raises(ExpiredTokenError):
        jwt.JWTClaimsRegistry(leeway=60).validate(id_token)


def test_wrong_nonce_mode_gives_a_well_signed_id_token_with_another_nonce(start):
    provider = start(mode="wrong_nonce")
    tokens, nonce, _ = log_in(provider)

    id_token = verified(provider, tokens["id_token"])
    assert id_token["nonce"] != nonce
    assert len(id_token["nonce"]) >= 32
    assert id_token["exp"] > time.time()


def test_a_restart_keeps_the_keys_unless_they_rotate(start):
    provider = start()
    before = kids(provider)
    old_kid = header_of(log_in(provider)[0]["id_token"])["kid"]

    provider.restart(mode="expired")
    assert kids(provider) == before
    assert header_of(log_in(provider)[0]["id_token"])["kid"] == old_kid

    provider.restart(mode="normal", new_keys=True)
    new_kid = header_of(log_in(provider)[0]["id_token"])["kid"]
    assert old_kid not in kids(provider)
    assert new_kid in kids(provider) and not kids(provider) & before


def test_end_session_sends_back_to_the_post_logout_uri_with_the_state(start):
    provider = start()
    browser = requests.Session()
    tokens, _, _ = log_in(provider, session=browser)
    state = secrets.token_urlsafe(32)
    end_session = provider.metadata()["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": tokens["id_token"], "state": state, "post_logout_redirect_uri": AFTER_LOGOUT})

    page = browser.get(end_session, timeout=10)
    assert "document.forms[0].submit()" in page.text, "a browser is not asked to confirm"
    back = provider.log_out(browser, end_session)

    assert back == f"{AFTER_LOGOUT}?state={state}"
    again = browser.get(authorize_url(provider, secrets.token_urlsafe(32), secrets.token_urlsafe(32), prompt="consent"),
                        timeout=10)
    assert 'name="login"' in again.text, "the provider's session is over"


def test_end_session_refuses_an_unregistered_post_logout_uri(start):
    provider = start()
    tokens, _, _ = log_in(provider)
    end_session = provider.metadata()["end_session_endpoint"] + "?" + urlencode({
        "id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "http://127.0.0.1:9/ailleurs"})

    answer = requests.get(end_session, allow_redirects=False, timeout=10)

    assert answer.status_code == 400
