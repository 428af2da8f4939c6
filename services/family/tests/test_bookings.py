"""Booking and cancelling: the days an activity runs, the eve-of-the-day
deadline in Paris, the statuses a booking moves through, and what is billed."""
import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kit.errors import Conflict, Invalid

from family import bookings
from family.activities import ACTIVITIES
from family.bookings import BookingStatus

TODAY = dt.date(2026, 10, 1)  # a Thursday
FRIDAY, MONDAY, WEDNESDAY = dt.date(2026, 10, 2), dt.date(2026, 10, 5), dt.date(2026, 10, 7)
NOW = dt.datetime(2026, 10, 1, 8, 0, tzinfo=dt.timezone.utc)
UTC = dt.timezone.utc

activities = st.sampled_from(list(ACTIVITIES.values()))


def booking(day, status=BookingStatus.BOOKED):
    return SimpleNamespace(date=day, status=status, cancelled_at=None)


# The status model

def test_a_new_booking_is_booked_and_only_booked_days_are_billed():
    assert bookings.INITIAL == BookingStatus.BOOKED
    assert bookings.BILLED == {BookingStatus.BOOKED}


def test_every_status_has_its_moves_declared():
    assert set(bookings.MOVES) == set(BookingStatus)


def test_a_booked_day_may_be_cancelled():
    assert bookings.move("booked", "cancelled") == BookingStatus.CANCELLED


@pytest.mark.parametrize("current, target", [
    ("cancelled", "booked"), ("cancelled", "cancelled"), ("booked", "booked")])
def test_no_other_move_is_allowed(current, target):
    with pytest.raises(Conflict) as refused:
        bookings.move(current, target)
    assert refused.value.code == "invalid_status_move"


# The deadline

def test_a_day_can_be_booked_until_its_eve():
    bookings.check_open(TODAY + dt.timedelta(days=1), TODAY)


@pytest.mark.parametrize("day", [TODAY, TODAY - dt.timedelta(days=1), dt.date(2020, 1, 6)])
def test_today_and_past_days_are_closed(day):
    with pytest.raises(Invalid) as refused:
        bookings.check_open(day, TODAY)
    assert refused.value.code == "booking_closed"
    assert "veille" in refused.value.fields["date"]


@given(st.dates(), st.dates())
def test_a_day_is_open_exactly_when_it_is_after_today(day, today):
    try:
        bookings.check_open(day, today)
    except Invalid:
        assert day <= today
    else:
        assert day > today


# What can be booked

def test_school_catering_can_be_booked_for_tomorrow():
    bookings.check_bookable(ACTIVITIES["restauration_scolaire"], FRIDAY, TODAY)


def test_a_wednesday_leisure_centre_can_be_booked():
    bookings.check_bookable(ACTIVITIES["alsh_mercredi"], WEDNESDAY, TODAY)


@pytest.mark.parametrize("code, day", [
    ("etude", WEDNESDAY), ("restauration_scolaire", WEDNESDAY), ("accueil_du_soir", dt.date(2026, 10, 3)),
    ("alsh_mercredi", MONDAY), ("alsh_mercredi", dt.date(2026, 10, 4))])
def test_a_day_the_activity_does_not_run_is_refused(code, day):
    with pytest.raises(Invalid) as refused:
        bookings.check_bookable(ACTIVITIES[code], day, TODAY)
    assert refused.value.code == "activity_not_running"
    assert ACTIVITIES[code].label in refused.value.message
    assert "date" in refused.value.fields


def test_a_study_on_a_past_wednesday_is_refused_as_not_running_first():
    with pytest.raises(Invalid) as refused:
        bookings.check_bookable(ACTIVITIES["etude"], dt.date(2026, 9, 30), TODAY)
    assert refused.value.code == "activity_not_running"


def test_school_catering_today_is_refused_as_closed():
    with pytest.raises(Invalid) as refused:
        bookings.check_bookable(ACTIVITIES["restauration_scolaire"], TODAY, TODAY)
    assert refused.value.code == "booking_closed"


@given(activities, st.dates(), st.dates())
def test_a_booking_is_accepted_only_on_a_running_day_after_today(activity, day, today):
    try:
        bookings.check_bookable(activity, day, today)
    except Invalid as refused:
        assert refused.code == ("booking_closed" if activity.runs_on(day) else "activity_not_running")
        assert not (activity.runs_on(day) and day > today)
    else:
        assert activity.runs_on(day) and day > today


# Cancelling

def test_a_booking_is_cancelled_until_its_eve():
    kept = booking(FRIDAY)
    assert bookings.cancel(kept, TODAY, NOW) is True
    assert kept.status == BookingStatus.CANCELLED
    assert kept.cancelled_at == NOW


