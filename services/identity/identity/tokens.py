"""Mobile clients' tokens: a short-lived signed access token the gateway
checks without asking us, and an opaque refresh token that rotates.

Access token: a JWT signed ES256 with a key identity keeps (kid: the key's
RFC 7638 thumbprint). Refresh token: random, kept as its SHA-256, valid 30
days, usable once: presenting one already exchanged means it was copied, and
the whole session ends.
Pure rules and signing, no storage: `now` is always given.
"""
import uuid
from datetime import timedelta

from joserfc import jwt
from joserfc.jwk import ECKey

ISSUER = AUDIENCE = "portail-famille"
ALGORITHM = "ES256"
ACCESS_LIFETIME = timedelta(seconds=300)
REFRESH_LIFETIME = timedelta(days=30)

ROTATE, REUSED, EXPIRED = "rotate", "reused", "expired"

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
    """What presenting a refresh token does: a new pair, the end of its
    session (it was already exchanged, so someone else holds a copy), or nothing."""
    if rotated_at is not None:
        return REUSED
    if now >= expires_at:
        return EXPIRED
    return ROTATE
