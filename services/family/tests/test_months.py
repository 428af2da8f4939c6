import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from family.months import Month


def test_a_month_is_read_from_its_key():
    month = Month.parse("2026-10")
    assert (month.year, month.month, month.key) == (2026, 10, "2026-10")
    assert (month.first_day, month.next_first_day) == (dt.date(2026, 10, 1), dt.date(2026, 11, 1))


def test_december_ends_at_the_new_year():
    assert Month.parse("2026-12").next_first_day == dt.date(2027, 1, 1)


@pytest.mark.parametrize("text", [
    "2026-13", "2026-00", "26-10", "2026-1", "2026/10", "2026-10-01", " 2026-10", "0000-01", "", None, 202610])
def test_anything_else_than_a_month_is_refused(text):
    with pytest.raises(ValueError):
        Month.parse(text)


@given(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9998, 12, 31)))
def test_every_day_falls_in_its_own_month_and_no_other(day):
    own = Month(day.year, day.month)
    assert day in own
    assert Month.parse(own.key) == own
    assert day not in Month(own.next_first_day.year, own.next_first_day.month)
