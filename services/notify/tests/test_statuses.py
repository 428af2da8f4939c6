"""The statuses of a message and the moves between them, in one place."""
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from notify import statuses
from notify.statuses import (CREATED, DELIVERED, MAX_ATTEMPTS, PERMANENT_FAILURE, SENDING, TEMPORARY_FAILURE,
                             ForbiddenMove)

NOW = datetime(2026, 11, 1, 3, 0, tzinfo=timezone.utc)

ALLOWED = {
    (CREATED, SENDING),
    (SENDING, DELIVERED),
    (SENDING, TEMPORARY_FAILURE),
    (SENDING, PERMANENT_FAILURE),
    (TEMPORARY_FAILURE, SENDING),
    (SENDING, SENDING),
}


def test_a_message_has_exactly_five_statuses():
    assert statuses.STATUSES == {CREATED, SENDING, DELIVERED, TEMPORARY_FAILURE, PERMANENT_FAILURE}


@pytest.mark.parametrize("current", sorted(statuses.STATUSES))
@pytest.mark.parametrize("new", sorted(statuses.STATUSES))
def test_only_the_listed_moves_are_allowed(current, new):
    if (current, new) in ALLOWED:
        assert statuses.move(current, new) == new
    else:
        with pytest.raises(ForbiddenMove):
            statuses.move(current, new)


def test_delivered_and_permanent_failure_are_final():
    assert statuses.FINAL == {DELIVERED, PERMANENT_FAILURE}


def test_a_message_is_sent_when_new_or_after_a_temporary_failure():
    assert statuses.sources(SENDING) == {CREATED, TEMPORARY_FAILURE, SENDING}


def test_a_temporary_failure_is_tried_again_after_the_base_delay():
    assert statuses.after_failure(1, False, NOW, 60) == (TEMPORARY_FAILURE, NOW + timedelta(seconds=60))


def test_each_new_failure_doubles_the_wait():
    assert statuses.after_failure(3, False, NOW, 60) == (TEMPORARY_FAILURE, NOW + timedelta(minutes=4))


def test_a_message_refused_for_good_is_never_tried_again():
    assert statuses.after_failure(1, True, NOW, 60) == (PERMANENT_FAILURE, None)


def test_a_message_is_given_up_after_the_last_attempt():
    assert statuses.after_failure(MAX_ATTEMPTS - 1, False, NOW, 60)[0] == TEMPORARY_FAILURE
    assert statuses.after_failure(MAX_ATTEMPTS, False, NOW, 60) == (PERMANENT_FAILURE, None)


@given(st.lists(st.booleans(), min_size=1, max_size=20), st.integers(min_value=1, max_value=3600))
def test_any_run_of_failures_ends_in_permanent_failure_within_the_attempt_limit(permanent_flags, delay):
    status, waits, attempts = SENDING, [], 0
    for permanent in permanent_flags:
        attempts += 1
        status, retry_at = statuses.after_failure(attempts, permanent, NOW, delay)
        statuses.move(SENDING, status)
        if status == PERMANENT_FAILURE:
            break
        waits.append(retry_at - NOW)
        statuses.move(status, SENDING)
    assert attempts <= MAX_ATTEMPTS
    assert waits == sorted(waits)
    if attempts == MAX_ATTEMPTS or any(permanent_flags[:attempts]):
        assert status == PERMANENT_FAILURE