def test_a_booking_of_today_can_no_longer_be_cancelled():
    kept = booking(TODAY)
    with pytest.raises(Invalid) as refused:
        bookings.cancel(kept, TODAY, NOW)
    assert refused.value.code == "booking_closed"
    assert kept.status == BookingStatus.BOOKED
    assert kept.cancelled_at is None


@pytest.mark.parametrize("day", [FRIDAY, TODAY, dt.date(2026, 9, 1)])
def test_cancelling_a_cancelled_booking_again_changes_nothing(day):
    earlier = dt.datetime(2026, 8, 31, tzinfo=UTC)
    kept = SimpleNamespace(date=day, status="cancelled", cancelled_at=earlier)
    assert bookings.cancel(kept, TODAY, NOW) is False
    assert (kept.status, kept.cancelled_at) == ("cancelled", earlier)


# Today in Paris

@pytest.mark.parametrize("moment, paris_day", [
    (dt.datetime(2026, 10, 31, 22, 59, tzinfo=UTC), dt.date(2026, 10, 31)),
    (dt.datetime(2026, 10, 31, 23, 0, tzinfo=UTC), dt.date(2026, 11, 1)),   # winter time: UTC+1
    (dt.datetime(2026, 7, 14, 21, 59, tzinfo=UTC), dt.date(2026, 7, 14)),
    (dt.datetime(2026, 7, 14, 22, 0, tzinfo=UTC), dt.date(2026, 7, 15)),    # summer time: UTC+2
    (dt.datetime(2026, 3, 29, 0, 30, tzinfo=UTC), dt.date(2026, 3, 29)),
    (dt.datetime(2026, 10, 1, 23, 30, tzinfo=ZoneInfo("America/Cayenne")), dt.date(2026, 10, 2)),
])
def test_today_is_the_day_it_is_in_paris(moment, paris_day):
    assert bookings.paris_date(moment) == paris_day


@given(st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_paris_is_the_same_day_as_utc_or_the_next(moment):
    assert bookings.paris_date(moment) - moment.date() in (dt.timedelta(0), dt.timedelta(days=1))


# What billing receives

def item(household, child, first_name, activity, day, quotient=640):
    return SimpleNamespace(household_id=household, quotient_familial=quotient, child_id=child,
                           child_first_name=first_name, activity=activity, date=day)


def test_billable_items_are_grouped_by_household_and_sorted_by_date_then_child():
    items = [
        item("h2", "c3", "Zoé", "restauration_scolaire", MONDAY, quotient=1500),
        item("h1", "c2", "Tom", "etude", MONDAY),
        item("h1", "c1", "Léa", "restauration_scolaire", MONDAY),
        item("h1", "c1", "Léa", "alsh_mercredi", WEDNESDAY),
        item("h1", "c2", "Tom", "restauration_scolaire", FRIDAY),
    ]
    assert bookings.billable_items(items) == [
        {"household_id": "h1", "quotient_familial": 640, "items": [
            {"child_id": "c2", "child_first_name": "Tom", "activity": "restauration_scolaire", "date": "2026-10-02"},
            {"child_id": "c1", "child_first_name": "Léa", "activity": "restauration_scolaire", "date": "2026-10-05"},
            {"child_id": "c2", "child_first_name": "Tom", "activity": "etude", "date": "2026-10-05"},
            {"child_id": "c1", "child_first_name": "Léa", "activity": "alsh_mercredi", "date": "2026-10-07"},
        ]},
        {"household_id": "h2", "quotient_familial": 1500, "items": [
            {"child_id": "c3", "child_first_name": "Zoé", "activity": "restauration_scolaire", "date": "2026-10-05"},
        ]},
    ]


def test_a_month_without_bookings_bills_nobody():
    assert bookings.billable_items([]) == []


billable = st.builds(
    item, household=st.sampled_from(["h1", "h2", "h3"]), child=st.sampled_from(["c1", "c2"]),
    first_name=st.sampled_from(["Léa", "Tom"]), activity=st.sampled_from(list(ACTIVITIES)),
    day=st.dates(dt.date(2026, 10, 1), dt.date(2026, 10, 31)))


@given(st.lists(billable, max_size=40))
def test_every_billable_item_is_handed_over_once_under_its_own_household(items):
    entries = bookings.billable_items(items)
    households = [entry["household_id"] for entry in entries]
    assert len(households) == len(set(households)) == len({i.household_id for i in items})
    assert sum(len(entry["items"]) for entry in entries) == len(items)
    for entry in entries:
        dates = [handed["date"] for handed in entry["items"]]
        assert dates == sorted(dates)
        assert sorted((i.child_id, i.activity, i.date.isoformat()) for i in items
                      if i.household_id == entry["household_id"]) == sorted(
            (h["child_id"], h["activity"], h["date"]) for h in entry["items"])
