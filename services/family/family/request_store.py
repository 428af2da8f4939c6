"""The queries of requests (démarches), their numbering, and what an accepted
change writes to the household."""
import datetime as dt
import uuid

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from kit.errors import NotFound

from family import quotient, references
from family.models import (Child, Guardian, Household, HouseholdAddress, QuotientPeriod, Request, RequestCounter,
                           RequestEntry)
from family.store import _uuid

SEARCH_LIMIT = 50
INBOX_LIMIT = 200


def next_reference(session, year):
    """The next reference of `year`, taken under the counter's row lock: a
    rolled-back submission gives its number back, so none is skipped."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(RequestCounter).values(year=year, last=0).on_conflict_do_nothing())
    number = session.execute(update(RequestCounter).where(RequestCounter.year == year)
                             .values(last=RequestCounter.last + 1).returning(RequestCounter.last)).scalar_one()
    return references.reference(year, number)


def request_of(session, request_id, household_id=None, lock=False):
    """A request named by its id or its reference, of `household_id` when
    given (a family's own); another household's is as absent as one that
    does not exist."""
    named = (Request.reference == references.reference(*references.parse(request_id))
             if references.parse(request_id) else Request.id == _uuid(request_id))
    query = select(Request).where(named)
    if household_id is not None:
        query = query.where(Request.household_id == _uuid(household_id))
    if lock:
        query = query.with_for_update(of=Request)
    found = session.scalars(query).one_or_none()
    if found is None:
        raise NotFound("Cette démarche est introuvable.", code="request_not_found")
    return found


def requests_of_household(session, household_id, limit=None):
    query = (select(Request).where(Request.household_id == household_id)
             .order_by(Request.created_at.desc(), Request.reference.desc()))
    return session.scalars(query.limit(limit) if limit else query).all()


def inbox(session, now, kind=None, status=None, older_than_days=None, assignee=None, me=None):
    """The requests agents handle, oldest first; `assignee` is "me", "none" or an account id."""
    query = select(Request)
    if kind:
        query = query.where(Request.kind == kind)
    if status:
        query = query.where(Request.status == status)
    if older_than_days is not None:
        query = query.where(Request.created_at <= now - dt.timedelta(days=older_than_days))
    if assignee == "me":
        query = query.where(Request.assignee_id == me)
    elif assignee == "none":
        query = query.where(Request.assignee_id.is_(None))
    return session.scalars(query.order_by(Request.created_at, Request.reference).limit(INBOX_LIMIT)).all()


def add_entry(session, request, actor_id, author, action, now, body=None, document_ids=()):
    entry = RequestEntry(id=uuid.uuid4(), request_id=request.id, occurred_at=now, actor_id=actor_id, author=author,
                         action=str(action), body=body, document_ids=list(document_ids), status=str(request.status))
    request.entries.append(entry)
    request.updated_at = now
    return entry


def search_households(session, text):
    """Households whose guardian or child bears `text` in a name, whose
    guardian has this e-mail, or whose clé enfance it is."""
    text = text.strip()
    pattern = f"%{text.lower()}%"
    by_guardian = select(Guardian.household_id).where(or_(
        func.lower(Guardian.first_name + " " + Guardian.last_name).like(pattern),
        func.lower(Guardian.last_name + " " + Guardian.first_name).like(pattern),
        func.lower(Guardian.email) == text.lower()))
    by_child = select(Child.household_id).where(or_(
        func.lower(Child.first_name + " " + Child.last_name).like(pattern),
        func.lower(Child.last_name + " " + Child.first_name).like(pattern)))
    return session.scalars(
        select(Household).where(or_(Household.id.in_(by_guardian), Household.id.in_(by_child),
                                    Household.child_key == text.upper()))
        .order_by(Household.created_at).limit(SEARCH_LIMIT)).all()


def current_address(session, household_id):
    found = session.scalars(select(HouseholdAddress).where(HouseholdAddress.household_id == household_id)
                            .order_by(HouseholdAddress.valid_from.desc(), HouseholdAddress.created_at.desc())
                            .limit(1)).one_or_none()
    if found is None:
        return None
    return {"line1": found.line1, "line2": found.line2, "postal_code": found.postal_code, "city": found.city,
            "valid_from": found.valid_from.isoformat()}


def quotient_history(session, household):
    """The household's QF periods in force, oldest first; before any was
    applied, the one it was opened with."""
    applied = session.scalars(select(QuotientPeriod).where(QuotientPeriod.household_id == household.id)
                              .order_by(QuotientPeriod.created_at, QuotientPeriod.valid_from)).all()
    if not applied:
        return quotient.history([quotient.opening(household.quotient_familial, household.created_at.date())])
    return quotient.history([quotient.Period(p.value, p.valid_from, p.source, p.justified) for p in applied])


def apply_change(session, household, change, request, today, now):
    """Writes `change` (household_changes.Change) to the household."""
    if change.quotient is not None:
        if session.scalars(select(QuotientPeriod.id).where(QuotientPeriod.household_id == household.id)
                           .limit(1)).first() is None:  # the first change keeps the opening QF as history
            session.add(QuotientPeriod(household_id=household.id, value=household.quotient_familial,
                                       valid_from=household.created_at.date(), justified=True,
                                       source=quotient.OPENING_SOURCE, created_at=household.created_at))
        session.add(QuotientPeriod(household_id=household.id, value=change.quotient["value"],
                                   valid_from=dt.date.fromisoformat(change.quotient["valid_from"]),
                                   justified=change.quotient["justified"], source=f"Démarche {request.reference}",
                                   request_id=request.id, created_at=now))
        if dt.date.fromisoformat(change.quotient["valid_from"]) <= today:
            household.quotient_familial = change.quotient["value"]
    if change.address is not None:
        session.add(HouseholdAddress(household_id=household.id, line1=change.address["line1"],
                                     line2=change.address["line2"], postal_code=change.address["postal_code"],
                                     city=change.address["city"],
                                     valid_from=dt.date.fromisoformat(change.address["valid_from"]), created_at=now))
    if change.new_child is not None:
        child = change.new_child
        household.children.append(Child(
            id=uuid.uuid4(), position=len(household.children), first_name=child["first_name"],
            last_name=child["last_name"], birth_date=dt.date.fromisoformat(child["birth_date"]),
            school=child["school"]))
    if change.new_guardian is not None:
        household.guardians.append(Guardian(id=uuid.uuid4(), position=len(household.guardians),
                                            **change.new_guardian))
    if change.leaving_guardian_id is not None:
        household.guardians = [g for g in household.guardians if str(g.id) != change.leaving_guardian_id]


def forget_requests_details(session, household_id):
    """A household whose last account closed: its requests keep their kind,
    reference, statuses and dates; what they said (addresses, account
    details, messages, reasons) goes, and so do its addresses."""
    ids = select(Request.id).where(Request.household_id == household_id).scalar_subquery()
    session.execute(update(Request).where(Request.household_id == household_id)
                    .values(data={}, expected=None, decision_reason=None))
    session.execute(update(RequestEntry).where(RequestEntry.request_id.in_(ids)).values(body=None))
    session.execute(delete(HouseholdAddress).where(HouseholdAddress.household_id == household_id))


def open_by_status(session, statuses):
    """How many requests are in each of `statuses`."""
    return dict(session.execute(select(Request.status, func.count()).where(Request.status.in_(statuses))
                                .group_by(Request.status)).all())
