"""Booking a child for an activity on a day, and cancelling it.

A family books or cancels until the eve of the day, as the families live it
(Europe/Paris), so that kitchens and staff know the numbers a day ahead.
"today" is always given by the caller: the rules never read a clock.
"""
from enum import StrEnum
from itertools import groupby
from zoneinfo import ZoneInfo

from kit.errors import Conflict, Invalid

from family.activities import weekday_name

PARIS = ZoneInfo("Europe/Paris")


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"


# Every status a booking can be in and where it may go from there. A cancelled
# booking stays cancelled: booking the day again makes a new booking, so the
# history of each one reads straight.
MOVES = {
    BookingStatus.BOOKED: frozenset({BookingStatus.CANCELLED}),
    BookingStatus.CANCELLED: frozenset(),
}
INITIAL = BookingStatus.BOOKED
BILLED = frozenset({BookingStatus.BOOKED})


def move(current, target):
    """`target`, when a booking may go there from `current`."""
    if BookingStatus(target) not in MOVES[BookingStatus(current)]:
        raise Conflict("Cette réservation ne peut plus changer ainsi.", code="invalid_status_move")
    return BookingStatus(target)


def paris_date(moment):
    """The day it is in Paris at an aware instant."""
    return moment.astimezone(PARIS).date()


def check_open(day, today):
    """Bookings and cancellations for `day` close at the end of its eve."""
    if day <= today:
        raise Invalid(
            f"Il n'est plus possible de réserver ou d'annuler pour le {day:%d/%m/%Y}.",
            code="booking_closed",
            fields={"date": "Les réservations et annulations sont possibles jusqu'à la veille du jour."})


def check_bookable(activity, day, today):
    if not activity.runs_on(day):
        raise Invalid(
            f"{activity.label} n'a pas lieu le {weekday_name(day)}.", code="activity_not_running",
            fields={"date": f"{activity.label} n'a pas lieu ce jour-là ({weekday_name(day)} {day:%d/%m/%Y})."})
    check_open(day, today)


def cancel(booking, today, now):
    """Cancels `booking` (anything with `status`, `date` and `cancelled_at`).

    False when it was already cancelled: a repeated cancellation (a double
    click, a retried request) changes nothing and is not an error.
    """
    if booking.status == BookingStatus.CANCELLED:
        return False
    check_open(booking.date, today)
    booking.status = move(booking.status, BookingStatus.CANCELLED)
    booking.cancelled_at = now
    return True


def billable_items(items):
    """What a month's billing needs, one entry per household.

    `items` are booked days with `household_id`, `quotient_familial`,
    `child_id`, `child_first_name`, `activity` and `date`.
    """
    def household(item):
        return str(item.household_id)

    def item_order(item):
        return item.date, item.child_first_name, str(item.child_id), item.activity

    entries = []
    for household_id, booked in groupby(sorted(items, key=household), key=household):
        booked = sorted(booked, key=item_order)
        entries.append({
            "household_id": household_id,
            "quotient_familial": booked[0].quotient_familial,
            "items": [{"child_id": str(item.child_id), "child_first_name": item.child_first_name,
                       "activity": item.activity, "date": item.date.isoformat()} for item in booked],
        })
    return entries
