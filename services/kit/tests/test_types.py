"""Timestamps come back aware and in UTC, from SQLite (`make run`) as from PostgreSQL."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Integer, create_engine
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from kit.types import UtcDateTime

PARIS_SUMMER = timezone(timedelta(hours=2))


class Base(DeclarativeBase):
    pass


class Moment(Base):
    __tablename__ = "moments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime | None] = mapped_column(UtcDateTime)


@pytest.fixture
def engine():
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def kept(engine, at):
    with Session(engine) as session, session.begin():
        session.add(Moment(id=1, at=at))
    with Session(engine) as session:
        return session.get(Moment, 1).at


def test_a_time_comes_back_as_the_same_instant_in_utc(engine):
    opened = datetime(2026, 10, 5, 10, 30, 15, 123456, tzinfo=PARIS_SUMMER)
    back = kept(engine, opened)
    assert back == opened
    assert back.tzinfo == timezone.utc
    assert back.isoformat() == "2026-10-05T08:30:15.123456+00:00"


def test_no_time_stays_none(engine):
    assert kept(engine, None) is None
