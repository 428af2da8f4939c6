"""Entrypoints of the catalogue and of day-by-day bookings, mixed into FamilyService."""
import datetime as dt
from collections import defaultdict

from nameko.rpc import rpc

from kit.caller import AGENTS, FAMILY, PARTS, allow
from kit.errors import Conflict, Invalid
from kit.metrics import count_after_commit

from family import activity_events, activity_schemas, activity_store, billable, bookings, clock, events, schemas, store
from family.activities import ACTIVITIES, DAY_BOOKED, Mode, weekday_name
from family.calendars import school_year_key
from family.catalogue import amend
from family.metrics import BOOKINGS
from family.models import Booking

BOOKED_BY_AGENT, CANCELLED_BY_AGENT = "booking_made_by_agent", "booking_cancelled_by_agent"


class Catalogues:
    """The catalogue of each school year met in one call, read once."""

    def __init__(self, session):
        self.session, self.read = session, {}

    def __call__(self, day):
        key = school_year_key(day)
        if key not in self.read:
            self.read[key] = activity_store.catalogue(self.session, key)
        return self.read[key]


def book_day(session, catalogues, child, activity, day, now, waive):
    """A booking of `child` on `day`, its place counted; Invalid or Conflict otherwise."""
    if activity.mode != Mode.DAY:
        raise Invalid(f"{activity.label} se demande par pré-inscription.", code="preregistration_only",
                      fields={"activity": "Cette activité se demande par pré-inscription."})
    catalogue = catalogues(day)
    offer = catalogue.offers[activity.code]
    bookings.check_bookable(offer, catalogue.calendar(), child.birth_date, day, now, waive)
    booking = store.add_booking(session, Booking(household_id=child.household_id, child=child, activity=activity.code,
                                                 date=day, status=bookings.INITIAL))
    if not activity_store.take_place(session, activity.code, day, offer.capacity):
        raise Conflict(f"{activity.label}, le {day:%d/%m/%Y} : complet.", code=bookings.FULL,
                       fields={"date": "Complet : plus aucune place ce jour-là."})
    count_after_commit(session, BOOKINGS.labels(activity.code))
    return booking


