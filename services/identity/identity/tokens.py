"""Mobile clients' tokens: a short-lived signed access token the gateway
checks without asking us, and an opaque refresh token that rotates.

Access token: a JWT signed ES256 with a key identity keeps (kid: the key's
RFC 7638 thumbprint). Refresh token: random, kept as its SHA-256, valid 30
days, usable once: presenting one already exchanged means it was copied, and
the whole session ends. Except within a few seconds of the exchange: the
answer may have been lost on the way (a phone going into a tunnel), so the
same token presented again gets the same successor. Only digests of refresh
tokens are kept, so the successor is kept sealed with a key derived from the
token it replaced: only whoever holds that token can open it.
Pure rules and signing, no storage: `now` is always given.
"""
import base64
import binascii
import os
import uuid
from datetime import timedelta

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from joserfc import jwt
from joserfc.jwk import ECKey

ISSUER = AUDIENCE = "portail-famille"
ALGORITHM = "ES256"
ACCESS_LIFETIME = timedelta(seconds=300)
REFRESH_LIFETIME = timedelta(days=30)
# How long after an exchange the old refresh token still gets the same successor.
REPLAY_GRACE = timedelta(seconds=10)

ROTATE, REPLAY, REUSED, EXPIRED = "rotate", "replay", "reused", "expired"

_SEAL_INFO = b"portail-famille refresh token successor"
_NONCE_BYTES = 12


def new_signing_key():
    """`(kid, private PEM)` of a new P-256 key."""
    key = ECKey.generate_key("P-256", private=True)
    return key.thumbprint(), key.as_pem(private=True).decode("ascii")


def public_jwk(kid, private_pem):
    public = ECKey.import_key(private_pem).as_dict(private=False)
    return {"kid": kid, "kty": public["kty"], "crv": public["crv"], "x": public["x"], "y": public["y"],
            "alg": ALGORITHM, "use": "sig"}


def access_claims(account, session_id, now):
    issued_at = int(now.timestamp())
    return {
        "iss": ISSUER, "aud": AUDIENCE,
        "sub": str(account.id), "sid": str(session_id), "role": account.role,
        "hid": str(account.household_id) if account.household_id else None,
        "ev": account.email_verified,
        "iat": issued_at, "exp": issued_at + int(ACCESS_LIFETIME.total_seconds()),
        "jti": str(uuid.uuid4()),
    }


def sign(claims, kid, private_pem):
    return jwt.encode({"alg": ALGORITHM, "kid": kid, "typ": "JWT"}, claims, ECKey.import_key(private_pem),
                      algorithms=[ALGORITHM])


def refresh_expiry(now):
    return now + REFRESH_LIFETIME


def refresh_outcome(expires_at, rotated_at, now):
    """What presenting a refresh token does: a new pair; the pair it was just
    exchanged for (the answer was lost); the end of its session (it was
    exchanged a while ago, so someone else holds a copy); or nothing."""
    if rotated_at is not None:
        return REPLAY if now - rotated_at < REPLAY_GRACE else REUSED
    if now >= expires_at:
        return EXPIRED
    return ROTATE


def seal_successor(refresh_token, successor):
    """`successor` encrypted (AES-GCM) with a key derived from `refresh_token` (HKDF)."""
    nonce = os.urandom(_NONCE_BYTES)
    sealed = nonce + AESGCM(_sealing_key(refresh_token)).encrypt(nonce, successor.encode("ascii"), None)
    return base64.urlsafe_b64encode(sealed).decode("ascii")


def open_successor(refresh_token, sealed):
    """The successor `seal_successor` sealed with this very `refresh_token`, else None."""
    try:
        raw = base64.urlsafe_b64decode(sealed or "")
        nonce, ciphertext = raw[:_NONCE_BYTES], raw[_NONCE_BYTES:]
        return AESGCM(_sealing_key(refresh_token)).decrypt(nonce, ciphertext, None).decode("ascii")
    except (InvalidTag, ValueError, binascii.Error):
        return None


def _sealing_key(refresh_token):
    # The token is 256 random bits: HKDF needs no salt to make a uniform key of it.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_SEAL_INFO).derive(refresh_token.encode("ascii"))
