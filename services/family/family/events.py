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

# Requests (démarches) and what an accepted one changes; see docs/contracts.md.
REQUEST_SUBMITTED = "request_submitted"
REQUEST_STATUS_CHANGED = "request_status_changed"
REQUEST_MESSAGE_POSTED = "request_message_posted"
QUOTIENT_FAMILIAL_CHANGED = "quotient_familial_changed"
DIRECT_DEBIT_ACCEPTED = "direct_debit_accepted"


def request_submitted(request):
    return new_event(REQUEST_SUBMITTED, **_request_ids(request))


def request_status_changed(request, previous, message=None):
    """`message`: the question or the reason the family is told, if any."""
    return new_event(REQUEST_STATUS_CHANGED, previous_status=str(previous), message=message, **_request_ids(request))


def request_message_posted(request, entry):
    return new_event(REQUEST_MESSAGE_POSTED, message_id=str(entry.id), author=entry.author, **_request_ids(request))


def quotient_familial_changed(household_id, quotient):
    return new_event(QUOTIENT_FAMILIAL_CHANGED, household_id=str(household_id), value=quotient["value"],
                     valid_from=quotient["valid_from"], justified=quotient["justified"])


def direct_debit_accepted(request):
    """The IBAN stays out: billing asks `direct_debit_details` for it."""
    return new_event(DIRECT_DEBIT_ACCEPTED, household_id=str(request.household_id), request_id=str(request.id),
                     request_reference=request.reference)


def _request_ids(request):
    return {"request_id": str(request.id), "reference": request.reference, "household_id": str(request.household_id),
            "kind": request.kind, "status": str(request.status)}
