"""Deadlines in Paris time: the previous Thursday 23:59:59 for catering, the
eve 18:00 for evening care, D-7 for Wednesdays; summer time changes."""
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Invalid

from family import deadlines
from family.catalogue import CATERING, EVE, WEEK_BEFORE

PARIS, UTC = ZoneInfo("Europe/Paris"), dt.timezone.utc


def paris(*args):
    return dt.datetime(*args, tzinfo=PARIS)


def test_catering_for_next_week_closes_on_the_previous_thursday_at_23_59_59_paris():
    monday = dt.date(2026, 10, 12)
    assert deadlines.deadline(CATERING, monday) == paris(2026, 10, 8, 23, 59, 59)
    assert deadlines.deadline(CATERING, dt.date(2026, 10, 16)) == paris(2026, 10, 8, 23, 59, 59)
    assert deadlines.is_open(CATERING, monday, paris(2026, 10, 8, 23, 59, 59))
    assert not deadlines.is_open(CATERING, monday, paris(2026, 10, 9, 0, 0, 0))


def test_a_booking_at_23_59_59_paris_is_on_time_whatever_the_utc_offset():
    # 23:59:59 in Paris is 21:59:59 UTC in summer and 22:59:59 UTC in winter
    assert deadlines.is_open(CATERING, dt.date(2026, 10, 12), dt.datetime(2026, 10, 8, 21, 59, 59, tzinfo=UTC))
    assert not deadlines.is_open(CATERING, dt.date(2026, 10, 12), dt.datetime(2026, 10, 8, 22, 0, 0, tzinfo=UTC))
    assert deadlines.is_open(CATERING, dt.date(2026, 11, 9), dt.datetime(2026, 11, 5, 22, 59, 59, tzinfo=UTC))
    assert not deadlines.is_open(CATERING, dt.date(2026, 11, 9), dt.datetime(2026, 11, 5, 23, 0, 0, tzinfo=UTC))


def test_the_eve_of_the_return_to_winter_time_still_closes_at_18_paris():
    # summer time ends on Sunday 25 October 2026 at 03:00: the eve of Monday 26 is 17:00 UTC
    assert deadlines.deadline(EVE, dt.date(2026, 10, 26)).astimezone(UTC) == dt.datetime(2026, 10, 25, 17, tzinfo=UTC)
    # and on Sunday 28 March 2027 summer time begins: 16:00 UTC
    assert deadlines.deadline(EVE, dt.date(2027, 3, 29)).astimezone(UTC) == dt.datetime(2027, 3, 28, 16, tzinfo=UTC)


def test_evening_care_after_a_public_holiday_closes_on_the_holiday_itself():
    # Wednesday 11 November 2026 is a public holiday: Thursday's evening care closes on its eve, 18:00
    assert deadlines.deadline(EVE, dt.date(2026, 11, 12)) == paris(2026, 11, 11, 18)


def test_the_wednesday_leisure_centre_closes_seven_days_before():
    assert deadlines.deadline(WEEK_BEFORE, dt.date(2026, 10, 14)) == paris(2026, 10, 7, 23, 59, 59)


@given(st.dates(dt.date(2025, 9, 1), dt.date(2027, 8, 31)), st.sampled_from([CATERING, EVE, WEEK_BEFORE]))
def test_every_deadline_falls_before_the_day_at_the_wall_clock_time_of_the_rule(day, rule):
    closes = deadlines.deadline(rule, day)
    assert closes.date() < day
    assert closes.astimezone(PARIS).time() == dt.time.fromisoformat(rule["time"])
    assert deadlines.is_open(rule, day, closes) and not deadlines.is_open(rule, day, closes + dt.timedelta(seconds=1))


@given(st.dates(dt.date(2025, 9, 1), dt.date(2027, 8, 31)))
def test_catering_of_a_whole_week_closes_at_one_instant(day):
    monday = day - dt.timedelta(days=day.weekday())
    assert deadlines.deadline(CATERING, day) == deadlines.deadline(CATERING, monday)


@pytest.mark.parametrize("rule", [{"rule": "tomorrow", "time": "10:00:00"}, {"rule": "eve", "time": "25:00"},
                                  {"rule": "days_before", "days": -1, "time": "10:00:00"}, "eve"])
def test_a_malformed_rule_is_refused(rule):
    with pytest.raises(Invalid) as refused:
        deadlines.check_rule(rule, "booking_deadline")
    assert refused.value.code == "invalid_deadline"
