"""Entrypoints of pre-registration for holiday sessions and stays, mixed
into FamilyService. A session's row is locked by every change to its list,
so that the order of arrival and the number of places hold when families
rush at the opening."""
from nameko.rpc import rpc
from nameko.timer import timer

from kit.caller import AGENTS, FAMILY, allow
from kit.errors import Conflict, Invalid
from kit.metrics import count_after_commit

from family import activity_events, activity_schemas, activity_store, bookings, clock, preregistration, store
from family.calendars import school_year_key
from family.metrics import PREREGISTRATIONS
from family.models import Preregistration, PreregistrationSession
from family.preregistration import Status

OFFER_TICK = 60  # seconds between two looks for offers left unanswered
DECISIONS = {"confirm": Status.CONFIRMED, "refuse": Status.REFUSED}


def offer_delay(session, day):
    return activity_store.catalogue(session, school_year_key(day)).offer_delay


class PreregistrationEntrypoints:
    @rpc
    @allow(AGENTS)
    def create_session(self, caller, data):
        request = activity_schemas.new_session(data)
        with self.db.transaction() as tx:
            session = PreregistrationSession(**request)
            tx.session.add(session)
            tx.session.flush()
        return activity_schemas.session_view(session, [])

    @rpc
    @allow(FAMILY + AGENTS)
    def sessions(self, caller):
        """The sessions not over yet, with their places held and waiting."""
        with self.db.reading() as session:
            found = activity_store.sessions(session, bookings.paris_date(clock.now()))
            counted = activity_store.counts_by_session(session, [each.id for each in found])
            return [activity_schemas.session_view(each, counted.get(each.id, (0, 0))) for each in found]

    @rpc
    @allow(FAMILY)
    def preregister(self, caller, data):
        """A place while some are left, else the waiting list, in the order of arrival."""
        request = activity_schemas.new_preregistration(data)
        now = clock.now()
        with self.db.transaction() as tx:
            child = store.child_of_household(tx.session, caller.household_id, request["child_id"])
            session = activity_store.preregistration_session(tx.session, request["session_id"], lock=True)
            preregistration.check_open(session, now)
            preregistration.check_age(session, child.birth_date)
            wished = [day.isoformat() for day in request["wishes"]]
            if any(not session.first_day.isoformat() <= day <= session.last_day.isoformat() for day in wished):
                raise Invalid("Les jours souhaités sont en dehors du séjour.", code="invalid_preregistration",
                              fields={"wishes": "Choisissez des jours du séjour."})
            held, waiting, last = activity_store.counts(tx.session, session.id)
            entry = activity_store.add_preregistration(tx.session, Preregistration(
                session=session, household_id=child.household_id, child=child, position=last + 1,
                status=preregistration.arrival_status(session.places, held), wishes=wished,
                created_at=now, updated_at=now))
            view = activity_schemas.preregistration_view(entry, waiting + 1)
            tx.record_events([activity_events.preregistration_status_changed(entry, view)])
            count_after_commit(tx.session, PREREGISTRATIONS)
        return view

    @rpc
    @allow(FAMILY + AGENTS)
    def preregistrations(self, caller, household_id=None):
        household_id = caller.household(household_id)
        with self.db.reading() as session:
            found = activity_store.preregistrations_of_household(session, household_id)
            views = {}
            for session_id in {entry.session_id for entry in found}:
                views.update(activity_schemas.list_views(activity_store.entries(session, session_id)))
            return [views[entry.id] for entry in found]

    @rpc
    @allow(AGENTS)
    def session_list(self, caller, session_id):
        """A session and its list, in the order of arrival."""
        with self.db.reading() as session:
            found = activity_store.preregistration_session(session, session_id)
            entries = activity_store.entries(session, found.id)
            return {"session": activity_schemas.session_view(found, entries),
                    "entries": list(activity_schemas.list_views(entries).values())}

    @rpc
    @allow(AGENTS)
    def decide_preregistration(self, caller, preregistration_id, decision, target_session_id=None):
        """confirm, refuse, or move to another session (where it takes a place
        if one is left, else the end of the list); a freed place is offered on."""
        if decision not in (*DECISIONS, "move"):
            raise Invalid("Décision inconnue : confirm, refuse ou move.", code="invalid_decision",
                          fields={"decision": "confirm, refuse ou move."})
        now = clock.now()
        with self.db.transaction() as tx:
            entry = activity_store.preregistration(tx.session, preregistration_id)
            ids = {entry.session_id}
            if decision == "move":
                target = activity_store.preregistration_session(tx.session, target_session_id)
                if target.id == entry.session_id:
                    raise Invalid("Choisissez un autre séjour.", code="invalid_decision",
                                  fields={"target_session_id": "C'est déjà le séjour de cette pré-inscription."})
                ids.add(target.id)
            for session_id in sorted(ids, key=str):  # one order of locks, so two moves never deadlock
                activity_store.preregistration_session(tx.session, session_id, lock=True)
            tx.session.refresh(entry)
            source = entry.session
            if decision == "move":
                if entry.status not in preregistration.MOVES or not preregistration.MOVES[Status(entry.status)]:
                    raise Conflict("Cette pré-inscription est close.", code="invalid_status_move")
                target_entries = activity_store.entries(tx.session, target.id)
                entry.session, entry.position = target, activity_store.next_position(tx.session, target.id)
                entry.status = preregistration.arrival_status(target.places, preregistration.held(target_entries))
                entry.offer_expires_at = None
            else:
                preregistration.move(entry, DECISIONS[decision])
            entry.updated_at = now
            tx.session.flush()
            changed = [entry, *self._promote(tx.session, source, now)]
            self._announce(tx, changed)
            store.journal(tx.session, store.household(tx.session, entry.household_id), caller,
                          f"preregistration_{decision}", now, preregistration_id=str(entry.id))
            return activity_schemas.list_views(activity_store.entries(tx.session, entry.session_id))[entry.id]

    @rpc
    @allow(FAMILY)
    def answer_offer(self, caller, preregistration_id, accept):
        """The family takes the place offered (then it is confirmed) or lets it go."""
        return self._family_move(caller, preregistration_id, Status.CONFIRMED if accept is True else Status.WITHDRAWN,
                                 only_from=Status.OFFERED)

    @rpc
    @allow(FAMILY)
    def withdraw_preregistration(self, caller, preregistration_id):
        return self._family_move(caller, preregistration_id, Status.WITHDRAWN)

    @timer(interval=OFFER_TICK)
    def expire_offers(self):
        """Offers left unanswered pass to the next on the list."""
        now = clock.now()
        with self.db.transaction() as tx:
            for session_id in activity_store.sessions_with_expired_offers(tx.session, now):
                session = activity_store.preregistration_session(tx.session, session_id, lock=True)
                self._announce(tx, self._promote(tx.session, session, now))

    def _family_move(self, caller, preregistration_id, target, only_from=None):
        now = clock.now()
        with self.db.transaction() as tx:
            entry = activity_store.preregistration(tx.session, preregistration_id, caller.household_id)
            activity_store.preregistration_session(tx.session, entry.session_id, lock=True)
            tx.session.refresh(entry)
            if only_from is not None and entry.status != only_from:
                raise Conflict("Aucune place n'est proposée pour cette pré-inscription.", code="no_offer")
            preregistration.move(entry, target)
            entry.updated_at = now
            self._announce(tx, [entry, *self._promote(tx.session, entry.session, now)])
            return activity_schemas.list_views(activity_store.entries(tx.session, entry.session_id))[entry.id]

    def _promote(self, session, preregistration_session, now):
        entries = activity_store.entries(session, preregistration_session.id)
        changed = preregistration.promote(preregistration_session.places, entries, now,
                                          offer_delay(session, preregistration_session.first_day))
        for entry in changed:
            entry.updated_at = now
        return changed

    def _announce(self, tx, changed):
        tx.session.flush()
        views = {}
        for session_id in {entry.session_id for entry in changed}:
            views.update(activity_schemas.list_views(activity_store.entries(tx.session, session_id)))
        tx.record_events([activity_events.preregistration_status_changed(entry, views[entry.id])
                          for entry in changed])
