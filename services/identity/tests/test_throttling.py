"""Login throttling: failures slow down, then lock, never more than 100 tries an hour."""
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from identity import throttling
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
