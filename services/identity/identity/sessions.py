"""Login sessions: the client keeps an opaque random token, the service keeps
only its SHA-256 (a stolen table opens no session), valid 12 hours unless
revoked at logout.

Every rule takes `now` (an aware UTC datetime) instead of reading the clock.
"""
import hashlib
import re
import secrets
from datetime import timedelta

LIFETIME = timedelta(hours=12)

ACTIVE, EXPIRED, REVOKED = "active", "expired", "revoked"

_TOKEN_BYTES = 32
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")  # what token_urlsafe(32) makes


def new_token():
    return secrets.token_urlsafe(_TOKEN_BYTES)


def is_well_formed(token):
    """Anything else cannot be one of our tokens, and is not worth a database query."""
    return isinstance(token, str) and _TOKEN_SHAPE.fullmatch(token) is not None


def digest(token):
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def expiry(now):
    return now + LIFETIME


def status(expires_at, revoked_at, now):
    if revoked_at is not None:
        return REVOKED
    if now >= expires_at:
        return EXPIRED
    return ACTIVE


def revocation(expires_at, revoked_at, now):
    """The `revoked_at` a logout leaves: now for an active session; a session
    that has already ended keeps the way it ended."""
    return now if status(expires_at, revoked_at, now) == ACTIVE else revoked_at
