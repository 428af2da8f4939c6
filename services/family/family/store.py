"""The queries of the family service, named after what they fetch.

An id that is not a UUID names nothing, so it is reported as not found, like
an id of another household: a family never learns whether a record exists
elsewhere."""
import uuid

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from kit.errors import Conflict, NotFound

from family.models import Booking, Child, Guardian, Household, HouseholdJournalEntry

# Keys are drawn from 10^5 x 36^6 values: one collision is already rare.
KEY_DRAWS = 5


def household(session, household_id):
    """With its guardians and children, in one query (not three)."""
    key = _uuid(household_id)
    found = session.scalars(
        select(Household).where(Household.id == key)
        .options(joinedload(Household.guardians), joinedload(Household.children))
    ).unique().one_or_none() if key else None
    if found is None:
        raise NotFound("Ce foyer est introuvable.", code="household_not_found")
    return found


def household_by_child_key(session, child_key):
    found = session.scalars(select(Household).where(Household.child_key == child_key)).one_or_none()
    if found is None:
        raise NotFound("Aucune famille ne correspond à cette clé enfance.", code="unknown_child_key",
                       fields={"child_key": "Vérifiez la clé enfance reçue de la Caisse des écoles."})
    return found


def child_of_household(session, household_id, child_id):
    found = session.scalars(select(Child).where(
        Child.id == _uuid(child_id), Child.household_id == _uuid(household_id))).one_or_none()
    if found is None:
        raise NotFound("Cet enfant est introuvable.", code="child_not_found")
    return found


def booking_of_household(session, household_id, booking_id):
    """Locked until the end of the transaction, so that two cancellations of
    one booking are told apart."""
    found = session.scalars(select(Booking).where(
        Booking.id == _uuid(booking_id), Booking.household_id == _uuid(household_id),
    ).with_for_update(of=Booking)).one_or_none()
    if found is None:
        raise NotFound("Cette réservation est introuvable.", code="booking_not_found")
    return found


def bookings_of_household(session, household_id, month):
    return session.scalars(
        select(Booking).join(Booking.child)
        .where(Booking.household_id == household_id,
               Booking.date >= month.first_day, Booking.date < month.next_first_day)
        .order_by(Booking.date, Child.first_name, Child.id, Booking.activity, Booking.created_at)
    ).all()


def add_household(session, request, draw_key):
    """A new household under a clé enfance no other household holds."""
    new = Household(
        quotient_familial=request["quotient_familial"],
        guardians=[Guardian(position=position, **guardian)
                   for position, guardian in enumerate(request["guardians"])],
        children=[Child(position=position, **child) for position, child in enumerate(request["children"])])
    return give_new_child_key(session, new, draw_key)


def give_new_child_key(session, household, draw_key):
    """`household`, saved under a clé enfance no household holds, itself
    included: its previous key, if any, stops working."""
    for _ in range(KEY_DRAWS):
        key = draw_key()
        if key == household.child_key:
            continue
        try:
            with session.begin_nested():
                household.child_key = key
                session.add(household)
        except IntegrityError:
            continue  # drawn twice: the unique index said so, draw again
        return household
    raise RuntimeError(f"no free clé enfance after {KEY_DRAWS} draws")


def add_booking(session, booking):
    try:
        with session.begin_nested():
            session.add(booking)
    except IntegrityError:
        raise Conflict("Cet enfant est déjà inscrit à cette activité ce jour-là.", code="already_booked",
                       fields={"date": "Une réservation existe déjà pour ce jour."}) from None
    return booking


def journal(session, household, caller, action, now, **details):
    """Records what an agent (or a part of the portal) did to `household`."""
    session.add(HouseholdJournalEntry(household_id=household.id, actor_id=caller.account_id, action=action,
                                      details=details, occurred_at=now))


def journal_of_household(session, household_id):
    return session.scalars(select(HouseholdJournalEntry).where(HouseholdJournalEntry.household_id == household_id)
                           .order_by(HouseholdJournalEntry.occurred_at.desc())).all()


def _uuid(value):
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(value) if isinstance(value, str) else None
    except ValueError:
        return None


# Data rights (data_rights.py)

def household_or_none(session, household_id):
    key = _uuid(household_id)
    return session.get(Household, key) if key else None


def all_bookings_of_household(session, household_id):
    return session.scalars(select(Booking).where(Booking.household_id == household_id)
                           .order_by(Booking.date, Booking.created_at)).all()


def forget_journal_details(session, household_id):
    """The journal keeps what was done and when, not what it was done with."""
    session.execute(update(HouseholdJournalEntry).where(HouseholdJournalEntry.household_id == household_id)
                    .values(details={}))