class ActivityEntrypoints:
    @rpc
    @allow(parts=PARTS)
    def activities(self, caller):
        """The nine activities as offered this school year."""
        with self.db.reading() as session:
            catalogue = activity_store.catalogue(session, school_year_key(bookings.paris_date(clock.now())))
        return [activity_schemas.offer_view(offer) for offer in catalogue.offers.values()]

    @rpc
    @allow(FAMILY + AGENTS)
    def catalogue(self, caller, school_year=None):
        key = activity_schemas.school_year(school_year) if school_year else \
            school_year_key(bookings.paris_date(clock.now()))
        with self.db.reading() as session:
            return activity_schemas.catalogue_view(activity_store.catalogue(session, key))

    @rpc
    @allow(AGENTS)
    def update_catalogue(self, caller, school_year, changes, version):
        """A new version of the school year's catalogue; `version` is the one
        the agent changed, so that two agents do not overwrite each other."""
        key = activity_schemas.school_year(school_year)
        now = clock.now()
        with self.db.transaction() as tx:
            current = activity_store.catalogue(tx.session, key)
            if version != current.version:
                raise Conflict("Le catalogue a changé entre-temps : rechargez-le avant de le modifier.",
                               code="catalogue_changed")
            amended = amend(current.data, changes)
            activity_store.save_catalogue(tx.session, key, amended, current.version + 1, caller.account_id, now)
            first_day, end = bookings.paris_date(now), dt.date(int(key[5:]), 9, 1)
            for code, settings in (changes.get("activities") or {}).items():
                if "capacity" in settings:
                    activity_store.set_capacity(tx.session, code, first_day, end, settings["capacity"])
            tx.record_events([activity_events.catalogue_changed(key, current.version + 1)])
            view = activity_schemas.catalogue_view(activity_store.catalogue(tx.session, key))
        return view

    @rpc
    @allow(FAMILY + AGENTS)
    def month_calendar(self, caller, child_id, month, household_id=None):
        """Each day of the month for a child: what runs, what is booked and
        billed, what can still be booked or cancelled for free, and why not."""
        household_id = caller.household(household_id)
        month = schemas.month(month)
        now = clock.now()
        with self.db.reading() as session:
            child = store.child_of_household(session, household_id, child_id)
            booked = defaultdict(list)
            for booking in store.bookings_of_household(session, household_id, month):
                if booking.child_id == child.id:
                    booked[(booking.date, booking.activity)].append(booking)
            catalogues = Catalogues(session)
            places = {code: activity_store.places(session, code, month.first_day, month.next_first_day)
                      for code in DAY_BOOKED}
            days = []
            day = month.first_day
            while day < month.next_first_day:
                catalogue = catalogues(day)
                calendar = catalogue.calendar()
                entries = []
                for code, activity in DAY_BOOKED.items():
                    offer = catalogue.offers[code]
                    history = booked.get((day, code), [])
                    live = next((b for b in history if b.status == bookings.BookingStatus.BOOKED), None)
                    refused = bookings.refusal(offer, calendar, child.birth_date, day, now)
                    if refused and refused[0] == bookings.NO_ACTIVITY and not history:
                        continue
                    taken, capacity = places[code].get(day, (0, offer.capacity))
                    if live is None and refused is None and taken >= capacity:
                        refused = (bookings.FULL, bookings.FULL_REASON)
                    entries.append({
                        "code": code, "label": activity.label,
                        "bookings": [activity_schemas.booking_view(b) for b in history],
                        "booked_id": str(live.id) if live else None,
                        "bookable": live is None and refused is None, "reason": refused[1] if refused else None,
                        "free_cancellation": bool(live) and bookings.deadlines.is_open(
                            offer.cancellation_deadline, day, now),
                        "places_left": max(capacity - taken, 0)})
                closed = calendar.closed_because(ACTIVITIES["restauration_scolaire"], day)
                days.append({"date": day.isoformat(), "weekday": weekday_name(day), "activities": entries,
                             "closed_reason": closed if not entries else None})
                day += dt.timedelta(days=1)
        return {"month": month.key, "child_id": str(child.id), "child_first_name": child.first_name, "days": days}

    @rpc
    @allow(FAMILY + AGENTS)
    def book(self, caller, child_id, activity, date, household_id=None):
        """Agents book past the deadlines, journaled."""
        request = schemas.booking_request(activity, date)
        household_id = caller.household(household_id)
        waive = caller.role in AGENTS
        with self.db.transaction() as tx:
            made_before = tx.made_before(caller, [str(household_id), str(child_id), activity, date])
            if made_before:
                return activity_schemas.booking_view(store.booking_of_household(tx.session, household_id, made_before))
            child = store.child_of_household(tx.session, household_id, child_id)
            booking = book_day(tx.session, Catalogues(tx.session), child, request["activity"], request["date"],
                               clock.now(), waive)
            tx.record_events([events.booking_made(booking)])
            if waive:
                store.journal(tx.session, store.household(tx.session, household_id), caller, BOOKED_BY_AGENT,
                              clock.now(), booking_id=str(booking.id))
            tx.made(booking.id)
        return activity_schemas.booking_view(booking)

    @rpc
    @allow(FAMILY + AGENTS)
    def book_period(self, caller, data, household_id=None):
        """Every chosen weekday of a period at once, with the days refused and why. Retried with its
        Idempotency-Key and the same data, the first answer."""
        request = activity_schemas.period(data)
        activity = ACTIVITIES[request["activity"]]
        household_id = caller.household(household_id)
        days = bookings.period_days(request["first_day"], request["last_day"], set(request["weekdays"]))
        waive, now = caller.role in AGENTS, clock.now()
        made, refused = [], []
        with self.db.transaction() as tx:
            made_before = tx.made_before(caller, [str(household_id), data])
            if made_before:
                return activity_store.period_answer(tx.session, household_id, made_before)
            child = store.child_of_household(tx.session, household_id, request["child_id"])
            catalogues = Catalogues(tx.session)
            for day in days:
                try:
                    with tx.session.begin_nested():
                        made.append(book_day(tx.session, catalogues, child, activity, day, now, waive))
                except (Invalid, Conflict) as refusal:
                    if refusal.code == "preregistration_only":
                        raise
                    reason = bookings.FULL_REASON if refusal.code == bookings.FULL else \
                        bookings.ALREADY_BOOKED_REASON if refusal.code == "already_booked" else \
                        next(iter(refusal.fields.values()), refusal.message)
                    refused.append({"date": day.isoformat(), "code": refusal.code, "reason": reason})
            tx.record_events([events.booking_made(booking) for booking in made])
            if waive and made:
                store.journal(tx.session, store.household(tx.session, household_id), caller, BOOKED_BY_AGENT, now,
                              booking_ids=[str(booking.id) for booking in made])
            answer = {"booked": [activity_schemas.booking_view(booking) for booking in made], "refused": refused}
            if tx.retryable:
                tx.made(activity_store.keep_period_answer(tx.session, household_id, answer))
        return answer

    @rpc
    @allow(FAMILY + AGENTS)
    def cancel_booking(self, caller, booking_id, household_id=None):
        """Free until the cancellation deadline, billed after it; agents waive it, journaled."""
        household_id = caller.household(household_id)
        waive, now = caller.role in AGENTS, clock.now()
        with self.db.transaction() as tx:
            booking = store.booking_of_household(tx.session, household_id, booking_id)
            offer = activity_store.catalogue(tx.session, school_year_key(booking.date)).offers[booking.activity]
            if bookings.cancel(booking, offer, now, waive):
                activity_store.free_place(tx.session, booking.activity, booking.date)
                tx.record_events([events.booking_cancelled(booking)])
                if waive:
                    store.journal(tx.session, store.household(tx.session, household_id), caller, CANCELLED_BY_AGENT, now,
                                  booking_id=str(booking.id))
        return activity_schemas.booking_view(booking)

    @rpc
    @allow(FAMILY + AGENTS)
    def list_bookings(self, caller, month, household_id=None):
        household_id = caller.household(household_id)
        month = schemas.month(month)
        with self.db.reading() as session:
            household = store.household(session, household_id)
            return [activity_schemas.booking_view(booking)
                    for booking in store.bookings_of_household(session, household.id, month)]

    @rpc
    @allow(parts=("billing",))
    def billable_items(self, caller, period, after=None, limit=500):
        """docs/contracts.md, family → billing: a page of households by id."""
        month = schemas.month(period, field="period", code="invalid_period")
        after, limit = schemas.billable_page(after, limit)
        first_day, end = month.first_day, month.next_first_day
        with self.db.reading() as session:
            households = activity_store.billable_households(session, first_day, end, after, limit + 1)
            page, more = households[:limit], len(households) > limit
            ids = [household.id for household in page]
            catalogue = activity_store.catalogue(session, school_year_key(first_day))
            rules, calendar = catalogue.offers, catalogue.calendar()
            billed_days = {code: offer.unjustified_absence_billed_days for code, offer in rules.items()}
            absences = defaultdict(list)
            for absence in activity_store.absences_overlapping(session, first_day, end, ids):
                absences[absence.child_id].append(absence)
            by_household = defaultdict(list)
            for row in activity_store.billed_bookings(session, first_day, end, ids):
                by_household[row.household_id].append(row)
            items = {household_id: billable.day_items(rows, absences, billed_days)
                     for household_id, rows in by_household.items()}
            for stay in activity_store.confirmed_stays(session, first_day, end, ids):
                items.setdefault(stay.household_id, []).extend(billable.stay_items([stay], calendar))
            return {"households": billable.entries(page, items), "next": str(ids[-1]) if more else None}
