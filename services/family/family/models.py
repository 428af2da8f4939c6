import datetime as dt
import uuid

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Uuid, text
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
    status: Mapped[str] = mapped_column(String(16))
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


class ProcessedEvent(ProcessedEventColumns, Base):
    """The events family has handled (identity's account_closed): each once."""

    __tablename__ = "processed_events"
