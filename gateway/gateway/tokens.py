"""Mobile access tokens checked in the gateway itself, without a broker round
trip: identity signs them (ES256, 5 minutes); the gateway keeps identity's
public keys (fetched again on an unknown `kid`) and a list of revoked
sessions that it refreshes at most every 30 seconds, so a logout, a password
reset or a deactivation takes effect within a minute.

Browser sessions (opaque tokens) are checked by identity, and what it
answered is kept a short while (SessionCache), refused as soon as the same
feed of revoked sessions names them."""
import hashlib
import logging
import threading
import time
from datetime import datetime, timedelta

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from kit import errors

log = logging.getLogger(__name__)
ISSUER = AUDIENCE = "portail-famille"
FORGET_AFTER = 600  # seconds, twice an access token's life
KEYS_REFETCH_SECONDS = 60
# a revocation is stamped before its transaction commits: each poll looks this far back again
POLL_OVERLAP = timedelta(seconds=60)
CLAIMS = jwt.JWTClaimsRegistry(
    iss={"essential": True, "value": ISSUER}, aud={"essential": True, "value": AUDIENCE},
    sub={"essential": True}, sid={"essential": True}, exp={"essential": True})


def looks_like_jwt(token):
    return token.count(".") == 2


class AccessTokens:
    def __init__(self, identity, refresh_every=30.0):
        self.identity = identity  # a callable returning the identity service's RPC handle
        self.refresh_every = refresh_every
        self.lock = threading.Lock()
        self.keys = None
        self.revoked = {}  # session id -> when we learnt it
        self.revoked_since = "1970-01-01T00:00:00+00:00"
        self.checked_at = float("-inf")
        self.keys_fetched_at = float("-inf")

    def account(self, token):
        """The account a valid access token speaks for, or Unauthenticated."""
        try:
            decoded = self._decode(token)
            CLAIMS.validate(decoded.claims)
        except JoseError:
            raise errors.Unauthenticated("Jeton invalide ou expiré.", code="invalid_token") from None
        claims = decoded.claims
        if self.is_revoked(claims["sid"]):
            raise errors.Unauthenticated("Jeton révoqué.", code="invalid_token")
        return {"id": claims["sub"], "role": claims["role"], "household_id": claims.get("hid"),
                "email_verified": bool(claims.get("ev")), "session_id": claims["sid"]}

    def _decode(self, token):
        try:
            return jwt.decode(token, self._keys(), algorithms=["ES256"])
        except InvalidKeyIdError:  # identity rotated its key since we fetched them
            return jwt.decode(token, self._keys(refetch=True), algorithms=["ES256"])

    def _keys(self, refetch=False):
        """Identity's public keys; fetched again on an unknown `kid`, but at most
        every KEYS_REFETCH_SECONDS, so forged tokens cannot make us hammer identity."""
        with self.lock:
            stale = refetch and time.monotonic() - self.keys_fetched_at >= KEYS_REFETCH_SECONDS
            if self.keys is None or stale:
                self.keys = KeySet.import_key_set(self.identity().signing_keys())
                self.keys_fetched_at = time.monotonic()
            return self.keys

    def is_revoked(self, session_id):
        """Whether identity has said, within the last poll, that this session ended."""
        with self.lock:
            if time.monotonic() - self.checked_at >= self.refresh_every:
                try:
                    feed = self.identity().revoked_sessions(self.revoked_since)
                    now = time.monotonic()
                    self.revoked.update(dict.fromkeys(feed["session_ids"], now))
                    # an access token lives 5 minutes: past that, its session's revocation is identity's to enforce
                    self.revoked = {sid: learnt for sid, learnt in self.revoked.items() if now - learnt < FORGET_AFTER}
                    self.revoked_since = (datetime.fromisoformat(feed["now"]) - POLL_OVERLAP).isoformat()
                    self.checked_at = now
                except Exception:  # identity is away: keep what we know and ask again on the next call
                    log.warning("could not refresh the revoked sessions", exc_info=True)
            return session_id in self.revoked


# What the gateway needs of an account to decide and to sign a caller context:
# the same fields whichever way (session or access token) the caller came.
AUTHORIZING_FIELDS = ("id", "role", "household_id", "email_verified", "session_id")


class SessionCache:
    """Identity's answer for a browser session token, kept `ttl` seconds so
    that each request does not make a second RPC to identity.

    Every use looks at the revocation feed first (AccessTokens.is_revoked):
    a logout, a password reset, a deactivation or a detachment (identity
    revokes the sessions in each case) takes effect within one poll, as for
    access tokens. An account whose address is not verified yet is not kept:
    the click on the e-mailed link must take effect at once. Tokens are kept
    by their SHA-256, never as such.
    """

    def __init__(self, verify, revocations, ttl=60.0, size=50_000):
        self.verify = verify  # token -> account (identity.verify_token), or Unauthenticated
        self.revocations = revocations
        self.ttl = ttl
        self.size = size
        self.lock = threading.Lock()
        self.entries = {}  # sha256(token) -> (when identity vouched, account)

    def account(self, token):
        key = hashlib.sha256(token.encode()).digest()
        with self.lock:
            kept = self.entries.get(key)
        if kept is not None and time.monotonic() - kept[0] < self.ttl:
            if not self.revocations.is_revoked(kept[1]["session_id"]):
                return kept[1]
            self.forget(token)
            raise errors.Unauthenticated("Session révoquée.", code="invalid_token")
        vouched_at = time.monotonic()
        account = {name: value for name, value in self.verify(token).items() if name in AUTHORIZING_FIELDS}
        if account.get("email_verified") or account["role"] != "family":
            with self.lock:
                if len(self.entries) >= self.size:
                    self._drop_stale(vouched_at)
                self.entries[key] = (vouched_at, account)
        return account

    def forget(self, token):
        """This worker saw the session end (a logout through it): no need to wait for the feed."""
        with self.lock:
            self.entries.pop(hashlib.sha256(token.encode()).digest(), None)

    def _drop_stale(self, now):
        self.entries = {key: kept for key, kept in self.entries.items() if now - kept[0] < self.ttl}
        if len(self.entries) >= self.size:  # all fresh: start again rather than grow without bound
            self.entries.clear()
