"""The tables of identity: accounts, their login sessions and tokens, the
links they were e-mailed, their FranceConnect identity, and the security journal."""
import uuid
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, MetaData, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from identity.accounts import EMAIL_MAX_LENGTH, ROLES
from identity.links import PURPOSES
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


def _one_of(column, values):
    return f"{column} IN (" + ", ".join(f"'{value}'" for value in values) + ")"


class Account(Base):
    __tablename__ = "accounts"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    # Stored normalised (accounts.normalise_email): one address, one account.
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH), unique=True)
    email_verified: Mapped[bool] = mapped_column(default=False)
    # None for an account opened with FranceConnect that never chose a password.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    # The household of a family account (family owns households); none for agents.
    household_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # Coordonnées: the phone in E.164 (contact.normalise_phone), the postal address.
    phone: Mapped[str | None] = mapped_column(String(16))
    street: Mapped[str | None] = mapped_column(String(200))
    postal_code: Mapped[str | None] = mapped_column(String(5))
    city: Mapped[str | None] = mapped_column(String(100))
    # Closed by the family (data_rights.py): nothing of the person is left on the row.
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    franceconnect: Mapped["FranceConnectLink | None"] = relationship(
        back_populates="account", lazy="joined", cascade="all, delete-orphan")


class Session(Base):
    """A login. A browser holds an opaque token of which we keep the SHA-256; a
    mobile client holds no session token (token_sha256 is None) but signed
    access tokens naming the session, and a refresh token."""

    __tablename__ = "sessions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Indexed: the gateway asks every 30 s which sessions were revoked lately.
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)

    account: Mapped[Account] = relationship(lazy="joined")


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("sessions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Set when exchanged for a new pair: presenting it again means a copy exists,
    # unless within seconds (tokens.REPLAY_GRACE), when it gets the same successor,
    # kept sealed with a key only this token opens (tokens.seal_successor).
    rotated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    successor_sealed: Mapped[str | None] = mapped_column(Text)

    session: Mapped[Session] = relationship(lazy="joined")


class SigningKey(Base):
    """The keys signing access tokens; their public halves are published to the gateway."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class LinkToken(Base):
    """A single-use link e-mailed to `email` (links.py); only its SHA-256 is kept."""

    __tablename__ = "link_tokens"
    __table_args__ = (CheckConstraint(_one_of("purpose", PURPOSES), name="purpose"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    purpose: Mapped[str] = mapped_column(String(32))
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), index=True)
    # The address the link was sent to: for an e-mail change, the new one.
    email: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Used, or replaced by a newer link of the same purpose.
    spent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    account: Mapped[Account] = relationship(lazy="joined")


class FranceConnectLink(Base):
    """An account's FranceConnect identity, found by the provider's `sub` only,
    never by e-mail (FranceConnect's e-mail proves nobody owns it)."""

    __tablename__ = "franceconnect_links"

    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id"), primary_key=True)
    sub: Mapped[str] = mapped_column(String(255), unique=True)
    given_name: Mapped[str] = mapped_column(String(200))
    family_name: Mapped[str] = mapped_column(String(200))
    linked_at: Mapped[datetime] = mapped_column(UtcDateTime)

    account: Mapped[Account] = relationship(back_populates="franceconnect")


class LoginThrottle(Base):
    """A counter of throttling.py: the login failures of one e-mail address or one
    client address, or the requests one subject made under a limit."""

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(EMAIL_MAX_LENGTH + 10), primary_key=True)
    failures: Mapped[int]
    started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_failure_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SecurityEvent(Base):
    """The security journal (journal.py): kept apart from the accounts it names,
    so that it outlives them."""

    __tablename__ = "security_events"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    account_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    action: Mapped[str] = mapped_column(String(40))
    client_ip: Mapped[str | None] = mapped_column(String(45))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class Bootstrap(Base):
    """What was done once for all at the first start (bootstrap.py), never again."""

    __tablename__ = "bootstrap"

    step: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    done_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OutboxEvent(OutboxEventColumns, Base):
    __tablename__ = "outbox_events"
