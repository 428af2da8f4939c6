"""The queries of activities: catalogue versions, places per day, bookings
for billing, pre-registration sessions and lists, absences."""
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from kit.errors import Conflict, NotFound

from family import catalogue as catalogues
from family.bookings import BILLED
from family.preregistration import HOLDING
from family.models import (Absence, ActivityDay, Booking, CatalogueVersion, Child, Household, PeriodBookingAnswer,
                           Preregistration, PreregistrationSession)
from family.store import _uuid


def catalogue(session, school_year):
    """The newest version of a school year's catalogue, or the default (version 0)."""
    found = session.scalars(select(CatalogueVersion).where(CatalogueVersion.school_year == school_year)
                            .order_by(CatalogueVersion.version.desc()).limit(1)).first()
    if found is None:
        return catalogues.Catalogue(catalogues.default(school_year), 0)
    return catalogues.Catalogue(found.data, found.version)


def catalogue_versions(session, school_year):
    return session.scalars(select(CatalogueVersion).where(CatalogueVersion.school_year == school_year)
                           .order_by(CatalogueVersion.version.desc())).all()


def save_catalogue(session, school_year, data, version, actor_id, now):
    try:
        with session.begin_nested():
            session.add(CatalogueVersion(school_year=school_year, version=version, data=data, changed_by=actor_id,
                                         changed_at=now))
    except IntegrityError:
        raise Conflict("Le catalogue a changé entre-temps : rechargez-le avant de le modifier.",
                       code="catalogue_changed") from None


def set_capacity(session, activity, first_day, end, capacity):
    """New places for the days already counted from `first_day` to before `end`."""
    try:
        with session.begin_nested():
            session.execute(update(ActivityDay).where(
                ActivityDay.activity == activity, ActivityDay.date >= first_day, ActivityDay.date < end,
            ).values(capacity=capacity))
    except IntegrityError:
        raise Conflict("Des jours comptent déjà plus de réservations que ce nombre de places.",
                       code="capacity_below_bookings",
                       fields={f"activities.{activity}.capacity": "Trop peu de places pour les réservations faites."}
                       ) from None


def take_place(session, activity, day, capacity):
    """True when a place of `activity` on `day` was taken. The counter's row is
    locked by the update until the transaction ends, so racing requests queue
    there and each sees the count the previous one left."""
    if session.get(ActivityDay, (activity, day)) is None:
        try:
            with session.begin_nested():
                session.add(ActivityDay(activity=activity, date=day, capacity=capacity, booked=0))
        except IntegrityError:
            pass  # another request counted the day first
    taken = session.execute(update(ActivityDay).where(
        ActivityDay.activity == activity, ActivityDay.date == day, ActivityDay.booked < ActivityDay.capacity,
    ).values(booked=ActivityDay.booked + 1).execution_options(synchronize_session=False))
    return taken.rowcount == 1


def free_place(session, activity, day):
    session.execute(update(ActivityDay).where(ActivityDay.activity == activity, ActivityDay.date == day,
                                              ActivityDay.booked > 0)
                    .values(booked=ActivityDay.booked - 1).execution_options(synchronize_session=False))


def places(session, activity, first_day, last_day):
    """{day: (booked, capacity)} for the days counted."""
    return {row.date: (row.booked, row.capacity) for row in session.scalars(select(ActivityDay).where(
        ActivityDay.activity == activity, ActivityDay.date >= first_day, ActivityDay.date <= last_day))}


def _billed(first_day, end):
    return (Booking.date >= first_day, Booking.date < end, Booking.status.in_([str(status) for status in BILLED]))


def _confirmed(first_day, end):
    """Confirmed pre-registrations of the sessions that begin in the period."""
    return (Preregistration.status == "confirmed", PreregistrationSession.first_day >= first_day,
            PreregistrationSession.first_day < end)


def billable_households(session, first_day, end, after, limit):
    """Up to `limit` households, by id after `after`, having a billed booking
    or a confirmed stay in the period (walks the households' primary key)."""
    booked = select(Booking.id).where(Booking.household_id == Household.id, *_billed(first_day, end))
    stayed = (select(Preregistration.id).join(PreregistrationSession)
              .where(Preregistration.household_id == Household.id, *_confirmed(first_day, end)))
    query = select(Household).where(booked.exists() | stayed.exists()).order_by(Household.id).limit(limit)
    return session.scalars(query if after is None else query.where(Household.id > after)).all()


def billed_bookings(session, first_day, end, household_ids):
    return session.execute(
        select(Booking.id, Booking.household_id, Booking.child_id, Child.first_name.label("child_first_name"),
               Booking.activity, Booking.date, Booking.status)
        .join(Child, Booking.child_id == Child.id)
        .where(Booking.household_id.in_(household_ids), *_billed(first_day, end))
    ).all()


def absences_overlapping(session, first_day, end, household_ids):
    return session.scalars(select(Absence).where(Absence.household_id.in_(household_ids),
                                                 Absence.first_day < end, Absence.last_day >= first_day)).all()


