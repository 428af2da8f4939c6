from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, PARTS, Callers, allow
from kit.db import Database
from kit.events import utcnow
from kit.metrics import Metrics

from family import bookings, child_keys, events, schemas, store
from family.data_rights import FamilyDataRights
from family.activities import ACTIVITIES
from family.models import Base, Booking

HOUSEHOLD_CREATED, CHILD_KEY_REISSUED = "household_created", "child_key_reissued"


def today():
    """The day it is for the families: bookings close on the eve in Paris."""
    return bookings.paris_date(utcnow())


class FamilyService(FamilyDataRights):
    name = "family"
    db = Database(Base)
    metrics = Metrics()
    callers = Callers()

    @rpc
    @allow(parts=PARTS)
    def activities(self, caller):
        """The activities a child can be booked for, and the weekdays they run."""
        return schemas.activities_view(ACTIVITIES.values())

    @rpc
    @allow(AGENTS)
    def create_household(self, caller, data):
        request = schemas.new_household(data, today())
        with self.db.transaction() as tx:
            made_before = tx.made_before(caller, data)
            if made_before:
                return schemas.household_view(store.household(tx.session, made_before), for_agent=True)
            household = store.add_household(tx.session, request, child_keys.generate)
            store.journal(tx.session, household, caller, HOUSEHOLD_CREATED, utcnow())
            tx.record_events([events.household_created(household)])
            tx.made(household.id)
        return schemas.household_view(household, for_agent=True)

    @rpc
    @allow(parts=("identity",))
    def household_for_child_key(self, caller, child_key):
        key = child_keys.parse(child_key)
        with self.db.reading() as session:
            household = store.household_by_child_key(session, key)
        return {"household_id": str(household.id)}

    @rpc
    @allow(AGENTS)
    def reissue_child_key(self, caller, household_id):
        """A new clé enfance for the household; the one it replaces stops working."""
        with self.db.transaction() as tx:
            household = store.household(tx.session, household_id)
            store.give_new_child_key(tx.session, household, child_keys.generate)
            store.journal(tx.session, household, caller, CHILD_KEY_REISSUED, utcnow())
            tx.record_events([events.child_key_reissued(household)])
        return {"household_id": str(household.id), "child_key": household.child_key}

    @rpc
    @allow(FAMILY + AGENTS)
    def get_household(self, caller, household_id=None):
        household_id = caller.household(household_id)
        with self.db.reading() as session:
            return schemas.household_view(store.household(session, household_id),
                                          for_agent=caller.role in AGENTS)

    @rpc
    @allow(FAMILY)
    def book(self, caller, child_id, activity, date):
        request = schemas.booking_request(activity, date)
        bookings.check_bookable(request["activity"], request["date"], today())
        with self.db.transaction() as tx:
            child = store.child_of_household(tx.session, caller.household_id, child_id)
            booking = store.add_booking(tx.session, Booking(
                household_id=child.household_id, child=child, activity=request["activity"].code,
                date=request["date"], status=bookings.INITIAL))
            tx.record_events([events.booking_made(booking)])
        return schemas.booking_view(booking)

    @rpc
    @allow(FAMILY)
    def cancel_booking(self, caller, booking_id):
        with self.db.transaction() as tx:
            booking = store.booking_of_household(tx.session, caller.household_id, booking_id)
            if bookings.cancel(booking, today(), utcnow()):
                tx.record_events([events.booking_cancelled(booking)])
        return schemas.booking_view(booking)

    @rpc
    @allow(FAMILY + AGENTS)
    def list_bookings(self, caller, month, household_id=None):
        household_id = caller.household(household_id)
        month = schemas.month(month)
        with self.db.reading() as session:
            household = store.household(session, household_id)
            return [schemas.booking_view(booking)
                    for booking in store.bookings_of_household(session, household.id, month)]

    @rpc
    @allow(parts=("billing",))
    def billable_items(self, caller, period):
        month = schemas.month(period, field="period", code="invalid_period")
        with self.db.reading() as session:
            return bookings.billable_items(store.billed_items(session, month))
