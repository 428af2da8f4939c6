import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Integer, LargeBinary, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kit.events import utcnow
from kit.idempotency import IdempotentRequestColumns
from kit.outbox import OutboxEventColumns, ProcessedEventColumns
from kit.types import UtcDateTime


class Base(DeclarativeBase):
    pass


class Document(Base):
    """Metadata of one stored document. Its bytes live in the storage under
    `storage_key`, encrypted under a data key kept here only wrapped by the
    master key `key_id`; a deleted document has lost its wrapped key."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_household_uploaded", "household_id", "uploaded_at"),
        Index("ix_documents_valid_until", "valid_until"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    category: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    key_id: Mapped[str | None] = mapped_column(String(40))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    issued_on: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date)
    uploaded_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expiry_notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class AccessEntry(Base):
    """One line of a safe's journal: who did what to which document, when,
    and for which request. It outlives the document it names."""

    __tablename__ = "access_entries"
    __table_args__ = (
        Index("ix_access_entries_household_at", "household_id", "at"),
        Index("ix_access_entries_document_at", "document_id", "at"),
        CheckConstraint("actor IN ('family', 'agent', 'service')", name="ck_access_entries_actor"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    document_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("documents.id"))
    category: Mapped[str | None] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(10))
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    part: Mapped[str | None] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    request_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    request_reference: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class KnownRequest(Base):
    """A request (démarche) of family, as the vault learnt it from family's
    events or from an agent's ask: whose it is and whether it is closed."""

    __tablename__ = "known_requests"

    request_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    reference: Mapped[str] = mapped_column(String(40))
    status: Mapped[str | None] = mapped_column(String(40))
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    as_of: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DocumentAsk(Base):
    """An agent asks a household for a document of a category, for a request."""

    __tablename__ = "document_asks"
    __table_args__ = (Index("ix_document_asks_household_status", "household_id", "status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("known_requests.request_id"), index=True)
    category: Mapped[str] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    asked_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    asked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    share_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class Share(Base):
    """A document the family handed to a request: agents open it while the
    share lasts (until the request is closed plus some days, or revoked)."""

    __tablename__ = "shares"
    __table_args__ = (Index("ix_shares_household", "household_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"), index=True)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    request_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("known_requests.request_id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    shared_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    shared_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class HouseholdUsage(Base):
    """What a household's safe holds, kept with each change so that two
    uploads at once cannot both squeeze past the quota."""

    __tablename__ = "household_usage"

    household_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    documents: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)


class JobRun(Base):
    """One row per periodic job: the replica that locks it runs the job."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    last_run_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OutboxEvent(OutboxEventColumns, Base):
    __tablename__ = "outbox_events"


class ProcessedEvent(ProcessedEventColumns, Base):
    __tablename__ = "processed_events"


class PortalExport(Base):
    """The archive of all a household's data, asked by one of its accounts:
    prepared by the vault from every service's part, stored encrypted like a
    document (its own data key, wrapped), downloaded once before it expires,
    then shredded."""

    __tablename__ = "portal_exports"
    __table_args__ = (Index("ix_portal_exports_household_requested", "household_id", "requested_at"),
                      Index("ix_portal_exports_status", "status"))

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    status: Mapped[str] = mapped_column(String(12))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ready_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    taken_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    storage_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    key_id: Mapped[str | None] = mapped_column(String(40))
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    size: Mapped[int | None] = mapped_column(BigInteger)
    sha256: Mapped[str | None] = mapped_column(String(64))

class IdempotentRequest(IdempotentRequestColumns, Base):
    __tablename__ = "idempotent_requests"
