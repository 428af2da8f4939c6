from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Invalid

from billing.periods import Period

periods = st.builds(Period, st.integers(2000, 2999), st.integers(1, 12))


def test_a_month_written_yyyy_mm_is_a_period():
    assert Period.parse("2026-10") == Period(2026, 10)
    assert Period.parse("2026-10").key == "2026-10"
    assert Period.parse("2027-01").key == "2027-01"


@pytest.mark.parametrize("text", [
    "2026-13", "2026-00", "2026-1", "26-10", "2026/10", "2026-10-01", " 2026-10", "2026-10 ", "2026-10\n",
    "octobre 2026", "", "1999-12", "3000-01", "２０２６-１０", None, 202610, ["2026-10"],
])
def test_anything_but_a_month_written_yyyy_mm_is_refused_with_a_french_message(text):
    with pytest.raises(Invalid) as refused:
        Period.parse(text)
    assert refused.value.code == "invalid_period"
    assert "AAAA-MM" in refused.value.message
    assert set(refused.value.fields) == {"period"}


@pytest.mark.parametrize("key, label", [
    ("2026-01", "janvier 2026"), ("2026-02", "février 2026"), ("2026-03", "mars 2026"), ("2026-04", "avril 2026"),
    ("2026-05", "mai 2026"), ("2026-06", "juin 2026"), ("2026-07", "juillet 2026"), ("2026-08", "août 2026"),
    ("2026-09", "septembre 2026"), ("2026-10", "octobre 2026"), ("2026-11", "novembre 2026"),
    ("2026-12", "décembre 2026"),
])
def test_a_period_reads_as_the_french_month(key, label):
    assert Period.parse(key).label == label


@pytest.mark.parametrize("key, due", [
    ("2026-10", date(2026, 11, 30)),
    ("2026-11", date(2026, 12, 31)),
    ("2026-12", date(2027, 1, 31)),  # the year turns
    ("2027-01", date(2027, 2, 28)),
    ("2028-01", date(2028, 2, 29)),  # leap year
    ("2026-07", date(2026, 8, 31)),
])
def test_an_invoice_is_due_on_the_last_day_of_the_following_month(key, due):
    assert Period.parse(key).due_date == due


def test_a_period_holds_the_days_of_its_month_only():
    october = Period(2026, 10)
    assert date(2026, 10, 1) in october
    assert date(2026, 10, 31) in october
    assert date(2026, 9, 30) not in october
    assert date(2026, 11, 1) not in october
    assert date(2025, 10, 15) not in october


@given(periods)
def test_the_key_of_a_period_parses_back_to_it(period):
    assert Period.parse(period.key) == period


@given(periods)
def test_the_due_date_closes_the_month_after_the_period(period):
    due = period.due_date
    assert due in period.following()
    assert (due + timedelta(days=1)).day == 1
    assert (period.last_day + timedelta(days=1)).day == 1
