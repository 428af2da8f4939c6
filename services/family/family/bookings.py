"""Booking a child for an activity on a day, and cancelling it.

Each activity has its deadlines (`family.deadlines`), in Paris time: a day
is booked until its booking deadline; cancelled until its cancellation
deadline it is free, after it the day stays billed (a late cancellation).
An agent may waive both for a family. `now` is always given by the caller:
the rules never read a clock."""
import datetime as dt
from enum import StrEnum
from zoneinfo import ZoneInfo

from kit.errors import Conflict, Invalid

from family import deadlines

PARIS = ZoneInfo("Europe/Paris")
PERIOD_DAYS = 120  # the longest period booked at once: a term and then some


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    LATE_CANCELLATION = "late_cancellation"


# Every status a booking can be in and where it may go from there. A cancelled
# booking stays cancelled: booking the day again makes a new booking, so the
# history of each one reads straight.
MOVES = {
    BookingStatus.BOOKED: frozenset({BookingStatus.CANCELLED, BookingStatus.LATE_CANCELLATION}),
    BookingStatus.CANCELLED: frozenset(),
    BookingStatus.LATE_CANCELLATION: frozenset(),
}
INITIAL = BookingStatus.BOOKED
BILLED = frozenset({BookingStatus.BOOKED, BookingStatus.LATE_CANCELLATION})
LIVE = frozenset({BookingStatus.BOOKED})

# Why a day is refused: a stable code and the words families read.
NO_ACTIVITY, NOT_ALLOWED, PAST_DEADLINE, FULL, ALREADY_BOOKED = (
    "no_activity", "not_allowed", "past_deadline", "full", "already_booked")
FULL_REASON = "complet"
ALREADY_BOOKED_REASON = "déjà réservé"


def move(current, target):
    """`target`, when a booking may go there from `current`."""
    if BookingStatus(target) not in MOVES[BookingStatus(current)]:
        raise Conflict("Cette réservation ne peut plus changer ainsi.", code="invalid_status_move")
    return BookingStatus(target)


def paris_date(moment):
    """The day it is in Paris at an aware instant."""
    return moment.astimezone(PARIS).date()


def refusal(offer, calendar, birth_date, day, now, waive_deadline=False):
    """Why `day` cannot be booked for this child, as `(code, reason)`, or None."""
    closed = calendar.closed_because(offer.activity, day)
    if closed:
        return NO_ACTIVITY, closed
    not_allowed = offer.not_allowed_because(birth_date, calendar.school_year(day).key)
    if not_allowed:
        return NOT_ALLOWED, not_allowed
    if not waive_deadline and not deadlines.is_open(offer.booking_deadline, day, now):
        return PAST_DEADLINE, "délai de réservation dépassé (" + deadlines.describe(offer.booking_deadline) + ")"
    return None


def check_bookable(offer, calendar, birth_date, day, now, waive_deadline=False):
    refused = refusal(offer, calendar, birth_date, day, now, waive_deadline)
    if refused:
        code, reason = refused
        raise Invalid(f"{offer.activity.label}, le {day:%d/%m/%Y} : {reason}.", code=code,
                      fields={"date": reason[0].upper() + reason[1:] + "."})


def cancel(booking, offer, now, waive_deadline=False):
    """Cancels `booking` (anything with `status`, `date` and `cancelled_at`):
    free until the cancellation deadline, a late cancellation after it.

    False when it was already cancelled: a repeated cancellation (a double
    click, a retried request) changes nothing and is not an error."""
    if booking.status != BookingStatus.BOOKED:
        return False
    if booking.date <= paris_date(now) and not waive_deadline:
        raise Invalid(f"Le {booking.date:%d/%m/%Y} est passé : il ne peut plus être annulé.", code="booking_closed",
                      fields={"date": "Ce jour est passé."})
    on_time = waive_deadline or deadlines.is_open(offer.cancellation_deadline, booking.date, now)
    booking.status = move(booking.status, BookingStatus.CANCELLED if on_time else BookingStatus.LATE_CANCELLATION)
    booking.cancelled_at = now
    return True


def period_days(first, last, weekdays):
    """The days from `first` to `last` (included) that fall on `weekdays`."""
    if last < first or (last - first).days > PERIOD_DAYS:
        raise Invalid("Cette période est invalide.", code="invalid_period",
                      fields={"last_day": f"La période va du premier au dernier jour, {PERIOD_DAYS} jours au plus."})
    days = (first + dt.timedelta(days=offset) for offset in range((last - first).days + 1))
    return [day for day in days if day.weekday() in weekdays]
