"""What billing needs for a month (docs/contracts.md, family → billing):
one entry per household, each booked or late-cancelled day, each absent day
with how it is billed, and each confirmed stay with its dates and basis.

Pure: it is handed rows, not a session."""
from collections import defaultdict
from itertools import groupby

from family import absences as absence_rules
from family.activities import ACTIVITIES
from family.bookings import BookingStatus
from family.preregistration import session_days

BOOKED_REASON = {BookingStatus.BOOKED: "", BookingStatus.LATE_CANCELLATION: "Annulation hors délai : facturée."}


def quotient_history(household):
    """The quotient familial history covering the period; the household's
    current value until a history is kept."""
    return [{"value": household.quotient_familial, "valid_from": household.created_at.date().isoformat(),
             "valid_until": None, "justified": True}]


def day_items(bookings, absences, billed_days):
    """`bookings`: rows with id, child_id, child_first_name, activity, date,
    status; `absences`: per child id, the absences with first_day, last_day
    and certificate_status; `billed_days`: per activity, its rule."""
    items = []
    def child_activity(booking):
        return str(booking.child_id), booking.activity

    for _, days in groupby(sorted(bookings, key=lambda b: (*child_activity(b), b.date)), key=child_activity):
        nth = defaultdict(int)  # booked days already met in each absence
        for booking in days:
            item = {"item_id": f"booking:{booking.id}", "child_id": str(booking.child_id),
                    "child_first_name": booking.child_first_name, "activity": booking.activity,
                    "price_basis": ACTIVITIES[booking.activity].price_basis, "date": booking.date.isoformat(),
                    "end_date": None}
            absent = next((a for a in absences.get(booking.child_id, ()) if a.first_day <= booking.date <= a.last_day),
                          None)
            if booking.status == BookingStatus.BOOKED and absent is not None:
                status, billable, reason = absence_rules.treatment(absent, nth[absent.id], billed_days[booking.activity])
                nth[absent.id] += 1
            else:
                status, billable, reason = str(booking.status), True, BOOKED_REASON[BookingStatus(booking.status)]
            items.append({**item, "status": status, "billable": billable, "reason": reason})
    return items


def stay_items(registrations, calendar):
    """Confirmed pre-registrations: rows with id, child_id, child_first_name,
    activity, first_day, last_day, price_basis and wished days; a session
    priced by the day bills its weekdays that are not public holidays."""
    items = []
    for registration in registrations:
        base = {"child_id": str(registration.child_id), "child_first_name": registration.child_first_name,
                "activity": registration.activity, "status": "booked", "billable": True,
                "reason": registration.session_label}
        if registration.price_basis == "stay":
            items.append({**base, "item_id": f"registration:{registration.id}", "price_basis": "stay",
                          "date": registration.first_day.isoformat(), "end_date": registration.last_day.isoformat()})
        else:
            days = registration.days or [day.isoformat() for day in session_days(registration.first_day,
                                                                                  registration.last_day)
                                         if day.weekday() < 5 and not calendar.public_holiday(day)]
            items.extend({**base, "item_id": f"registration:{registration.id}:{day}", "price_basis": "day",
                          "date": day, "end_date": None} for day in sorted(days))
    return items


def entries(households, items_by_household):
    """The contract's answer: households (with quotient_familial and
    created_at) that have anything, items in date then child order."""
    answer = []
    for household in sorted(households, key=lambda h: str(h.id)):
        items = items_by_household.get(household.id)
        if not items:
            continue
        answer.append({
            "household_id": str(household.id), "resident": True,
            "quotient_familial": quotient_history(household),
            "items": sorted(items, key=lambda i: (i["date"], i["child_first_name"], i["child_id"], i["activity"],
                                                  i["item_id"])),
        })
    return answer
