"""Login sessions: what the client holds, what we keep, how long it lasts."""
import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from identity import sessions

NOW = datetime(2026, 10, 5, 8, 30, tzinfo=timezone.utc)
moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2040, 1, 1), timezones=st.just(timezone.utc))
offsets = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))


def test_a_token_is_random_and_url_safe():
    tokens = {sessions.new_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(sessions.is_well_formed(token) for token in tokens)


def test_only_the_sha256_of_a_token_is_kept():
    token = sessions.new_token()
    assert sessions.digest(token) == hashlib.sha256(token.encode()).hexdigest()
    assert len(sessions.digest(token)) == 64
    assert token not in sessions.digest(token)


@pytest.mark.parametrize("token", [None, 42, "", "abc", " " * 43, "é" * 43, "a" * 42, "a" * 44, "a" * 10_000,
                                   "a" * 42 + "\n", "a/b+" * 10 + "abc"])
def test_anything_else_than_one_of_our_tokens_is_not_well_formed(token):
    assert sessions.is_well_formed(token) is False


def test_a_session_lasts_twelve_hours():
    assert sessions.expiry(NOW) == datetime(2026, 10, 5, 20, 30, tzinfo=timezone.utc)


@given(moments, offsets)
def test_a_session_is_active_for_twelve_hours_then_expired(opened, elapsed):
    expected = sessions.ACTIVE if elapsed < timedelta(hours=12) else sessions.EXPIRED
    assert sessions.status(sessions.expiry(opened), None, opened + elapsed) == expected


def test_a_session_ends_exactly_at_its_expiry():
    expires_at = sessions.expiry(NOW)
    assert sessions.status(expires_at, None, expires_at - timedelta(microseconds=1)) == sessions.ACTIVE
    assert sessions.status(expires_at, None, expires_at) == sessions.EXPIRED


@given(moments, offsets)
def test_a_revoked_session_stays_revoked(opened, elapsed):
    revoked_at = opened + timedelta(minutes=5)
    assert sessions.status(sessions.expiry(opened), revoked_at, opened + elapsed) == sessions.REVOKED


def test_logging_out_revokes_an_active_session_now():
    later = NOW + timedelta(hours=1)
    assert sessions.revocation(sessions.expiry(NOW), None, later) == later


def test_logging_out_again_keeps_the_first_logout():
    first = NOW + timedelta(hours=1)
    assert sessions.revocation(sessions.expiry(NOW), first, NOW + timedelta(hours=2)) == first


def test_logging_out_of_an_expired_session_changes_nothing():
    assert sessions.revocation(sessions.expiry(NOW), None, NOW + timedelta(hours=13)) is None
