"""The gateway keeps identity's answer for a browser session a short while,
and still refuses a session as soon as the revocation feed names it."""
import secrets
import uuid
from datetime import datetime, timezone

import pytest

from gateway.app import create_app
from gateway.settings import Settings
from gateway.tokens import SessionCache

HOUSEHOLD = str(uuid.uuid4())


class Identity:
    """Stands in for the identity service: sessions it knows, sessions it has revoked."""

    def __init__(self):
        self.sessions = {}
        self.revoked = []
        self.verifications = 0

    def open(self, email_verified=True):
        token = secrets.token_urlsafe(32)
        self.sessions[token] = {"id": str(uuid.uuid4()), "role": "family", "household_id": HOUSEHOLD,
                                "email_verified": email_verified, "session_id": str(uuid.uuid4()),
                                "email": "parent@example.org", "active": True}
        return token

    def verify_token(self, token):
        from kit import errors
        self.verifications += 1
        if token not in self.sessions or self.sessions[token]["session_id"] in self.revoked:
            raise errors.Unauthenticated("Session inconnue.", code="invalid_token")
        return dict(self.sessions[token])

    def revoke(self, token):
        self.revoked.append(self.sessions[token]["session_id"])

    def revoked_sessions(self, since):
        return {"session_ids": list(self.revoked), "now": datetime.now(timezone.utc).isoformat()}

    def end_session(self):
        pass


class Family:
    def get_household(self):
        return {"id": HOUSEHOLD, "quotient_familial": 850, "guardians": [], "children": []}


class Services:
    def __init__(self):
        self.identity, self.family = Identity(), Family()


@pytest.fixture
def portal():
    services = Services()
    settings = Settings.from_environment({
        "PORTAL_SECRET_KEY": secrets.token_hex(32), "CALLER_CONTEXT_KEY": secrets.token_hex(32),
        "REVOCATION_POLL_SECONDS": "0", "SESSION_CACHE_SECONDS": "60"})
    app = create_app(settings, service_pool=services)
    return app.test_client(), services.identity


def household(client, token):
    client.set_cookie("portail_session", token)
    return client.get("/api/v1/household")


def test_a_session_is_checked_by_identity_once_then_kept(portal):
    client, identity = portal
    token = identity.open()
    for _ in range(5):
        assert household(client, token).status_code == 200
    assert identity.verifications == 1


def test_a_revoked_session_is_refused_though_it_was_kept(portal):
    client, identity = portal
    token = identity.open()
    assert household(client, token).status_code == 200
    identity.revoke(token)  # a logout elsewhere, a password reset, a deactivation: identity's feed says so
    answer = household(client, token)
    assert answer.status_code == 401
    assert identity.verifications == 1  # refused from the feed alone
    assert household(client, token).status_code == 401  # and no longer kept


def test_an_unverified_address_is_asked_again_each_time(portal):
    """The click on the e-mailed link must open the family's data at once."""
    client, identity = portal
    token = identity.open(email_verified=False)
    assert household(client, token).status_code == 403
    identity.sessions[token]["email_verified"] = True
    assert household(client, token).status_code == 200
    assert identity.verifications == 2


def test_a_logout_through_this_gateway_forgets_the_session_at_once(portal):
    client, identity = portal
    token = identity.open()
    assert household(client, token).status_code == 200
    csrf = client.get("/api/v1/household").headers["X-CSRF-Token"]
    assert client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    del identity.sessions[token]  # identity ended it; the feed has not said so yet
    assert household(client, token).status_code == 401


def test_only_what_authorizes_is_kept():
    identity = Identity()
    cache = SessionCache(identity.verify_token, revocations=type("Feed", (), {"is_revoked": lambda self, s: False})())
    account = cache.account(identity.open())
    assert set(account) == {"id", "role", "household_id", "email_verified", "session_id"}


def test_an_entry_older_than_its_life_is_checked_again():
    identity = Identity()
    cache = SessionCache(identity.verify_token, type("Feed", (), {"is_revoked": lambda self, s: False})(), ttl=0)
    token = identity.open()
    cache.account(token)
    cache.account(token)
    assert identity.verifications == 2


def test_the_cache_does_not_grow_without_bound():
    identity = Identity()
    cache = SessionCache(identity.verify_token, type("Feed", (), {"is_revoked": lambda self, s: False})(), size=10)
    for _ in range(25):
        cache.account(identity.open())
    assert len(cache.entries) <= 10
