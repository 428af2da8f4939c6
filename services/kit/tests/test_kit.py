"""The kit's promises, checked on a small service against the real broker and PostgreSQL."""
import time

import eventlet
import pytest
from nameko.events import event_handler
from nameko.rpc import rpc
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter
from sqlalchemy import String, select, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from kit import errors
from kit.db import Database, make_engine
from kit.events import new_event
from kit.outbox import OutboxEventColumns, ProcessedEventColumns


class Base(DeclarativeBase):
    pass


class OutboxEvent(OutboxEventColumns, Base):
    __tablename__ = "outbox_events"


class ProcessedEvent(ProcessedEventColumns, Base):
    __tablename__ = "processed_events"


class Note(Base):
    __tablename__ = "notes"
    text: Mapped[str] = mapped_column(String(100), primary_key=True)


class KitService:
    name = "kitsample"
    db = Database(Base)

    @rpc
    def slow(self, seconds):
        with self.db.transaction() as tx:
            tx.session.execute(text("SELECT pg_sleep(:s)"), {"s": seconds})
        return "slow"

    @rpc
    def fast(self):
        with self.db.transaction() as tx:
            return tx.session.execute(text("SELECT 1")).scalar()

    @rpc
    def write(self, note):
        with self.db.transaction() as tx:
            tx.session.add(Note(text=note))
            tx.record_events([new_event("note_written", text=note)])

    @rpc
    def refuse(self):
        raise errors.Invalid("Date invalide", fields={"date": "format attendu AAAA-MM-JJ"})

    @event_handler("kitsample", "note_written")
    def on_note_written(self, payload):
        with self.db.transaction() as tx:
            if tx.first_time(payload["event_id"]):
                tx.session.add(Note(text="seen " + payload["text"]))


@pytest.fixture
def service_name():
    return "kitsample"


@pytest.fixture
def database_url(databases):
    return databases("kitsample", Base.metadata)


@pytest.fixture
def service(container_factory, config, database_url):
    look = make_engine(database_url)  # a separate engine to look at the rows
    with look.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    container = container_factory(KitService, config)
    container.start()
    yield container, look
    look.dispose()


def broker_down(*args):
    raise ConnectionRefusedError("broker down")


def notes(look):
    with look.connect() as connection:
        return sorted(connection.execute(select(Note.text)).scalars())


def test_a_slow_query_does_not_stall_other_calls_to_the_same_service(service, config):
    with ServiceRpcProxy("kitsample", config) as slow_proxy, ServiceRpcProxy("kitsample", config) as fast_proxy:
        started = time.perf_counter()
        pending = eventlet.spawn(slow_proxy.slow, 2)
        eventlet.sleep(0.2)  # the slow query is running now
        assert fast_proxy.fast() == 1
        assert time.perf_counter() - started < 1.0  # answered while the slow query still ran
        assert pending.wait() == "slow"


def test_an_event_leaves_after_commit_and_is_handled_once(service, config):
    container, look = service
    with entrypoint_waiter(container, "on_note_written"):
        with ServiceRpcProxy("kitsample", config) as proxy:
            proxy.write("bonjour")
    assert notes(look) == ["bonjour", "seen bonjour"]
    with look.connect() as connection:
        payload = connection.execute(select(OutboxEvent.payload)).scalar_one()
    # a replay of the same event changes nothing
    with entrypoint_waiter(container, "on_note_written"):
        event_dispatcher(config)("kitsample", "note_written", payload)
    assert notes(look) == ["bonjour", "seen bonjour"]


def test_events_recorded_while_the_broker_is_away_are_published_later(service, config):
    container, look = service
    relay = next(d for d in container.dependencies if isinstance(d, Database)).relay
    working_dispatch = relay.dispatch

    relay.dispatch = broker_down
    with ServiceRpcProxy("kitsample", config) as proxy:
        proxy.write("pendant la panne")
    eventlet.sleep(0.3)
    with look.connect() as connection:
        assert connection.execute(select(OutboxEvent.published_at)).scalar_one() is None
    with entrypoint_waiter(container, "on_note_written", timeout=10):
        relay.dispatch = working_dispatch
        relay.wake.set()
    assert notes(look) == ["pendant la panne", "seen pendant la panne"]


def test_errors_cross_the_rpc_boundary_with_their_code_and_fields(service, config):
    with ServiceRpcProxy("kitsample", config) as proxy:
        with pytest.raises(errors.Invalid) as raised:
            proxy.refuse()
    assert raised.value.code == "invalid"
    assert raised.value.fields == {"date": "format attendu AAAA-MM-JJ"}
    assert raised.value.message == "Date invalide"


def test_the_age_of_the_oldest_unpublished_event_is_measured(service, config):
    from kit.metrics import OUTBOX_OLDEST_PENDING

    container, look = service
    relay = next(d for d in container.dependencies if isinstance(d, Database)).relay
    working_dispatch = relay.dispatch
    relay.dispatch = broker_down
    with ServiceRpcProxy("kitsample", config) as proxy:
        proxy.write("en attente")
    eventlet.sleep(1.5)
    relay.measure_backlog()
    assert OUTBOX_OLDEST_PENDING.labels("kitsample")._value.get() >= 1
    with entrypoint_waiter(container, "on_note_written", timeout=10):
        relay.dispatch = working_dispatch
        relay.wake.set()
    relay.measure_backlog()
    assert OUTBOX_OLDEST_PENDING.labels("kitsample")._value.get() == 0
