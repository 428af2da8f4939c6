"""Tables of the billing service."""
import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, MetaData, String, UniqueConstraint, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kit.events import utcnow
from kit.outbox import OutboxEventColumns
from kit.types import UtcDateTime

from billing.statuses import InvoiceStatus


class Base(DeclarativeBase):
    # Named constraints, so later migrations can alter them (SQLite rebuilds tables by name).
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class OutboxEvent(OutboxEventColumns, Base):
    __tablename__ = "outbox_events"


class Tariff(Base):
    """Unit price of an activity for one quotient familial bracket, from `valid_from` on."""

    __tablename__ = "tariffs"
    __table_args__ = (UniqueConstraint("activity", "bracket", "valid_from"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    activity: Mapped[str] = mapped_column(String(40))
    bracket: Mapped[str] = mapped_column(String(8))
    qf_min: Mapped[int] = mapped_column(Integer)
    qf_max: Mapped[int | None] = mapped_column(Integer, nullable=True)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date] = mapped_column(Date)


class Invoice(Base):
    __tablename__ = "invoices"
    # One invoice per household and month, whatever runs race for it.
    __table_args__ = (UniqueConstraint("household_id", "period"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    period: Mapped[str] = mapped_column(String(7))
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    due_date: Mapped[date] = mapped_column(Date)
    total_cents: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=InvoiceStatus.ISSUED.value)
    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan")


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    child_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    child_first_name: Mapped[str] = mapped_column(String(100))
    activity: Mapped[str] = mapped_column(String(40))
    label: Mapped[str] = mapped_column(String(200))
    dates: Mapped[list] = mapped_column(JSON)  # ISO days attended, in order
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)
    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class BillingRun(Base):
    """The invoice sequence of one month; its row is locked while a run of
    that month numbers invoices, so concurrent runs take turns."""

    __tablename__ = "billing_runs"

    period: Mapped[str] = mapped_column(String(7), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)


class RunJournalEntry(Base):
    """Who started a billing run of a month, when, and what it made."""

    __tablename__ = "run_journal"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    period: Mapped[str] = mapped_column(String(7), index=True)
    started_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    invoices_created: Mapped[int] = mapped_column(Integer)
