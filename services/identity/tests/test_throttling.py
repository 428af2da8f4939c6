"""Login throttling: failures slow down, then lock, never more than 100 tries an hour."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity import accounts, throttling
from identity.models import LoginThrottle
from identity.throttling import Counter

NOW = datetime(2026, 10, 5, 8, 30, tzinfo=timezone.utc)
EMAIL = throttling.email_key("parent@exemple.fr")
CLIENT = throttling.client_key("203.0.113.7")


def fail(key, times, start=NOW, every=timedelta(seconds=1)):
    counter = Counter()
    for n in range(times):
        counter = throttling.after_failure(key, counter, start + n * every)
    return counter


@pytest.mark.parametrize("failures", [1, 2, 3, 4])
def test_the_first_four_failures_on_an_address_lock_nothing(failures):
    counter = fail(EMAIL, failures)
    assert counter.failures == failures
    assert counter.locked_until is None


@pytest.mark.parametrize("failures, minutes", [(5, 1), (6, 2), (7, 5), (8, 15), (9, 30), (10, 60), (11, 60), (50, 60)])
def test_from_the_fifth_failure_an_address_is_locked_longer_each_time(failures, minutes):
    assert throttling.email_lock(failures) == timedelta(minutes=minutes)


def test_the_fifth_failure_locks_the_address_for_a_minute():
    counter = fail(EMAIL, 5)
    last = NOW + timedelta(seconds=4)
    assert counter.locked_until == last + timedelta(minutes=1)
    assert throttling.wait([counter], last) == timedelta(minutes=1)
    assert throttling.wait([counter], last + timedelta(minutes=1)) is None


def test_failures_a_day_old_are_forgotten():
    counter = fail(EMAIL, 9)
    later = NOW + timedelta(hours=24, seconds=9)
    assert throttling.after_email_failure(counter, later) == Counter(1, later, later, None)


def test_failures_within_a_day_keep_counting():
    counter = fail(EMAIL, 4)
    later = NOW + timedelta(hours=23)
    assert throttling.after_email_failure(counter, later).failures == 5


def test_a_client_is_locked_for_15_minutes_at_its_30th_failure_within_15_minutes():
    assert fail(CLIENT, 29, every=timedelta(seconds=30)).locked_until is None
    locked = fail(CLIENT, 30, every=timedelta(seconds=30))
    last = NOW + 29 * timedelta(seconds=30)
    assert locked.locked_until == last + timedelta(minutes=15)
    assert locked.failures == 0


def test_a_client_failing_slowly_is_never_locked():
    assert fail(CLIENT, 500, every=timedelta(seconds=31)).locked_until is None


def test_a_client_window_restarts_after_15_minutes():
    counter = fail(CLIENT, 29)
    later = NOW + timedelta(minutes=15)
    assert throttling.after_client_failure(counter, later) == Counter(1, later, later, None)


def test_the_wait_is_the_longest_lock():
    short = Counter(locked_until=NOW + timedelta(minutes=2))
    long = Counter(locked_until=NOW + timedelta(minutes=15))
    assert throttling.wait([short, long, Counter()], NOW) == timedelta(minutes=15)
    assert throttling.wait([Counter(), Counter(failures=3)], NOW) is None
    assert throttling.wait([], NOW) is None


def test_a_lock_ends_exactly_at_its_end():
    counter = Counter(locked_until=NOW)
    assert throttling.wait([counter], NOW - timedelta(microseconds=1)) == timedelta(microseconds=1)
    assert throttling.wait([counter], NOW) is None


@pytest.mark.parametrize("wait, minutes", [
    (timedelta(seconds=1), 1), (timedelta(seconds=60), 1), (timedelta(seconds=61), 2),
    (timedelta(minutes=15), 15), (timedelta(minutes=59, seconds=1), 60)])
def test_the_wait_is_told_in_whole_minutes_rounded_up(wait, minutes):
    assert throttling.minutes(wait) == minutes


def test_a_lock_is_new_only_when_a_failure_starts_it():
    four, five = fail(EMAIL, 4), fail(EMAIL, 5)
    at = NOW + timedelta(seconds=4)
    assert throttling.newly_locked(four, five, at) is True
    assert throttling.newly_locked(Counter(), four, at) is False
    assert throttling.newly_locked(five, five, at) is False


def test_keys_tell_an_address_from_a_client():
    assert throttling.is_email_key(EMAIL) and not throttling.is_email_key(CLIENT)


def tries_allowed(gaps, key):
    """Attempt times, all wrong passwords, one after another: those the lock let through."""
    counter, at, allowed = Counter(), NOW, []
    for gap in gaps:
        at += gap
        if throttling.wait([counter], at) is None:
            allowed.append(at)
            counter = throttling.after_failure(key, counter, at)
    return allowed


def most_in_an_hour(times):
    return max((sum(1 for t in times if start <= t < start + timedelta(hours=1)) for start in times), default=0)


gaps = st.lists(st.timedeltas(min_value=timedelta(0), max_value=timedelta(minutes=90)), max_size=400)


@settings(max_examples=300)
@given(gaps)
def test_never_more_than_100_tries_an_hour_on_an_address(gaps):
    assert most_in_an_hour(tries_allowed(gaps, EMAIL)) <= 100


@given(st.lists(st.timedeltas(min_value=timedelta(0), max_value=timedelta(seconds=10)), min_size=500, max_size=500))
def test_a_fast_attack_on_an_address_gets_about_ten_tries_an_hour(gaps):
    assert most_in_an_hour(tries_allowed(gaps, EMAIL)) <= 10


@settings(max_examples=300)
@given(gaps)
def test_never_more_than_30_tries_in_15_minutes_from_one_client(gaps):
    times = tries_allowed(gaps, CLIENT)
    assert max((sum(1 for t in times if s <= t < s + timedelta(minutes=15)) for s in times), default=0) <= 30


# Limits on requests that e-mail someone or try a clé enfance

LIMITS = [throttling.RESET_PER_EMAIL, throttling.RESET_PER_CLIENT, throttling.EMAIL_CHANGE_PER_ACCOUNT,
          throttling.VERIFICATION_PER_ACCOUNT, throttling.CHILD_KEY_FAILURES_PER_CLIENT,
          throttling.CHILD_KEY_FAILURES_PER_IDENTITY]


def use(limit, times, start=NOW, every=timedelta(seconds=1)):
    counter = Counter()
    for n in range(times):
        assert throttling.wait([counter], start + n * every) is None, f"request {n + 1} was refused"
        counter = throttling.after_use(limit, counter, start + n * every)
    return counter


@pytest.mark.parametrize("limit", LIMITS, ids=lambda limit: limit.name)
def test_a_limit_lets_its_requests_through_then_refuses_until_its_window_ends(limit):
    counter = use(limit, limit.times)
    last = NOW + (limit.times - 1) * timedelta(seconds=1)
    assert throttling.wait([counter], last) == limit.window - (last - NOW)
    assert throttling.wait([counter], NOW + limit.window - timedelta(seconds=1)) == timedelta(seconds=1)
    assert throttling.wait([counter], NOW + limit.window) is None


@pytest.mark.parametrize("limit", LIMITS, ids=lambda limit: limit.name)
def test_a_request_after_the_window_starts_a_new_one(limit):
    counter = use(limit, limit.times - 1)
    later = NOW + limit.window
    counter = throttling.after_use(limit, counter, later)
    assert (counter.failures, counter.started_at, counter.locked_until) == (1, later, None)


def test_three_password_resets_an_hour_reach_an_address_and_three_confirmations_an_account():
    for limit in (throttling.RESET_PER_EMAIL, throttling.EMAIL_CHANGE_PER_ACCOUNT,
                  throttling.VERIFICATION_PER_ACCOUNT):
        assert (limit.times, limit.window) == (3, timedelta(hours=1))


@given(st.lists(st.integers(min_value=0, max_value=900), min_size=1, max_size=60))
@settings(max_examples=50)
def test_never_more_requests_get_through_in_a_window_than_the_limit_lets(gaps):
    limit, counter, now, through, windows = throttling.CHILD_KEY_FAILURES_PER_CLIENT, Counter(), NOW, [], set()
    for gap in gaps:
        now += timedelta(seconds=gap)
        if throttling.wait([counter], now) is None:
            counter = throttling.after_use(limit, counter, now)
            through.append(now)
            windows.add(counter.started_at)
    for start in windows:
        assert len([t for t in through if start <= t < start + limit.window]) <= limit.times


def test_each_limit_counts_its_subjects_apart_and_its_keys_fit_the_table():
    longest = {  # the longest subject each limit counts
        throttling.RESET_PER_EMAIL: "x" * accounts.EMAIL_MAX_LENGTH,
        throttling.RESET_PER_CLIENT: "f" * 45, throttling.CHILD_KEY_FAILURES_PER_CLIENT: "f" * 45,  # IPv6
        throttling.EMAIL_CHANGE_PER_ACCOUNT: str(uuid.uuid4()), throttling.VERIFICATION_PER_ACCOUNT: str(uuid.uuid4()),
        throttling.CHILD_KEY_FAILURES_PER_IDENTITY: "s" * 255,  # a FranceConnect sub
    }
    assert set(longest) == set(LIMITS)
    keys = [limit.key(subject) for limit, subject in longest.items()]
    assert len({key.split(":", 1)[0] for key in keys}) == len(keys)
    assert all(len(key) <= LoginThrottle.key.type.length for key in keys)
    assert throttling.RESET_PER_EMAIL.key("parent@exemple.fr") != throttling.email_key("parent@exemple.fr")
