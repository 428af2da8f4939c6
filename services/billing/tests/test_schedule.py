from datetime import date, datetime

import pytest

from kit.errors import Invalid

from billing.periods import Period
from billing.schedule import check_month_over, due_for_timer, lookback, reminder_due


def test_only_a_month_that_has_ended_may_be_billed():
    check_month_over(Period(2026, 10), date(2026, 11, 1))
    with pytest.raises(Invalid) as refused:
        check_month_over(Period(2026, 10), date(2026, 10, 31))
    assert refused.value.code == "month_not_over"
    assert refused.value.message == ("Le mois de octobre 2026 n'est pas terminé : il pourra être facturé à partir "
                                     "du 1er novembre 2026.")
    with pytest.raises(Invalid):
        check_month_over(Period(2027, 1), date(2026, 12, 15))


@pytest.mark.parametrize("now, expected", [
    (datetime(2026, 11, 2, 5, 59), None),
    (datetime(2026, 11, 2, 6, 0), Period(2026, 10)),
    (datetime(2026, 11, 1, 23, 0), None),
    (datetime(2026, 11, 20, 3, 0), Period(2026, 10)),  # a missed day is caught up
    (datetime(2027, 1, 2, 6, 0), Period(2026, 12)),
])
def test_the_timer_bills_the_month_that_ended_from_its_day_and_hour(now, expected):
    assert due_for_timer(now, 2, 6) == expected


def test_earlier_months_are_looked_at_again_oldest_first():
    assert lookback(Period(2027, 2), 3) == [Period(2026, 11), Period(2026, 12), Period(2027, 1)]
    assert lookback(Period(2027, 2), 0) == []


DUE = date(2026, 11, 30)


@pytest.mark.parametrize("today, before, after, expected", [
    (date(2026, 11, 22), None, None, None),
    (date(2026, 11, 23), None, None, "before_due"),
    (date(2026, 11, 30), None, None, "before_due"),
    (date(2026, 11, 25), "sent", None, None),
    (date(2026, 12, 6), "sent", None, None),
    (date(2026, 12, 7), "sent", None, "overdue"),
    (date(2026, 12, 20), None, None, "overdue"),
    (date(2026, 12, 20), "sent", "sent", None),
])
def test_an_unpaid_invoice_is_recalled_once_before_its_due_date_and_once_after(today, before, after, expected):
    assert reminder_due(DUE, before, after, today, 7, 7) == expected
