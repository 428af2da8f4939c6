import datetime as dt
import uuid

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, Text, Uuid, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kit.events import utcnow
from kit.idempotency import IdempotentRequestColumns
from kit.outbox import OutboxEventColumns, ProcessedEventColumns
from kit.types import UtcDateTime


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxEventColumns, Base):
    __tablename__ = "outbox_events"


class IdempotentRequest(IdempotentRequestColumns, Base):
    __tablename__ = "idempotent_requests"


class Household(Base):
    __tablename__ = "households"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    child_key: Mapped[str] = mapped_column(String(12), unique=True)
    quotient_familial: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    guardians: Mapped[list["Guardian"]] = relationship(
        order_by="Guardian.position", cascade="all, delete-orphan", lazy="selectin")
    children: Mapped[list["Child"]] = relationship(
        order_by="Child.position", cascade="all, delete-orphan", lazy="selectin")


class Guardian(Base):
    __tablename__ = "guardians"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30), nullable=True)


class Child(Base):
    __tablename__ = "children"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    birth_date: Mapped[dt.date] = mapped_column(Date)
    school: Mapped[str] = mapped_column(String(200))


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_household_id_date", "household_id", "date"),
        Index("ix_bookings_date_status", "date", "status"),
        # A child holds at most one live booking per activity and day, even
        # when two requests race; cancelled ones stay as history.
        Index("uq_bookings_child_activity_date_booked", "child_id", "activity", "date", unique=True,
              postgresql_where=text("status = 'booked'"), sqlite_where=text("status = 'booked'")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Repeated from the child so that a household's bookings are found, and
    # fenced, without a join.
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"))
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    activity: Mapped[str] = mapped_column(String(40))
    date: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    child: Mapped[Child] = relationship(lazy="joined", innerjoin=True)


class HouseholdJournalEntry(Base):
    """What an agent did to a household: who, when, what, and what changed."""

    __tablename__ = "household_journal"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(60))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


# Requests (démarches), their timeline and what an accepted one changed.

class Request(Base):
    """A request a household filed (or a document the Caisse asked it for)."""

    __tablename__ = "requests"
    __table_args__ = (Index("ix_requests_status_created_at", "status", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(24))
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    document_ids: Mapped[list] = mapped_column(JSON, default=list)  # vault document ids, never bytes
    submitted_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    expected: Mapped[str | None] = mapped_column(Text)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    entries: Mapped[list["RequestEntry"]] = relationship(
        order_by="RequestEntry.occurred_at", cascade="all, delete-orphan", lazy="selectin")


class RequestEntry(Base):
    """One line of a request's timeline: who did what, said what, attached what."""

    __tablename__ = "request_timeline"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("requests.id"), index=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    author: Mapped[str] = mapped_column(String(16))  # family | agent
    action: Mapped[str] = mapped_column(String(24))
    body: Mapped[str | None] = mapped_column(Text)
    document_ids: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(24))  # the request's status after this line


class RequestCounter(Base):
    """The last request number given in a year: references follow without gaps."""

    __tablename__ = "request_counters"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer)


class QuotientPeriod(Base):
    """A quotient familial applied to a household from a day on."""

    __tablename__ = "quotient_familial_periods"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"), index=True)
    value: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    justified: Mapped[bool] = mapped_column(Boolean, default=True)
    source: Mapped[str] = mapped_column(String(200))
    request_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("requests.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class HouseholdAddress(Base):
    """Where a household lives from a day on; the latest one is its address."""

    __tablename__ = "household_addresses"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"), index=True)
    line1: Mapped[str] = mapped_column(String(200))
    line2: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(5))
    city: Mapped[str] = mapped_column(String(100))
    valid_from: Mapped[dt.date] = mapped_column(Date)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


# Activities: the catalogue per school year, places per day, pre-registration, absences.

class CatalogueVersion(Base):
    """Each change an agent makes to a school year's catalogue is a new version."""

    __tablename__ = "catalogue_versions"
    __table_args__ = (Index("uq_catalogue_versions_year_version", "school_year", "version", unique=True),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    school_year: Mapped[str] = mapped_column(String(9))
    version: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict] = mapped_column(JSON)
    changed_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class ActivityDay(Base):
    """The places of a day-booked activity on a day: a counter the database
    itself keeps within the capacity, whatever the number of requests racing."""

    __tablename__ = "activity_days"
    __table_args__ = (CheckConstraint("booked >= 0 AND booked <= capacity", name="ck_activity_days_within_capacity"),)

    activity: Mapped[str] = mapped_column(String(40), primary_key=True)
    date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class PreregistrationSession(Base):
    """A holiday session or a stay families pre-register for."""

    __tablename__ = "preregistration_sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    activity: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    places: Mapped[int] = mapped_column(Integer)
    min_age: Mapped[int] = mapped_column(Integer)
    max_age: Mapped[int] = mapped_column(Integer)
    opens_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    price_basis: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class Preregistration(Base):
    __tablename__ = "preregistrations"
    __table_args__ = (
        Index("ix_preregistrations_session_position", "session_id", "position", unique=True),
        Index("ix_preregistrations_household_id", "household_id"),
        # One live pre-registration per child and session.
        Index("uq_preregistrations_child_session_live", "child_id", "session_id", unique=True,
              postgresql_where=text("status IN ('preregistered', 'confirmed', 'waiting', 'offered')"),
              sqlite_where=text("status IN ('preregistered', 'confirmed', 'waiting', 'offered')")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("preregistration_sessions.id"))
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"))
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    position: Mapped[int] = mapped_column(Integer)  # the order of arrival within the session
    status: Mapped[str] = mapped_column(String(16))
    wishes: Mapped[list] = mapped_column(JSON, default=list)  # the days wished, empty for the whole session
    offer_expires_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    child: Mapped[Child] = relationship(lazy="joined", innerjoin=True)
    session: Mapped[PreregistrationSession] = relationship(lazy="joined", innerjoin=True)


class Absence(Base):
    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_household_id", "household_id"),
                      Index("ix_absences_child_days", "child_id", "first_day", "last_day"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"))
    child_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("children.id"))
    first_day: Mapped[dt.date] = mapped_column(Date)
    last_day: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(500))
    reported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    certificate_status: Mapped[str] = mapped_column(String(16), default="none")
    certificate_document_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)  # a document of the family's safe (vault)
    certificate_given_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)

    child: Mapped[Child] = relationship(lazy="joined", innerjoin=True)

class ProcessedEvent(ProcessedEventColumns, Base):
    """The events family has handled (identity's account_closed): each once."""

    __tablename__ = "processed_events"


class PeriodBookingAnswer(Base):
    """What a period booking retried with its Idempotency-Key answers again:
    the days booked and those refused, as the first call answered them."""
    __tablename__ = "period_booking_answers"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("households.id"))
    answer: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
