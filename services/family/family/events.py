"""The events the family service emits, through its outbox."""
from kit.events import new_event

HOUSEHOLD_CREATED = "household_created"
CHILD_KEY_REISSUED = "child_key_reissued"
BOOKING_MADE = "booking_made"
BOOKING_CANCELLED = "booking_cancelled"


def household_created(household):
    return new_event(HOUSEHOLD_CREATED, household_id=str(household.id))


def child_key_reissued(household):
    """The key itself stays out: events are read by every service, and the key
    opens the household to whoever holds it."""
    return new_event(CHILD_KEY_REISSUED, household_id=str(household.id))


def booking_made(booking):
    return new_event(BOOKING_MADE, **_booking_ids(booking))


def booking_cancelled(booking):
    return new_event(BOOKING_CANCELLED, **_booking_ids(booking))


def _booking_ids(booking):
    return {"booking_id": str(booking.id), "household_id": str(booking.household_id),
            "child_id": str(booking.child_id), "activity": booking.activity,
            "date": booking.date.isoformat()}
