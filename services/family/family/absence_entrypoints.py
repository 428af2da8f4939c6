"""Entrypoints of absences, mixed into FamilyService."""
from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, allow

from family import absences, activity_events, activity_schemas, activity_store, clock, store
from family.calendars import school_year_key
from family.models import Absence


def certificate_delay(session, day):
    return activity_store.catalogue(session, school_year_key(day)).certificate_delay


class AbsenceEntrypoints:
    @rpc
    @allow(FAMILY)
    def report_absence(self, caller, data):
        """A child absent from `first_day` to `last_day`, with a reason and,
        when there is one, a medical certificate from the family's safe."""
        request = activity_schemas.new_absence(data)
        absences.check_range(request["first_day"], request["last_day"])
        now = clock.now()
        with self.db.transaction() as tx:
            child = store.child_of_household(tx.session, caller.household_id, request["child_id"])
            absence = Absence(household_id=child.household_id, child=child, first_day=request["first_day"],
                              last_day=request["last_day"], reason=request["reason"], reported_at=now,
                              certificate_status=absences.Certificate.NONE)
            if request["document_id"] is not None:
                absences.attach_certificate(absence, request["document_id"], now,
                                            certificate_delay(tx.session, absence.first_day))
            tx.session.add(absence)
            tx.session.flush()
            tx.record_events([activity_events.absence_reported(absence)])
        return activity_schemas.absence_view(absence)

    @rpc
    @allow(FAMILY)
    def attach_certificate(self, caller, absence_id, document_id):
        document = activity_schemas.document_id(document_id)
        now = clock.now()
        with self.db.transaction() as tx:
            absence = activity_store.absence(tx.session, absence_id, caller.household_id, lock=True)
            absences.attach_certificate(absence, document, now, certificate_delay(tx.session, absence.first_day))
        return activity_schemas.absence_view(absence)

    @rpc
    @allow(FAMILY + AGENTS)
    def absences(self, caller, household_id=None):
        household_id = caller.household(household_id)
        with self.db.reading() as session:
            return [activity_schemas.absence_view(absence)
                    for absence in activity_store.absences_of_household(session, household_id)]

    @rpc
    @allow(AGENTS)
    def pending_certificates(self, caller):
        with self.db.reading() as session:
            return [activity_schemas.absence_view(absence) for absence in activity_store.pending_certificates(session)]

    @rpc
    @allow(AGENTS)
    def decide_certificate(self, caller, absence_id, accept):
        """A validated certificate makes the absent days free; a refused one
        leaves them billed by the activity's rule. Journaled."""
        now = clock.now()
        with self.db.transaction() as tx:
            absence = activity_store.absence(tx.session, absence_id, lock=True)
            absences.move(absence, absences.Certificate.VALIDATED if accept is True else absences.Certificate.REFUSED)
            absence.decided_by, absence.decided_at = caller.account_id, now
            store.journal(tx.session, store.household(tx.session, absence.household_id), caller,
                          "certificate_" + absence.certificate_status, now, absence_id=str(absence.id))
            tx.record_events([activity_events.certificate_decided(absence)])
        return activity_schemas.absence_view(absence)
