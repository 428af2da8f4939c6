"""The tables of notify: its messages and the events it has already handled."""
import uuid
from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kit.events import utcnow
from kit.outbox import ProcessedEventColumns
from kit.types import UtcDateTime
from notify import statuses


class Base(DeclarativeBase):
    pass


class ProcessedEvent(ProcessedEventColumns, Base):
    __tablename__ = "processed_events"


class Message(Base):
    """One e-mail to one recipient, kept with what was sent and how it went."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    event_id: Mapped[str] = mapped_column(String(36), index=True)
    template: Mapped[str] = mapped_column(String(40))
    recipient: Mapped[str] = mapped_column(String(320), index=True)
    subject: Mapped[str] = mapped_column(String(255))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=statuses.CREATED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