def confirmed_stays(session, first_day, end, household_ids):
    return session.execute(
        select(Preregistration.id, Preregistration.household_id, Preregistration.child_id,
               Child.first_name.label("child_first_name"), PreregistrationSession.activity,
               PreregistrationSession.first_day, PreregistrationSession.last_day, PreregistrationSession.price_basis,
               PreregistrationSession.label.label("session_label"), Preregistration.wishes.label("days"))
        .join(Child, Preregistration.child_id == Child.id)
        .join(PreregistrationSession, Preregistration.session_id == PreregistrationSession.id)
        .where(Preregistration.household_id.in_(household_ids), *_confirmed(first_day, end))
    ).all()


def sessions(session, since):
    return session.scalars(select(PreregistrationSession).where(PreregistrationSession.last_day >= since)
                           .order_by(PreregistrationSession.first_day, PreregistrationSession.label)).all()


def preregistration_session(session, session_id, lock=False):
    query = select(PreregistrationSession).where(PreregistrationSession.id == _uuid(session_id))
    found = session.scalars(query.with_for_update() if lock else query).one_or_none()
    if found is None:
        raise NotFound("Ce séjour est introuvable.", code="session_not_found")
    return found


def entries(session, session_id):
    """The pre-registrations of a session, in the order of arrival."""
    return session.scalars(select(Preregistration).where(Preregistration.session_id == session_id)
                           .order_by(Preregistration.position)).all()


def next_position(session, session_id):
    return (session.scalar(select(func.max(Preregistration.position))
                           .where(Preregistration.session_id == session_id)) or 0) + 1


def counts(session, session_id):
    """(places held, waiting, last order of arrival) of a session, counted by the database."""
    holding = [str(status) for status in HOLDING]
    row = session.execute(select(
        func.count().filter(Preregistration.status.in_(holding)),
        func.count().filter(Preregistration.status == "waiting"),
        func.coalesce(func.max(Preregistration.position), 0),
    ).where(Preregistration.session_id == session_id)).one()
    return row[0], row[1], row[2]


def counts_by_session(session, session_ids):
    holding = [str(status) for status in HOLDING]
    rows = session.execute(select(
        Preregistration.session_id, func.count().filter(Preregistration.status.in_(holding)),
        func.count().filter(Preregistration.status == "waiting"),
    ).where(Preregistration.session_id.in_(list(session_ids))).group_by(Preregistration.session_id)).all()
    return {row[0]: (row[1], row[2]) for row in rows}


def add_preregistration(session, entry):
    try:
        with session.begin_nested():
            session.add(entry)
    except IntegrityError:
        raise Conflict("Cet enfant est déjà pré-inscrit à ce séjour.", code="already_preregistered",
                       fields={"child_id": "Une pré-inscription existe déjà."}) from None
    return entry


def preregistration(session, preregistration_id, household_id=None):
    query = select(Preregistration).where(Preregistration.id == _uuid(preregistration_id))
    if household_id is not None:
        query = query.where(Preregistration.household_id == _uuid(household_id))
    found = session.scalars(query).unique().one_or_none()
    if found is None:
        raise NotFound("Cette pré-inscription est introuvable.", code="preregistration_not_found")
    return found


def preregistrations_of_household(session, household_id):
    return session.scalars(select(Preregistration).join(Preregistration.session)
                           .where(Preregistration.household_id == household_id)
                           .order_by(PreregistrationSession.first_day, Preregistration.position)).unique().all()


def sessions_with_expired_offers(session, now):
    return session.scalars(select(Preregistration.session_id).where(
        Preregistration.status == "offered", Preregistration.offer_expires_at <= now).distinct()).all()


def absence(session, absence_id, household_id=None, lock=False):
    query = select(Absence).where(Absence.id == _uuid(absence_id))
    if household_id is not None:
        query = query.where(Absence.household_id == _uuid(household_id))
    found = session.scalars(query.with_for_update(of=Absence) if lock else query).unique().one_or_none()
    if found is None:
        raise NotFound("Cette absence est introuvable.", code="absence_not_found")
    return found


def absences_of_household(session, household_id):
    return session.scalars(select(Absence).where(Absence.household_id == household_id)
                           .order_by(Absence.first_day.desc())).unique().all()


def pending_certificates(session):
    return session.scalars(select(Absence).where(Absence.certificate_status == "pending")
                           .order_by(Absence.certificate_given_at)).unique().all()



def forget_absence_reasons(session, household_id):
    """A household whose last account closed: its absences keep their days
    and what billing made of them, not the reasons the family gave."""
    session.execute(update(Absence).where(Absence.household_id == household_id).values(reason=""))

def keep_period_answer(session, household_id, answer):
    kept = PeriodBookingAnswer(household_id=household_id, answer=answer)
    session.add(kept)
    session.flush()
    return kept.id


def period_answer(session, household_id, answer_id):
    return session.scalars(select(PeriodBookingAnswer.answer).where(
        PeriodBookingAnswer.id == _uuid(answer_id), PeriodBookingAnswer.household_id == household_id)).one()
