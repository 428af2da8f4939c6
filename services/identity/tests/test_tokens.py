"""Mobile tokens: what the access token says, how long it lasts, how refresh tokens rotate."""
import uuid
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, InvalidClaimError
from joserfc.jwk import KeySet
from hypothesis import given
from hypothesis import strategies as st

from identity import sessions, tokens

NOW = datetime(2026, 10, 5, 8, 30, tzinfo=timezone.utc)
ACCOUNT = SimpleNamespace(id=uuid.uuid4(), role="family", household_id=uuid.uuid4(), email_verified=True)
SESSION_ID = uuid.uuid4()


@pytest.fixture(scope="module")
def key():
    return tokens.new_signing_key()


def read(token, jwk, now):
    """As the gateway checks it: signature against the published key, then iss, aud and expiry."""
    decoded = jwt.decode(token, KeySet.import_key_set({"keys": [jwk]}), algorithms=["ES256"])
    jwt.JWTClaimsRegistry(now=int(now.timestamp()), iss={"essential": True, "value": "portail-famille"},
                          aud={"essential": True, "value": "portail-famille"}).validate(decoded.claims)
    return decoded.claims


def test_an_access_token_names_the_account_its_session_and_what_the_gateway_needs(key):
    claims = tokens.access_claims(ACCOUNT, SESSION_ID, NOW)
    assert claims == {
        "iss": "portail-famille", "aud": "portail-famille", "sub": str(ACCOUNT.id), "sid": str(SESSION_ID),
        "role": "family", "hid": str(ACCOUNT.household_id), "ev": True,
        "iat": int(NOW.timestamp()), "exp": int(NOW.timestamp()) + 300, "jti": claims["jti"]}
    assert uuid.UUID(claims["jti"])


def test_an_agent_token_names_no_household():
    agent = SimpleNamespace(id=uuid.uuid4(), role="agent", household_id=None, email_verified=False)
    claims = tokens.access_claims(agent, SESSION_ID, NOW)
    assert (claims["hid"], claims["ev"], claims["role"]) == (None, False, "agent")


def test_each_access_token_has_its_own_id():
    assert len({tokens.access_claims(ACCOUNT, SESSION_ID, NOW)["jti"] for _ in range(50)}) == 50


def test_a_signed_token_verifies_with_the_published_key_for_five_minutes(key):
    kid, pem = key
    token = tokens.sign(tokens.access_claims(ACCOUNT, SESSION_ID, NOW), kid, pem)
    jwk = tokens.public_jwk(kid, pem)
    assert read(token, jwk, NOW + timedelta(seconds=299))["sub"] == str(ACCOUNT.id)
    with pytest.raises(ExpiredTokenError):
        read(token, jwk, NOW + timedelta(seconds=301))


def test_the_header_names_the_algorithm_and_the_key(key):
    kid, pem = key
    token = tokens.sign(tokens.access_claims(ACCOUNT, SESSION_ID, NOW), kid, pem)
    header = jwt.decode(token, KeySet.import_key_set({"keys": [tokens.public_jwk(kid, pem)]}),
                        algorithms=["ES256"]).header
    assert (header["alg"], header["kid"]) == ("ES256", kid)


def test_a_token_signed_by_another_key_is_refused(key):
    kid, pem = key
    _, other = tokens.new_signing_key()
    forged = tokens.sign(tokens.access_claims(ACCOUNT, SESSION_ID, NOW), kid, other)
    with pytest.raises(BadSignatureError):
        read(forged, tokens.public_jwk(kid, pem), NOW)


def test_a_token_for_another_audience_is_refused(key):
    kid, pem = key
    token = tokens.sign(dict(tokens.access_claims(ACCOUNT, SESSION_ID, NOW), aud="autre"), kid, pem)
    with pytest.raises(InvalidClaimError):
        read(token, tokens.public_jwk(kid, pem), NOW)


def test_the_published_key_is_public_and_says_how_to_use_it(key):
    kid, pem = key
    jwk = tokens.public_jwk(kid, pem)
    assert set(jwk) == {"kid", "kty", "crv", "x", "y", "alg", "use"}
    assert (jwk["kty"], jwk["crv"], jwk["alg"], jwk["use"]) == ("EC", "P-256", "ES256", "sig")
    assert "d" not in jwk and jwk["kid"] == kid


def test_each_key_has_its_own_id():
    assert tokens.new_signing_key()[0] != tokens.new_signing_key()[0]


def test_a_refresh_token_lasts_thirty_days():
    assert tokens.refresh_expiry(NOW) == NOW + timedelta(days=30)


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=60)))
def test_a_fresh_refresh_token_rotates_until_it_expires(elapsed):
    expected = tokens.ROTATE if elapsed < timedelta(days=30) else tokens.EXPIRED
    assert tokens.refresh_outcome(tokens.refresh_expiry(NOW), None, NOW + elapsed) == expected


@given(st.timedeltas(min_value=timedelta(seconds=10), max_value=timedelta(days=60)))
def test_a_refresh_token_exchanged_ten_seconds_ago_or_more_is_a_reuse_even_after_it_expired(elapsed):
    assert tokens.refresh_outcome(tokens.refresh_expiry(NOW), NOW, NOW + elapsed) == tokens.REUSED


@given(st.timedeltas(min_value=timedelta(0), max_value=timedelta(seconds=9, microseconds=999_999)))
def test_a_refresh_token_presented_again_within_ten_seconds_of_its_exchange_gets_the_same_answer(elapsed):
    assert tokens.refresh_outcome(tokens.refresh_expiry(NOW), NOW, NOW + elapsed) == tokens.REPLAY


def test_the_grace_after_an_exchange_is_a_few_seconds_only():
    assert tokens.REPLAY_GRACE == timedelta(seconds=10)


def test_only_the_holder_of_the_old_refresh_token_opens_its_successor():
    old, successor, other = (sessions.new_token() for _ in range(3))
    sealed = tokens.seal_successor(old, successor)
    assert successor not in sealed
    assert tokens.open_successor(old, sealed) == successor
    assert tokens.open_successor(other, sealed) is None


def test_each_seal_is_its_own_and_a_tampered_one_opens_to_nothing():
    old, successor = sessions.new_token(), sessions.new_token()
    first, second = tokens.seal_successor(old, successor), tokens.seal_successor(old, successor)
    assert first != second
    # a character inside the ciphertext: every bit of it counts (the last ones may be padding bits)
    middle = len(first) // 2
    tampered = first[:middle] + ("A" if first[middle] != "A" else "B") + first[middle + 1:]
    assert tokens.open_successor(old, tampered) is None


@pytest.mark.parametrize("sealed", [None, "", "pas du base64 !", "AAAA"])
def test_nothing_sealed_opens_to_nothing(sealed):
    assert tokens.open_successor(sessions.new_token(), sealed) is None
