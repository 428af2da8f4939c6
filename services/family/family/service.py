from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, Callers, allow
from kit.db import Database
from kit.events import utcnow
from kit.metrics import Metrics

from family import bookings, child_keys, clock, events, schemas, store
# the module, not its class: `nameko run family.service` must find one service class here
from family import request_consumers, request_entrypoints, request_store
from family.data_rights import FamilyDataRights
from family.absence_entrypoints import AbsenceEntrypoints
from family.activity_entrypoints import ActivityEntrypoints
from family.metrics import MetricTimers
from family.models import Base
from family.preregistration_entrypoints import PreregistrationEntrypoints

HOUSEHOLD_CREATED, CHILD_KEY_REISSUED = "household_created", "child_key_reissued"


def today():
    """The day it is for the families, in Paris."""
    return bookings.paris_date(clock.now())


class FamilyService(request_entrypoints.RequestEntrypoints, request_consumers.RequestConsumers,
                    ActivityEntrypoints, PreregistrationEntrypoints, AbsenceEntrypoints,
                    FamilyDataRights, MetricTimers):
    name = "family"
    db = Database(Base)
    metrics = Metrics()
    callers = Callers()

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
    @allow(parts=("billing",))
    def household_for_certificates(self, caller, household_id):
        """Whom billing's payment certificates are made out to: the guardians,
        the address, and the children with their birth dates."""
        household_id = caller.household(household_id)
        with self.db.reading() as session:
            household = store.household(session, household_id)
            return schemas.certificate_household_view(household, request_store.current_address(session, household.id))
