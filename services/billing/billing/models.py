"""Tables of the billing service."""
import uuid
from datetime import date, datetime

from sqlalchemy import (JSON, Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, MetaData, String,
                        UniqueConstraint, Uuid, text)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from kit.events import utcnow
from kit.idempotency import IdempotentRequestColumns
from kit.outbox import OutboxEventColumns, ProcessedEventColumns
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


class ProcessedEvent(ProcessedEventColumns, Base):
    __tablename__ = "processed_events"


class IdempotentRequest(IdempotentRequestColumns, Base):
    __tablename__ = "idempotent_requests"


class TariffVersion(Base):
    """One version of an activity's tariff, in force from `effective_from`
    until a later one of the same activity; never changed once written."""

    __tablename__ = "tariff_versions"
    __table_args__ = (UniqueConstraint("activity", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    activity: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    effective_from: Mapped[date] = mapped_column(Date)
    price_basis: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(12))
    brackets: Mapped[list] = mapped_column(JSON)  # [[qf_min, qf_max or null, price_cents], ...]
    effort_rate: Mapped[int | None] = mapped_column(Integer, nullable=True)
    floor_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    ceiling_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    non_resident_cents: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Invoice(Base):
    __tablename__ = "invoices"
    # One invoice per household and month, whatever runs race for it; an avoir
    # is never carried beyond itself (billing.carry), and runs find those left.
    __table_args__ = (
        UniqueConstraint("household_id", "period"),
        CheckConstraint("carried_cents >= 0 AND (carried_cents = 0 OR total_cents + carried_cents <= 0)",
                        name="ck_invoices_carried_within_avoir"),
        # what refunds took of its avoir and what runs carried of it: never more than the avoir, in all
        CheckConstraint("credit_refunded_cents >= 0 AND credit_refunded_cents <= refunded_cents AND "
                        "(credit_refunded_cents = 0 OR total_cents + carried_cents + credit_refunded_cents <= 0)",
                        name="ck_invoices_refunded_within_avoir"),
        Index("ix_invoices_avoirs", "household_id", postgresql_where=text("total_cents < 0"),
              sqlite_where=text("total_cents < 0")),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    period: Mapped[str] = mapped_column(String(7), index=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    due_date: Mapped[date] = mapped_column(Date)
    total_cents: Mapped[int] = mapped_column(Integer)
    paid_cents: Mapped[int] = mapped_column(Integer, default=0)
    overpaid_cents: Mapped[int] = mapped_column(Integer, default=0)  # received beyond the total: to refund
    carried_cents: Mapped[int] = mapped_column(Integer, default=0)  # of its avoir (negative total), carried since
    refunded_cents: Mapped[int] = mapped_column(Integer, default=0)  # refunded in all (billing.refunds)
    credit_refunded_cents: Mapped[int] = mapped_column(Integer, default=0)  # of which of its avoir: never carried
    status: Mapped[str] = mapped_column(String(20), default=InvoiceStatus.ISSUED.value, index=True)
    online: Mapped[bool] = mapped_column(Boolean, default=False)  # the household had opted in when it was issued
    credit_note_number: Mapped[str | None] = mapped_column(String(20), unique=True, nullable=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    cancelled_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    cancel_reason: Mapped[str | None] = mapped_column(String(300), nullable=True)
    reminded_before_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    reminded_after_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)
    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan",
        foreign_keys="InvoiceLine.invoice_id")
    payments: Mapped[list["Payment"]] = relationship(order_by="Payment.created_at", viewonly=True)
    refunds: Mapped[list["Refund"]] = relationship(order_by="Refund.created_at", viewonly=True)


class InvoiceLine(Base):
    __tablename__ = "invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "carried_from"),)  # an avoir once per invoice

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    # None on a line carrying an avoir (kind carried_credit): it belongs to no child nor activity
    child_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    child_first_name: Mapped[str | None] = mapped_column(String(100), nullable=True)
    activity: Mapped[str | None] = mapped_column(String(40), nullable=True)
    kind: Mapped[str] = mapped_column(String(20), default="charge")
    status: Mapped[str | None] = mapped_column(String(24), nullable=True, default="booked")
    price_basis: Mapped[str | None] = mapped_column(String(10), nullable=True, default="day")
    origin: Mapped[str] = mapped_column(String(7))  # the month of the days billed
    label: Mapped[str] = mapped_column(String(300))
    dates: Mapped[list] = mapped_column(JSON)  # ISO days, in order
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price_cents: Mapped[int] = mapped_column(Integer)
    amount_cents: Mapped[int] = mapped_column(Integer)
    # the invoice whose avoir this line carries (the number stays in the label once that invoice is gone)
    carried_from: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"),
                                                           nullable=True)
    invoice: Mapped[Invoice] = relationship(back_populates="lines", foreign_keys=[invoice_id])


class BilledItem(Base):
    """What was billed for each of family's billable items: billable or not
    when last billed, and the cents it cost in all (regularisations included)."""

    __tablename__ = "billed_items"

    item_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    billable: Mapped[bool] = mapped_column(Boolean)
    amount_cents: Mapped[int] = mapped_column(Integer)
    invoice_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)


