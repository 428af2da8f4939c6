"""Booking and cancelling: the calendar, the level of the child, the
deadlines, late cancellations and a period's report."""
import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Conflict, Invalid

from family import bookings, catalogue
from family.bookings import BookingStatus

PARIS = ZoneInfo("Europe/Paris")
CATALOGUE = catalogue.Catalogue(catalogue.default("2026-2027"))
CALENDAR = CATALOGUE.calendar()
CATERING, EVENING, STUDY = (CATALOGUE.offers[code] for code in ("restauration_scolaire", "accueil_du_soir", "etude"))
PUPIL, TODDLER = dt.date(2018, 3, 2), dt.date(2022, 6, 1)   # élémentaire, maternelle in 2026-2027
NOW = dt.datetime(2026, 10, 1, 10, tzinfo=PARIS)           # a Thursday


def booking(day, status=BookingStatus.BOOKED):
    return SimpleNamespace(date=day, status=status, cancelled_at=None)


def test_a_school_day_before_the_deadline_can_be_booked():
    assert bookings.refusal(CATERING, CALENDAR, PUPIL, dt.date(2026, 10, 5), NOW) is None


@pytest.mark.parametrize("offer, birth, day, code", [
    (CATERING, PUPIL, dt.date(2026, 10, 19), "no_activity"),        # la Toussaint
    (CATERING, PUPIL, dt.date(2027, 3, 29), "no_activity"),         # Easter Monday
    (STUDY, TODDLER, dt.date(2026, 10, 5), "not_allowed"),          # étude: élémentaire only
    (CATERING, PUPIL, dt.date(2026, 10, 2), "past_deadline"),       # this week's catering closed last Thursday
    (EVENING, PUPIL, dt.date(2026, 10, 1), "past_deadline"),
])
def test_a_day_is_refused_with_its_reason(offer, birth, day, code):
    assert bookings.refusal(offer, CALENDAR, birth, day, NOW)[0] == code
    with pytest.raises(Invalid) as refused:
        bookings.check_bookable(offer, CALENDAR, birth, day, NOW)
    assert refused.value.code == code


def test_an_agent_may_waive_the_deadline_but_not_the_calendar():
    assert bookings.refusal(CATERING, CALENDAR, PUPIL, dt.date(2026, 10, 2), NOW, waive_deadline=True) is None
    assert bookings.refusal(CATERING, CALENDAR, PUPIL, dt.date(2026, 10, 19), NOW, waive_deadline=True)[0] == \
        "no_activity"


def test_a_cancellation_before_the_deadline_is_free_and_after_it_is_billed():
    early, late = booking(dt.date(2026, 10, 5)), booking(dt.date(2026, 10, 2))
    assert bookings.cancel(early, CATERING, NOW) and early.status == BookingStatus.CANCELLED
    assert bookings.cancel(late, CATERING, NOW) and late.status == BookingStatus.LATE_CANCELLATION
    assert late.status in bookings.BILLED and early.status not in bookings.BILLED


def test_evening_care_cancelled_on_the_eve_before_18_is_free_and_at_18_00_01_is_late():
    day = dt.date(2026, 10, 6)
    on_time, late = booking(day), booking(day)
    bookings.cancel(on_time, EVENING, dt.datetime(2026, 10, 5, 18, 0, 0, tzinfo=PARIS))
    bookings.cancel(late, EVENING, dt.datetime(2026, 10, 5, 18, 0, 1, tzinfo=PARIS))
    assert (on_time.status, late.status) == (BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLATION)


def test_a_repeated_cancellation_changes_nothing_and_a_past_day_cannot_be_cancelled():
    cancelled = booking(dt.date(2026, 10, 12), BookingStatus.CANCELLED)
    assert bookings.cancel(cancelled, CATERING, NOW) is False
    with pytest.raises(Invalid) as refused:
        bookings.cancel(booking(dt.date(2026, 9, 30)), CATERING, NOW)
    assert refused.value.code == "booking_closed"


@pytest.mark.parametrize("current, target", [(BookingStatus.CANCELLED, BookingStatus.BOOKED),
                                             (BookingStatus.LATE_CANCELLATION, BookingStatus.CANCELLED)])
def test_a_finished_booking_does_not_move(current, target):
    with pytest.raises(Conflict):
        bookings.move(current, target)


def test_a_period_lists_the_chosen_weekdays_and_is_bounded():
    days = bookings.period_days(dt.date(2026, 10, 5), dt.date(2026, 10, 18), {0, 3})
    assert [day.isoformat() for day in days] == ["2026-10-05", "2026-10-08", "2026-10-12", "2026-10-15"]
    with pytest.raises(Invalid):
        bookings.period_days(dt.date(2026, 10, 5), dt.date(2027, 6, 1), {0})


@given(st.dates(dt.date(2026, 9, 1), dt.date(2027, 7, 2)), st.datetimes(
    dt.datetime(2026, 8, 1), dt.datetime(2027, 7, 1), timezones=st.just(PARIS)))
def test_a_day_is_either_bookable_or_refused_with_a_reason_and_cancelling_it_is_free_exactly_when_booking_is_open(
        day, now):
    refused = bookings.refusal(CATERING, CALENDAR, PUPIL, day, now)
    assert refused is None or refused[0] in ("no_activity", "past_deadline") and refused[1]
    if refused is None and day > now.date():
        cancelled = booking(day)
        bookings.cancel(cancelled, CATERING, now)
        assert cancelled.status == BookingStatus.CANCELLED
