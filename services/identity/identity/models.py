"""The tables of identity: accounts and their login sessions.

Later features (e-mail verification, password reset, FranceConnect links,
refresh tokens) get tables of their own pointing at `accounts.id` or
`sessions.id`, rather than more columns here.
"""
import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, MetaData, String, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from identity.accounts import EMAIL_MAX_LENGTH, ROLES
from kit.events import utcnow
from kit.outbox import OutboxEventColumns
from kit.types import UtcDateTime


class Base(DeclarativeBase):
    # Named constraints, so that later migrations can drop or alter them,
    # SQLite's batch mode included.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (
        CheckConstraint("role IN (" + ", ".join(f"'{role}'" for role in ROLES) + ")", name="role"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Stored normalised (accounts.normalise_email): one address, one account.
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # The household of a family account (family owns households); none for agents.
    household_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Session(Base):
    """A login: its token is known only to the client, we keep its SHA-256."""

    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    account: Mapped[Account] = relationship(lazy="joined")


class OutboxEvent(OutboxEventColumns, Base):
    __tablename__ = "outbox_events"