class NumberSequence(Base):
    """The last number given in a year, per kind of document (invoice, credit
    note); its row is locked while numbers are handed out, so they never skip."""

    __tablename__ = "number_sequences"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class RunJournalEntry(Base):
    """Who started a billing run of a month (None: the timer), when, and what it made."""

    __tablename__ = "run_journal"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    period: Mapped[str] = mapped_column(String(7), index=True)
    started_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    invoices_created: Mapped[int] = mapped_column(Integer)
    automatic: Mapped[bool] = mapped_column(Boolean, default=False)
    total_cents: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)


class OnlineInvoiceChoice(Base):
    """Whether a household reads its invoices online (and may pay them online) or on paper."""

    __tablename__ = "online_invoice_choices"

    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    opted_in: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class OnlineInvoiceJournalEntry(Base):
    __tablename__ = "online_invoice_journal"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    opted_in: Mapped[bool] = mapped_column(Boolean)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Payment(Base):
    __tablename__ = "payments"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    applied_cents: Mapped[int] = mapped_column(Integer)
    excess_cents: Mapped[int] = mapped_column(Integer, default=0)  # flagged for a refund
    means: Mapped[str] = mapped_column(String(20))
    details: Mapped[dict] = mapped_column(JSON, default=dict)  # cheque number and bank...
    received_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    transaction_id: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Refund(Base):
    """Money the Caisse gave back to a household for an invoice: of its overpayment, then of its avoir."""

    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_cents > 0 AND credit_cents >= 0 AND credit_cents <= amount_cents",
                                      name="ck_refunds_amount"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    amount_cents: Mapped[int] = mapped_column(Integer)
    credit_cents: Mapped[int] = mapped_column(Integer, default=0)  # of it, taken from the invoice's avoir
    means: Mapped[str] = mapped_column(String(20))
    iban_masked: Mapped[str | None] = mapped_column(String(40), nullable=True)  # a transfer's account, by its ends
    note: Mapped[str | None] = mapped_column(String(300), nullable=True)
    refunded_on: Mapped[date] = mapped_column(Date)
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class OnlinePayment(Base):
    """A card payment started on PayFiP, until the notification says how it ended."""

    __tablename__ = "online_payments"

    transaction_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    amount_cents: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(12), default="started")  # started, paid, refused, cancelled
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class InvoiceDocument(Base):
    """The invoice's PDF, made once and handed out as it is ever after."""

    __tablename__ = "invoice_documents"

    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), primary_key=True)
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Mandate(Base):
    """A household's SEPA mandate, from its accepted direct-debit request."""

    __tablename__ = "mandates"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, unique=True)
    rum: Mapped[str] = mapped_column(String(35), unique=True)
    request_reference: Mapped[str] = mapped_column(String(40))
    account_holder: Mapped[str] = mapped_column(String(70))
    iban: Mapped[str] = mapped_column(String(34))
    bic: Mapped[str] = mapped_column(String(11))
    signed_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="active")
    rejections: Mapped[int] = mapped_column(Integer, default=0)
    collected: Mapped[bool] = mapped_column(Boolean, default=False)  # a first debit went through: RCUR next
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DebitBatch(Base):
    """The pain.008 file of one due date, as generated."""

    __tablename__ = "debit_batches"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    message_id: Mapped[str] = mapped_column(String(35), unique=True)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="generated")  # generated, sent
    count: Mapped[int] = mapped_column(Integer)
    total_cents: Mapped[int] = mapped_column(Integer)
    xml: Mapped[bytes] = mapped_column(LargeBinary)
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime, nullable=True)


class DebitCollection(Base):
    __tablename__ = "debit_collections"

    end_to_end_id: Mapped[str] = mapped_column(String(35), primary_key=True)
    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("debit_batches.id"), index=True)
    invoice_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("invoices.id"), index=True)
    mandate_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("mandates.id"))
    amount_cents: Mapped[int] = mapped_column(Integer)
    sequence_type: Mapped[str] = mapped_column(String(4))
    status: Mapped[str] = mapped_column(String(12), default="pending")  # pending, collected, rejected
    payment_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    rejection_reason: Mapped[str | None] = mapped_column(String(4), nullable=True)
    mandate: Mapped[Mandate] = relationship()
    invoice: Mapped[Invoice] = relationship()


class DebitReturnFile(Base):
    """A return file of the bank (pain.002 or camt.054), remembered by the SHA-256 of its bytes (not the
    bytes: they name debtors and their accounts) and by its message id: who imported it first and when, and
    where its rejections stand (applied by it, recorded before it, not ours, of a batch not marked sent yet);
    together they make `rejections`."""

    __tablename__ = "debit_return_files"
    __table_args__ = (UniqueConstraint("kind", "message_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[str] = mapped_column(String(8))
    message_id: Mapped[str] = mapped_column(String(35))
    original_message_id: Mapped[str | None] = mapped_column(String(35), nullable=True)
    filename: Mapped[str] = mapped_column(String(200))
    imported_by: Mapped[uuid.UUID | None] = mapped_column(Uuid, nullable=True)
    imported_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    rejections: Mapped[int] = mapped_column(Integer)
    applied: Mapped[int] = mapped_column(Integer)
    already_recorded: Mapped[int] = mapped_column(Integer)
    unknown: Mapped[int] = mapped_column(Integer)
    not_sent: Mapped[int] = mapped_column(Integer)
