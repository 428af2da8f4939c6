import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kit.events import utcnow
from kit.outbox import OutboxEventColumns
from kit.types import UtcDateTime


class Base(DeclarativeBase):
    pass


class Document(Base):
    """Metadata of one stored document; its bytes live in the storage under `storage_key`."""

    __tablename__ = "documents"
    __table_args__ = (Index("ix_documents_household_uploaded", "household_id", "uploaded_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    category: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(64), unique=True)
    uploaded_by: Mapped[uuid.UUID] = mapped_column(Uuid)
    uploaded_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


UPLOAD, DOWNLOAD = "upload", "download"


class AccessEntry(Base):
    """One line of a document's access journal: who put it in or took it out, and when."""

    __tablename__ = "access_entries"
    __table_args__ = (
        Index("ix_access_entries_document_at", "document_id", "at"),
        CheckConstraint(f"action IN ('{UPLOAD}', '{DOWNLOAD}')", name="ck_access_entries_action"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    document_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("documents.id"))
    household_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class OutboxEvent(OutboxEventColumns, Base):
    __tablename__ = "outbox_events"
