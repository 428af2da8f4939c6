from nameko.rpc import rpc

from kit.db import Database
from kit.events import utcnow
from kit.metrics import Metrics

from family import bookings, child_keys, events, schemas, store
from family.activities import ACTIVITIES
from family.models import Base, Booking


def today():
    """The day it is for the families: bookings close on the eve in Paris."""
    return bookings.paris_date(utcnow())


class FamilyService:
    name = "family"
    db = Database(Base)
    metrics = Metrics()

    @rpc
    def activities(self):
        """The activities a child can be booked for, and the weekdays they run."""
        return schemas.activities_view(ACTIVITIES.values())

    @rpc
    def create_household(self, data):
        request = schemas.new_household(data, today())
        with self.db.transaction() as tx:
            household = store.add_household(tx.session, request, child_keys.generate)
            tx.record_events([events.household_created(household)])
        return schemas.household_view(household)

    @rpc
    def household_for_child_key(self, child_key):
        key = child_keys.parse(child_key)
        with self.db.reading() as session:
            household = store.household_by_child_key(session, key)
        return {"household_id": str(household.id)}

    @rpc
    def reissue_child_key(self, household_id):
        """A new clé enfance for the household; the one it replaces stops working."""
        with self.db.transaction() as tx:
            household = store.household(tx.session, household_id)
            store.give_new_child_key(tx.session, household, child_keys.generate)
            tx.record_events([events.child_key_reissued(household)])
        return {"household_id": str(household.id), "child_key": household.child_key}

    @rpc
    def get_household(self, household_id):
        with self.db.reading() as session:
            return schemas.household_view(store.household(session, household_id))

    @rpc
    def book(self, household_id, child_id, activity, date):
        request = schemas.booking_request(activity, date)
        bookings.check_bookable(request["activity"], request["date"], today())
        with self.db.transaction() as tx:
            child = store.child_of_household(tx.session, household_id, child_id)
            booking = store.add_booking(tx.session, Booking(
                household_id=child.household_id, child=child, activity=request["activity"].code,
                date=request["date"], status=bookings.INITIAL))
            tx.record_events([events.booking_made(booking)])
        return schemas.booking_view(booking)

    @rpc
    def cancel_booking(self, household_id, booking_id):
        with self.db.transaction() as tx:
            booking = store.booking_of_household(tx.session, household_id, booking_id)
            if bookings.cancel(booking, today(), utcnow()):
                tx.record_events([events.booking_cancelled(booking)])
        return schemas.booking_view(booking)

    @rpc
    def list_bookings(self, household_id, month):
        month = schemas.month(month)
        with self.db.reading() as session:
            household = store.household(session, household_id)
            return [schemas.booking_view(booking)
                    for booking in store.bookings_of_household(session, household.id, month)]

    @rpc
    def billable_items(self, period):
        month = schemas.month(period, field="period", code="invalid_period")
        with self.db.reading() as session:
            return bookings.billable_items(store.billed_items(session, month))
